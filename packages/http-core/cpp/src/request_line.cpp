#include "fulmen/http/request_line.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace fulmen::http {

namespace {

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
constexpr auto token_table = make_token_table();

// The request target is visible ASCII (RFC 9112 §3.2; RFC 3986 has no spaces
// or controls). Bytes >= 0x80 are rejected too: clients must percent-encode.
constexpr bool is_target_char(unsigned char c) noexcept { return c > 0x20 && c < 0x7f; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// is_target_char for the eight bytes at `p` at once ("SWAR"). A byte below
// 0x21 sets its high bit in (w - 0x21*ones) & ~w & highs (exact for "any
// byte"); a byte of 0x7f or more has its high bit set in w or in
// (w & low7) + ones, which cannot carry into the next byte.
inline bool all_target_bytes(const char* p) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  constexpr std::uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);  // unaligned, alias-safe load
  const std::uint64_t low = (w - ones * 0x21) & ~w & highs;
  const std::uint64_t high = (((w & low7) + ones) | w) & highs;
  return (low | high) == 0;
}

}  // namespace

ParseStatus parse_request_line(std::string_view in, RequestLine& out,
                               const Limits& limits) noexcept {
  const std::size_t limit = in.size() < limits.max_request_line ? in.size() : limits.max_request_line;
  std::size_t i = 0;

  // method = token (RFC 9112 §3.1)
  while (i < limit && token_table[static_cast<unsigned char>(in[i])]) ++i;
  if (i == limit) return in.size() >= limits.max_request_line ? ParseStatus::uri_too_long : ParseStatus::incomplete;
  if (i == 0 || in[i] != ' ') return ParseStatus::bad_request;
  out.method = in.substr(0, i);
  const std::size_t target_start = ++i;

  // request-target: exactly one SP on each side (RFC 9112 §3 rejects extra whitespace
  // in a strict parser, which avoids request-smuggling ambiguity).
  // PERF: eight bytes at a time while all are target bytes, then byte by byte.
  while (i + 8 <= limit && all_target_bytes(in.data() + i)) i += 8;
  while (i < limit && is_target_char(static_cast<unsigned char>(in[i]))) ++i;
  if (i == limit) return in.size() >= limits.max_request_line ? ParseStatus::uri_too_long : ParseStatus::incomplete;
  if (i == target_start || in[i] != ' ') return ParseStatus::bad_request;
  out.target = in.substr(target_start, i - target_start);
  ++i;

  // HTTP-version = "HTTP/" DIGIT "." DIGIT, then CRLF (RFC 9112 §2.3, §2.2: a bare
  // LF or CR is not accepted as a line terminator). The 10 bytes are checked as far
  // as they have arrived, so that garbage fails at once instead of waiting.
  static constexpr std::string_view shape = "HTTP/0.0\r\n";  // '0' stands for any digit
  const std::size_t version_start = i;
  // PERF: the usual whole "HTTP/1.x\r\n" in one comparison; the loop below
  // gives the same verdict byte by byte for anything else.
  if (i + shape.size() <= in.size() && i + shape.size() <= limits.max_request_line &&
      std::memcmp(in.data() + i, "HTTP/1.", 7) == 0 && is_digit(in[i + 7]) && in[i + 8] == '\r' &&
      in[i + 9] == '\n') {
    out.version_major = 1;
    out.version_minor = static_cast<std::uint8_t>(in[i + 7] - '0');
    out.consumed = i + shape.size();
    return ParseStatus::complete;
  }
  for (std::size_t k = 0; k < shape.size(); ++k, ++i) {
    if (i >= limits.max_request_line) return ParseStatus::uri_too_long;
    if (i >= in.size()) return ParseStatus::incomplete;
    const bool ok = shape[k] == '0' ? is_digit(in[i]) : in[i] == shape[k];
    if (!ok) return ParseStatus::bad_request;
    // RFC 9110 §6.2: only major version 1 is spoken here (checked as soon as seen).
    if (k == 5 && in[i] != '1') return ParseStatus::version_not_supported;
  }
  const char minor = in[version_start + 7];
  out.version_major = 1;
  out.version_minor = static_cast<std::uint8_t>(minor - '0');
  out.consumed = i;
  return ParseStatus::complete;
}

}  // namespace fulmen::http
