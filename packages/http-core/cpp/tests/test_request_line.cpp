// C++-only tests of the request-line parser, run under ASan + UBSan + LSan by
// tools/sanitize. Every input is parsed from an exactly-sized heap copy so that
// ASan catches any read past the end.
#include <memory>
#include <string>
#include <string_view>

#include "fulmen/http/request_line.hpp"
#include "fulmen_check.hpp"

using namespace fulmen::http;

namespace {

ParseStatus parse(std::string_view text, RequestLine& out, Limits limits = {}) {
  auto copy = std::make_unique<char[]>(text.size() + 1);
  for (std::size_t i = 0; i < text.size(); ++i) copy[i] = text[i];
  const auto status = parse_request_line({copy.get(), text.size()}, out, limits);
  // Views point into the copy; compare before it dies.
  if (status == ParseStatus::complete) {
    out.method = text.substr(static_cast<std::size_t>(out.method.data() - copy.get()), out.method.size());
    out.target = text.substr(static_cast<std::size_t>(out.target.data() - copy.get()), out.target.size());
  }
  return status;
}

}  // namespace

int main() {
  RequestLine rl;
  FULMEN_CHECK(parse("GET /a?b=c HTTP/1.1\r\nHost: x\r\n", rl) == ParseStatus::complete);
  FULMEN_CHECK_EQ(rl.method, "GET");
  FULMEN_CHECK_EQ(rl.target, "/a?b=c");
  FULMEN_CHECK_EQ(rl.version_minor, 1);
  FULMEN_CHECK_EQ(rl.consumed, 21U);

  // Every prefix of a valid line is incomplete, never an error.
  const std::string_view good = "OPTIONS * HTTP/1.0\r\n";
  for (std::size_t n = 0; n < good.size(); ++n) {
    FULMEN_CHECK(parse(good.substr(0, n), rl) == ParseStatus::incomplete);
  }
  FULMEN_CHECK(parse(good, rl) == ParseStatus::complete);

  FULMEN_CHECK(parse("GET  / HTTP/1.1\r\n", rl) == ParseStatus::bad_request);
  FULMEN_CHECK(parse("GET / HTTP/1.1\n", rl) == ParseStatus::bad_request);
  FULMEN_CHECK(parse("GET / HTTP/1.1\rX", rl) == ParseStatus::bad_request);
  FULMEN_CHECK(parse("GET / XTTP/1.1\r\n", rl) == ParseStatus::bad_request);
  FULMEN_CHECK(parse("GET / X", rl) == ParseStatus::bad_request);
  FULMEN_CHECK(parse("G(T / HTTP/1.1\r\n", rl) == ParseStatus::bad_request);
  FULMEN_CHECK(parse(std::string_view("GET /\0 HTTP/1.1\r\n", 17), rl) == ParseStatus::bad_request);
  FULMEN_CHECK(parse("GET / HTTP/2.0\r\n", rl) == ParseStatus::version_not_supported);

  Limits small{.max_request_line = 16};
  FULMEN_CHECK(parse("GET /0123456789abcdef HTTP/1.1\r\n", rl, small) == ParseStatus::uri_too_long);
  FULMEN_CHECK(parse("GET /0123456789abcdef", rl, small) == ParseStatus::uri_too_long);
  FULMEN_CHECK(parse("GET /12 HTTP/1.1\r\n", rl, small) == ParseStatus::uri_too_long);
  return fulmen::check::finish("http_core");
}
