// C++-only tests of the JSON writer, run under ASan + UBSan + LSan by tools/sanitize.
#include <cstdint>
#include <limits>
#include <string>

#include "fulmen/json/writer.hpp"
#include "fulmen_check.hpp"

using fulmen::json::Writer;

namespace {

std::string write_string(std::string_view s) {
  Writer w;
  w.string(s);
  return std::string(w.view());
}

}  // namespace

int main() {
  {
    Writer w;
    w.null();
    w.boolean(true);
    w.boolean(false);
    FULMEN_CHECK_EQ(w.view(), "nulltruefalse");
  }
  {
    Writer w;
    w.integer(std::numeric_limits<std::int64_t>::min());
    FULMEN_CHECK_EQ(w.view(), "-9223372036854775808");
    w.clear();
    w.unsigned_integer(std::numeric_limits<std::uint64_t>::max());
    FULMEN_CHECK_EQ(w.view(), "18446744073709551615");
  }
  FULMEN_CHECK_EQ(write_string(""), "\"\"");
  FULMEN_CHECK_EQ(write_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  FULMEN_CHECK_EQ(write_string("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  FULMEN_CHECK_EQ(write_string(std::string_view("\x00\x1f", 2)), "\"\\u0000\\u001f\"");
  FULMEN_CHECK_EQ(write_string("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
  FULMEN_CHECK_EQ(write_string("\x7f"), "\"\x7f\"");  // DEL is not a control char in JSON
  // Escapes at every position around the 8-byte blocks and the overlapping tail.
  // (lengths past 32 cover the 16-byte SSE2 blocks and what follows them).
  for (std::size_t len = 0; len < 48; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      std::string in(len, 'a');
      in[at] = '\n';
      std::string expected = "\"" + std::string(at, 'a') + "\\n" + std::string(len - at - 1, 'a') + "\"";
      FULMEN_CHECK_EQ(write_string(in), expected);
      // A second special byte anywhere after the first, and bytes that only
      // look special to a signed comparison (0x80..0xFF are written as is).
      for (std::size_t second = at + 1; second < len; ++second) {
        std::string two = in;
        two[second] = '\x1f';
        std::string want = "\"" + std::string(at, 'a') + "\\n" + std::string(second - at - 1, 'a') +
                           "\\u001f" + std::string(len - second - 1, 'a') + "\"";
        FULMEN_CHECK_EQ(write_string(two), want);
      }
      std::string high = in;
      high[at] = '\xc3';
      FULMEN_CHECK_EQ(write_string(high), "\"" + high + "\"");
    }
  }
  {
    Writer w;
    w.floating(0.1);
    w.byte(',');
    w.floating(1e16);
    w.byte(',');
    w.floating(-2.5);
    FULMEN_CHECK_EQ(w.view(), "0.1,1e+16,-2.5");
  }
  {
    // Python's repr() layout: the fixed-decimals fast path, the to_chars
    // fallback, both notations and their boundaries.
    const struct {
      double value;
      const char* text;
    } cases[] = {
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {1.0, "1.0"},
        {9.99, "9.99"},
        {-4.25, "-4.25"},
        {0.0001, "0.0001"},
        {0.00001, "1e-05"},
        {1e-07, "1e-07"},
        {123456789.0, "123456789.0"},
        {1e15, "1000000000000000.0"},
        {1e16, "1e+16"},
        {1.5e300, "1.5e+300"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {-65.613616999999977, "-65.61361699999998"},
        {0.30000000000000004, "0.30000000000000004"},
        {2.5e-5, "2.5e-05"},
        {123456.789e3, "123456789.0"},
    };
    for (const auto& c : cases) {
      Writer w;
      w.floating(c.value);
      FULMEN_CHECK_EQ(w.view(), c.text);
    }
  }
  {
    // Growth past the first buffer keeps the content.
    Writer w;
    std::string big(5000, 'x');
    w.string(big);
    w.newline_indent(3);
    FULMEN_CHECK_EQ(w.view(), "\"" + big + "\"\n   ");
    w.shrink_if_above(16);
    FULMEN_CHECK_EQ(w.size(), 0U);
  }
  return fulmen::check::finish("json_writer");
}
