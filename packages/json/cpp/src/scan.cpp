#include "fulmen/json/scan.hpp"

#include <bit>
#include <cmath>
#if defined(__SSE2__)
#include <emmintrin.h>  // SSE2 is part of the x86-64 baseline: no -march needed
#endif

#include "decimal_to_double.hpp"
#include "fulmen/json/reader.hpp"
#include "fulmen/json/swar.hpp"

namespace fulmen::json {

namespace {

using detail::broadcast;

// PERF: SWAR test of 8 bytes: the high bit of each byte that is '"', '\\',
// below 0x20 or at least 0x80 (the lowest flag is exact, see first_special).
inline std::uint64_t special_mask(std::uint64_t v) noexcept {
  return detail::escape_mask(v) | (v & broadcast(0x80));
}

// Index of the first special byte of a block whose mask is non-zero. PERF: on
// little-endian machines the first byte in memory is the lowest in `v`, so one
// count of trailing zeros finds it; elsewhere the caller walks byte by byte.
inline std::size_t first_special(std::uint64_t mask) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    return static_cast<std::size_t>(std::countr_zero(mask)) / 8;
  } else {
    return 0;
  }
}

inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at p (p + 4 <= end is the caller's check), or -1.
inline long hex4(const char* p) noexcept {
  long v = 0;
  for (int i = 0; i < 4; ++i) {
    const int h = hex_value(p[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

inline void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    const char b[2] = {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 2);
  } else if (cp < 0x10000) {
    const char b[3] = {static_cast<char>(0xE0 | (cp >> 12)),
                       static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                       static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 3);
  } else {
    const char b[4] = {static_cast<char>(0xF0 | (cp >> 18)),
                       static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
                       static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                       static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 4);
  }
}

inline StringKind widen(StringKind a, StringKind b) noexcept { return a < b ? b : a; }

StringScan string_error(ParseError e, const char* at) {
  return StringScan{{}, StringKind::ascii, nullptr, e, at};
}

// The slow path: the string holds at least one escape. `q` is at the first '\\'.
StringScan scan_escaped(const char* s, const char* q, const char* end, StringKind kind,
                        std::string& scratch) {
  scratch.assign(s, static_cast<std::size_t>(q - s));
  while (q < end) {
    const auto c = static_cast<unsigned char>(*q);
    if (c == '"') return StringScan{scratch, kind, q + 1, ParseError::none, nullptr};
    if (c == '\\') {
      if (end - q < 2) break;
      const char* esc = q;
      switch (q[1]) {
        case '"': scratch.push_back('"'); q += 2; continue;
        case '\\': scratch.push_back('\\'); q += 2; continue;
        case '/': scratch.push_back('/'); q += 2; continue;
        case 'b': scratch.push_back('\b'); q += 2; continue;
        case 'f': scratch.push_back('\f'); q += 2; continue;
        case 'n': scratch.push_back('\n'); q += 2; continue;
        case 'r': scratch.push_back('\r'); q += 2; continue;
        case 't': scratch.push_back('\t'); q += 2; continue;
        case 'u': {
          if (end - q < 6) return string_error(ParseError::invalid_escape, esc);
          long cp = hex4(q + 2);
          if (cp < 0) return string_error(ParseError::invalid_escape, esc);
          q += 6;
          if (cp >= 0xD800 && cp <= 0xDBFF && end - q >= 6 && q[0] == '\\' && q[1] == 'u') {
            const long low = hex4(q + 2);
            if (low >= 0xDC00 && low <= 0xDFFF) {  // a UTF-16 surrogate pair (§7)
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              q += 6;
            }
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) {
            kind = StringKind::utf8_surrogates;  // lone surrogate: kept, as json does
          } else if (cp >= 0x80) {
            kind = widen(kind, StringKind::utf8);
          }
          append_utf8(scratch, static_cast<unsigned long>(cp));
          continue;
        }
        default: return string_error(ParseError::invalid_escape, esc);
      }
    }
    if (c < 0x20) return string_error(ParseError::control_in_string, q);
    if (c >= 0x80) {
      const int len = utf8_sequence_length(reinterpret_cast<const unsigned char*>(q),
                                           reinterpret_cast<const unsigned char*>(end));
      if (len == 0) return string_error(ParseError::invalid_utf8, q);
      scratch.append(q, static_cast<std::size_t>(len));
      q += len;
      kind = widen(kind, StringKind::utf8);
      continue;
    }
    // A run of plain ASCII: append it whole.
    const char* run = q;
    while (q < end) {
      const auto r = static_cast<unsigned char>(*q);
      if (r == '"' || r == '\\' || r < 0x20 || r >= 0x80) break;
      ++q;
    }
    scratch.append(run, static_cast<std::size_t>(q - run));
  }
  return string_error(ParseError::unexpected_end, end);
}

// PERF: eight digits at once. True when all 8 bytes at p are ASCII digits;
// then `out` is their value. Both tests are exact per byte: (b & 0xF0) == 0x30
// keeps 0x30..0x3F, and b + 6 stays below 0x40 only for 0x30..0x39 (no carry
// crosses into the next byte for those).
inline bool eight_digits(const char* p, std::uint64_t& out) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if ((v & broadcast(0xF0)) != broadcast(0x30) ||
      ((v + broadcast(0x06)) & broadcast(0xF0)) != broadcast(0x30)) {
    return false;
  }
  if constexpr (std::endian::native != std::endian::little) {
    v = __builtin_bswap64(v);  // the first digit in the lowest byte
  }
  v -= broadcast(0x30);
  // Pairs, then quads, then the whole: each step multiplies the earlier
  // digits by 10^k and adds the later ones, lane by lane (no lane overflows).
  v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFULL;
  v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFULL;
  out = (v * 10000 + (v >> 32)) & 0xFFFFFFFFULL;
  return true;
}

// Four digits at once, as eight_digits (the same exact per-byte tests).
inline bool four_digits(const char* p, std::uint64_t& out) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  if ((v & 0xF0F0F0F0U) != 0x30303030U || ((v + 0x06060606U) & 0xF0F0F0F0U) != 0x30303030U) {
    return false;
  }
  if constexpr (std::endian::native != std::endian::little) v = __builtin_bswap32(v);
  v -= 0x30303030U;
  v = (v * 10 + (v >> 8)) & 0x00FF00FFU;
  out = (v * 100 + (v >> 16)) & 0xFFFFU;
  return true;
}

}  // namespace

StringScan scan_string(const char* p, const char* end, std::string& scratch) {
  const char* const s = p + 1;
  const char* q = s;
  StringKind kind = StringKind::ascii;
  for (;;) {
#if defined(__SSE2__)
    // PERF: long strings, 16 bytes at a time (the same test as special_mask).
    {
      const __m128i quote = _mm_set1_epi8('"');
      const __m128i backslash = _mm_set1_epi8('\\');
      const __m128i control_max = _mm_set1_epi8(0x1F);
      while (end - q >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
        const __m128i special =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                         _mm_cmpeq_epi8(_mm_max_epu8(v, control_max), control_max));
        // movemask also takes each byte's high bit: the non-ASCII bytes.
        const auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(special, v)));
        if (mask != 0) {
          q += __builtin_ctz(mask);
          goto special_byte;
        }
        q += 16;
      }
    }
#endif
    // PERF: skip 8 plain ASCII bytes at a time, then straight to the first
    // special byte of the block (the closing quote, most of the time).
    while (end - q >= 8) {
      std::uint64_t v;
      std::memcpy(&v, q, 8);
      if (const std::uint64_t mask = special_mask(v); mask != 0) {
        q += first_special(mask);
        break;
      }
      q += 8;
    }
#if defined(__SSE2__)
  special_byte:
#endif
    if (q >= end) return string_error(ParseError::unexpected_end, end);
    const auto c = static_cast<unsigned char>(*q);
    if (c == '"') {
      return StringScan{std::string_view(s, static_cast<std::size_t>(q - s)), kind, q + 1,
                        ParseError::none, nullptr};
    }
    if (c == '\\') return scan_escaped(s, q, end, kind, scratch);
    if (c < 0x20) return string_error(ParseError::control_in_string, q);
    if (c >= 0x80) {
      // PERF: non-Latin text comes as runs of multi-byte characters: the whole
      // run is validated here rather than one character per block scan.
      do {
        const int len = utf8_sequence_length(reinterpret_cast<const unsigned char*>(q),
                                             reinterpret_cast<const unsigned char*>(end));
        if (len == 0) return string_error(ParseError::invalid_utf8, q);
        q += len;
      } while (q < end && static_cast<unsigned char>(*q) >= 0x80);
      kind = StringKind::utf8;
    } else {
      ++q;
    }
  }
}

NumberScan scan_number(const char* p, const char* end) noexcept {
  NumberScan r;
  const char* q = p;
  const bool negative = (*q == '-');
  if (negative) ++q;
  auto digit = [&](const char* at) { return at < end && *at >= '0' && *at <= '9'; };
  if (!digit(q)) {
    r.next = q;
    return r;
  }
  // PERF: one pass. The first 19 significant digits (integer and fraction
  // alike) accumulate in `value`; the number is value x 10^scale (exactly,
  // unless `truncated`), ready for the fast decimal-to-double paths.
  std::uint64_t value = 0;
  // Digit counters are 64-bit: a number may be as long as the input.
  std::int64_t ndigits = 0;     // significant integer digits
  std::int64_t int_digits = 0;  // all integer digits
  int significant = 0;          // digits in `value`, at most 19
  std::int64_t scale = 0;
  bool truncated = false;
  if (*q == '0') {
    ++q;
    int_digits = 1;
    if (digit(q)) {  // RFC 8259 §6: no leading zeros
      r.next = q;
      return r;
    }
  } else {
    std::uint64_t chunk = 0;
    while (end - q >= 8 && ndigits <= 11 && eight_digits(q, chunk)) {
      value = value * 100'000'000 + chunk;
      ndigits += 8;
      q += 8;
    }
    while (digit(q)) {
      if (ndigits < 19) value = value * 10 + static_cast<std::uint64_t>(*q - '0');
      ++ndigits;
      ++q;
    }
    int_digits = ndigits;
    if (ndigits > 19) {
      truncated = true;
      scale = ndigits - 19;
      significant = 19;
    } else {
      significant = static_cast<int>(ndigits);
    }
  }
  bool is_float = false;
  std::int64_t leading_frac_zeros = 0;
  if (q < end && *q == '.') {
    ++q;
    if (!digit(q)) {
      r.next = q;
      return r;
    }
    std::uint64_t chunk = 0;
    while (value != 0 && significant <= 11 && end - q >= 8 && eight_digits(q, chunk)) {
      value = value * 100'000'000 + chunk;
      significant += 8;
      scale -= 8;
      q += 8;
    }
    if (value != 0 && significant <= 15 && end - q >= 4 && four_digits(q, chunk)) {
      value = value * 10'000 + chunk;
      significant += 4;
      scale -= 4;
      q += 4;
    }
    while (digit(q)) {
      const auto d = static_cast<std::uint64_t>(*q - '0');
      if (value == 0 && d == 0) {
        ++leading_frac_zeros;  // not significant: only moves the point
        --scale;
      } else if (significant < 19) {
        value = value * 10 + d;
        ++significant;
        --scale;
      } else {
        truncated = true;
      }
      ++q;
    }
    is_float = true;
  }
  long exponent = 0;
  if (q < end && (*q == 'e' || *q == 'E')) {
    ++q;
    bool negative_exp = false;
    if (q < end && (*q == '+' || *q == '-')) negative_exp = (*q++ == '-');
    if (!digit(q)) {
      r.next = q;
      return r;
    }
    while (digit(q)) {
      if (exponent < 1'000'000'000) exponent = exponent * 10 + (*q - '0');
      ++q;
    }
    if (negative_exp) exponent = -exponent;
    is_float = true;
  }
  r.next = q;
  if (!is_float) {
    if (ndigits <= 19) {
      if (negative) {
        if (value <= (std::uint64_t{1} << 63)) {
          r.kind = NumberKind::int64;
          r.i = value == (std::uint64_t{1} << 63) ? std::numeric_limits<std::int64_t>::min()
                                                  : -static_cast<std::int64_t>(value);
          return r;
        }
      } else if (value <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        r.kind = NumberKind::int64;
        r.i = static_cast<std::int64_t>(value);
        return r;
      } else {
        r.kind = NumberKind::uint64;
        r.u = value;
        return r;
      }
    }
    r.kind = NumberKind::big_int;
    return r;
  }
  r.kind = NumberKind::float64;
  if (!truncated) {
    if (value == 0) {
      r.d = negative ? -0.0 : 0.0;
      return r;
    }
    if (detail::decimal_to_double(value, exponent + scale, r.d)) {
      if (negative) r.d = -r.d;
      return r;
    }
  }
  // Correctly rounded, as Python's float() (both round to nearest, ties to even).
  double d = 0.0;
  const auto res = std::from_chars(p, q, d, std::chars_format::general);
  if (res.ec == std::errc::result_out_of_range) {
    // from_chars leaves `d` untouched; Python's float() gives ±inf on overflow
    // and ±0.0 on underflow. The decimal magnitude tells which it was.
    const std::int64_t magnitude = ndigits > 0
                               ? exponent + int_digits
                               : exponent - leading_frac_zeros;
    d = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    if (negative) d = -d;
  }
  r.d = d;
  return r;
}

const char* parse_error_message(ParseError error) noexcept {
  switch (error) {
    case ParseError::none: return "no error";
    case ParseError::empty_input: return "Expecting value: empty input";
    case ParseError::byte_order_mark: return "Unexpected UTF-8 byte order mark (RFC 8259 section 8.1)";
    case ParseError::unexpected_end: return "Unexpected end of input";
    case ParseError::expected_value: return "Expecting value";
    case ParseError::expected_key: return "Expecting property name enclosed in double quotes";
    case ParseError::expected_colon: return "Expecting ':' delimiter";
    case ParseError::expected_comma_or_end: return "Expecting ',' delimiter or end of container";
    case ParseError::invalid_literal: return "Invalid literal (expected true, false or null)";
    case ParseError::invalid_number: return "Invalid number";
    case ParseError::control_in_string: return "Invalid control character in string";
    case ParseError::invalid_escape: return "Invalid escape sequence in string";
    case ParseError::invalid_utf8: return "Invalid UTF-8";
    case ParseError::trailing_data: return "Extra data after the JSON value";
    case ParseError::too_deep: return "Maximum nesting depth exceeded";
    case ParseError::handler_error: return "Value could not be built";
  }
  return "unknown error";
}

}  // namespace fulmen::json
