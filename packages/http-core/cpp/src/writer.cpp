#include "fulmen/http/writer.hpp"

#include <charconv>

#include "fulmen/http/chars.hpp"

namespace fulmen::http {

using chars::iequals;

std::string DateCache::format(std::time_t seconds) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                              days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
                              tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::string_view DateCache::now() noexcept {
  // PERF: time() is a vDSO call; the formatting runs once per second.
  const std::time_t t = std::time(nullptr);
  if (t != second_) {
    second_ = t;
    const std::string s = format(t);
    size_ = s.copy(value_, sizeof value_ - 1);
  }
  return {value_, size_};
}

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

namespace {

void append_number(std::string& out, std::uint64_t value) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  out.append(buf, end);
}

}  // namespace

const char* write_head(std::string& out, int status, const Header* headers, std::size_t count,
                       const ResponseOptions& options, std::string_view date,
                       ResponseFraming& framing) {
  if (status < 100 || status > 999) return "status must be in 100..999";
  framing = {};
  // RFC 9110 §6.4.1, §15.3.5, §15.4.5: 1xx, 204 and 304 never carry content.
  framing.no_body = status < 200 || status == 204 || status == 304 || options.head_request;
  bool keep_alive = options.keep_alive;
  bool has_date = false;
  bool has_length = false;
  bool has_te = false;

  const std::size_t start = out.size();
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<std::uint64_t>(status));
  out.push_back(' ');
  out.append(reason_phrase(status));
  out.append("\r\n");
  for (std::size_t i = 0; i < count; ++i) {
    const std::string_view name = headers[i].name;
    const std::string_view value = headers[i].value;
    if (name.empty()) return (out.resize(start), "empty header name");
    for (const char c : name)
      if (!chars::is_token(c)) return (out.resize(start), "invalid character in header name");
    for (const char c : value)
      if (!chars::is_field_value(c)) return (out.resize(start), "invalid character in header value");
    switch (name.size()) {
      case 4:
        if (iequals(name, "date")) has_date = true;
        break;
      case 10:
        if (iequals(name, "connection")) {
          // The app may ask to close; it cannot force keep-alive the request forbids.
          for (std::size_t k = 0; k + 5 <= value.size(); ++k)
            if (iequals(value.substr(k, 5), "close")) keep_alive = false;
          continue;  // the server writes Connection itself below
        }
        break;
      case 14:
        if (iequals(name, "content-length")) {
          has_length = true;
          std::int64_t n = 0;
          const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
          if (ec != std::errc{} || p != value.data() + value.size() || n < 0)
            return (out.resize(start), "invalid Content-Length");
          framing.content_length = n;
        }
        break;
      case 17:
        if (iequals(name, "transfer-encoding")) has_te = true;
        break;
      default: break;
    }
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  if (!has_date && !date.empty()) {
    out.append("date: ");
    out.append(date);
    out.append("\r\n");
  }
  if (has_te) {
    // The app framed the body itself: only chunked is something we can send.
    framing.chunked = !framing.no_body;
  } else if (!has_length && status >= 200 && status != 204 && status != 304) {
    if (options.body_length >= 0) {
      out.append("content-length: ");
      append_number(out, static_cast<std::uint64_t>(options.body_length));
      out.append("\r\n");
      framing.content_length = options.body_length;
    } else if (!options.head_request) {
      if (options.request_minor >= 1) {
        out.append("transfer-encoding: chunked\r\n");
        framing.chunked = true;
      } else {
        // RFC 9112 §6.3 point 8: a 1.0 client reads to the close.
        keep_alive = false;
      }
    }
  }
  if (!keep_alive) {
    out.append("connection: close\r\n");
  } else if (options.request_minor == 0) {
    out.append("connection: keep-alive\r\n");
  }
  out.append("\r\n");
  framing.keep_alive = keep_alive;
  return nullptr;
}

void write_chunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  char buf[20];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, data.size(), 16);
  (void)ec;
  out.append(buf, end);
  out.append("\r\n");
  out.append(data);
  out.append("\r\n");
}

void write_last_chunk(std::string& out) { out.append("0\r\n\r\n"); }

}  // namespace fulmen::http
