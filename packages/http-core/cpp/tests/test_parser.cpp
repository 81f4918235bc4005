// C++-only tests of the Python-free parser and writer (run under ASan + UBSan
// + LSan by tools/sanitize).
#include <string>
#include <vector>

#include "fulmen/http/chars.hpp"
#include "fulmen/http/parser.hpp"
#include "fulmen/http/writer.hpp"
#include "fulmen_check.hpp"

using namespace fulmen::http;

namespace {

// Records every event as text, copying what the views point at.
struct Recorder final : EventSink {
  std::vector<std::string> log;
  void on_head(const RequestHead& h) override {
    std::string line = "head " + std::string(h.method) + " " + std::string(h.path) + " q=" +
                       std::string(h.query) + " ka=" + (h.keep_alive ? "1" : "0");
    for (std::size_t i = 0; i < h.header_count; ++i)
      line += " [" + std::string(h.headers[i].name) + "=" + std::string(h.headers[i].value) + "]";
    log.push_back(line);
  }
  void on_body(std::string_view piece) override {
    if (!log.empty() && log.back().rfind("body ", 0) == 0) log.back() += std::string(piece);
    else log.push_back("body " + std::string(piece));
  }
  void on_message_end(const Header* trailers, std::size_t count) override {
    std::string line = "end";
    for (std::size_t i = 0; i < count; ++i)
      line += " [" + std::string(trailers[i].name) + "=" + std::string(trailers[i].value) + "]";
    log.push_back(line);
  }
  void on_upgrade(std::string_view rest) override { log.push_back("upgrade " + std::string(rest)); }
  void on_error(ParseError e, const char*) override {
    log.push_back("error " + std::to_string(status_of(e)));
  }
};

std::vector<std::string> run(std::string_view in, std::size_t step, const ParserLimits& limits = {}) {
  Recorder rec;
  RequestParser parser(limits);
  for (std::size_t i = 0; i < in.size(); i += step) {
    // Copy each piece into its own short-lived buffer so that ASan catches any
    // view kept past the call that made it.
    const std::string piece(in.substr(i, step));
    parser.feed(piece, rec);
  }
  return rec.log;
}

void test_pipeline_any_split() {
  const std::string in =
      "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-Y:  v \r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
      "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;e=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n"
      "GET /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\n\r\n";
  const auto whole = run(in, in.size());
  FULMEN_CHECK_EQ(whole.size(), 10u);
  FULMEN_CHECK_EQ(whole[0], std::string("head GET /a q=x=1 ka=1 [Host=h] [X-Y=v]"));
  FULMEN_CHECK_EQ(whole[3], std::string("body hello"));
  FULMEN_CHECK_EQ(whole[6], std::string("body abcde"));
  FULMEN_CHECK_EQ(whole[7], std::string("end [T=1]"));
  for (std::size_t step = 1; step < 40; ++step) FULMEN_CHECK(run(in, step) == whole);
}

void test_rejections() {
  const char* bad[] = {
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n",
      "GET / HTTP/1.1\nHost: a\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nHost: x\r\n\r\n",
  };
  for (const char* in : bad) {
    const auto log = run(in, 1000);
    FULMEN_CHECK(!log.empty() && log.back() == "error 400");
    FULMEN_CHECK(run(in, 1) == log);
  }
  FULMEN_CHECK(run("GET / HTTP/3.0\r\n", 100).back() == "error 505");
  ParserLimits small;
  small.max_body = 4;
  FULMEN_CHECK(run("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", 100, small).back() ==
               "error 413");
}

void test_upgrade() {
  const auto log = run("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: ws\r\n\r\nxyz", 1000);
  FULMEN_CHECK_EQ(log.back(), std::string("upgrade xyz"));
}

void test_percent_decode() {
  std::string out;
  FULMEN_CHECK(!percent_decode("/plain", out));
  FULMEN_CHECK(percent_decode("/a%20b%zz%4", out));
  FULMEN_CHECK_EQ(out, std::string("/a b%zz%4"));
}

void test_writer() {
  std::string out;
  const Header headers[] = {{"content-type", "text/plain"}};
  ResponseFraming framing;
  ResponseOptions options;
  options.body_length = 2;
  FULMEN_CHECK(write_head(out, 200, headers, 1, options, "DATE", framing) == nullptr);
  FULMEN_CHECK_EQ(out, std::string("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ndate: DATE\r\n"
                                   "content-length: 2\r\n\r\n"));
  FULMEN_CHECK(framing.keep_alive && !framing.chunked);
  out.clear();
  options.body_length = -1;
  options.keep_alive = false;
  FULMEN_CHECK(write_head(out, 200, nullptr, 0, options, "", framing) == nullptr);
  FULMEN_CHECK(framing.chunked && !framing.keep_alive);
  FULMEN_CHECK(out.find("transfer-encoding: chunked\r\nconnection: close\r\n") != std::string::npos);
  out.clear();
  const Header evil[] = {{"x", "a\r\nSet-Cookie: b"}};
  FULMEN_CHECK(write_head(out, 200, evil, 1, options, "", framing) != nullptr);
  FULMEN_CHECK(out.empty());
  out.clear();
  write_chunk(out, "hello");
  write_last_chunk(out);
  FULMEN_CHECK_EQ(out, std::string("5\r\nhello\r\n0\r\n\r\n"));
  FULMEN_CHECK_EQ(DateCache::format(784111777), std::string("Sun, 06 Nov 1994 08:49:37 GMT"));
  DateCache cache;
  FULMEN_CHECK_EQ(cache.now().size(), 29u);
}

// The word-at-a-time field-value check agrees with the byte table: every byte
// value at every position of a word, and words mixing all of them.
void test_plain_field_bytes() {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool plain = chars::is_field_value(c) && c != '\t';
    for (int pos = 0; pos < 8; ++pos) {
      char word[8] = {'a', '~', ' ', '\x80', '\xff', '!', 'Z', '0'};
      word[pos] = c;
      FULMEN_CHECK_EQ(chars::all_plain_field_bytes(word), plain);
    }
  }
  unsigned state = 12345;
  for (int n = 0; n < 200000; ++n) {
    char word[8];
    bool plain = true;
    for (char& c : word) {
      state = state * 1103515245u + 12345u;
      c = static_cast<char>((state >> 16) & 0xff);
      plain = plain && chars::is_field_value(c) && c != '\t';
    }
    FULMEN_CHECK_EQ(chars::all_plain_field_bytes(word), plain);
  }
}

}  // namespace

int main() {
  test_plain_field_bytes();
  test_pipeline_any_split();
  test_rejections();
  test_upgrade();
  test_percent_decode();
  test_writer();
  return fulmen::check::finish("test_parser");
}
