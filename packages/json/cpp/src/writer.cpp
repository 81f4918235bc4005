#include "fulmen/json/writer.hpp"

#include <array>
#include <charconv>

#include "fulmen/json/float_repr.hpp"

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

constexpr std::uint64_t broadcast(unsigned char c) noexcept { return 0x0101010101010101ULL * c; }

// PERF: SWAR test of 8 bytes at once: true if any byte is < 0x20, '"' or '\\'.
inline bool any_needs_escape(std::uint64_t v) noexcept {
  constexpr std::uint64_t high = broadcast(0x80);
  const std::uint64_t quote = v ^ broadcast('"');
  const std::uint64_t slash = v ^ broadcast('\\');
  const std::uint64_t zero_quote = (quote - broadcast(1)) & ~quote;
  const std::uint64_t zero_slash = (slash - broadcast(1)) & ~slash;
  const std::uint64_t below_space = (v - broadcast(0x20)) & ~v;
  return ((zero_quote | zero_slash | below_space) & high) != 0;
}

}  // namespace

void Writer::grow(std::size_t n) {
  std::size_t wanted = capacity_ ? capacity_ * 2 : 256;
  while (wanted - size_ < n) wanted *= 2;
  void* bigger = std::realloc(data_, wanted);
  if (bigger == nullptr) throw std::bad_alloc();
  data_ = static_cast<char*>(bigger);
  capacity_ = wanted;
}

void Writer::integer(std::int64_t value) {
  reserve(24);
  auto [end, ec] = std::to_chars(data_ + size_, data_ + size_ + 24, value);
  (void)ec;  // 24 bytes always hold an int64
  size_ = static_cast<std::size_t>(end - data_);
}

void Writer::unsigned_integer(std::uint64_t value) {
  reserve(24);
  auto [end, ec] = std::to_chars(data_ + size_, data_ + size_ + 24, value);
  (void)ec;
  size_ = static_cast<std::size_t>(end - data_);
}

void Writer::floating(double value) {
  reserve(float_repr_max);
  size_ += write_float_repr(value, data_ + size_);
}

void Writer::string(std::string_view utf8) {
  static constexpr char hex[] = "0123456789abcdef";
  const auto* src = reinterpret_cast<const unsigned char*>(utf8.data());
  const std::size_t n = utf8.size();
  // Worst case every byte becomes "\u00XX": reserve once, then write unchecked.
  reserve(n * 6 + 2);
  char* o = data_ + size_;
  *o++ = '"';
  std::size_t i = 0;
  while (i < n) {
    // PERF: copy 8 clean bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t v;
      std::memcpy(&v, src + i, 8);
      if (any_needs_escape(v)) break;
      std::memcpy(o, &v, 8);
      o += 8;
      i += 8;
    }
    const std::size_t stop = i + 8 <= n ? i + 8 : n;
    for (; i < stop; ++i) {
      const unsigned char c = src[i];
      if (!needs_escape(c)) {
        *o++ = static_cast<char>(c);
      } else if (const char e = short_escape(c); e != 0) {
        *o++ = '\\';
        *o++ = e;
      } else {
        const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        std::memcpy(o, u, sizeof u);
        o += sizeof u;
      }
    }
  }
  *o++ = '"';
  size_ = static_cast<std::size_t>(o - data_);
}

}  // namespace fulmen::json
