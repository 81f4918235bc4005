// The JSON text writer: appends RFC 8259 tokens to a growing byte buffer.
// It knows nothing of Python; the bindings walk Python objects and call it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fulmen::json {

class Writer {
 public:
  void null() { out_.append("null"); }
  void boolean(bool value) { out_.append(value ? "true" : "false"); }
  void integer(std::int64_t value);
  void unsigned_integer(std::uint64_t value);
  // `utf8` must be valid UTF-8 (the caller guarantees it: Python's str is).
  // Non-ASCII text is written as is, as FastAPI's JSONResponse does
  // (ensure_ascii=False); only '"', '\\' and control characters are escaped.
  void string(std::string_view utf8);

  [[nodiscard]] std::string_view view() const noexcept { return out_; }
  void clear() noexcept { out_.clear(); }

 private:
  std::string out_;
};

}  // namespace fulmen::json
