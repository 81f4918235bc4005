// libFuzzer target for the Python-free decoder (tools/fuzz json [seconds]).
// Parses arbitrary bytes with a handler that checks the event stream is
// well formed (balanced containers, counts that match, valid UTF-8 strings),
// then re-encodes scalars through the Writer and float_repr.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "fulmen/json/float_repr.hpp"
#include "fulmen/json/reader.hpp"
#include "fulmen/json/writer.hpp"

namespace {

using namespace fulmen::json;

struct CheckingHandler {
  std::vector<std::size_t> open;  // values seen in each open container
  std::vector<bool> is_object;
  Writer out;

  void check(bool ok) {
    if (!ok) std::abort();
  }
  bool value() {
    if (!open.empty()) ++open.back();
    return true;
  }
  bool null_value() { out.null(); return value(); }
  bool bool_value(bool b) { out.boolean(b); return value(); }
  bool int_value(std::int64_t v) { out.integer(v); return value(); }
  bool uint_value(std::uint64_t v) {
    check(v > static_cast<std::uint64_t>(INT64_MAX));
    out.unsigned_integer(v);
    return value();
  }
  bool big_int(std::string_view digits) {
    check(!digits.empty());
    out.raw(digits);
    return value();
  }
  bool double_value(double d) {
    if (d - d == 0.0) out.floating(d);  // finite
    return value();
  }
  bool string_value(std::string_view s, StringKind kind) {
    if (kind != StringKind::utf8_surrogates) {
      // Must be valid UTF-8 (ASCII when said so).
      for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
          ++i;
          continue;
        }
        check(kind == StringKind::utf8);
        const int n = utf8_sequence_length(reinterpret_cast<const unsigned char*>(s.data()) + i,
                                           reinterpret_cast<const unsigned char*>(s.data()) + s.size());
        check(n > 0);
        i += static_cast<std::size_t>(n);
      }
      out.string(s);
      round_trip(s);
    }
    return value();
  }
  // The Writer's escaped form must scan back to the very same bytes.
  void round_trip(std::string_view s) {
    Writer w;
    w.string(s);
    const std::string_view text = w.view();
    std::string scratch;
    const StringScan back = scan_string(text.data(), text.data() + text.size(), scratch);
    check(back.error == ParseError::none && back.text == s &&
          back.next == text.data() + text.size());
  }
  bool key(std::string_view s, StringKind kind) {
    check(!is_object.empty() && is_object.back());
    return string_value(s, kind);
  }
  bool start_array() { open.push_back(0); is_object.push_back(false); return true; }
  bool start_object() { open.push_back(0); is_object.push_back(true); return true; }
  bool end_array(std::size_t n) {
    check(!open.empty() && !is_object.back() && open.back() == n);
    open.pop_back();
    is_object.pop_back();
    return value();
  }
  bool end_object(std::size_t n) {
    check(!open.empty() && is_object.back() && open.back() == 2 * n);
    open.pop_back();
    is_object.pop_back();
    return value();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Reader reader;
  CheckingHandler handler;
  ParseOptions options;
  options.max_depth = 64;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ParseResult r = reader.parse(text, handler, options);
  if (r.ok()) {
    if (!handler.open.empty()) std::abort();  // success means every container closed
  } else if (r.offset > size) {
    std::abort();
  }
  return 0;
}
