#include "fulmen/json/writer.hpp"

#include <array>
#if defined(__SSE2__)
#include <emmintrin.h>  // SSE2 is part of the x86-64 baseline: no -march needed
#endif

#include "fulmen/json/float_repr.hpp"

namespace fulmen::json {

namespace {

using detail::any_needs_escape;
using detail::broadcast;

}  // namespace

void Writer::grow(std::size_t n) {
  std::size_t wanted = capacity_ ? capacity_ * 2 : 256;
  while (wanted - size_ < n) wanted *= 2;
  if (spill_ != nullptr && (data_ != own_ || wanted > spill_from_)) {
    char* target = spill_(spill_context_, data_, size_, wanted);
    if (target == nullptr) throw std::bad_alloc();
    data_ = target;
    capacity_ = wanted;
    return;
  }
  void* bigger = std::realloc(own_, wanted);
  if (bigger == nullptr) throw std::bad_alloc();
  own_ = static_cast<char*>(bigger);
  own_capacity_ = wanted;
  data_ = own_;
  capacity_ = wanted;
}

void Writer::floating(double value) {
  reserve(float_repr_max);
  size_ += write_float_repr(value, data_ + size_);
}

namespace {

inline char* put_escaped(char* o, unsigned char c) noexcept {
  static constexpr char hex[] = "0123456789abcdef";
  const char e = detail::escape_table[c];
  if (e == 0) {
    *o++ = static_cast<char>(c);
  } else if (e != 'u') {
    *o++ = '\\';
    *o++ = e;
  } else {
    const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
    std::memcpy(o, u, sizeof u);
    o += sizeof u;
  }
  return o;
}

}  // namespace

char* Writer::escaped(char* o, unsigned char c) noexcept { return put_escaped(o, c); }

// Strings longer than short_string_max (see writer.hpp).
void Writer::long_string(std::string_view utf8) {
  const auto* src = reinterpret_cast<const unsigned char*>(utf8.data());
  const std::size_t n = utf8.size();
  // Worst case every byte becomes "\u00XX": reserve once, then write unchecked.
  reserve(n * 6 + 2);
  char* o = data_ + size_;
  *o++ = '"';
  std::size_t i = 0;
#if defined(__SSE2__)
  // PERF: long strings, 16 bytes at a time, stored before they are checked
  // (with i + 16 <= n, the 6n + 2 reserved above leave room for 16 more); a
  // block holding a special byte resumes right after its first special byte.
  {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control_max = _mm_set1_epi8(0x1F);
    while (n - i >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o), v);
      // Unsigned v <= 0x1F: max(v, 0x1F) == 0x1F.
      const __m128i special =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                       _mm_cmpeq_epi8(_mm_max_epu8(v, control_max), control_max));
      const auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
      if (mask == 0) {
        o += 16;
        i += 16;
        continue;
      }
      const auto plain = static_cast<std::size_t>(__builtin_ctz(mask));
      o += plain;
      i += plain;
      o = put_escaped(o, src[i++]);
    }
  }
#endif
  // PERF: 8 bytes at a time, stored before they are checked (the reserve above
  // leaves room); only a block holding a special byte is redone byte by byte.
  while (n - i >= 8) {
    std::uint64_t v;
    std::memcpy(&v, src + i, 8);
    std::memcpy(o, &v, 8);
    if (!any_needs_escape(v)) {
      o += 8;
      i += 8;
      continue;
    }
    for (const std::size_t stop = i + 8; i < stop; ++i) o = put_escaped(o, src[i]);
  }
  // PERF: a tail of a long, so far unescaped string: one overlapping 8-byte
  // block ending at the last byte (its head re-copies bytes already written).
  const char* const first = data_ + size_ + 1;
  if (i < n && n >= 8 && static_cast<std::size_t>(o - first) == i) {
    std::uint64_t v;
    std::memcpy(&v, src + n - 8, 8);
    if (!any_needs_escape(v)) {
      std::memcpy(o + (n - i) - 8, &v, 8);
      o += n - i;
      i = n;
    }
  }
  for (; i < n; ++i) o = put_escaped(o, src[i]);
  *o++ = '"';
  size_ = static_cast<std::size_t>(o - data_);
}

}  // namespace fulmen::json
