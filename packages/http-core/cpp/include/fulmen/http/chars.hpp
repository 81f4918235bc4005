// Character classes of HTTP/1.1 (RFC 9110 §5.6, RFC 9112), as constexpr tables
// shared by the parser and the response writer.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace fulmen::http::chars {

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-"
// / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
constexpr std::array<bool, 256> make_token_table() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
inline constexpr auto token = make_token_table();

// RFC 9110 §5.5: field-value bytes are VCHAR, obs-text, SP and HTAB. Everything
// else (NUL, CR, LF, other controls, DEL) is rejected: §5.5 lets a recipient
// reject them, and accepting a bare CR is how request smuggling starts.
constexpr std::array<bool, 256> make_field_value_table() {
  std::array<bool, 256> t{};
  for (int c = 0x21; c <= 0x7e; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 0x80; c <= 0xff; ++c) t[static_cast<std::size_t>(c)] = true;
  t[' '] = true;
  t['\t'] = true;
  return t;
}
inline constexpr auto field_value = make_field_value_table();

constexpr bool is_token(char c) noexcept { return token[static_cast<unsigned char>(c)]; }
constexpr bool is_field_value(char c) noexcept {
  return field_value[static_cast<unsigned char>(c)];
}
// True when none of the eight bytes at `p` is a control (below 0x20) or DEL:
// each is then a field-value byte (VCHAR, SP or obs-text). HTAB, also allowed,
// makes this false; callers fall back to is_field_value for such a word.
// Word-at-a-time ("SWAR") tests: a byte below n sets its high bit in
// (w - n*ones) & ~w & highs (exact for "any byte", n <= 128; bytes >= 0x80 are
// excluded by ~w), and a zero byte of w ^ (0x7f*ones) marks a DEL.
// non_plain_field_bytes returns the mask itself: its lowest set bit is exact
// (a borrow only reaches bytes above a true hit), so on a little-endian
// machine countr_zero(mask) / 8 is the offset of the first such byte.
inline std::uint64_t non_plain_field_bytes(const char* p) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);  // unaligned, alias-safe load
  const std::uint64_t controls = (w - ones * 0x20) & ~w & highs;
  const std::uint64_t del = w ^ (ones * 0x7f);
  const std::uint64_t dels = (del - ones) & ~del & highs;
  return controls | dels;
}
inline bool all_plain_field_bytes(const char* p) noexcept { return non_plain_field_bytes(p) == 0; }

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}
constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ASCII case-insensitive equality against a lowercase literal.
constexpr bool iequals(std::string_view a, std::string_view lower) noexcept {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != lower[i]) return false;
  return true;
}

}  // namespace fulmen::http::chars
