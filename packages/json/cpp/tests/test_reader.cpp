// C++-only tests of the reader, the scanners and float_repr, run under
// ASan + UBSan + LSan by tools/sanitize.
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fulmen/json/float_repr.hpp"
#include "fulmen/json/reader.hpp"
#include "fulmen_check.hpp"

using namespace fulmen::json;

namespace {

// Rebuilds a canonical text of the events, to check what the reader reported.
struct Recorder {
  std::string out;
  bool null_value() { return add("null"); }
  bool bool_value(bool b) { return add(b ? "true" : "false"); }
  bool int_value(std::int64_t v) { return add("i" + std::to_string(v)); }
  bool uint_value(std::uint64_t v) { return add("u" + std::to_string(v)); }
  bool big_int(std::string_view digits) { return add("big" + std::string(digits)); }
  bool double_value(double d) {
    char buf[float_repr_max];
    return add("d" + std::string(buf, write_float_repr(d, buf)));
  }
  bool string_value(std::string_view s, StringKind kind) {
    return add("s" + std::to_string(static_cast<int>(kind)) + "'" + std::string(s) + "'");
  }
  bool key(std::string_view s, StringKind) { return add("k'" + std::string(s) + "'"); }
  bool start_array() { return add("["); }
  bool end_array(std::size_t n) { return add("]" + std::to_string(n)); }
  bool start_object() { return add("{"); }
  bool end_object(std::size_t n) { return add("}" + std::to_string(n)); }
  bool add(const std::string& s) {
    if (!out.empty()) out += ' ';
    out += s;
    return true;
  }
};

std::string events(std::string_view text, std::size_t max_depth = 1024) {
  Reader reader;
  Recorder rec;
  ParseOptions options;
  options.max_depth = max_depth;
  const ParseResult r = reader.parse(text, rec, options);
  if (!r.ok()) return "error " + std::to_string(static_cast<int>(r.error)) + "@" + std::to_string(r.offset);
  return rec.out;
}

std::string error_of(std::string_view text, std::size_t max_depth = 1024) {
  Reader reader;
  Recorder rec;
  ParseOptions options;
  options.max_depth = max_depth;
  const ParseResult r = reader.parse(text, rec, options);
  return std::string(parse_error_message(r.error)) + "@" + std::to_string(r.offset);
}

std::string repr(double d) {
  char buf[float_repr_max];
  return std::string(buf, write_float_repr(d, buf));
}

}  // namespace

int main() {
  // Values and structure.
  FULMEN_CHECK_EQ(events(" null "), "null");
  FULMEN_CHECK_EQ(events("[true,false,{}]"), "[ true false { }0 ]3");
  FULMEN_CHECK_EQ(events("{\"a\": [1, -2], \"b\": {\"c\": null}}"),
                  "{ k'a' [ i1 i-2 ]2 k'b' { k'c' null }1 }2");
  // Integers: 64-bit signed, unsigned, beyond.
  FULMEN_CHECK_EQ(events("-9223372036854775808"), "i-9223372036854775808");
  FULMEN_CHECK_EQ(events("-9223372036854775809"), "big-9223372036854775809");
  FULMEN_CHECK_EQ(events("18446744073709551615"), "big18446744073709551615");
  FULMEN_CHECK_EQ(events("9999999999999999999"), "u9999999999999999999");
  FULMEN_CHECK_EQ(events("-0"), "i0");
  // Floats: correctly rounded, overflow to inf, underflow to zero.
  FULMEN_CHECK_EQ(events("[0.1, -0.0, 1e-7, 1E16, 2.5e+3]"), "[ d0.1 d-0.0 d1e-07 d1e+16 d2500.0 ]5");
  FULMEN_CHECK_EQ(events("1e-400"), "d0.0");
  FULMEN_CHECK_EQ(events("-1e-400"), "d-0.0");
  FULMEN_CHECK(events("1e400").find("error") == std::string::npos);
  // Strings: escapes, surrogate pairs, lone surrogates, UTF-8.
  FULMEN_CHECK_EQ(events("\"a\\n\\\"\\u00e9\""), "s1'a\n\"\xc3\xa9'");
  FULMEN_CHECK_EQ(events("\"\\ud83d\\ude00\""), "s1'\xf0\x9f\x98\x80'");
  FULMEN_CHECK_EQ(events("\"\\ud800\""), "s2'\xed\xa0\x80'");
  FULMEN_CHECK_EQ(events("\"plain ascii text, long enough for SWAR\""),
                  "s0'plain ascii text, long enough for SWAR'");
  FULMEN_CHECK_EQ(events("\"caf\xc3\xa9\""), "s1'caf\xc3\xa9'");
  // Errors and their offsets.
  FULMEN_CHECK_EQ(error_of(""), "Expecting value: empty input@0");
  FULMEN_CHECK_EQ(error_of("\xef\xbb\xbf{}"), "Unexpected UTF-8 byte order mark (RFC 8259 section 8.1)@0");
  FULMEN_CHECK_EQ(error_of("[1,]"), "Expecting value@3");
  FULMEN_CHECK_EQ(error_of("[1 2]"), "Expecting ',' delimiter or end of container@3");
  FULMEN_CHECK_EQ(error_of("{\"a\" 1}"), "Expecting ':' delimiter@5");
  FULMEN_CHECK_EQ(error_of("{1:1}"), "Expecting property name enclosed in double quotes@1");
  FULMEN_CHECK_EQ(error_of("01"), "Invalid number@1");
  FULMEN_CHECK_EQ(error_of("1.e5"), "Invalid number@2");
  FULMEN_CHECK_EQ(error_of("nul"), "Invalid literal (expected true, false or null)@0");
  FULMEN_CHECK_EQ(error_of("\"a\x01\""), "Invalid control character in string@2");
  FULMEN_CHECK_EQ(error_of("\"\\q\""), "Invalid escape sequence in string@1");
  FULMEN_CHECK_EQ(error_of("\"\xc0\xaf\""), "Invalid UTF-8@1");
  FULMEN_CHECK_EQ(error_of("\"\xed\xa0\x80\""), "Invalid UTF-8@1");
  FULMEN_CHECK_EQ(error_of("\"\xf4\x90\x80\x80\""), "Invalid UTF-8@1");
  FULMEN_CHECK_EQ(error_of("\"abc"), "Unexpected end of input@4");
  FULMEN_CHECK_EQ(error_of("[] []"), "Extra data after the JSON value@3");
  // Depth: an explicit stack with a limit, never recursion.
  const std::string deep(100000, '[');
  FULMEN_CHECK_EQ(error_of(deep), "Maximum nesting depth exceeded@1024");
  FULMEN_CHECK_EQ(error_of("[[[]]]", 2), "Maximum nesting depth exceeded@2");
  FULMEN_CHECK_EQ(events("[[[]]]", 3), "[ [ [ ]0 ]1 ]1");

  // float_repr: Python's repr layout.
  FULMEN_CHECK_EQ(repr(0.1), "0.1");
  FULMEN_CHECK_EQ(repr(1.0), "1.0");
  FULMEN_CHECK_EQ(repr(-0.0), "-0.0");
  FULMEN_CHECK_EQ(repr(1e-7), "1e-07");
  FULMEN_CHECK_EQ(repr(1e16), "1e+16");
  FULMEN_CHECK_EQ(repr(1e15), "1000000000000000.0");
  FULMEN_CHECK_EQ(repr(1e-4), "0.0001");
  FULMEN_CHECK_EQ(repr(1.5e300), "1.5e+300");
  FULMEN_CHECK_EQ(repr(5e-324), "5e-324");
  FULMEN_CHECK_EQ(repr(9.99), "9.99");
  FULMEN_CHECK_EQ(repr(-123456.789), "-123456.789");
  FULMEN_CHECK_EQ(repr(0.000123), "0.000123");
  FULMEN_CHECK_EQ(repr(1.7976931348623157e308), "1.7976931348623157e+308");
  FULMEN_CHECK_EQ(repr(123456789.12345679), "123456789.12345679");
  // Indentation runs of every length around the 8-byte blocks of skip_ws, with
  // the value, a tab, a CR or a stray byte right where a block begins or ends.
  for (std::size_t spaces = 0; spaces < 20; ++spaces) {
    const std::string pad = "\n" + std::string(spaces, ' ');
    FULMEN_CHECK_EQ(events("[" + pad + "1," + pad + "\"x\"" + pad + "]"), "[ i1 s0'x' ]2");
    FULMEN_CHECK_EQ(events("{" + pad + "\"k\":" + pad + "\t\r null" + pad + "}"),
                    "{ k'k' null }1");
    FULMEN_CHECK_EQ(events(pad + "true" + pad), "true");
    FULMEN_CHECK_EQ(error_of("[" + pad + "!]"),
                    "Expecting value@" + std::to_string(1 + pad.size()));
    FULMEN_CHECK_EQ(error_of("[1" + pad + "\x01]"),
                    "Expecting ',' delimiter or end of container@" + std::to_string(2 + pad.size()));
    // A space-like byte with the high bit or a carry pattern is not a space.
    FULMEN_CHECK(events("[" + pad + "\xa0" + "1]").find("error") == 0);
  }
  FULMEN_CHECK_EQ(error_of("[\n        "), "Unexpected end of input@10");
  // Strings of every length around the 8- and 16-byte blocks of scan_string,
  // with an escape, a non-ASCII character, a control byte or an invalid byte
  // at every position.
  for (std::size_t len = 1; len < 48; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      const std::string head(at, 'a');
      const std::string tail(len - at - 1, 'b');
      FULMEN_CHECK_EQ(events("\"" + head + "\\t" + tail + "\""), "s0'" + head + "\t" + tail + "'");
      FULMEN_CHECK_EQ(events("\"" + head + "\xc3\xa9" + tail + "\""),
                      "s1'" + head + "\xc3\xa9" + tail + "'");
      FULMEN_CHECK_EQ(error_of("\"" + head + "\x01" + tail + "\""),
                      "Invalid control character in string@" + std::to_string(1 + at));
      FULMEN_CHECK_EQ(error_of("\"" + head + "\xff" + tail + "\""),
                      "Invalid UTF-8@" + std::to_string(1 + at));
      FULMEN_CHECK_EQ(events("[\"" + head + "\"," + std::string(len, 'c') + "]").find("error"), 0U);
    }
    FULMEN_CHECK_EQ(error_of("\"" + std::string(len, 'a')), "Unexpected end of input@" + std::to_string(1 + len));
  }
  // Every float decoded (the short-decimal fast path or from_chars) is the
  // correctly rounded double: compared bit for bit with from_chars over short and
  // long mantissas, fractions and exponents on both sides of the fast path's
  // limits (15 digits, 10^22).
  {
    const char* mantissas[] = {"0", "1", "9.99", "4.25", "0.1", "0.3", "123456789012345",
                               "1234567890123456", "9007199254740993", "0.000001",
                               "65.613616999999977", "999999999999999", "2.2250738585072014",
                               "1.7976931348623157", "5", "0.30000000000000004"};
    std::uint64_t mismatches = 0;
    for (const char* m : mantissas) {
      for (int e = -40; e <= 40; ++e) {
        for (const char* sign : {"", "-"}) {
          const std::string text = std::string(sign) + m + "e" + std::to_string(e);
          const NumberScan n = scan_number(text.data(), text.data() + text.size());
          double want = 0.0;
          std::from_chars(text.data(), text.data() + text.size(), want);
          if (n.kind != NumberKind::float64 || std::memcmp(&n.d, &want, sizeof want) != 0) {
            ++mismatches;
          }
        }
      }
    }
    FULMEN_CHECK_EQ(mismatches, 0U);
  }
  return fulmen::check::finish("json_reader");
}
