// Python's repr(float) is "the shortest string that round-trips" (David Gay's
// dtoa, mode 0) laid out by format_float_short() in Python/pystrtod.c:
//   * decimal point position `decpt` (value = 0.DIGITS x 10^decpt);
//   * fixed notation when -4 < decpt <= 16, else scientific;
//   * fixed notation always shows a fractional part ("1.0", "100.0");
//   * scientific shows the exponent with a sign and at least two digits
//     ("1e-07", "1e+16", "1.5e+300") and no ".0" on a one-digit mantissa.
// std::to_chars(double, scientific) gives the same shortest, correctly rounded
// digits (Ryu in libstdc++); we only re-lay them out.
#include "fulmen/json/float_repr.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace fulmen::json {

namespace {

constexpr double pow10_table[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};

// PERF: API payloads are full of floats with few decimals (9.99, 4.25, 0.5).
// For 1e-4 <= |v| < 1e9, look for the decimal m / 10^k (k <= 6) that rounds to
// v. Such a decimal has at most 15 significant digits, and two distinct decimals
// of at most 15 digits are more than 2 ulp apart, so at most one rounds to v: if
// the exact check (m / 10^k, correctly rounded by IEEE division, == v) passes,
// m with its trailing zeros stripped IS the shortest round-trip digit string.
// Otherwise (most of canada.json) we fall back to to_chars. Returns 0 on fallback.
std::size_t fixed_fast_path(double value, char* out) noexcept {
  const double magnitude = value < 0 ? -value : value;
  if (!(magnitude >= 1e-4 && magnitude < 1e9)) return 0;
  const double scaled = magnitude * 1e6;
  auto n = static_cast<std::uint64_t>(scaled + 0.5);
  int k = 6;
  while (k > 0 && n % 10 == 0) {
    n /= 10;
    --k;
  }
  if (static_cast<double>(n) / pow10_table[k] != magnitude) return 0;
  // Lay out n with the point k places from the right: the integer part, then
  // exactly k fraction digits (or "0" when k == 0). PERF: written in place,
  // no variable-length memcpy (a libc call per piece).
  static constexpr std::uint64_t pow10_int[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  const std::uint64_t whole = n / pow10_int[k];
  std::uint64_t fraction = n % pow10_int[k];
  char* o = out;
  if (value < 0) *o++ = '-';
  o = std::to_chars(o, o + 20, whole).ptr;  // whole < 1e9
  *o++ = '.';
  if (k == 0) {
    *o++ = '0';
  } else {
    for (int i = k - 1; i >= 0; --i) {
      o[i] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    o += k;
  }
  return static_cast<std::size_t>(o - out);
}

}  // namespace

std::size_t write_float_repr(double value, char* out) noexcept {
  if (const std::size_t n = fixed_fast_path(value, out); n != 0) return n;
  // Shortest scientific form: "-d.ddddde±XX" (at most 17 digits).
  char sci[float_repr_max];
  const auto res = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific);
  const char* p = sci;
  const char* const end = res.ptr;
  char* o = out;
  if (*p == '-') {
    *o++ = '-';
    ++p;
  }
  // Collect the digits (without the point) and the exponent.
  char digits[20];
  int ndigits = 0;
  while (p < end && *p != 'e') {
    if (*p != '.') digits[ndigits++] = *p;
    ++p;
  }
  int exponent = 0;
  if (p < end) {  // 'e'
    ++p;
    const bool negative_exp = (*p == '-');
    if (*p == '-' || *p == '+') ++p;
    while (p < end) exponent = exponent * 10 + (*p++ - '0');
    if (negative_exp) exponent = -exponent;
  }
  const int decpt = exponent + 1;

  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {  // 0.000ddd
      *o++ = '0';
      *o++ = '.';
      for (int i = 0; i < -decpt; ++i) *o++ = '0';
      std::memcpy(o, digits, static_cast<std::size_t>(ndigits));
      o += ndigits;
    } else if (decpt < ndigits) {  // dd.ddd
      std::memcpy(o, digits, static_cast<std::size_t>(decpt));
      o += decpt;
      *o++ = '.';
      std::memcpy(o, digits + decpt, static_cast<std::size_t>(ndigits - decpt));
      o += ndigits - decpt;
    } else {  // ddd000.0
      std::memcpy(o, digits, static_cast<std::size_t>(ndigits));
      o += ndigits;
      for (int i = ndigits; i < decpt; ++i) *o++ = '0';
      *o++ = '.';
      *o++ = '0';
    }
  } else {
    *o++ = digits[0];
    if (ndigits > 1) {
      *o++ = '.';
      std::memcpy(o, digits + 1, static_cast<std::size_t>(ndigits - 1));
      o += ndigits - 1;
    }
    *o++ = 'e';
    int e = decpt - 1;
    if (e < 0) {
      *o++ = '-';
      e = -e;
    } else {
      *o++ = '+';
    }
    if (e >= 100) {
      *o++ = static_cast<char>('0' + e / 100);
      e %= 100;
      *o++ = static_cast<char>('0' + e / 10);
      *o++ = static_cast<char>('0' + e % 10);
    } else {
      *o++ = static_cast<char>('0' + e / 10);
      *o++ = static_cast<char>('0' + e % 10);
    }
  }
  return static_cast<std::size_t>(o - out);
}

}  // namespace fulmen::json
