// The incremental HTTP/1.1 request parser (RFC 9112). Python-free.
//
// Feed it every read of a connection; it reports, through an EventSink, every
// complete event the bytes contain: request heads, body pieces, message ends,
// the switch to another protocol, or one error (then it stops). Splitting the
// input at any byte gives the same events (body pieces may be cut differently).
//
// A head that arrives in one read is parsed straight from the caller's bytes;
// only a head split across reads is gathered in an internal buffer first. The
// views handed to the sink are valid only during the callback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fulmen/http/request_line.hpp"

namespace fulmen::http {

struct ParserLimits {
  std::size_t max_request_line = 8192;  // 414 above (nginx, gunicorn)
  std::size_t max_header_field = 8192;  // one "name: value" line; 431 above
  std::size_t max_headers = 100;        // header (and trailer) lines; 431 above
  // Content-Length above this is refused with 413 before any body byte is
  // read; a chunked body growing past it gets 413 too. UINT64_MAX disables it.
  std::uint64_t max_body = 100ull * 1024 * 1024;
  // RFC 9112 §3.2: an HTTP/1.1 request without Host, or with two, is a 400.
  bool require_host = true;
};

// The error kinds, each with the status a server answers before closing.
enum class ParseError : std::uint8_t {
  none = 0,
  bad_request,            // 400
  uri_too_long,           // 414
  header_too_large,       // 431
  payload_too_large,      // 413
  not_implemented,        // 501 (a transfer coding we do not decode)
  version_not_supported,  // 505
};

int status_of(ParseError error) noexcept;

struct Header {
  std::string_view name;  // as received; the binding lowercases it
  std::string_view value;  // leading and trailing whitespace removed
};

enum class TargetForm : std::uint8_t { origin, absolute, authority, asterisk };

struct RequestHead {
  std::string_view method;
  std::string_view target;  // the request-target as received
  std::string_view path;    // raw (still percent-encoded) path, fragment dropped
  std::string_view query;   // after '?', without it; empty when there is none
  std::string_view authority;  // absolute-form and authority-form only
  TargetForm form = TargetForm::origin;
  std::uint8_t version_minor = 1;
  const Header* headers = nullptr;
  std::size_t header_count = 0;
  std::int64_t content_length = -1;  // -1: no Content-Length
  bool chunked = false;
  bool keep_alive = true;       // RFC 9112 §9.3
  bool expect_continue = false;  // RFC 9110 §10.1.1
  bool upgrade = false;         // CONNECT, or Upgrade + Connection: upgrade
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_head(const RequestHead& head) = 0;
  virtual void on_body(std::string_view piece) = 0;
  // trailers: the chunked trailer section (count 0 otherwise)
  virtual void on_message_end(const Header* trailers, std::size_t count) = 0;
  // The request asked to leave HTTP/1.1 (Upgrade or CONNECT) and its message is
  // complete; `rest` holds the bytes of this read that follow it. The parser
  // takes no more input after this.
  virtual void on_upgrade(std::string_view rest) = 0;
  virtual void on_error(ParseError error, const char* reason) = 0;
};

class RequestParser {
 public:
  explicit RequestParser(const ParserLimits& limits = {});

  // Parses all of `data`, reporting events to `sink`. After an error, an
  // upgrade, or the end of a message that closes the connection, further input
  // is ignored (reported again as nothing).
  void feed(std::string_view data, EventSink& sink);

  // True between messages (no partial request buffered): a clean place to close.
  [[nodiscard]] bool idle() const noexcept { return state_ == State::head && head_buf_.empty(); }
  [[nodiscard]] bool stopped() const noexcept { return state_ == State::stopped; }
  [[nodiscard]] const ParserLimits& limits() const noexcept { return limits_; }

 private:
  enum class State : std::uint8_t {
    head,           // gathering the request line and header lines
    body_length,    // Content-Length body
    chunk_line,     // a chunk-size line (size, extensions, CRLF)
    chunk_data,     // chunk-data bytes
    chunk_data_end, // the CRLF after chunk-data
    trailers,       // trailer lines up to the empty line
    stopped,        // error, upgrade, or connection to be closed
  };

  // Head: returns the bytes of `data` used; sets complete_now_ for a bodyless message.
  std::size_t scan_head(std::string_view data, EventSink& sink);
  bool parse_head(std::string_view head, EventSink& sink);
  ParseError validate_lines(std::string_view buf, std::size_t end);
  ParseError check_partial(std::string_view partial, bool first);
  void finish_message(EventSink& sink, std::string_view rest, const Header* trailers,
                      std::size_t count);
  std::size_t scan_line(std::string_view data, std::string_view& line, bool& complete,
                        std::size_t limit, EventSink& sink);
  bool parse_chunk_line(std::string_view line, EventSink& sink);
  bool parse_trailers(EventSink& sink);
  void fail(EventSink& sink, ParseError error, const char* reason);

  ParserLimits limits_;
  State state_ = State::head;
  std::string head_buf_;        // a head split across reads
  std::size_t head_lines_ = 0;  // complete lines seen in the current head
  std::size_t line_start_ = 0;  // offset of the current line in the head
  std::size_t head_begin_ = 0;  // offset of the request line (after empty lines)
  std::size_t scan_pos_ = 0;    // head_buf_ holds no LF before this offset
  std::size_t validated_ = 0;   // lines before this offset were checked early
  std::size_t early_lengths_ = 0;  // Content-Length lines seen by validate_lines
  const char* early_reason_ = "";
  bool complete_now_ = false;   // the head just parsed has no body
  std::uint8_t crlf_seen_ = 0;  // bytes of the CRLF after chunk-data seen
  std::string line_buf_;        // a chunk-size or trailer line split across reads
  std::string trailer_buf_;     // the trailer section gathered so far
  std::size_t trailer_lines_ = 0;
  std::vector<Header> headers_;  // reused: no allocation per request once warm
  std::uint64_t remaining_ = 0;  // body or chunk bytes still expected
  std::uint64_t body_seen_ = 0;  // chunked bytes so far (for max_body)
  bool keep_alive_ = true;
  bool upgrade_ = false;
};

// Percent-decodes `in` into `out` (RFC 3986 §2.1). A '%' not followed by two
// hex digits is kept as is. Returns false when `in` has no '%' (out untouched).
bool percent_decode(std::string_view in, std::string& out);

}  // namespace fulmen::http
