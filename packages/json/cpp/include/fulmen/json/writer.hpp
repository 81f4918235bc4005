// The JSON text writer: appends RFC 8259 tokens to a growing byte buffer.
// It knows nothing of Python; the bindings walk Python objects and call it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace fulmen::json {

namespace detail {

// For each byte: 0 if it is written as is, else the character after the
// backslash ('u' for the \u00XX form). RFC 8259 §7.
inline constexpr std::array<char, 256> escape_table = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 'u';
  t['"'] = '"';
  t['\\'] = '\\';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  return t;
}();

}  // namespace detail

class Writer {
 public:
  Writer() = default;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() { std::free(data_); }

  void null() { raw("null", 4); }
  void boolean(bool value) { value ? raw("true", 4) : raw("false", 5); }
  void integer(std::int64_t value);
  void unsigned_integer(std::uint64_t value);
  // A finite double, written as Python's repr() writes it (see float_repr.hpp).
  void floating(double value);
  // `utf8` must be valid UTF-8 (the caller guarantees it: Python's str is).
  // Non-ASCII text is written as is, as FastAPI's JSONResponse does
  // (ensure_ascii=False); only '"', '\\' and control characters are escaped
  // (RFC 8259 §7), with the short forms where JSON has them.
  void string(std::string_view utf8) {
    // PERF: most strings of a response are short object keys; they are written
    // here, inline at the call site, without the block machinery of long_string.
    if (utf8.size() <= short_string_max) {
      short_string(utf8);
    } else {
      long_string(utf8);
    }
  }

  // PERF: structural characters go through the unchecked path after one
  // capacity check; `reserve` is the only place that grows the buffer.
  void byte(char c) {
    reserve(1);
    data_[size_++] = c;
  }
  void raw(const char* text, std::size_t n) {
    reserve(n);
    std::memcpy(data_ + size_, text, n);
    size_ += n;
  }
  void raw(std::string_view text) { raw(text.data(), text.size()); }
  // A newline followed by `spaces` spaces (pretty printing).
  void newline_indent(std::size_t spaces) {
    reserve(spaces + 1);
    data_[size_++] = '\n';
    std::memset(data_ + size_, ' ', spaces);
    size_ += spaces;
  }
  // Removes the last byte (used to overwrite a trailing separator).
  void drop_last() noexcept {
    if (size_ != 0) --size_;
  }
  [[nodiscard]] char last() const noexcept { return size_ ? data_[size_ - 1] : '\0'; }

  // Ensures room for `n` more bytes. Throws std::bad_alloc when out of memory.
  void reserve(std::size_t n) {
    if (capacity_ - size_ < n) grow(n);
  }

  [[nodiscard]] std::string_view view() const noexcept { return {data_ ? data_ : "", size_}; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  void clear() noexcept { size_ = 0; }
  // Frees the buffer when it grew past `limit` bytes, so that one huge document
  // does not pin its memory in a long-lived, reused writer.
  void shrink_if_above(std::size_t limit) noexcept {
    if (capacity_ > limit) {
      std::free(data_);
      data_ = nullptr;
      capacity_ = 0;
    }
    size_ = 0;
  }

 private:
  static constexpr std::size_t short_string_max = 7;

  void short_string(std::string_view utf8) {
    reserve(short_string_max * 6 + 2);
    char* o = data_ + size_;
    *o++ = '"';
    for (const char ch : utf8) {
      const auto c = static_cast<unsigned char>(ch);
      if (detail::escape_table[c] == 0) {
        *o++ = ch;
      } else {
        o = escaped(o, c);
      }
    }
    *o++ = '"';
    size_ = static_cast<std::size_t>(o - data_);
  }
  static char* escaped(char* o, unsigned char c) noexcept;
  void long_string(std::string_view utf8);
  void grow(std::size_t n);

  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace fulmen::json
