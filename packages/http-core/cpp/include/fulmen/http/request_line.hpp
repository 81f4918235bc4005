// Parsing of the HTTP/1.1 request line (RFC 9112 §3). Never allocates: the
// result holds views into the caller's buffer. Header and body parsing build on
// this (see the package CHANGELOG).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fulmen::http {

enum class ParseStatus : std::uint8_t {
  complete,               // a whole line was parsed; `consumed` bytes were used
  incomplete,             // no CRLF yet and still under the limit: read more
  bad_request,            // 400: the line does not follow the grammar
  uri_too_long,           // 414: the request target exceeds the limit
  version_not_supported,  // 505: an HTTP major version other than 1
};

struct RequestLine {
  std::string_view method;
  std::string_view target;
  std::uint8_t version_major = 0;
  std::uint8_t version_minor = 0;
  std::size_t consumed = 0;  // bytes of input used, CRLF included
};

struct Limits {
  // nginx's and gunicorn's default: 8 KiB for the whole request line.
  std::size_t max_request_line = 8192;
};

// Parses `method SP request-target SP HTTP-version CRLF` at the start of `in`.
// On `complete`, `out` views into `in`; otherwise `out` is unspecified.
ParseStatus parse_request_line(std::string_view in, RequestLine& out,
                               const Limits& limits = {}) noexcept;

}  // namespace fulmen::http
