// The two lexical scanners of the reader: strings (RFC 8259 §7, with UTF-8
// validation per RFC 3629) and numbers (RFC 8259 §6). Python-free, inline
// because they are the decoder's hot loop.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

namespace fulmen::json {

enum class ParseError : std::uint8_t;

// What a decoded string holds; ordered, later kinds include the earlier ones.
enum class StringKind : std::uint8_t {
  ascii,            // only U+0000..U+007F
  utf8,             // valid UTF-8 with non-ASCII characters
  utf8_surrogates,  // also lone surrogates from "\uD800"-style escapes, written
                    // as 3-byte sequences (decode with "surrogatepass", as json does)
};

struct StringScan {
  std::string_view text;  // into the input (no escapes) or into the scratch buffer
  StringKind kind;
  const char* next;       // just past the closing quote
  ParseError error;
  const char* error_at;
};

enum class NumberKind : std::uint8_t { invalid, int64, uint64, big_int, float64 };

struct NumberScan {
  NumberKind kind = NumberKind::invalid;
  const char* next = nullptr;  // end of the number (or the offending byte)
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0.0;
};

// Length of the valid UTF-8 sequence starting at the non-ASCII byte `q`, or 0.
// RFC 3629 §4: no overlong forms, no surrogates (U+D800..DFFF), nothing past U+10FFFF.
inline int utf8_sequence_length(const unsigned char* q, const unsigned char* end) noexcept {
  const unsigned char c0 = q[0];
  const std::ptrdiff_t avail = end - q;
  auto cont = [](unsigned char c) { return (c & 0xC0) == 0x80; };
  if (c0 < 0xC2) return 0;
  if (c0 < 0xE0) return avail >= 2 && cont(q[1]) ? 2 : 0;
  if (c0 < 0xF0) {
    if (avail < 3) return 0;
    const unsigned char lo = c0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = c0 == 0xED ? 0x9F : 0xBF;
    return q[1] >= lo && q[1] <= hi && cont(q[2]) ? 3 : 0;
  }
  if (c0 < 0xF5) {
    if (avail < 4) return 0;
    const unsigned char lo = c0 == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = c0 == 0xF4 ? 0x8F : 0xBF;
    return q[1] >= lo && q[1] <= hi && cont(q[2]) && cont(q[3]) ? 4 : 0;
  }
  return 0;
}

// Scans the string whose opening quote is at `p`. Defined in scan.cpp.
StringScan scan_string(const char* p, const char* end, std::string& scratch);

// Scans the number starting at `p` ('-' or a digit). Defined in scan.cpp.
NumberScan scan_number(const char* p, const char* end) noexcept;

}  // namespace fulmen::json
