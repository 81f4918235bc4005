// C++-only tests of the float codec against the standard library, run under
// ASan + UBSan + LSan by tools/sanitize:
//  * write_float_repr (our Schubfach digits) must give byte for byte the text of
//    write_float_repr_via_to_chars (std::to_chars' shortest digits, same layout);
//  * scan_number (Clinger, our Eisel-Lemire, SWAR digits) must give bit for bit
//    the double std::from_chars gives.
// Random inputs come from a fixed seed; FULMEN_FLOAT_CHECKS sets how many per
// family (default 300,000; set it to tens of millions for a long run).
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "fulmen/json/float_repr.hpp"
#include "fulmen/json/reader.hpp"
#include "fulmen_check.hpp"

using namespace fulmen::json;

namespace {

unsigned long repr_mismatches = 0;
unsigned long parse_mismatches = 0;

void check_repr(double d) {
  if (!std::isfinite(d)) return;
  char ours[float_repr_max];
  char reference[float_repr_max];
  const std::size_t n = write_float_repr(d, ours);
  const std::size_t m = write_float_repr_via_to_chars(d, reference);
  if (n != m || std::memcmp(ours, reference, n) != 0) {
    if (repr_mismatches++ < 10) {
      std::fprintf(stderr, "repr mismatch for %a: %.*s vs %.*s\n", d, static_cast<int>(n), ours,
                   static_cast<int>(m), reference);
    }
  }
}

// `text` must be a JSON float (a '.' or an exponent).
void check_parse(const std::string& text) {
  double want = 0.0;
  const auto res = std::from_chars(text.data(), text.data() + text.size(), want);
  if (res.ec != std::errc()) return;  // out of range: covered by test_reader
  const NumberScan n = scan_number(text.data(), text.data() + text.size());
  if (n.kind != NumberKind::float64 || std::bit_cast<std::uint64_t>(n.d) != std::bit_cast<std::uint64_t>(want)) {
    if (parse_mismatches++ < 10) {
      std::fprintf(stderr, "parse mismatch for %s: %.17g vs %.17g\n", text.c_str(), n.d, want);
    }
  }
}

std::string shortest(double d) {
  char buf[float_repr_max];
  return std::string(buf, write_float_repr(d, buf));
}

}  // namespace

int main() {
  long count = 300'000;
  if (const char* env = std::getenv("FULMEN_FLOAT_CHECKS")) count = std::atol(env);
  std::mt19937_64 rng(20201204);
  char buf[64];

  // Every exponent, with the fractions at the edges (powers of two are the
  // irregular case of Schubfach: the gap below is half the gap above).
  for (std::uint64_t e = 0; e < 2047; ++e) {
    for (std::uint64_t f : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{2},
                            (std::uint64_t{1} << 51), (std::uint64_t{1} << 52) - 1}) {
      const double d = std::bit_cast<double>((e << 52) | f);
      check_repr(d);
      check_repr(-d);
      if (d != 0.0 && std::isfinite(d)) check_parse(shortest(d));
    }
  }
  // Powers of ten and the longest digit strings near them.
  for (int p = -330; p <= 310; ++p) {
    for (const char* mantissa : {"1", "9.999999999999999", "5", "2.2250738585072014"}) {
      const std::string text = std::string(mantissa) + "e" + std::to_string(p);
      check_parse(text);
      check_repr(std::strtod(text.c_str(), nullptr));
    }
  }
  // Halfway cases around 2^53 and short decimals (the shapes of API payloads).
  for (std::uint64_t m = (std::uint64_t{1} << 53) - 20; m < (std::uint64_t{1} << 53) + 20; ++m) {
    check_parse(std::to_string(m) + ".0");
    check_parse(std::to_string(m) + ".5");
    check_parse(std::to_string(m) + "5e-1");
  }
  for (int i = 0; i < 100'000; ++i) {
    std::snprintf(buf, sizeof buf, "%d.%02d", i / 100, i % 100);
    check_parse(buf);
    check_repr(std::strtod(buf, nullptr));
  }
  // Random bit patterns (every magnitude), random coordinates (canada.json's
  // shape: 15 to 17 digits), random 19-digit mantissas with random exponents.
  std::uniform_real_distribution<double> coordinate(-180.0, 180.0);
  for (long i = 0; i < count; ++i) {
    const double d = std::bit_cast<double>(rng());
    if (std::isfinite(d)) {
      check_repr(d);
      std::snprintf(buf, sizeof buf, "%.17e", d);
      check_parse(buf);
      check_parse(shortest(d));
    }
    const double c = coordinate(rng);
    check_repr(c);
    std::snprintf(buf, sizeof buf, "%.15f", c);
    check_parse(buf);
    check_parse(shortest(c));
    const std::uint64_t m = rng() % 10'000'000'000'000'000'000ULL;
    const int e = static_cast<int>(rng() % 700) - 350;
    std::snprintf(buf, sizeof buf, "%llue%d", static_cast<unsigned long long>(m), e);
    check_parse(buf);
    std::snprintf(buf, sizeof buf, "0.%019llue%d", static_cast<unsigned long long>(m), e);
    check_parse(buf);
  }
  FULMEN_CHECK_EQ(repr_mismatches, 0UL);
  FULMEN_CHECK_EQ(parse_mismatches, 0UL);
  return fulmen::check::finish("json_floats");
}
