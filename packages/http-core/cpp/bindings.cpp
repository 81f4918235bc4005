// The only file of fulmen-http that knows about Python: it takes a buffer,
// calls the Python-free parser or writer once, and converts the result at the
// edge (interned method and header-name objects, bytes copies of the rest, so
// nothing handed to Python views a buffer that is reused).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "fulmen/http/chars.hpp"
#include "fulmen/http/parser.hpp"
#include "fulmen/http/request_line.hpp"
#include "fulmen/http/writer.hpp"
#include "eager.hpp"
#include "slot_factory.hpp"

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

// ---- interned objects -------------------------------------------------------

// PERF: the methods and header names almost every request carries are created
// once and shared (a new reference each use) instead of allocated per request.
constexpr std::string_view common_methods[] = {"GET",     "POST",  "PUT",   "DELETE",
                                               "HEAD",    "PATCH", "OPTIONS", "CONNECT",
                                               "TRACE"};
constexpr std::string_view common_names[] = {
    "host", "user-agent", "accept", "accept-encoding", "accept-language", "connection",
    "content-length", "content-type", "cookie", "referer", "origin", "authorization",
    "cache-control", "pragma", "upgrade", "upgrade-insecure-requests", "transfer-encoding",
    "expect", "if-none-match", "if-modified-since", "x-forwarded-for", "x-forwarded-proto",
    "x-forwarded-host", "x-real-ip", "x-request-id", "dnt", "te", "priority", "sec-fetch-dest",
    "sec-fetch-mode", "sec-fetch-site", "sec-fetch-user", "sec-ch-ua", "sec-ch-ua-mobile",
    "sec-ch-ua-platform", "sec-websocket-key", "sec-websocket-version",
    "sec-websocket-extensions", "sec-websocket-protocol", "range", "keep-alive", "via",
    "forwarded", "accept-charset", "content-encoding", "x-requested-with"};
constexpr std::size_t max_common_name = 32;

struct Interned {
  std::array<PyObject*, std::size(common_methods)> methods{};
  // Header names bucketed by length.
  std::array<std::vector<std::pair<std::string_view, PyObject*>>, max_common_name + 1> names;
  PyObject* v10 = nullptr;
  PyObject* v11 = nullptr;
  PyObject* slash = nullptr;
  PyObject* empty_bytes = nullptr;
  // The Python RequestHead class (a NamedTuple, i.e. a tuple subclass); heads
  // are allocated as instances of it directly. Plain tuples until it is set.
  PyTypeObject* head_type = nullptr;
};

Interned& interned() {
  // Created once at module init and kept for the life of the process.
  static Interned table = [] {
    Interned t;
    for (std::size_t i = 0; i < std::size(common_methods); ++i) {
      t.methods[i] = PyUnicode_InternFromString(std::string(common_methods[i]).c_str());
    }
    for (const auto name : common_names) {
      t.names[name.size()].emplace_back(
          name, PyBytes_FromStringAndSize(name.data(), static_cast<Py_ssize_t>(name.size())));
    }
    t.v10 = PyUnicode_InternFromString("1.0");
    t.v11 = PyUnicode_InternFromString("1.1");
    t.slash = PyUnicode_InternFromString("/");
    t.empty_bytes = PyBytes_FromStringAndSize(nullptr, 0);
    return t;
  }();
  return table;
}

PyObject* method_object(std::string_view method) {
  const Interned& t = interned();
  for (std::size_t i = 0; i < std::size(common_methods); ++i) {
    if (common_methods[i] == method) return Py_NewRef(t.methods[i]);
  }
  return PyUnicode_DecodeLatin1(method.data(), static_cast<Py_ssize_t>(method.size()), nullptr);
}

// The header name, lowercased (RFC 9110 §5.1: names are case-insensitive).
PyObject* name_object(std::string_view name) {
  char lower[max_common_name];
  if (name.size() <= max_common_name) {
    for (std::size_t i = 0; i < name.size(); ++i) lower[i] = chars::to_lower(name[i]);
    const std::string_view key(lower, name.size());
    for (const auto& [candidate, object] : interned().names[name.size()]) {
      if (candidate == key) return Py_NewRef(object);
    }
  }
  PyObject* out = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(name.size()));
  if (out == nullptr) return nullptr;
  char* dst = PyBytes_AS_STRING(out);
  for (std::size_t i = 0; i < name.size(); ++i) dst[i] = chars::to_lower(name[i]);
  return out;
}

PyObject* bytes_object(std::string_view data) {
  if (data.empty()) return Py_NewRef(interned().empty_bytes);
  return PyBytes_FromStringAndSize(data.data(), static_cast<Py_ssize_t>(data.size()));
}

// A list of (name, value) byte pairs.
PyObject* header_list(const Header* headers, std::size_t count) {
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(count));
  if (list == nullptr) return nullptr;
  for (std::size_t i = 0; i < count; ++i) {
    PyObject* name = name_object(headers[i].name);
    PyObject* value = name != nullptr ? bytes_object(headers[i].value) : nullptr;
    PyObject* pair = value != nullptr ? PyTuple_New(2) : nullptr;
    if (pair == nullptr) {
      Py_XDECREF(name);
      Py_XDECREF(value);
      Py_DECREF(list);
      return nullptr;
    }
    PyTuple_SET_ITEM(pair, 0, name);
    PyTuple_SET_ITEM(pair, 1, value);
    // PERF: a pair of bytes can never be part of a reference cycle; untracking
    // it keeps it out of every garbage-collector pass (CPython does the same
    // lazily for such tuples, but only after they survive a collection).
    PyObject_GC_UnTrack(pair);
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), pair);
  }
  return list;
}

// ---- the parser -------------------------------------------------------------

enum EventKind : int { ev_head = 0, ev_body = 1, ev_end = 2, ev_upgrade = 3, ev_error = 4 };

// Collects events into a flat Python list [kind, payload, kind, payload, ...].
class ListSink final : public EventSink {
 public:
  explicit ListSink(PyObject* list) : list_(list) {}
  bool failed = false;  // a Python allocation failed; the error is set

  void on_head(const RequestHead& h) override {
    std::string_view path_raw = h.path;
    PyObject* path;
    if (percent_decode(path_raw, scratch_)) {
      path = PyUnicode_DecodeUTF8(scratch_.data(), static_cast<Py_ssize_t>(scratch_.size()),
                                  "replace");
    } else if (path_raw.size() == 1 && path_raw[0] == '/') {
      path = Py_NewRef(interned().slash);
    } else {
      // Request targets are visible ASCII (checked by the parser).
      path = PyUnicode_DecodeASCII(path_raw.data(), static_cast<Py_ssize_t>(path_raw.size()),
                                   "replace");
    }
    // PERF: a tuple filled in place; Py_BuildValue would parse a format string.
    PyObject* target = bytes_object(h.target);
    // PERF: without a query (or fragment) the raw path is the target itself.
    PyObject* raw_path = target != nullptr && path_raw.data() == h.target.data() &&
                                 path_raw.size() == h.target.size()
                             ? Py_NewRef(target)
                             : bytes_object(path_raw);
    PyObject* items[] = {method_object(h.method), target, path, raw_path, bytes_object(h.query),
                         Py_NewRef(h.version_minor == 0 ? interned().v10 : interned().v11),
                         header_list(h.headers, h.header_count), PyBool_FromLong(h.keep_alive),
                         PyLong_FromLongLong(h.content_length), PyBool_FromLong(h.chunked),
                         PyBool_FromLong(h.expect_continue), PyBool_FromLong(h.upgrade)};
    PyTypeObject* type = interned().head_type;
    PyObject* head = type != nullptr ? type->tp_alloc(type, std::size(items))
                                     : PyTuple_New(std::size(items));
    for (std::size_t i = 0; i < std::size(items); ++i) {
      if (items[i] == nullptr || head == nullptr) {
        for (PyObject* item : items) Py_XDECREF(item);
        Py_XDECREF(head);
        head = nullptr;
        break;
      }
    }
    if (head != nullptr) {
      for (std::size_t i = 0; i < std::size(items); ++i)
        PyTuple_SET_ITEM(head, static_cast<Py_ssize_t>(i), items[i]);
    }
    push(ev_head, head);
  }
  void on_body(std::string_view piece) override {
    if (!piece.empty()) push(ev_body, bytes_object(piece));
  }
  void on_message_end(const Header* trailers, std::size_t count) override {
    push(ev_end, count == 0 ? Py_NewRef(Py_None) : header_list(trailers, count));
  }
  void on_upgrade(std::string_view rest) override { push(ev_upgrade, bytes_object(rest)); }
  void on_error(ParseError error, const char* reason) override {
    push(ev_error, Py_BuildValue("(is)", status_of(error), reason));
  }

 private:
  void push(int kind, PyObject* payload) {
    if (failed) {
      Py_XDECREF(payload);
      return;
    }
    PyObject* k = PyLong_FromLong(kind);  // small ints are cached by CPython
    if (payload == nullptr || PyList_Append(list_, k) != 0 || PyList_Append(list_, payload) != 0)
      failed = true;
    Py_DECREF(k);
    Py_XDECREF(payload);
  }
  PyObject* list_;
  std::string scratch_;
};

// Reads a fulmen_http.Limits (or None: the defaults, which match the Python
// defaults) into the core's limits.
ParserLimits read_limits(nb::handle limits) {
  ParserLimits out;
  if (limits.is_none()) return out;
  out.max_request_line = nb::cast<std::size_t>(limits.attr("max_request_line"));
  out.max_header_field = nb::cast<std::size_t>(limits.attr("max_header_field"));
  out.max_headers = nb::cast<std::size_t>(limits.attr("max_headers"));
  nb::object body = limits.attr("max_body");
  out.max_body = body.is_none() ? std::numeric_limits<std::uint64_t>::max()
                                : nb::cast<std::uint64_t>(body);
  out.require_host = nb::cast<bool>(limits.attr("require_host"));
  return out;
}

class Parser {
 public:
  explicit Parser(const ParserLimits& limits) : parser_(limits) {}

  nb::object feed(nb::handle data) {
    nb::object events = nb::steal(PyList_New(0));
    if (!events.is_valid()) throw nb::python_error();
    ListSink sink(events.ptr());
    if (PyBytes_CheckExact(data.ptr())) {
      // PERF: bytes (what asyncio hands a protocol) need no buffer protocol.
      parser_.feed({PyBytes_AS_STRING(data.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(data.ptr()))},
                   sink);
    } else {
      const BufferView buffer(data);
      parser_.feed(buffer.text(), sink);
    }
    if (sink.failed) throw nb::python_error();
    return events;
  }
  [[nodiscard]] bool idle() const noexcept { return parser_.idle(); }
  [[nodiscard]] bool stopped() const noexcept { return parser_.stopped(); }

 private:
  RequestParser parser_;
};

// ---- the writer -------------------------------------------------------------

DateCache& date_cache() {
  static DateCache cache;
  return cache;
}

// Reads a Python list/tuple of (bytes, bytes) pairs into views. The objects
// stay alive (the caller holds the sequence) for the duration of the call.
void read_headers(nb::handle headers, std::vector<Header>& out) {
  out.clear();
  PyObject* seq = PySequence_Fast(headers.ptr(), "headers must be a sequence of (name, value)");
  if (seq == nullptr) throw nb::python_error();
  nb::object hold = nb::steal(seq);
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  PyObject** items = PySequence_Fast_ITEMS(seq);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* pair = items[i];
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2)
      throw nb::type_error("each header must be a (name, value) tuple of bytes");
    PyObject* name = PyTuple_GET_ITEM(pair, 0);
    PyObject* value = PyTuple_GET_ITEM(pair, 1);
    if (!PyBytes_Check(name) || !PyBytes_Check(value))
      throw nb::type_error("header names and values must be bytes");
    out.push_back({{PyBytes_AS_STRING(name), static_cast<std::size_t>(PyBytes_GET_SIZE(name))},
                   {PyBytes_AS_STRING(value), static_cast<std::size_t>(PyBytes_GET_SIZE(value))}});
  }
}

// Builds the whole response (head + body) in one bytes object when `body` is
// given, or the head alone for a stream. Returns (data, keep_alive, chunked).
nb::tuple encode_response(int status, nb::handle headers, nb::handle body, int request_minor,
                          bool keep_alive, bool head_request, std::int64_t content_length) {
  thread_local std::vector<Header> views;
  thread_local std::string out;
  read_headers(headers, views);
  std::string_view body_view;
  const bool whole = !body.is_none();
  if (whole) {
    if (!PyBytes_Check(body.ptr())) throw nb::type_error("body must be bytes or None");
    body_view = {PyBytes_AS_STRING(body.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(body.ptr()))};
  }
  ResponseOptions options{.request_minor = static_cast<std::uint8_t>(request_minor == 0 ? 0 : 1),
                          .keep_alive = keep_alive,
                          .head_request = head_request,
                          .body_length = whole ? static_cast<std::int64_t>(body_view.size())
                                               : content_length};
  ResponseFraming framing;
  out.clear();
  if (const char* why =
          write_head(out, status, views.data(), views.size(), options, date_cache().now(), framing))
    throw nb::value_error(why);
  if (whole && !framing.no_body) {
    if (framing.chunked) {
      write_chunk(out, body_view);
      write_last_chunk(out);
    } else {
      out.append(body_view);
    }
  }
  return nb::make_tuple(nb::bytes(out.data(), out.size()), framing.keep_alive, framing.chunked,
                        framing.no_body);
}

nb::bytes encode_chunk(nb::handle data, bool last) {
  thread_local std::string out;
  out.clear();
  const BufferView buffer(data);
  write_chunk(out, buffer.text());
  if (last) write_last_chunk(out);
  return nb::bytes(out.data(), out.size());
}

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "Native core of fulmen_http.";
  interned();
  fulmen_http_bindings::bind_slot_factory(m);
  fulmen_http_bindings::bind_eager(m);
  m.attr("STATUS_COMPLETE") = static_cast<int>(ParseStatus::complete);
  m.attr("STATUS_INCOMPLETE") = static_cast<int>(ParseStatus::incomplete);
  m.attr("STATUS_BAD_REQUEST") = static_cast<int>(ParseStatus::bad_request);
  m.attr("STATUS_URI_TOO_LONG") = static_cast<int>(ParseStatus::uri_too_long);
  m.attr("STATUS_VERSION_NOT_SUPPORTED") = static_cast<int>(ParseStatus::version_not_supported);
  m.attr("EV_HEAD") = static_cast<int>(ev_head);
  m.attr("EV_BODY") = static_cast<int>(ev_body);
  m.attr("EV_END") = static_cast<int>(ev_end);
  m.attr("EV_UPGRADE") = static_cast<int>(ev_upgrade);
  m.attr("EV_ERROR") = static_cast<int>(ev_error);
  m.def(
      "set_head_type",
      [](nb::handle type) {
        if (!PyType_Check(type.ptr()) ||
            !PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(type.ptr()), &PyTuple_Type))
          throw nb::type_error("the head type must be a tuple subclass");
        Py_INCREF(type.ptr());  // kept for the life of the process
        interned().head_type = reinterpret_cast<PyTypeObject*>(type.ptr());
      },
      nb::arg("type"), nb::sig("def set_head_type(type: type) -> None"),
      "Make parsed heads instances of ``type`` (a NamedTuple of 12 fields).");
  m.def("parse_request_line", &parse_request_line_py, nb::arg("data"),
        nb::arg("max_request_line"),
        nb::sig("def parse_request_line(data: bytes | bytearray | memoryview, "
                "max_request_line: int) -> tuple[int, str | None, bytes | None, int, int]"),
        "Parse the request line at the start of ``data``.");

  nb::class_<Parser>(m, "RequestParser",
                    "Incremental HTTP/1.1 request parser: feed it each read of a connection.")
      .def(
          "__init__",
          [](Parser* self, nb::handle limits) { new (self) Parser(read_limits(limits)); },
          nb::kw_only(), nb::arg("limits").none() = nb::none(),
          nb::sig("def __init__(self, *, limits: fulmen_http._limits.Limits | None = None) "
                  "-> None"))
      .def("feed", &Parser::feed, nb::arg("data"),
           nb::sig("def feed(self, data: bytes | bytearray | memoryview, /) -> list[object]"),
           "Parse one read; return its events as a flat [kind, payload, ...] list.")
      .def_prop_ro("idle", &Parser::idle,
                   "True between requests (nothing of a next request buffered).")
      .def_prop_ro("stopped", &Parser::stopped,
                   "True after an error, an upgrade, or a request that closes the connection.");

  m.def("encode_response", &encode_response, nb::arg("status"), nb::arg("headers"),
        nb::arg("body").none(), nb::arg("request_minor"), nb::arg("keep_alive"),
        nb::arg("head_request"), nb::arg("content_length"),
        nb::sig("def encode_response(status: int, headers: object, body: bytes | None, "
                "request_minor: int, keep_alive: bool, head_request: bool, "
                "content_length: int) -> tuple[bytes, bool, bool, bool]"),
        "Encode a response head (and the whole body when given) into one buffer.");
  m.def("encode_chunk", &encode_chunk, nb::arg("data"), nb::arg("last"),
        nb::sig("def encode_chunk(data: bytes | bytearray | memoryview, last: bool) -> bytes"),
        "Frame ``data`` as one chunk (RFC 9112 §7.1), plus the last chunk when ``last``.");
  m.def("http_date", [] { return std::string(date_cache().now()); },
        "The cached IMF-fixdate of the current second.");
}
