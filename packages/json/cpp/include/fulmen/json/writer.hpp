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

#include "fulmen/json/swar.hpp"
#if defined(__SSE2__)
#include <emmintrin.h>  // SSE2 is part of the x86-64 baseline: no -march needed
#endif

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

// PERF: SWAR test of 8 bytes at once: true if any byte is < 0x20, '"' or '\\'.
inline bool any_needs_escape(std::uint64_t v) noexcept { return escape_mask(v) != 0; }

// Two 8-byte words (in memory order) of which any byte needs escaping?
inline bool any_needs_escape(std::uint64_t first, std::uint64_t second) noexcept {
#if defined(__SSE2__)
  // PERF: both words in one register, three compares (instead of two SWAR tests).
  const __m128i v = _mm_set_epi64x(static_cast<long long>(second), static_cast<long long>(first));
  const __m128i control_max = _mm_set1_epi8(0x1F);
  // Unsigned v <= 0x1F: max(v, 0x1F) == 0x1F.
  const __m128i special =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                   _mm_cmpeq_epi8(_mm_max_epu8(v, control_max), control_max));
  return _mm_movemask_epi8(special) != 0;
#else
  return any_needs_escape(first) || any_needs_escape(second);
#endif
}

// "00" "01" ... "99": two decimal digits per lookup.
inline constexpr std::array<char, 200> digit_pairs = [] {
  std::array<char, 200> t{};
  for (int i = 0; i < 100; ++i) {
    t[static_cast<std::size_t>(2 * i)] = static_cast<char>('0' + i / 10);
    t[static_cast<std::size_t>(2 * i + 1)] = static_cast<char>('0' + i % 10);
  }
  return t;
}();

inline char* put_pair(char* o, std::uint32_t two_digits) noexcept {
  std::memcpy(o, &digit_pairs[2 * two_digits], 2);
  return o + 2;
}

// 0 <= v < 10'000, without leading zeros.
inline char* put_up_to_4(char* o, std::uint32_t v) noexcept {
  if (v < 10) {
    *o = static_cast<char>('0' + v);
    return o + 1;
  }
  if (v < 100) return put_pair(o, v);
  if (v < 1000) {
    *o = static_cast<char>('0' + v / 100);
    return put_pair(o + 1, v % 100);
  }
  return put_pair(put_pair(o, v / 100), v % 100);
}

// 0 <= v < 100'000'000, exactly 8 digits (leading zeros kept).
inline char* put_8(char* o, std::uint32_t v) noexcept {
  const std::uint32_t high = v / 10000;
  const std::uint32_t low = v % 10000;
  o = put_pair(put_pair(o, high / 100), high % 100);
  return put_pair(put_pair(o, low / 100), low % 100);
}

// 0 <= v < 100'000'000, without leading zeros.
inline char* put_up_to_8(char* o, std::uint32_t v) noexcept {
  if (v < 10000) return put_up_to_4(o, v);
  const std::uint32_t low = v % 10000;
  o = put_up_to_4(o, v / 10000);
  return put_pair(put_pair(o, low / 100), low % 100);
}

// The decimal digits of v (at most 20). PERF: in chunks of 8 digits, so that
// nearly all arithmetic is 32-bit and the digit count needs no loop.
inline char* put_uint(char* o, std::uint64_t v) noexcept {
  constexpr std::uint64_t e8 = 100'000'000;
  if (v < e8) return put_up_to_8(o, static_cast<std::uint32_t>(v));
  if (v < e8 * e8) {
    o = put_up_to_8(o, static_cast<std::uint32_t>(v / e8));
    return put_8(o, static_cast<std::uint32_t>(v % e8));
  }
  o = put_up_to_4(o, static_cast<std::uint32_t>(v / (e8 * e8)));  // v < 1.9e19
  o = put_8(o, static_cast<std::uint32_t>((v / e8) % e8));
  return put_8(o, static_cast<std::uint32_t>(v % e8));
}

}  // namespace detail

class Writer {
 public:
  Writer() = default;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() { std::free(own_); }

  // Where the text goes once it outgrows `spill_from` bytes, instead of the
  // writer's own (reused) buffer: `spill(context, data, size, wanted)` returns
  // a buffer of at least `wanted` bytes starting with the `size` bytes at
  // `data`, or nullptr when out of memory; the writer writes there from then on
  // and never frees it. PERF: the Python layer spills into the bytes object it
  // returns, so a large document is not copied once more at the end.
  using SpillFn = char* (*)(void* context, const char* data, std::size_t size, std::size_t wanted);
  void spill_into(SpillFn spill, void* context, std::size_t spill_from) noexcept {
    spill_ = spill;
    spill_context_ = context;
    spill_from_ = spill_from;
  }
  [[nodiscard]] bool spilled() const noexcept { return data_ != own_; }
  // Back to the writer's own buffer, empty, with no spill target.
  void unspill() noexcept {
    spill_ = nullptr;
    data_ = own_;
    capacity_ = own_capacity_;
    size_ = 0;
  }

  void null() { raw("null", 4); }
  void boolean(bool value) { value ? raw("true", 4) : raw("false", 5); }
  void integer(std::int64_t value) {
    reserve(24);
    char* o = data_ + size_;
    auto magnitude = static_cast<std::uint64_t>(value);
    if (value < 0) {
      *o++ = '-';
      magnitude = 0 - magnitude;  // well defined for INT64_MIN too
    }
    size_ = static_cast<std::size_t>(detail::put_uint(o, magnitude) - data_);
  }
  void unsigned_integer(std::uint64_t value) {
    reserve(24);
    size_ = static_cast<std::size_t>(detail::put_uint(data_ + size_, value) - data_);
  }
  // A finite double, written as Python's repr() writes it (see float_repr.hpp).
  void floating(double value);
  // `utf8` must be valid UTF-8 (the caller guarantees it: Python's str is).
  // Non-ASCII text is written as is, as FastAPI's JSONResponse does
  // (ensure_ascii=False); only '"', '\\' and control characters are escaped
  // (RFC 8259 §7), with the short forms where JSON has them.
  void string(std::string_view utf8) {
    // PERF: most strings of a response are short (object keys, names, dates);
    // they are written here, inline at the call site, without the block
    // machinery of long_string.
    if (utf8.size() <= short_string_max) {
      reserve(short_string_room);
      size_ = static_cast<std::size_t>(put_short_string(data_ + size_, utf8) - data_);
    } else {
      long_string(utf8);
    }
  }
  // An object member's key in compact layout: [','] "key" ':'.
  // PERF: one capacity check for the separator, the key and the colon.
  void member_key(std::string_view utf8, bool comma) {
    if (utf8.size() <= short_string_max) {
      reserve(short_string_room + 2);
      char* o = data_ + size_;
      *o = ',';
      o = put_short_string(o + (comma ? 1 : 0), utf8);
      *o++ = ':';
      size_ = static_cast<std::size_t>(o - data_);
    } else {
      if (comma) byte(',');
      long_string(utf8);
      byte(':');
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
    if (own_capacity_ > limit) {
      std::free(own_);
      own_ = nullptr;
      own_capacity_ = 0;
    }
    data_ = own_;
    capacity_ = own_capacity_;
    size_ = 0;
  }

 private:
  static constexpr std::size_t short_string_max = 16;

  static constexpr std::size_t short_string_room = short_string_max * 6 + 2;

  // Writes `utf8` (at most short_string_max bytes) quoted and escaped at `o`,
  // which has short_string_room bytes of room; returns the end.
  // PERF: two overlapping word loads cover any length from 4 to 16 bytes; each
  // is tested with SWAR and stored as is (the stores overlap too). Only a
  // string holding a special byte is redone byte by byte.
  static char* put_short_string(char* o, std::string_view utf8) noexcept {
    const char* src = utf8.data();
    const std::size_t n = utf8.size();
    *o++ = '"';
    if (n >= 8) {
      std::uint64_t head;
      std::uint64_t tail;
      std::memcpy(&head, src, 8);
      std::memcpy(&tail, src + n - 8, 8);
      if (!detail::any_needs_escape(head, tail)) {
        std::memcpy(o, &head, 8);
        std::memcpy(o + n - 8, &tail, 8);
        o[n] = '"';
        return o + n + 1;
      }
    } else if (n >= 4) {
      std::uint32_t head;
      std::uint32_t tail;
      std::memcpy(&head, src, 4);
      std::memcpy(&tail, src + n - 4, 4);
      if (!detail::any_needs_escape(head | (std::uint64_t{tail} << 32))) {
        std::memcpy(o, &head, 4);
        std::memcpy(o + n - 4, &tail, 4);
        o[n] = '"';
        return o + n + 1;
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto c = static_cast<unsigned char>(src[i]);
      if (detail::escape_table[c] == 0) {
        *o++ = static_cast<char>(c);
      } else {
        o = escaped(o, c);
      }
    }
    *o++ = '"';
    return o;
  }
  static char* escaped(char* o, unsigned char c) noexcept;
  void long_string(std::string_view utf8);
  void grow(std::size_t n);

  char* data_ = nullptr;  // own_ or the spill target
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  char* own_ = nullptr;  // malloc'd, kept between documents
  std::size_t own_capacity_ = 0;
  SpillFn spill_ = nullptr;
  void* spill_context_ = nullptr;
  std::size_t spill_from_ = 0;
};

}  // namespace fulmen::json
