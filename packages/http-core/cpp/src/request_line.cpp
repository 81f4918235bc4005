#include "fulmen/http/request_line.hpp"

#include <array>

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
