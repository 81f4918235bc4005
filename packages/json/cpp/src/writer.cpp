#include "fulmen/json/writer.hpp"

#include <array>
#include <charconv>

namespace fulmen::json {

namespace {

// RFC 8259 §7: '"', '\\' and U+0000..U+001F must be escaped. The two-character
// forms are used where JSON defines them, as Python's json module does.
constexpr char short_escape(unsigned char c) noexcept {
  switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '\b': return 'b';
    case '\f': return 'f';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    default: return 0;
  }
}

constexpr bool needs_escape(unsigned char c) noexcept { return c < 0x20 || c == '"' || c == '\\'; }

}  // namespace

void Writer::integer(std::int64_t value) {
  std::array<char, 24> digits{};
  auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  (void)ec;  // 24 bytes always hold an int64
  out_.append(digits.data(), end);
}

void Writer::unsigned_integer(std::uint64_t value) {
  std::array<char, 24> digits{};
  auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  (void)ec;
  out_.append(digits.data(), end);
}

void Writer::string(std::string_view utf8) {
  static constexpr char hex[] = "0123456789abcdef";
  out_.push_back('"');
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (!needs_escape(c)) continue;
    // PERF: copy unescaped runs in one append rather than byte by byte.
    out_.append(utf8.data() + run_start, i - run_start);
    run_start = i + 1;
    if (const char e = short_escape(c); e != 0) {
      out_.push_back('\\');
      out_.push_back(e);
    } else {
      const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
      out_.append(u, sizeof u);
    }
  }
  out_.append(utf8.data() + run_start, utf8.size() - run_start);
  out_.push_back('"');
}

}  // namespace fulmen::json
