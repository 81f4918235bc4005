// The HTTP/1.1 response writer (RFC 9112 §4, §6, §9). Python-free.
//
// Writes the status line, the caller's headers, and the framing and
// connection headers the server owns (Date, Content-Length or chunked,
// Connection), into one buffer — followed by the body when it is given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "fulmen/http/parser.hpp"

namespace fulmen::http {

// RFC 9110 §6.6.1: the Date header, an IMF-fixdate, formatted once per second.
class DateCache {
 public:
  // The value for the current second (without "date: " and CRLF).
  std::string_view now() noexcept;
  // For tests: the value for a given second.
  static std::string format(std::time_t seconds);

 private:
  std::time_t second_ = -1;
  char value_[32] = {};
  std::size_t size_ = 0;
};

struct ResponseOptions {
  std::uint8_t request_minor = 1;   // the request's HTTP minor version
  bool keep_alive = true;           // what the request allows (RFC 9112 §9.3)
  bool head_request = false;        // HEAD: framing headers, never a body
  // The body length when known (the whole body is at hand, or the app gave
  // Content-Length itself); -1 for a streamed body of unknown length.
  std::int64_t body_length = -1;
};

struct ResponseFraming {
  bool keep_alive = true;  // false: close the connection after this response
  bool chunked = false;    // the body must be sent through write_chunk
  bool no_body = false;    // 1xx/204/304/HEAD: send no body bytes at all
  std::int64_t content_length = -1;  // the Content-Length that was written or given
};

std::string_view reason_phrase(int status) noexcept;

// Appends the response head to `out`. Returns nullptr, or why the caller's
// status or headers are invalid (a CR or LF in a value would split the
// response: RFC 9110 §5.5). `framing` says how to send the body.
const char* write_head(std::string& out, int status, const Header* headers, std::size_t count,
                       const ResponseOptions& options, std::string_view date,
                       ResponseFraming& framing);

// RFC 9112 §7.1: one chunk (size in hex, CRLF, data, CRLF); an empty `data`
// writes nothing (the last chunk is write_last_chunk).
void write_chunk(std::string& out, std::string_view data);
void write_last_chunk(std::string& out);

}  // namespace fulmen::http
