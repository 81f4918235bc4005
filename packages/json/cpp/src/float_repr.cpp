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
#include <cstring>

namespace fulmen::json {

std::size_t write_float_repr(double value, char* out) noexcept {
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
