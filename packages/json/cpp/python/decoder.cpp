// Builds Python objects from the Reader's events. Values wait on a flat stack;
// a closing bracket turns the last n of them into one list or dict.
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "codec.hpp"
#include "state.hpp"

namespace fulmen::json::py {

namespace {

// PERF: object keys repeat across a document and across documents (the same
// API shapes arrive again and again). Short ASCII keys are looked up in a
// small direct-mapped cache of str objects, which also keeps their hash cached.
class KeyCache {
 public:
  static constexpr std::size_t slots = 2048;
  static constexpr std::size_t max_length = 64;

  PyObject* get(std::string_view text) {
    const std::size_t index = hash(text) & (slots - 1);
    PyObject* hit = entries_[index];
    if (hit != nullptr && static_cast<std::size_t>(PyUnicode_GET_LENGTH(hit)) == text.size() &&
        std::memcmp(PyUnicode_1BYTE_DATA(hit), text.data(), text.size()) == 0) {
      Py_INCREF(hit);
      return hit;
    }
    PyObject* fresh = ascii_str(text);
    if (fresh == nullptr) return nullptr;
    // Re-read the slot: creating the str may have run the GC, and a finalizer
    // may have decoded JSON (and used this cache) meanwhile.
    PyObject* old = entries_[index];
    Py_INCREF(fresh);
    entries_[index] = fresh;
    Py_XDECREF(old);
    return fresh;
  }

  static PyObject* ascii_str(std::string_view text) {
    PyObject* s = PyUnicode_New(static_cast<Py_ssize_t>(text.size()), 127);
    if (s != nullptr) std::memcpy(PyUnicode_1BYTE_DATA(s), text.data(), text.size());
    return s;
  }

 private:
  static std::size_t hash(std::string_view text) noexcept {
    // Length, first and last 8 bytes: cheap and good enough to spread keys.
    std::uint64_t head = 0;
    std::uint64_t tail = 0;
    const std::size_t n = text.size();
    std::memcpy(&head, text.data(), n < 8 ? n : 8);
    if (n > 8) std::memcpy(&tail, text.data() + n - 8, 8);
    std::uint64_t h = (head * 0x9E3779B97F4A7C15ULL) ^ (tail * 0xC2B2AE3D27D4EB4FULL) ^ n;
    h ^= h >> 29;
    return static_cast<std::size_t>(h);
  }

  PyObject* entries_[slots] = {};
};

KeyCache key_cache;

PyObject* make_str(std::string_view text, StringKind kind) {
  switch (kind) {
    case StringKind::ascii: return KeyCache::ascii_str(text);
    case StringKind::utf8:
      return PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), nullptr);
    case StringKind::utf8_surrogates:
      // Lone surrogates from \uD800-style escapes: kept, as json.loads keeps them.
      return PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()),
                                  "surrogatepass");
  }
  return nullptr;
}

class Builder {
 public:
  Builder() { stack_.reserve(64); }
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;
  ~Builder() {
    for (PyObject* o : stack_) Py_DECREF(o);
  }

  bool null_value() { return push(Py_NewRef(Py_None)); }
  bool bool_value(bool b) { return push(Py_NewRef(b ? Py_True : Py_False)); }
  bool int_value(std::int64_t v) { return push(PyLong_FromLongLong(v)); }
  bool uint_value(std::uint64_t v) { return push(PyLong_FromUnsignedLongLong(v)); }
  bool big_int(std::string_view digits) {
    const std::string text(digits);  // PyLong_FromString needs a terminated string
    return push(PyLong_FromString(text.c_str(), nullptr, 10));
  }
  bool double_value(double d) { return push(PyFloat_FromDouble(d)); }
  bool string_value(std::string_view text, StringKind kind) { return push(make_str(text, kind)); }
  bool key(std::string_view text, StringKind kind) {
    if (kind == StringKind::ascii && text.size() <= KeyCache::max_length && !text.empty()) {
      return push(key_cache.get(text));
    }
    return push(make_str(text, kind));
  }
  bool start_array() { return true; }
  bool start_object() { return true; }
  bool end_array(std::size_t count) {
    PyObject* list = PyList_New(static_cast<Py_ssize_t>(count));
    if (list == nullptr) return false;
    const std::size_t base = stack_.size() - count;
    for (std::size_t i = 0; i < count; ++i) {
      PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), stack_[base + i]);  // steals
    }
    stack_.resize(base);
    return push(list);
  }
  bool end_object(std::size_t count) {
    // PERF: presized, so a 10-field object is not rehashed while it fills.
    PyObject* dict = count > 5 ? _PyDict_NewPresized(static_cast<Py_ssize_t>(count)) : PyDict_New();
    if (dict == nullptr) return false;
    const std::size_t base = stack_.size() - 2 * count;
    bool ok = true;
    for (std::size_t i = 0; i < count && ok; ++i) {
      // RFC 8259 §4 leaves duplicate names open; like json.loads, the last wins.
      ok = PyDict_SetItem(dict, stack_[base + 2 * i], stack_[base + 2 * i + 1]) == 0;
    }
    for (std::size_t i = base; i < stack_.size(); ++i) Py_DECREF(stack_[i]);
    stack_.resize(base);
    if (!ok) {
      Py_DECREF(dict);
      return false;
    }
    return push(dict);
  }

  PyObject* take_result() {
    PyObject* r = stack_.back();
    stack_.pop_back();
    return r;
  }

 private:
  bool push(PyObject* o) {
    if (o == nullptr) return false;
    try {
      stack_.push_back(o);
    } catch (const std::bad_alloc&) {
      Py_DECREF(o);
      PyErr_NoMemory();
      return false;
    }
    return true;
  }

  std::vector<PyObject*> stack_;
};

// Characters before byte `offset` of valid-so-far UTF-8 text (for str input,
// whose positions are character indexes as in json.JSONDecodeError).
Py_ssize_t char_index(std::string_view text, std::size_t offset) {
  Py_ssize_t n = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}

void raise_decode_error(const char* message, PyObject* doc, Py_ssize_t pos) {
  PyObject* exc = PyObject_CallFunction(state::decode_error, "sOn", message, doc, pos);
  if (exc != nullptr) {
    PyErr_SetObject(state::decode_error, exc);
    Py_DECREF(exc);
  }
}

}  // namespace

PyObject* decode(PyObject* data, Reader& reader, const ParseOptions& options) {
  std::string_view text;
  Py_buffer view{};
  bool have_view = false;
  const bool is_str = PyUnicode_Check(data);
  if (PyBytes_Check(data)) {
    text = {PyBytes_AS_STRING(data), static_cast<std::size_t>(PyBytes_GET_SIZE(data))};
  } else if (is_str) {
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(data, &size);
    if (utf8 == nullptr) {
      PyErr_Clear();
      raise_decode_error("str input holds a lone surrogate: it has no UTF-8 form", data, 0);
      return nullptr;
    }
    text = {utf8, static_cast<std::size_t>(size)};
  } else if (PyByteArray_Check(data) || PyMemoryView_Check(data)) {
    if (PyObject_GetBuffer(data, &view, PyBUF_C_CONTIGUOUS) < 0) return nullptr;
    have_view = true;
    text = {static_cast<const char*>(view.buf), static_cast<std::size_t>(view.len)};
  } else {
    PyErr_Format(PyExc_TypeError, "loads() argument must be bytes, bytearray, memoryview or str, "
                 "not %s", Py_TYPE(data)->tp_name);
    return nullptr;
  }

  PyObject* result = nullptr;
  {
    Builder builder;
    ParseResult r;
    try {
      r = reader.parse(text, builder, options);
    } catch (const std::bad_alloc&) {
      if (have_view) PyBuffer_Release(&view);
      return PyErr_NoMemory();
    }
    if (r.ok()) {
      result = builder.take_result();
    } else {
      const Py_ssize_t pos = is_str ? char_index(text, r.offset) : static_cast<Py_ssize_t>(r.offset);
      if (r.error == ParseError::handler_error) {
        // A value Python refused to build: int digit limit (ValueError) or
        // memory. ValueErrors become decode errors; anything else propagates.
        if (PyErr_ExceptionMatches(PyExc_ValueError)) {
          PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
          PyErr_Fetch(&type, &value, &tb);
          PyObject* text_obj = value ? PyObject_Str(value) : nullptr;
          const char* msg = text_obj ? PyUnicode_AsUTF8(text_obj) : nullptr;
          raise_decode_error(msg ? msg : "Value could not be built", data, pos);
          Py_XDECREF(text_obj);
          Py_XDECREF(type);
          Py_XDECREF(value);
          Py_XDECREF(tb);
        }
      } else if (r.error == ParseError::too_deep) {
        char msg[96];
        PyOS_snprintf(msg, sizeof msg, "Maximum nesting depth exceeded (max_depth=%zu)",
                      options.max_depth);
        raise_decode_error(msg, data, pos);
      } else {
        raise_decode_error(parse_error_message(r.error), data, pos);
      }
    }
  }
  if (have_view) PyBuffer_Release(&view);
  return result;
}

}  // namespace fulmen::json::py
