// libFuzzer target for the request parser: the input is fed whole and split at
// a point chosen from its first byte; both runs must report the same events
// (no crash, leak or UB under ASan + UBSan either way).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fulmen/http/parser.hpp"
#include "fulmen/http/writer.hpp"

using namespace fulmen::http;

namespace {

struct Digest final : EventSink {
  std::string log;
  void on_head(const RequestHead& h) override {
    log += "H";
    log += h.method;
    log += ' ';
    log += h.target;
    for (std::size_t i = 0; i < h.header_count; ++i) {
      log += h.headers[i].name;
      log += ':';
      log += h.headers[i].value;
    }
    std::string decoded;
    percent_decode(h.path, decoded);
  }
  void on_body(std::string_view piece) override { body += piece; }
  void on_message_end(const Header*, std::size_t count) override {
    log += "B" + body + "E" + std::to_string(count);
    body.clear();
  }
  void on_upgrade(std::string_view rest) override { log += "U" + std::string(rest); }
  void on_error(ParseError e, const char*) override { log += "X" + std::to_string(status_of(e)); }
  std::string body;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  ParserLimits limits;
  limits.max_request_line = 256;
  limits.max_header_field = 256;
  limits.max_headers = 16;
  limits.max_body = 4096;
  limits.require_host = (data[0] & 1) != 0;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  Digest whole;
  RequestParser a(limits);
  a.feed(input, whole);
  Digest split;
  RequestParser b(limits);
  const std::size_t cut = input.empty() ? 0 : data[0] % (input.size() + 1);
  b.feed(std::string(input.substr(0, cut)), split);
  b.feed(std::string(input.substr(cut)), split);
  // Error reasons may differ with the split, statuses and everything else not.
  if (whole.log + whole.body != split.log + split.body) std::abort();

  // The writer must never crash on any header bytes either.
  std::string out;
  const Header header{std::string_view(input).substr(0, input.size() / 2),
                      std::string_view(input).substr(input.size() / 2)};
  ResponseFraming framing;
  write_head(out, 200, &header, 1, ResponseOptions{}, "date", framing);
  return 0;
}
