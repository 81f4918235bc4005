// Decimal to double, correctly rounded, without big-number arithmetic in the
// common cases. Private to scan.cpp (a header so it inlines into the scanner).
//
// Two exact fast paths, tried in order; each either gives the correctly
// rounded double (round to nearest, ties to even, as Python's float()) or
// says it cannot decide, and the caller falls back to std::from_chars:
//  * Clinger: w < 2^53 and |q| <= 22 make w and 10^|q| exact doubles, so
//    w * 10^q (or w / 10^-q) is ONE correctly rounded IEEE operation;
//  * Eisel-Lemire (Daniel Lemire, "Number Parsing at a Gigabyte per Second",
//    2021, after Michael Eisel): w times the 128 leading bits of 5^q
//    (pow10_tables.hpp), with the truncation error bounded so that the rounding
//    is decided exactly or the case is handed back.
#pragma once

#include <bit>
#include <cstdint>

#include "pow10_tables.hpp"

namespace fulmen::json::detail {

__extension__ using uint128 = unsigned __int128;

inline constexpr double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                         1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                         1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// w x 10^q for an exact decimal mantissa w != 0. Returns false when undecided
// or outside the normal range (subnormal, overflow): the caller falls back.
inline bool decimal_to_double(std::uint64_t w, std::int64_t q, double& out) noexcept {
  if (w <= (std::uint64_t{1} << 53) && q >= -22 && q <= 22) {
    const auto d = static_cast<double>(w);  // exact
    out = q < 0 ? d / exact_pow10[-q] : d * exact_pow10[q];
    return true;
  }
  if (q < lemire_q_min || q > lemire_q_max) return false;
  const std::uint64_t* t = lemire_5[q - lemire_q_min];
  // Normalise w to [2^63, 2^64): the product w x T lies in [2^190, 2^192).
  const int lz = std::countl_zero(w);
  w <<= lz;
  uint128 z = uint128{w} * t[0];
  auto hi = static_cast<std::uint64_t>(z >> 64);
  auto lo = static_cast<std::uint64_t>(z);
  // With T's low half left out, the true product is in [z, z + w). Only when
  // that could carry into the 10th bit of `hi` does it matter: add it in.
  if ((hi & 0x1FF) == 0x1FF && lo + w < lo) {
    z = uint128{w} * t[1];
    const auto z_hi = static_cast<std::uint64_t>(z >> 64);
    const auto z_lo = static_cast<std::uint64_t>(z);
    lo += z_hi;
    if (lo < z_hi) ++hi;
    // Now the error is below w at the lowest word; still ambiguous: give up.
    if ((hi & 0x1FF) == 0x1FF && lo == ~std::uint64_t{0} && z_lo + w < z_lo) return false;
  }
  const int upper = static_cast<int>(hi >> 63);
  // 54 bits: the 53 of the double and the rounding bit below them.
  std::uint64_t m = hi >> (upper + 9);
  // Biased exponent: floor(q log2(10)) (checked by gen/pow10_tables.py) + the
  // normalisation shifts + 1023 + 63.
  std::int64_t e = ((q * 217706) >> 16) + upper - lz + 1086;
  // Exactly halfway as far as these bits tell (the rest may be above it):
  // rounding up would break a tie away from even. Let the slow path decide.
  if (lo == 0 && (hi & 0x1FF) == 0 && (m & 3) == 1) return false;
  m += m & 1;  // round to nearest
  m >>= 1;
  if (m >> 53 != 0) {  // rounding carried into a new bit: 2^53
    m >>= 1;
    ++e;
  }
  if (e <= 0 || e >= 0x7FF) return false;  // subnormal or infinite: the slow path
  out = std::bit_cast<double>((m & ((std::uint64_t{1} << 52) - 1)) |
                              (static_cast<std::uint64_t>(e) << 52));
  return true;
}

}  // namespace fulmen::json::detail
