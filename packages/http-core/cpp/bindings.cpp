// The only file of fulmen-http that knows about Python: it takes a buffer,
// calls the Python-free parser or writer once, and converts the result at the
// edge (interned method and header-name objects, bytes copies of the rest, so
// nothing handed to Python views a buffer that is reused).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <structmember.h>

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
constexpr std::size_t name_words = max_common_name / 8;

// A header name of up to 32 bytes as four zero-padded 64-bit words.
struct NameKey {
  std::uint64_t words[name_words]{};
  std::size_t size = 0;
};

// Lowercases eight ASCII bytes at once: a byte in 'A'..'Z' gets 0x20 added.
// (A byte >= 0x80 never matches: ~w clears its high bit from the mask.)
constexpr std::uint64_t lower_word(std::uint64_t w) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
  const std::uint64_t at_least_a = (w & low7) + ones * (0x80 - 'A');
  const std::uint64_t above_z = (w & low7) + ones * (0x80 - 'Z' - 1);
  const std::uint64_t upper = at_least_a & ~above_z & ~w & (ones * 0x80);
  return w | (upper >> 2);
}

NameKey lower_key(std::string_view name) noexcept {
  NameKey key;
  key.size = name.size();
  std::memcpy(key.words, name.data(), name.size());  // size <= 32 (checked by callers)
  for (auto& word : key.words) word = lower_word(word);
  return key;
}

constexpr std::size_t name_slots = 128;  // a power of two, well above the names

std::size_t name_slot(const NameKey& key) noexcept {
  return static_cast<std::size_t>(((key.words[0] ^ key.size) * 0x9E3779B97F4A7C15ULL) >> 57) &
         (name_slots - 1);
}

struct Interned {
  std::array<PyObject*, std::size(common_methods)> methods{};
  // Header names by hash of their first word and length; linear probing.
  struct Slot {
    NameKey key;
    PyObject* object = nullptr;
  };
  std::array<Slot, name_slots> names{};
  PyObject* v10 = nullptr;
  PyObject* v11 = nullptr;
  PyObject* slash = nullptr;
  PyObject* empty_bytes = nullptr;
};

// Created once at module init (make_interned) and kept for the life of the
// process. PERF: a plain pointer, not a function-local static and its guard.
Interned* interned_table = nullptr;

void make_interned() {
  static Interned t;
  for (std::size_t i = 0; i < std::size(common_methods); ++i) {
    t.methods[i] = PyUnicode_InternFromString(std::string(common_methods[i]).c_str());
  }
  for (const auto name : common_names) {
    static_assert(max_common_name >= 25);
    const NameKey key = lower_key(name);
    std::size_t slot = name_slot(key);
    while (t.names[slot].object != nullptr) slot = (slot + 1) & (name_slots - 1);
    t.names[slot] = {key, PyBytes_FromStringAndSize(name.data(), static_cast<Py_ssize_t>(name.size()))};
  }
  t.v10 = PyUnicode_InternFromString("1.0");
  t.v11 = PyUnicode_InternFromString("1.1");
  t.slash = PyUnicode_InternFromString("/");
  t.empty_bytes = PyBytes_FromStringAndSize(nullptr, 0);
  interned_table = &t;
}

Interned& interned() { return *interned_table; }

PyObject* method_object(std::string_view method) {
  const Interned& t = interned();
  for (std::size_t i = 0; i < std::size(common_methods); ++i) {
    if (common_methods[i] == method) return Py_NewRef(t.methods[i]);
  }
  return PyUnicode_DecodeLatin1(method.data(), static_cast<Py_ssize_t>(method.size()), nullptr);
}

// The header name, lowercased (RFC 9110 §5.1: names are case-insensitive).
PyObject* name_object(std::string_view name) {
  if (name.size() <= max_common_name) {
    const NameKey key = lower_key(name);
    const Interned& t = interned();
    for (std::size_t slot = name_slot(key);; slot = (slot + 1) & (name_slots - 1)) {
      const Interned::Slot& candidate = t.names[slot];
      if (candidate.object == nullptr) break;
      if (candidate.key.size == key.size && candidate.key.words[0] == key.words[0] &&
          candidate.key.words[1] == key.words[1] && candidate.key.words[2] == key.words[2] &&
          candidate.key.words[3] == key.words[3])
        return Py_NewRef(candidate.object);
    }
    return PyBytes_FromStringAndSize(reinterpret_cast<const char*>(key.words),
                                     static_cast<Py_ssize_t>(key.size));
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

// ---- the request head type --------------------------------------------------

// RequestHead: a tuple subclass (it unpacks and compares like the NamedTuple it
// replaced) whose fields are also read-only member slots at fixed offsets into
// the tuple's items. PERF: CPython specialises reads of such members
// (LOAD_ATTR_SLOT); a NamedTuple's field getters take the generic attribute path.
constexpr const char* head_fields[] = {
    "method",  "target",         "path",    "raw_path",        "query_string",
    "http_version", "headers",   "keep_alive", "content_length", "chunked",
    "expect_continue", "upgrade", "body"};
constexpr Py_ssize_t head_size = std::size(head_fields);
constexpr Py_ssize_t head_body = head_size - 1;
constexpr const char* head_docs[] = {
    "The method (common methods are interned strings).",
    "The request-target as received.",
    "The percent-decoded path (UTF-8, undecodable bytes replaced).",
    "The path as received, still percent-encoded, without the query.",
    "After '?', without it; b'' when there is none.",
    "'1.0' or '1.1'.",
    "(name, value) byte pairs in order; names lowercased, values trimmed.",
    "What the request allows (RFC 9112 section 9.3).",
    "-1 when the request has no Content-Length.",
    "Transfer-Encoding: chunked.",
    "Expect: 100-continue.",
    "Upgrade (with Connection: upgrade) or CONNECT.",
    "The whole body when it came in the same read as the head (EV_REQUEST), else None."};
static_assert(std::size(head_docs) == std::size(head_fields));

PyMemberDef head_members[head_size + 1]{};
PyTypeObject head_type{};  // filled in by init_head_type

PyObject*& head_item(PyObject* head, Py_ssize_t i) {
  return reinterpret_cast<PyTupleObject*>(head)->ob_item[i];
}

void head_dealloc(PyObject* self) {
  PyObject_GC_UnTrack(self);
  for (Py_ssize_t i = 0; i < Py_SIZE(self); ++i) Py_CLEAR(head_item(self, i));
  Py_TYPE(self)->tp_free(self);
}

int head_traverse(PyObject* self, visitproc visit, void* arg) {
  for (Py_ssize_t i = 0; i < Py_SIZE(self); ++i) Py_VISIT(head_item(self, i));
  return 0;
}

PyObject* head_repr(PyObject* self) {
  nb::object parts = nb::steal(PyList_New(0));
  if (!parts.is_valid()) return nullptr;
  for (Py_ssize_t i = 0; i < Py_SIZE(self); ++i) {
    nb::object part = nb::steal(PyUnicode_FromFormat("%s=%R", head_fields[i], head_item(self, i)));
    if (!part.is_valid() || PyList_Append(parts.ptr(), part.ptr()) != 0) return nullptr;
  }
  nb::object sep = nb::steal(PyUnicode_FromString(", "));
  if (!sep.is_valid()) return nullptr;
  nb::object joined = nb::steal(PyUnicode_Join(sep.ptr(), parts.ptr()));
  if (!joined.is_valid()) return nullptr;
  return PyUnicode_FromFormat("RequestHead(%U)", joined.ptr());
}

bool init_head_type() {
  for (Py_ssize_t i = 0; i < head_size; ++i) {
    head_members[i] = PyMemberDef{
        head_fields[i], T_OBJECT_EX,
        static_cast<Py_ssize_t>(offsetof(PyTupleObject, ob_item) +
                                static_cast<std::size_t>(i) * sizeof(PyObject*)),
        READONLY, head_docs[i]};
  }
  PyTypeObject& t = head_type;
  t.tp_name = "fulmen_http.RequestHead";
  t.tp_basicsize = static_cast<Py_ssize_t>(sizeof(PyTupleObject) - sizeof(PyObject*));
  t.tp_itemsize = sizeof(PyObject*);
  t.tp_dealloc = head_dealloc;
  t.tp_repr = head_repr;
  // Created by the parser only: a head of another length would put the member
  // offsets past its items.
  t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION;
  t.tp_doc = "A parsed request head (a tuple with named fields). Every field owns its data.";
  t.tp_traverse = head_traverse;
  t.tp_members = head_members;
  t.tp_base = &PyTuple_Type;
  t.tp_free = PyObject_GC_Del;
  if (PyType_Ready(&t) != 0) return false;
  PyObject* fields = PyTuple_New(head_size);
  if (fields == nullptr) return false;
  for (Py_ssize_t i = 0; i < head_size; ++i) {
    PyObject* name = PyUnicode_InternFromString(head_fields[i]);
    if (name == nullptr) {
      Py_DECREF(fields);
      return false;
    }
    PyTuple_SET_ITEM(fields, i, name);
  }
  const int status = PyDict_SetItemString(t.tp_dict, "_fields", fields);
  Py_DECREF(fields);
  PyType_Modified(&t);
  return status == 0;
}

// ---- the parser -------------------------------------------------------------

enum EventKind : int {
  ev_head = 0,
  ev_body = 1,
  ev_end = 2,
  ev_upgrade = 3,
  ev_error = 4,
  ev_request = 5
};

PyObject* kind_objects[6]{};  // small ints, created once

// A str of visible-ASCII bytes (the parser rejects anything else in a target).
PyObject* ascii_str(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80)  // never, but never trust a guess
      return PyUnicode_DecodeASCII(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
  }
  PyObject* out = PyUnicode_New(static_cast<Py_ssize_t>(text.size()), 127);
  // An empty view may have no data pointer (CONNECT's path): no memcpy from null.
  if (out != nullptr && !text.empty()) std::memcpy(PyUnicode_DATA(out), text.data(), text.size());
  return out;
}

// Collects the events of one feed into a flat Python list [kind, payload, ...].
// A head whose message ends within the same feed (trailers aside) comes out as
// one EV_REQUEST entry, its whole body in the head's `body` field; otherwise the
// head goes out as EV_HEAD (body None) followed by EV_BODY pieces and EV_END.
class ListSink final : public EventSink {
 public:
  ListSink() = default;
  ListSink(const ListSink&) = delete;
  ListSink& operator=(const ListSink&) = delete;
  ~ListSink() override {
    Py_XDECREF(pending_);
    Py_XDECREF(body_);
    for (std::size_t i = 0; i < count_; ++i) Py_DECREF(item(i));
  }
  bool failed = false;  // a Python allocation failed; the error is set

  void on_head(const RequestHead& h) override {
    flush_pending();
    pending_ = make_head(h);
    if (pending_ == nullptr) failed = true;
  }
  void on_body(std::string_view piece) override {
    if (piece.empty() || failed) return;
    if (pending_ == nullptr) {
      push(ev_body, bytes_object(piece));
    } else if (joined_) {
      more_.append(piece);
    } else if (body_ == nullptr) {
      body_ = bytes_object(piece);
      if (body_ == nullptr) failed = true;
    } else {
      // A second piece (chunked): gather the rest in one buffer.
      more_.assign(PyBytes_AS_STRING(body_), static_cast<std::size_t>(PyBytes_GET_SIZE(body_)));
      more_.append(piece);
      Py_CLEAR(body_);
      joined_ = true;
    }
  }
  void on_message_end(const Header* trailers, std::size_t count) override {
    if (pending_ != nullptr && count == 0 && !failed) {
      PyObject* body = take_body();
      if (body == nullptr) {
        failed = true;
        return;
      }
      Py_SETREF(head_item(pending_, head_body), body);
      PyObject* head = pending_;
      pending_ = nullptr;
      push(ev_request, head);
      return;
    }
    flush_pending();
    push(ev_end, count == 0 ? Py_NewRef(Py_None) : header_list(trailers, count));
  }
  void on_upgrade(std::string_view rest) override {
    flush_pending();
    push(ev_upgrade, bytes_object(rest));
  }
  void on_error(ParseError error, const char* reason) override {
    flush_pending();
    push(ev_error, Py_BuildValue("(is)", status_of(error), reason));
  }

  // The list of events (a new reference), or nullptr with the error set.
  PyObject* finish() {
    flush_pending();
    if (failed) return nullptr;
    PyObject* list = PyList_New(static_cast<Py_ssize_t>(count_));
    if (list == nullptr) return nullptr;
    for (std::size_t i = 0; i < count_; ++i)
      PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), item(i));
    count_ = 0;  // the list owns them now
    return list;
  }

 private:
  static PyObject* make_head(const RequestHead& h);

  PyObject*& item(std::size_t i) { return i < inline_size ? inline_[i] : spill_[i - inline_size]; }

  void push(int kind, PyObject* payload) {
    if (payload == nullptr) failed = true;
    if (failed) {
      Py_XDECREF(payload);
      return;
    }
    add(Py_NewRef(kind_objects[kind]));
    add(payload);
  }
  void add(PyObject* object) {
    if (count_ < inline_size) {
      inline_[count_] = object;
    } else {
      try {
        spill_.push_back(object);
      } catch (const std::bad_alloc&) {
        Py_DECREF(object);
        PyErr_NoMemory();
        failed = true;
        return;
      }
    }
    ++count_;
  }

  PyObject* take_body() {
    PyObject* body;
    if (joined_) {
      body = PyBytes_FromStringAndSize(more_.data(), static_cast<Py_ssize_t>(more_.size()));
      more_.clear();
      joined_ = false;
    } else if (body_ != nullptr) {
      body = body_;
      body_ = nullptr;
    } else {
      body = Py_NewRef(interned().empty_bytes);
    }
    return body;
  }

  // The message of the pending head did not end here: stream it.
  void flush_pending() {
    if (pending_ == nullptr) return;
    PyObject* head = pending_;
    pending_ = nullptr;
    const bool has_body = body_ != nullptr || joined_;
    PyObject* body = has_body ? take_body() : nullptr;
    push(ev_head, head);
    if (has_body) push(ev_body, body);
  }

  static constexpr std::size_t inline_size = 32;  // 16 events without allocating
  PyObject* inline_[inline_size];
  std::vector<PyObject*> spill_;
  std::size_t count_ = 0;
  PyObject* pending_ = nullptr;  // a head of this feed whose message has not ended
  PyObject* body_ = nullptr;     // its only body piece so far
  std::string more_;             // its body, once it has more than one piece
  bool joined_ = false;          // the body is in more_
};

PyObject* ListSink::make_head(const RequestHead& h) {
  thread_local std::string scratch;
  std::string_view path_raw = h.path;
  PyObject* path;
  if (percent_decode(path_raw, scratch)) {
    path = PyUnicode_DecodeUTF8(scratch.data(), static_cast<Py_ssize_t>(scratch.size()),
                                "replace");
  } else if (path_raw.size() == 1 && path_raw[0] == '/') {
    path = Py_NewRef(interned().slash);
  } else {
    path = ascii_str(path_raw);
  }
  PyObject* target = bytes_object(h.target);
  // PERF: without a query (or fragment) the raw path is the target itself.
  PyObject* raw_path = target != nullptr && path_raw.data() == h.target.data() &&
                               path_raw.size() == h.target.size()
                           ? Py_NewRef(target)
                           : bytes_object(path_raw);
  PyObject* items[] = {method_object(h.method),
                       target,
                       path,
                       raw_path,
                       bytes_object(h.query),
                       Py_NewRef(h.version_minor == 0 ? interned().v10 : interned().v11),
                       header_list(h.headers, h.header_count),
                       Py_NewRef(h.keep_alive ? Py_True : Py_False),
                       PyLong_FromLongLong(h.content_length),
                       Py_NewRef(h.chunked ? Py_True : Py_False),
                       Py_NewRef(h.expect_continue ? Py_True : Py_False),
                       Py_NewRef(h.upgrade ? Py_True : Py_False),
                       Py_NewRef(Py_None)};
  static_assert(std::size(items) == head_size);
  bool ok = true;
  for (PyObject* item : items) ok = ok && item != nullptr;
  PyObject* head = ok ? head_type.tp_alloc(&head_type, head_size) : nullptr;
  if (head == nullptr) {
    for (PyObject* item : items) Py_XDECREF(item);
    return nullptr;
  }
  for (Py_ssize_t i = 0; i < head_size; ++i) head_item(head, i) = items[i];
  return head;
}

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

// RequestParser as a plain extension type rather than a nanobind class. PERF:
// construction is one vectorcall with no argument parsing when there are no
// arguments, and feed is a METH_O method (no overload dispatch, no casters).
struct ParserObject {
  PyObject_HEAD
  RequestParser parser;
};

PyTypeObject parser_type{};  // filled in by init_parser_type

PyObject* parser_create(PyTypeObject* type, nb::handle limits) {
  ParserLimits core_limits;
  try {
    core_limits = read_limits(limits);
  } catch (nb::python_error& error) {
    error.restore();
    return nullptr;
  } catch (const std::exception& error) {
    PyErr_SetString(PyExc_TypeError, error.what());
    return nullptr;
  }
  void* memory = PyObject_Malloc(sizeof(ParserObject));
  if (memory == nullptr) return PyErr_NoMemory();
  // The type is static: PyObject_Init takes no reference to it.
  PyObject* self = PyObject_Init(static_cast<PyObject*>(memory), type);
  try {
    new (&reinterpret_cast<ParserObject*>(self)->parser) RequestParser(core_limits);
  } catch (const std::bad_alloc&) {
    PyObject_Free(memory);
    return PyErr_NoMemory();
  }
  return self;
}

PyObject* parser_vectorcall(PyObject* type, PyObject* const* args, std::size_t nargsf,
                            PyObject* kwnames) {
  const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  nb::handle limits = Py_None;
  const Py_ssize_t nkw = kwnames == nullptr ? 0 : PyTuple_GET_SIZE(kwnames);
  if (nargs != 0 || nkw > 1 ||
      (nkw == 1 && PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "limits") != 0)) {
    PyErr_SetString(PyExc_TypeError, "RequestParser() takes only the keyword argument 'limits'");
    return nullptr;
  }
  if (nkw == 1) limits = args[0];
  return parser_create(reinterpret_cast<PyTypeObject*>(type), limits);
}

PyObject* parser_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  static const char* keywords[] = {"limits", nullptr};
  PyObject* limits = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$O:RequestParser",
                                   const_cast<char**>(keywords), &limits))
    return nullptr;
  return parser_create(type, limits);
}

void parser_dealloc(PyObject* self) {
  reinterpret_cast<ParserObject*>(self)->parser.~RequestParser();
  PyObject_Free(self);
}

PyObject* parser_feed(PyObject* self, PyObject* data) {
  RequestParser& parser = reinterpret_cast<ParserObject*>(self)->parser;
  ListSink sink;
  try {
    if (PyBytes_CheckExact(data)) {
      // PERF: bytes (what asyncio hands a protocol) need no buffer protocol.
      parser.feed({PyBytes_AS_STRING(data), static_cast<std::size_t>(PyBytes_GET_SIZE(data))},
                  sink);
    } else {
      Py_buffer view;
      if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) != 0) return nullptr;
      try {
        parser.feed({static_cast<const char*>(view.buf), static_cast<std::size_t>(view.len)},
                    sink);
      } catch (...) {
        PyBuffer_Release(&view);
        throw;
      }
      PyBuffer_Release(&view);
    }
  } catch (const std::bad_alloc&) {
    return PyErr_NoMemory();
  }
  return sink.finish();
}

PyObject* parser_idle(PyObject* self, void*) {
  return PyBool_FromLong(reinterpret_cast<ParserObject*>(self)->parser.idle());
}

PyObject* parser_stopped(PyObject* self, void*) {
  return PyBool_FromLong(reinterpret_cast<ParserObject*>(self)->parser.stopped());
}

PyMethodDef parser_methods[] = {
    {"feed", parser_feed, METH_O,
     "feed($self, data, /)\n--\n\n"
     "Parse one read; return its events as a flat [kind, payload, ...] list."},
    {nullptr, nullptr, 0, nullptr}};

PyGetSetDef parser_getset[] = {
    {"idle", parser_idle, nullptr, "True between requests (nothing of a next request buffered).",
     nullptr},
    {"stopped", parser_stopped, nullptr,
     "True after an error, an upgrade, or a request that closes the connection.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

bool init_parser_type() {
  PyTypeObject& t = parser_type;
  t.tp_name = "fulmen_http.RequestParser";
  t.tp_basicsize = sizeof(ParserObject);
  t.tp_dealloc = parser_dealloc;
  t.tp_flags = Py_TPFLAGS_DEFAULT;
  t.tp_doc = "RequestParser(*, limits=None)\n--\n\n"
             "Incremental HTTP/1.1 request parser: feed it each read of a connection.";
  t.tp_methods = parser_methods;
  t.tp_getset = parser_getset;
  t.tp_new = parser_new;
  t.tp_vectorcall = parser_vectorcall;
  return PyType_Ready(&t) == 0;
}

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
  make_interned();
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
  m.attr("EV_REQUEST") = static_cast<int>(ev_request);
  m.def("parse_request_line", &parse_request_line_py, nb::arg("data"),
        nb::arg("max_request_line"),
        nb::sig("def parse_request_line(data: bytes | bytearray | memoryview, "
                "max_request_line: int) -> tuple[int, str | None, bytes | None, int, int]"),
        "Parse the request line at the start of ``data``.");

  if (!init_head_type() || !init_parser_type()) throw nb::python_error();
  for (int kind = 0; kind < static_cast<int>(std::size(kind_objects)); ++kind)
    kind_objects[kind] = PyLong_FromLong(kind);  // kept for the life of the process
  m.attr("RequestHead") = nb::handle(reinterpret_cast<PyObject*>(&head_type));
  m.attr("RequestParser") = nb::handle(reinterpret_cast<PyObject*>(&parser_type));

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
