// Eight bytes at a time ("SWAR") tests on a 64-bit word, shared by the string
// writer and the string scanner.
#pragma once

#include <cstdint>

namespace fulmen::json::detail {

constexpr std::uint64_t broadcast(unsigned char c) noexcept { return 0x0101010101010101ULL * c; }

// The high bit of each byte that is '"', '\\' or below 0x20: the bytes a JSON
// string cannot hold as they are. Exact for "some byte matches" and for the
// lowest flagged byte (a borrow can only set the high bit of a byte above one
// that really matches).
constexpr std::uint64_t escape_mask(std::uint64_t v) noexcept {
  constexpr std::uint64_t high = broadcast(0x80);
  const std::uint64_t quote = v ^ broadcast('"');
  const std::uint64_t slash = v ^ broadcast('\\');
  const std::uint64_t zero_quote = (quote - broadcast(1)) & ~quote;
  const std::uint64_t zero_slash = (slash - broadcast(1)) & ~slash;
  const std::uint64_t below_space = (v - broadcast(0x20)) & ~v;
  return (zero_quote | zero_slash | below_space) & high;
}

}  // namespace fulmen::json::detail
