// The only file of fulmen-http that knows about Python: it takes a buffer,
// calls the Python-free parser once, and converts the result at the edge.
#include <nanobind/nanobind.h>

#include <cstdint>

#include "fulmen/http/request_line.hpp"

namespace nb = nanobind;
using namespace fulmen::http;

namespace {

// Holds a read-only view of any bytes-like object for the duration of a call.
class BufferView {
 public:
  explicit BufferView(nb::handle obj) {
    if (PyObject_GetBuffer(obj.ptr(), &view_, PyBUF_SIMPLE) != 0) throw nb::python_error();
  }
  ~BufferView() { PyBuffer_Release(&view_); }
  BufferView(const BufferView&) = delete;
  BufferView& operator=(const BufferView&) = delete;
  [[nodiscard]] std::string_view text() const noexcept {
    return {static_cast<const char*>(view_.buf), static_cast<std::size_t>(view_.len)};
  }

 private:
  Py_buffer view_{};
};

// Returns (status, method, target, minor_version, consumed); method and target
// are None unless status is complete. The Python layer maps statuses to errors.
nb::tuple parse_request_line_py(nb::handle data, std::size_t max_request_line) {
  RequestLine line;
  ParseStatus status;
  {
    const BufferView buffer(data);
    status = parse_request_line(buffer.text(), line, Limits{.max_request_line = max_request_line});
    if (status == ParseStatus::complete) {
      // Copy out of the buffer before releasing it: nothing may outlive the view.
      return nb::make_tuple(
          static_cast<int>(status),
          nb::steal(PyUnicode_DecodeLatin1(line.method.data(),
                                           static_cast<Py_ssize_t>(line.method.size()), nullptr)),
          nb::bytes(line.target.data(), line.target.size()), line.version_minor, line.consumed);
    }
  }
  return nb::make_tuple(static_cast<int>(status), nb::none(), nb::none(), 0, 0);
}

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "Native core of fulmen_http.";
  m.attr("STATUS_COMPLETE") = static_cast<int>(ParseStatus::complete);
  m.attr("STATUS_INCOMPLETE") = static_cast<int>(ParseStatus::incomplete);
  m.attr("STATUS_BAD_REQUEST") = static_cast<int>(ParseStatus::bad_request);
  m.attr("STATUS_URI_TOO_LONG") = static_cast<int>(ParseStatus::uri_too_long);
  m.attr("STATUS_VERSION_NOT_SUPPORTED") = static_cast<int>(ParseStatus::version_not_supported);
  m.def("parse_request_line", &parse_request_line_py, nb::arg("data"),
        nb::arg("max_request_line"),
        nb::sig("def parse_request_line(data: bytes | bytearray | memoryview, "
                "max_request_line: int) -> tuple[int, str | None, bytes | None, int, int]"),
        "Parse the request line at the start of ``data``.");
}
