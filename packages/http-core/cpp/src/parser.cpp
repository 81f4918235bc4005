#include "fulmen/http/parser.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>

#include "fulmen/http/chars.hpp"

namespace fulmen::http {

using chars::iequals;

int status_of(ParseError error) noexcept {
  switch (error) {
    case ParseError::none: return 0;
    case ParseError::bad_request: return 400;
    case ParseError::uri_too_long: return 414;
    case ParseError::header_too_large: return 431;
    case ParseError::payload_too_large: return 413;
    case ParseError::not_implemented: return 501;
    case ParseError::version_not_supported: return 505;
  }
  return 400;
}

namespace {

// One field line, "name: value" (RFC 9112 §5), at the start of `text`. The
// line ends at the first CRLF of `text` (its offset goes to `line_end`), or at
// the end of `text` when there is none. Returns the reason it is malformed, or
// nullptr. PERF: finding the line's end is part of checking its value bytes,
// so a head is not searched for CRLFs a second time.
const char* parse_field(std::string_view text, Header& out, std::size_t& line_end) noexcept {
  const std::size_t size = text.size();
  const auto crlf_at = [&](std::size_t k) { return text[k] == '\r' && k + 1 < size && text[k + 1] == '\n'; };
  // RFC 9112 §5.2: a line starting with whitespace is obsolete line folding,
  // which a server must reject (400) or replace; we reject.
  if (size != 0 && chars::is_ows(text[0])) return "obsolete line folding";
  std::size_t i = 0;
  while (i < size && chars::is_token(text[i])) ++i;
  if (i == size || crlf_at(i)) return "header line without a colon";
  if (text[i] != ':') {
    // RFC 9112 §5.1: no whitespace is allowed between the name and the colon.
    return chars::is_ows(text[i]) ? "whitespace before the colon" : "invalid header name";
  }
  if (i == 0) return "empty header name";
  out.name = text.substr(0, i);
  ++i;
  while (i < size && chars::is_ows(text[i])) ++i;
  // PERF: eight bytes at a time while they are all plain (the common case);
  // the table decides byte by byte from the first word that is not.
  std::size_t k = i;
  while (k + 8 <= size) {
    const std::uint64_t odd = chars::non_plain_field_bytes(text.data() + k);
    if (odd == 0) {
      k += 8;
      continue;
    }
    // PERF: jump straight to the first byte that is not plain (usually the CR).
    if constexpr (std::endian::native == std::endian::little)
      k += static_cast<std::size_t>(std::countr_zero(odd)) / 8;
    break;
  }
  for (; k < size; ++k) {
    if (!chars::is_field_value(text[k])) {
      if (crlf_at(k)) break;
      return text[k] == '\r' ? "bare CR in header" : text[k] == '\0' ? "NUL in header"
                                                                     : "invalid header value";
    }
  }
  line_end = k;
  std::size_t end = k;
  while (end > i && chars::is_ows(text[end - 1])) --end;
  out.value = text.substr(i, end - i);
  return nullptr;
}

// One field line without its CRLF.
const char* parse_field_line(std::string_view line, Header& out) noexcept {
  std::size_t line_end = 0;
  return parse_field(line, out, line_end);
}

// Calls fn(token) for each element of a comma-separated list (RFC 9110 §5.6.1),
// OWS trimmed, empty elements skipped.
template <class Fn>
void for_each_element(std::string_view value, Fn&& fn) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && chars::is_ows(item.front())) item.remove_prefix(1);
    while (!item.empty() && chars::is_ows(item.back())) item.remove_suffix(1);
    if (!item.empty()) fn(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// RFC 9110 §6.5.1: fields that cannot be processed after the content (framing,
// routing, request modifiers, authentication, content format) must not be
// accepted as trailers.
bool forbidden_in_trailers(std::string_view name) noexcept {
  static constexpr std::string_view forbidden[] = {
      "content-length", "transfer-encoding", "trailer", "host", "connection", "keep-alive",
      "upgrade", "te", "expect", "max-forwards", "cache-control", "pragma", "range",
      "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range",
      "authorization", "proxy-authorization", "content-type", "content-encoding",
      "content-range", "www-authenticate", "proxy-authenticate", "set-cookie", "age",
      "expires", "date", "location", "retry-after", "vary", "warning"};
  for (const auto f : forbidden)
    if (iequals(name, f)) return true;
  return false;
}

// RFC 9110 §8.6: Content-Length = 1*DIGIT, at most what an int64 holds.
const char* parse_content_length(std::string_view v, std::uint64_t& out) noexcept {
  if (v.empty()) return "empty Content-Length";
  std::uint64_t length = 0;
  for (const char c : v) {
    if (c < '0' || c > '9') return "Content-Length is not plain digits";
    if (length > (static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) - 9) / 10)
      return "Content-Length overflow";
    length = length * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = length;
  return nullptr;
}

bool is_scheme_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '-' || c == '.';
}

// Splits path, query and (dropped) fragment of `rest` (origin-form or the part
// of an absolute-form after the authority).
void split_path(std::string_view rest, RequestHead& head) noexcept {
  const std::size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  const std::size_t q = rest.find('?');
  if (q == std::string_view::npos) {
    head.path = rest;
    head.query = {};
  } else {
    head.path = rest.substr(0, q);
    head.query = rest.substr(q + 1);
  }
  if (head.path.empty()) head.path = "/";
}

// RFC 9112 §3.2: origin-form, absolute-form, authority-form (CONNECT only),
// asterisk-form (OPTIONS only). Returns the reason the target is wrong, or nullptr.
const char* classify_target(RequestHead& head) noexcept {
  const std::string_view t = head.target;
  const bool connect = head.method == "CONNECT";
  if (connect) {
    // authority-form = uri-host ":" port (RFC 9112 §3.2.3)
    const std::size_t colon = t.rfind(':');
    if (t[0] == '/' || colon == std::string_view::npos || colon == 0 || colon + 1 == t.size())
      return "CONNECT needs an authority-form target";
    for (std::size_t i = colon + 1; i < t.size(); ++i)
      if (t[i] < '0' || t[i] > '9') return "CONNECT needs an authority-form target";
    if (t.find_first_of("/?#@") != std::string_view::npos)
      return "CONNECT needs an authority-form target";
    head.form = TargetForm::authority;
    head.authority = t;
    head.path = {};
    return nullptr;
  }
  if (t[0] == '/') {
    head.form = TargetForm::origin;
    split_path(t, head);
    return nullptr;
  }
  if (t == "*") {
    if (head.method != "OPTIONS") return "asterisk-form outside OPTIONS";
    head.form = TargetForm::asterisk;
    head.path = t;
    return nullptr;
  }
  // absolute-form = scheme "://" authority path-abempty [ "?" query ] (RFC 9112 §3.2.2)
  std::size_t i = 0;
  const bool alpha_start = (t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z');
  while (i < t.size() && is_scheme_char(t[i])) ++i;
  if (!alpha_start || t.substr(i, 3) != "://") return "invalid request target";
  const std::size_t auth_start = i + 3;
  std::size_t auth_end = t.find_first_of("/?#", auth_start);
  if (auth_end == std::string_view::npos) auth_end = t.size();
  if (auth_end == auth_start) return "absolute-form target without authority";
  head.form = TargetForm::absolute;
  head.authority = t.substr(auth_start, auth_end - auth_start);
  split_path(t.substr(auth_end), head);
  return nullptr;
}

// RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ).
// Like llhttp's strict mode, no whitespace is accepted around ';' and '='.
bool valid_chunk_extensions(std::string_view ext) noexcept {
  std::size_t i = 0;
  while (i < ext.size()) {
    if (ext[i] != ';') return false;
    ++i;
    const std::size_t name_start = i;
    while (i < ext.size() && chars::is_token(ext[i])) ++i;
    if (i == name_start) return false;
    if (i < ext.size() && ext[i] == '=') {
      ++i;
      if (i < ext.size() && ext[i] == '"') {
        ++i;
        bool closed = false;
        while (i < ext.size()) {
          const auto c = static_cast<unsigned char>(ext[i]);
          if (c == '"') {
            closed = true;
            ++i;
            break;
          }
          if (c == '\\') {  // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
            if (i + 1 >= ext.size() || !chars::is_field_value(ext[i + 1])) return false;
            i += 2;
            continue;
          }
          if (!chars::is_field_value(ext[i])) return false;
          ++i;
        }
        if (!closed) return false;
      } else {
        const std::size_t value_start = i;
        while (i < ext.size() && chars::is_token(ext[i])) ++i;
        if (i == value_start) return false;
      }
    }
  }
  return true;
}

}  // namespace

RequestParser::RequestParser(const ParserLimits& limits) : limits_(limits) {
  headers_.reserve(32);
}

void RequestParser::fail(EventSink& sink, ParseError error, const char* reason) {
  state_ = State::stopped;
  head_buf_.clear();
  line_buf_.clear();
  trailer_buf_.clear();
  sink.on_error(error, reason);
}

void RequestParser::feed(std::string_view data, EventSink& sink) {
  while (!data.empty() && state_ != State::stopped) {
    switch (state_) {
      case State::head: {
        complete_now_ = false;
        const std::size_t used = scan_head(data, sink);
        data.remove_prefix(used);
        if (complete_now_) finish_message(sink, data, nullptr, 0);
        break;
      }
      case State::body_length: {
        const std::size_t take =
            remaining_ < data.size() ? static_cast<std::size_t>(remaining_) : data.size();
        sink.on_body(data.substr(0, take));
        remaining_ -= take;
        data.remove_prefix(take);
        if (remaining_ == 0) finish_message(sink, data, nullptr, 0);
        break;
      }
      case State::chunk_line: {
        std::string_view line;
        bool complete = false;
        const std::size_t used = scan_line(data, line, complete, limits_.max_header_field, sink);
        if (state_ == State::stopped) return;
        data.remove_prefix(used);
        if (complete) {
          const bool ok = parse_chunk_line(line, sink);
          line_buf_.clear();
          if (!ok) return;
          if (state_ == State::trailers) trailer_lines_ = 0;
        }
        break;
      }
      case State::chunk_data: {
        const std::size_t take =
            remaining_ < data.size() ? static_cast<std::size_t>(remaining_) : data.size();
        sink.on_body(data.substr(0, take));
        remaining_ -= take;
        data.remove_prefix(take);
        if (remaining_ == 0) {
          state_ = State::chunk_data_end;
          crlf_seen_ = 0;
        }
        break;
      }
      case State::chunk_data_end: {
        // RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
        const char expected = crlf_seen_ == 0 ? '\r' : '\n';
        if (data[0] != expected) return fail(sink, ParseError::bad_request, "missing CRLF after chunk data");
        data.remove_prefix(1);
        if (++crlf_seen_ == 2) state_ = State::chunk_line;
        break;
      }
      case State::trailers: {
        std::string_view line;
        bool complete = false;
        const std::size_t used = scan_line(data, line, complete, limits_.max_header_field, sink);
        if (state_ == State::stopped) return;
        data.remove_prefix(used);
        if (!complete) break;
        if (!line.empty()) {
          if (++trailer_lines_ > limits_.max_headers) {
            return fail(sink, ParseError::header_too_large, "too many trailer fields");
          }
          trailer_buf_.append(line);
          trailer_buf_.append("\r\n");
          line_buf_.clear();
          break;
        }
        line_buf_.clear();
        if (!parse_trailers(sink)) return;
        finish_message(sink, data, headers_.data(), headers_.size());
        trailer_buf_.clear();
        break;
      }
      case State::stopped: return;
    }
  }
}

std::size_t RequestParser::scan_line(std::string_view data, std::string_view& line,
                                     bool& complete, std::size_t limit, EventSink& sink) {
  const void* found = std::memchr(data.data(), '\n', data.size());
  if (found == nullptr) {
    if (line_buf_.size() + data.size() > limit + 1) {
      fail(sink, ParseError::bad_request, "chunk or trailer line too long");
      return data.size();
    }
    line_buf_.append(data);
    complete = false;
    return data.size();
  }
  const std::size_t n = static_cast<std::size_t>(static_cast<const char*>(found) - data.data()) + 1;
  std::string_view raw;
  if (line_buf_.empty()) {
    raw = data.substr(0, n);
  } else {
    line_buf_.append(data.substr(0, n));
    raw = line_buf_;
  }
  // RFC 9112 §2.2: lines end with CRLF; a bare LF is not accepted.
  if (raw.size() < 2 || raw[raw.size() - 2] != '\r') {
    fail(sink, ParseError::bad_request, "bare LF");
    return n;
  }
  line = raw.substr(0, raw.size() - 2);
  if (line.size() > limit) {
    fail(sink, ParseError::bad_request, "chunk or trailer line too long");
    return n;
  }
  complete = true;
  return n;
}

bool RequestParser::parse_chunk_line(std::string_view line, EventSink& sink) {
  // chunk-size = 1*HEXDIG (RFC 9112 §7.1)
  std::uint64_t size = 0;
  std::size_t i = 0;
  while (i < line.size()) {
    const int digit = chars::hex_value(line[i]);
    if (digit < 0) break;
    if (size > (std::numeric_limits<std::uint64_t>::max() >> 4)) {
      fail(sink, ParseError::bad_request, "chunk size overflow");
      return false;
    }
    size = (size << 4) | static_cast<std::uint64_t>(digit);
    ++i;
  }
  if (i == 0) {
    fail(sink, ParseError::bad_request, "invalid chunk size");
    return false;
  }
  if (!valid_chunk_extensions(line.substr(i))) {
    fail(sink, ParseError::bad_request, "invalid chunk extension");
    return false;
  }
  if (size > limits_.max_body || body_seen_ + size > limits_.max_body) {
    fail(sink, ParseError::payload_too_large, "chunked body larger than the limit");
    return false;
  }
  body_seen_ += size;
  if (size == 0) {
    state_ = State::trailers;
  } else {
    state_ = State::chunk_data;
    remaining_ = size;
  }
  return true;
}

bool RequestParser::parse_trailers(EventSink& sink) {
  headers_.clear();
  std::string_view rest = trailer_buf_;
  while (!rest.empty()) {
    const std::size_t end = rest.find("\r\n");
    Header field;
    if (const char* why = parse_field_line(rest.substr(0, end), field)) {
      fail(sink, ParseError::bad_request, why);
      return false;
    }
    if (forbidden_in_trailers(field.name)) {
      fail(sink, ParseError::bad_request, "field not allowed in trailers");
      return false;
    }
    headers_.push_back(field);
    rest.remove_prefix(end + 2);
  }
  return true;
}

void RequestParser::finish_message(EventSink& sink, std::string_view rest,
                                   const Header* trailers, std::size_t count) {
  sink.on_message_end(trailers, count);
  head_buf_.clear();
  if (upgrade_) {
    state_ = State::stopped;
    sink.on_upgrade(rest);
  } else if (!keep_alive_) {
    // RFC 9112 §9.6: after a request with "close" the server closes; anything
    // the client pipelined behind it is not processed.
    state_ = State::stopped;
  } else {
    state_ = State::head;
  }
}

ParseError RequestParser::check_partial(std::string_view partial, bool first) {
  if (first) {
    // The request-line grammar checks its bytes in order (a CR included), so
    // the verdict is the one the whole line would get.
    if (partial.empty() || partial == "\r") return ParseError::none;
    RequestLine line;
    const ParseStatus s =
        parse_request_line(partial, line, {.max_request_line = partial.size() + 2});
    if (s == ParseStatus::bad_request) {
      early_reason_ = "malformed request line";
      return ParseError::bad_request;
    }
    if (s == ParseStatus::version_not_supported) {
      early_reason_ = "unsupported HTTP version";
      return ParseError::version_not_supported;
    }
    return ParseError::none;
  }
  // RFC 9112 §5.2: a line starting with whitespace is obsolete folding.
  if (!partial.empty() && chars::is_ows(partial[0])) {
    early_reason_ = "obsolete line folding";
    return ParseError::bad_request;
  }
  // A bare CR anywhere but at the very end (where an LF may still follow).
  if (partial.size() > 1 && std::memchr(partial.data(), '\r', partial.size() - 1) != nullptr) {
    early_reason_ = "bare CR";
    return ParseError::bad_request;
  }
  return ParseError::none;
}

ParseError RequestParser::validate_lines(std::string_view buf, std::size_t end) {
  while (validated_ < end) {
    const std::size_t eol = buf.find("\r\n", validated_);
    if (eol == std::string_view::npos || eol >= end) break;
    const std::string_view line = buf.substr(validated_, eol - validated_);
    if (validated_ == head_begin_) {
      RequestLine request_line;
      const ParseStatus s = parse_request_line(buf.substr(validated_, eol + 2 - validated_),
                                               request_line,
                                               {.max_request_line = limits_.max_request_line + 2});
      if (s != ParseStatus::complete || request_line.consumed != line.size() + 2) {
        early_reason_ = "malformed request line";
        return s == ParseStatus::version_not_supported ? ParseError::version_not_supported
                                                       : ParseError::bad_request;
      }
    } else {
      Header field;
      if (const char* why = parse_field_line(line, field)) {
        early_reason_ = why;
        return ParseError::bad_request;
      }
      if (iequals(field.name, "content-length")) {
        std::uint64_t ignored = 0;
        if (++early_lengths_ > 1) {
          early_reason_ = "repeated Content-Length";
          return ParseError::bad_request;
        }
        if (const char* why = parse_content_length(field.value, ignored)) {
          early_reason_ = why;
          return ParseError::bad_request;
        }
      }
    }
    validated_ = eol + 2;
  }
  return ParseError::none;
}

std::size_t RequestParser::scan_head(std::string_view data, EventSink& sink) {
  // The working buffer is `data` itself unless a head is already partly
  // gathered. Offsets (line_start_, head_begin_, scan_pos_) are into it.
  const bool buffered = !head_buf_.empty();
  std::size_t base = 0;  // where `data` starts inside the working buffer
  std::string_view buf = data;
  std::size_t pos = 0;
  if (buffered) {
    base = head_buf_.size();
    head_buf_.append(data);
    buf = head_buf_;
    pos = scan_pos_;
  } else {
    head_lines_ = 0;
    line_start_ = 0;
    head_begin_ = 0;
    validated_ = 0;
    early_lengths_ = 0;
  }
  // Errors are reported in byte order, whatever the split: a line completed
  // earlier in this read is checked before a problem found further on.
  // `line_end`: where the current line's content ends (its prefix, up to the
  // limit, gets the same checks a split read would have made on it).
  const auto fail_in_order = [&](ParseError error, const char* why, std::size_t line_end,
                                 std::size_t limit, bool first) {
    ParseError e = validate_lines(buf, line_start_);
    if (e == ParseError::none) {
      const std::size_t len = line_end - line_start_ < limit + 1 ? line_end - line_start_ : limit + 1;
      e = check_partial(buf.substr(line_start_, len), first);
    }
    if (e != ParseError::none) {
      fail(sink, e, early_reason_);
    } else {
      fail(sink, error, why);
    }
    return data.size();
  };
  while (true) {
    const bool first = head_lines_ == 0;
    const std::size_t limit = first ? limits_.max_request_line : limits_.max_header_field;
    const ParseError too_long = first ? ParseError::uri_too_long : ParseError::header_too_large;
    const char* too_long_why = first ? "request line too long" : "header field too long";
    const void* found = std::memchr(buf.data() + pos, '\n', buf.size() - pos);
    if (found == nullptr) {
      const std::string_view partial = buf.substr(line_start_);
      // Lines completed in this read are checked now, not only at the end of
      // the head, so that a bad line fails without waiting for the rest.
      if (const ParseError e = validate_lines(buf, line_start_); e != ParseError::none) {
        fail(sink, e, early_reason_);
        return data.size();
      }
      // The same checks, in the same order, as for a line found too long below,
      // so that the verdict does not depend on where the input was split.
      const std::size_t keep = partial.size() < limit + 1 ? partial.size() : limit + 1;
      if (const ParseError e = check_partial(partial.substr(0, keep), first); e != ParseError::none) {
        fail(sink, e, early_reason_);
        return data.size();
      }
      if (partial.size() > limit + 1) {  // +1: the CR of a CRLF still to come
        fail(sink, too_long, too_long_why);
        return data.size();
      }
      // Keep the head so far (leading empty lines dropped) for the next read.
      if (buffered) {
        head_buf_.erase(0, head_begin_);
      } else {
        head_buf_.assign(buf.substr(head_begin_));
      }
      line_start_ -= head_begin_;
      validated_ -= head_begin_;
      head_begin_ = 0;
      scan_pos_ = head_buf_.size();
      return data.size();
    }
    const std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(found) - buf.data());
    // RFC 9112 §2.2: lines end with CRLF; a bare LF is rejected (a bare CR is
    // rejected by the line grammars).
    if (nl == line_start_ || buf[nl - 1] != '\r')
      return fail_in_order(ParseError::bad_request, "bare LF", nl, limit, first);
    const std::size_t line_len = nl - 1 - line_start_;
    if (line_len > limit) return fail_in_order(too_long, too_long_why, nl - 1, limit, first);
    if (line_len == 0) {
      if (first) {
        // RFC 9112 §2.2: ignore empty lines received before the request line.
        line_start_ = pos = head_begin_ = validated_ = nl + 1;
        continue;
      }
      const bool ok = parse_head(buf.substr(head_begin_, nl + 1 - head_begin_), sink);
      if (!ok) return data.size();
      const std::size_t used = nl + 1 - base;
      head_buf_.clear();
      return used;
    }
    if (++head_lines_ > limits_.max_headers + 1) {
      return fail_in_order(ParseError::header_too_large, "too many header fields", nl - 1, limit,
                           first);
    }
    line_start_ = pos = nl + 1;
  }
}

bool RequestParser::parse_head(std::string_view head, EventSink& sink) {
  RequestLine line;
  const ParseStatus s =
      parse_request_line(head, line, {.max_request_line = limits_.max_request_line + 2});
  if (s != ParseStatus::complete) {
    fail(sink,
         s == ParseStatus::version_not_supported ? ParseError::version_not_supported
         : s == ParseStatus::uri_too_long        ? ParseError::uri_too_long
                                                 : ParseError::bad_request,
         "malformed request line");
    return false;
  }
  RequestHead h;
  h.method = line.method;
  h.target = line.target;
  h.version_minor = line.version_minor;
  if (const char* why = classify_target(h)) {
    fail(sink, ParseError::bad_request, why);
    return false;
  }

  headers_.clear();
  std::string_view rest = head.substr(line.consumed);
  std::size_t hosts = 0;
  bool has_length = false;
  bool has_te = false;
  bool te_chunked_last = false;
  bool te_chunked_early = false;
  bool te_other = false;
  bool conn_close = false;
  bool conn_keep_alive = false;
  bool conn_upgrade = false;
  bool has_upgrade = false;
  std::uint64_t length = 0;
  while (rest.size() > 2) {
    // The head ends in an empty line and every line in CRLF (scan_head).
    std::size_t end = rest.size();
    Header field;
    if (const char* why = parse_field(rest, field, end)) {
      fail(sink, ParseError::bad_request, why);
      return false;
    }
    if (end + 2 > rest.size()) {
      fail(sink, ParseError::bad_request, "header line without CRLF");
      return false;
    }
    rest.remove_prefix(end + 2);
    headers_.push_back(field);
    const std::string_view name = field.name;
    // PERF: dispatch on length first; most fields match none of these.
    switch (name.size()) {
      case 4:
        if (iequals(name, "host")) ++hosts;
        break;
      case 6:
        if (iequals(name, "expect")) h.expect_continue = iequals(field.value, "100-continue");
        break;
      case 7:
        if (iequals(name, "upgrade")) has_upgrade = true;
        break;
      case 10:
        if (iequals(name, "connection")) {
          for_each_element(field.value, [&](std::string_view token) {
            if (iequals(token, "close")) conn_close = true;
            else if (iequals(token, "keep-alive")) conn_keep_alive = true;
            else if (iequals(token, "upgrade")) conn_upgrade = true;
          });
        }
        break;
      case 14:
        if (iequals(name, "content-length")) {
          // RFC 9112 §6.3 / RFC 9110 §8.6: plain digits only; like llhttp's
          // strict mode, any repeated Content-Length is refused, even equal.
          if (has_length) {
            fail(sink, ParseError::bad_request, "repeated Content-Length");
            return false;
          }
          has_length = true;
          if (const char* why = parse_content_length(field.value, length)) {
            fail(sink, ParseError::bad_request, why);
            return false;
          }
        }
        break;
      case 17:
        if (iequals(name, "transfer-encoding")) {
          // RFC 9112 §6.1: the codings apply in order; chunked must be last,
          // exactly once. Several field lines form one list.
          has_te = true;
          for_each_element(field.value, [&](std::string_view coding) {
            if (te_chunked_last) te_chunked_early = true;
            te_chunked_last = iequals(coding, "chunked");
            if (!te_chunked_last) te_other = true;
          });
        }
        break;
      default: break;
    }
  }
  h.headers = headers_.data();
  h.header_count = headers_.size();

  if (limits_.require_host && (hosts > 1 || (hosts == 0 && h.version_minor >= 1))) {
    fail(sink, ParseError::bad_request, hosts > 1 ? "more than one Host" : "missing Host");
    return false;
  }
  if (has_te) {
    // RFC 9112 §6.3: Transfer-Encoding with Content-Length is a smuggling
    // attempt; §6.1: a 1.0 request with Transfer-Encoding has faulty framing.
    if (has_length) {
      fail(sink, ParseError::bad_request, "Content-Length with Transfer-Encoding");
      return false;
    }
    if (h.version_minor == 0) {
      fail(sink, ParseError::bad_request, "Transfer-Encoding in an HTTP/1.0 request");
      return false;
    }
    // §6.3 point 4: a request whose final coding is not chunked is a 400.
    if (!te_chunked_last || te_chunked_early) {
      fail(sink, ParseError::bad_request, "Transfer-Encoding does not end in chunked");
      return false;
    }
    // §6.1: codings we do not decode (gzip, chunked) get 501.
    if (te_other) {
      fail(sink, ParseError::not_implemented, "unsupported transfer coding");
      return false;
    }
    h.chunked = true;
  } else if (has_length) {
    if (length > limits_.max_body) {
      fail(sink, ParseError::payload_too_large, "Content-Length larger than the limit");
      return false;
    }
    h.content_length = static_cast<std::int64_t>(length);
  }

  // RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
  h.keep_alive = !conn_close && (h.version_minor >= 1 || conn_keep_alive);
  const bool connect = h.form == TargetForm::authority;
  h.upgrade = connect || (has_upgrade && conn_upgrade);
  keep_alive_ = h.keep_alive;
  upgrade_ = h.upgrade;
  body_seen_ = 0;

  sink.on_head(h);
  if (state_ == State::stopped) return false;
  // CONNECT: the tunnel starts right after the head (RFC 9110 §9.3.6).
  if (connect) {
    complete_now_ = true;
  } else if (h.chunked) {
    state_ = State::chunk_line;
  } else if (length > 0) {
    state_ = State::body_length;
    remaining_ = length;
  } else {
    complete_now_ = true;
  }
  return true;
}

bool percent_decode(std::string_view in, std::string& out) {
  std::size_t pct = in.find('%');
  if (pct == std::string_view::npos) return false;
  out.clear();
  out.reserve(in.size());
  std::size_t i = 0;
  while (pct != std::string_view::npos) {
    out.append(in.substr(i, pct - i));
    const int hi = pct + 2 < in.size() ? chars::hex_value(in[pct + 1]) : -1;
    const int lo = hi >= 0 ? chars::hex_value(in[pct + 2]) : -1;
    if (lo >= 0) {
      out.push_back(static_cast<char>((hi << 4) | lo));
      i = pct + 3;
    } else {
      out.push_back('%');
      i = pct + 1;
    }
    pct = in.find('%', i);
  }
  out.append(in.substr(i));
  return true;
}

}  // namespace fulmen::http
