// The strict RFC 8259 JSON reader: a Python-free, event-driven ("SAX") parser.
//
// parse() walks the text once and calls a Handler for every value; the Handler
// (the Python bindings, a C++ test, the fuzz target) decides what to build.
// Nesting is tracked on an explicit, depth-limited stack, never the C++ call
// stack, so hostile input such as 100,000 '[' is a clean error.
//
// Handler interface (each returns false to abort the parse):
//   bool null_value(); bool bool_value(bool);
//   bool int_value(std::int64_t); bool uint_value(std::uint64_t);
//   bool big_int(std::string_view digits);   // outside the 64-bit ranges, exact text
//   bool double_value(double);
//   bool string_value(std::string_view utf8, StringKind kind);
//   bool key(std::string_view utf8, StringKind kind);
//   bool start_array(); bool end_array(std::size_t count);
//   bool start_object(); bool end_object(std::size_t count);
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fulmen/json/scan.hpp"

namespace fulmen::json {

enum class ParseError : std::uint8_t {
  none,
  empty_input,       // nothing but whitespace
  byte_order_mark,   // RFC 8259 §8.1: implementations MUST NOT add a BOM; we reject it
  unexpected_end,    // the text stops inside a value
  expected_value,    // a byte that cannot start a value
  expected_key,      // object member without a string name
  expected_colon,
  expected_comma_or_end,
  invalid_literal,   // not exactly true / false / null
  invalid_number,    // RFC 8259 §6 grammar
  control_in_string, // RFC 8259 §7: U+0000..U+001F must be escaped
  invalid_escape,
  invalid_utf8,      // RFC 8259 §8.1: text MUST be UTF-8
  trailing_data,     // a second value after the first
  too_deep,          // nesting above ParseOptions::max_depth
  handler_error,     // the handler returned false
};

// A short, human message for each error (stable: tests match on it).
const char* parse_error_message(ParseError error) noexcept;

struct ParseResult {
  ParseError error = ParseError::none;
  std::size_t offset = 0;  // byte offset of the error in the input
  [[nodiscard]] bool ok() const noexcept { return error == ParseError::none; }
};

struct ParseOptions {
  // Maximum nesting of arrays and objects (the top-level container is depth 1).
  std::size_t max_depth = 1024;
};

namespace detail {

inline bool is_ws(unsigned char c) noexcept {
  // RFC 8259 §2: the only insignificant whitespace.
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// PERF: pretty-printed documents are mostly indentation, runs of spaces after a
// newline: after each newline, 8 bytes at a time are tested for all-spaces
// (exactly: no carry crosses a byte in the test), and a partial block jumps to
// its first non-space byte. Compact documents never reach that path.
inline const char* skip_ws(const char* p, const char* end) noexcept {
  while (p < end && is_ws(static_cast<unsigned char>(*p))) {
    if constexpr (std::endian::native == std::endian::little) {
      if (*p++ != '\n') continue;
      constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
      while (end - p >= 8) {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        const std::uint64_t x = v ^ 0x2020202020202020ULL;  // spaces become 0
        const std::uint64_t non_space = (((x & low7) + low7) | x) & ~low7;
        if (non_space != 0) {
          p += std::countr_zero(non_space) / 8;
          break;
        }
        p += 8;
      }
    } else {
      ++p;
    }
  }
  return p;
}

}  // namespace detail

// Reusable parser state (its buffers keep their capacity between documents).
class Reader {
 public:
  template <class Handler>
  ParseResult parse(std::string_view text, Handler& handler, const ParseOptions& options = {});

 private:
  struct Frame {
    bool object;
    std::size_t count;
  };
  std::vector<Frame> stack_;
  std::string scratch_;  // unescaped string contents
};

template <class Handler>
ParseResult Reader::parse(std::string_view text, Handler& h, const ParseOptions& options) {
  using detail::skip_ws;
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin;
  stack_.clear();
  auto fail = [&](ParseError e, const char* at) {
    return ParseResult{e, static_cast<std::size_t>(at - begin)};
  };
  if (text.size() >= 3 && static_cast<unsigned char>(p[0]) == 0xEF &&
      static_cast<unsigned char>(p[1]) == 0xBB && static_cast<unsigned char>(p[2]) == 0xBF) {
    return fail(ParseError::byte_order_mark, p);
  }
  p = skip_ws(p, end);
  if (p == end) return fail(ParseError::empty_input, p);

value:
  p = skip_ws(p, end);
  if (p == end) return fail(ParseError::unexpected_end, p);
  switch (*p) {
    case '{':
      if (stack_.size() >= options.max_depth) return fail(ParseError::too_deep, p);
      if (!h.start_object()) return fail(ParseError::handler_error, p);
      p = skip_ws(p + 1, end);
      if (p < end && *p == '}') {
        ++p;
        if (!h.end_object(0)) return fail(ParseError::handler_error, p);
        goto after_value;
      }
      stack_.push_back({true, 0});
      goto key;
    case '[':
      if (stack_.size() >= options.max_depth) return fail(ParseError::too_deep, p);
      if (!h.start_array()) return fail(ParseError::handler_error, p);
      p = skip_ws(p + 1, end);
      if (p < end && *p == ']') {
        ++p;
        if (!h.end_array(0)) return fail(ParseError::handler_error, p);
        goto after_value;
      }
      stack_.push_back({false, 0});
      goto value;
    case '"': {
      const char* start = p;
      StringScan s = scan_string(p, end, scratch_);
      if (s.error != ParseError::none) return fail(s.error, s.error_at);
      p = s.next;
      if (!h.string_value(s.text, s.kind)) return fail(ParseError::handler_error, start);
      goto after_value;
    }
    case 't':
      if (end - p >= 4 && std::string_view(p, 4) == "true") {
        if (!h.bool_value(true)) return fail(ParseError::handler_error, p);
        p += 4;
        goto after_value;
      }
      return fail(ParseError::invalid_literal, p);
    case 'f':
      if (end - p >= 5 && std::string_view(p, 5) == "false") {
        if (!h.bool_value(false)) return fail(ParseError::handler_error, p);
        p += 5;
        goto after_value;
      }
      return fail(ParseError::invalid_literal, p);
    case 'n':
      if (end - p >= 4 && std::string_view(p, 4) == "null") {
        if (!h.null_value()) return fail(ParseError::handler_error, p);
        p += 4;
        goto after_value;
      }
      return fail(ParseError::invalid_literal, p);
    default: {
      if (*p != '-' && (*p < '0' || *p > '9')) return fail(ParseError::expected_value, p);
      NumberScan n = scan_number(p, end);
      if (n.kind == NumberKind::invalid) return fail(ParseError::invalid_number, n.next);
      bool ok = false;
      switch (n.kind) {
        case NumberKind::int64: ok = h.int_value(n.i); break;
        case NumberKind::uint64: ok = h.uint_value(n.u); break;
        case NumberKind::big_int: ok = h.big_int(std::string_view(p, static_cast<std::size_t>(n.next - p))); break;
        case NumberKind::float64: ok = h.double_value(n.d); break;
        case NumberKind::invalid: break;
      }
      if (!ok) return fail(ParseError::handler_error, p);
      p = n.next;
      goto after_value;
    }
  }

key:
  p = skip_ws(p, end);
  if (p == end) return fail(ParseError::unexpected_end, p);
  if (*p != '"') return fail(ParseError::expected_key, p);
  {
    const char* start = p;
    StringScan s = scan_string(p, end, scratch_);
    if (s.error != ParseError::none) return fail(s.error, s.error_at);
    p = s.next;
    if (!h.key(s.text, s.kind)) return fail(ParseError::handler_error, start);
  }
  p = skip_ws(p, end);
  if (p == end) return fail(ParseError::unexpected_end, p);
  if (*p != ':') return fail(ParseError::expected_colon, p);
  ++p;
  goto value;

after_value:
  if (stack_.empty()) {
    p = skip_ws(p, end);
    if (p != end) return fail(ParseError::trailing_data, p);
    return {};
  }
  {
    Frame& top = stack_.back();
    ++top.count;
    p = skip_ws(p, end);
    if (p == end) return fail(ParseError::unexpected_end, p);
    const char c = *p++;
    if (c == ',') {
      if (top.object) goto key;
      goto value;
    }
    if (top.object && c == '}') {
      const std::size_t count = top.count;
      stack_.pop_back();
      if (!h.end_object(count)) return fail(ParseError::handler_error, p - 1);
      goto after_value;
    }
    if (!top.object && c == ']') {
      const std::size_t count = top.count;
      stack_.pop_back();
      if (!h.end_array(count)) return fail(ParseError::handler_error, p - 1);
      goto after_value;
    }
    return fail(ParseError::expected_comma_or_end, p - 1);
  }
}

}  // namespace fulmen::json
