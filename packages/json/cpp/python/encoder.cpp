// Walks Python objects into the Writer. Dispatch order (PERF: the exact
// built-in types a response is made of come first, one pointer compare each):
//   str, int, float, dict, list, None, bool, tuple
//   then Enum, datetime/date/time, UUID, Decimal, subclasses of the built-ins,
//   dataclasses, pydantic models, and finally `default`.
#include <pthread.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <vector>

#include "codec.hpp"
#include "fulmen/json/float_repr.hpp"
#include "state.hpp"

namespace fulmen::json::py {

namespace {

[[nodiscard]] bool fail(const char* message) {
  PyErr_SetString(state::encode_error, message);
  return false;
}

// The UTF-8 text of a str. PERF: compact ASCII strings are their own UTF-8.
inline bool utf8_of(PyObject* s, std::string_view& out) {
  if (PyUnicode_IS_COMPACT_ASCII(s)) {
    out = {static_cast<const char*>(PyUnicode_DATA(s)),
           static_cast<std::size_t>(PyUnicode_GET_LENGTH(s))};
    return true;
  }
  Py_ssize_t size = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(s, &size);
  if (utf8 == nullptr) {
    // Lone surrogates have no UTF-8 form, hence no JSON text (RFC 8259 §8.1).
    PyErr_Clear();
    return fail("str is not valid UTF-8: surrogates not allowed");
  }
  out = {utf8, static_cast<std::size_t>(size)};
  return true;
}

// The lowest address this thread's stack may grow down to, or 0 when unknown.
// Only asked for deep documents (see Encoder::stack_low_), so its cost (the
// main thread's answer reads /proc/self/maps) never touches the normal path.
std::uintptr_t stack_floor() noexcept {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
  void* addr = nullptr;
  std::size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0 || addr == nullptr) return 0;
  // Keep a quarter of the stack (at most 256 KiB) for the levels between two
  // checks and for Python code a `default` callback runs down there.
  const std::size_t margin = std::min<std::size_t>(size / 4, std::size_t{256} << 10);
  return reinterpret_cast<std::uintptr_t>(addr) + margin;
}

class Encoder {
 public:
  Encoder(const EncodeOptions& options, Writer& out) : o_(options), w_(out) {}

  bool value(PyObject* obj) {
    PyTypeObject* const t = Py_TYPE(obj);
    if (t == &PyUnicode_Type) return str(obj);
    if (t == &PyLong_Type) return integer(obj);
    if (t == &PyFloat_Type) return floating(PyFloat_AS_DOUBLE(obj));
    if (t == &PyDict_Type) return dict(obj);
    if (t == &PyList_Type) return list(obj);
    if (obj == Py_None) {
      w_.null();
      return true;
    }
    if (t == &PyBool_Type) {
      w_.boolean(obj == Py_True);
      return true;
    }
    if (t == &PyTuple_Type) return tuple(obj);
    return other(obj);
  }

 private:
  // PERF: str, int, float, None and bool, inline in the container loops (value() is
  // recursive, so it stays an out-of-line call). Their encoding runs no Python
  // code, so the caller needs no reference of its own. Returns 1 when written,
  // 0 when `obj` is of another type, -1 on error.
  int scalar(PyObject* obj, PyTypeObject* t) {
    if (t == &PyUnicode_Type) return str(obj) ? 1 : -1;
    if (t == &PyLong_Type) return integer(obj) ? 1 : -1;
    if (t == &PyFloat_Type) return floating(PyFloat_AS_DOUBLE(obj)) ? 1 : -1;
    if (obj == Py_None) {
      w_.null();
      return 1;
    }
    if (t == &PyBool_Type) {
      w_.boolean(obj == Py_True);
      return 1;
    }
    return 0;
  }

  bool str(PyObject* obj) {
    std::string_view text;
    if (!utf8_of(obj, text)) return false;
    w_.string(text);
    return true;
  }

  bool integer(PyObject* obj) {
#if PY_VERSION_HEX < 0x030C0000
    // PERF: CPython 3.11 stores small ints as at most two 30-bit digits with
    // the sign in ob_size; read them directly (3.12 changed this layout).
    {
      const Py_ssize_t size = Py_SIZE(obj);
      const auto* digits = reinterpret_cast<PyLongObject*>(obj)->ob_digit;
      if (size >= -2 && size <= 2) {
        std::int64_t v = size == 0 ? 0 : static_cast<std::int64_t>(digits[0]);
        if (size == 2 || size == -2) v |= static_cast<std::int64_t>(digits[1]) << PyLong_SHIFT;
        w_.integer(size < 0 ? -v : v);
        return true;
      }
    }
#endif
    return wide_integer(obj);
  }

  // Ints beyond the inline fast path (kept out of line: rare, and large).
  [[gnu::noinline]] bool wide_integer(PyObject* obj) {
    int overflow = 0;
    const long long value = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow == 0) {
      if (value == -1 && PyErr_Occurred()) return false;
      w_.integer(value);
      return true;
    }
    if (overflow > 0) {
      const unsigned long long u = PyLong_AsUnsignedLongLong(obj);
      if (!(u == static_cast<unsigned long long>(-1) && PyErr_Occurred())) {
        w_.unsigned_integer(u);
        return true;
      }
      PyErr_Clear();
    }
    // Beyond 64 bits: the exact decimal digits, as json.dumps writes them.
    PyObject* digits = PyLong_Type.tp_repr(obj);
    if (digits == nullptr) return false;
    std::string_view text;
    const bool ok = utf8_of(digits, text);
    if (ok) w_.raw(text);
    Py_DECREF(digits);
    return ok;
  }

  bool floating(double d) {
    if (std::isfinite(d)) {
      w_.floating(d);
      return true;
    }
    if (o_.nan_as_null) {
      w_.null();
      return true;
    }
    return fail("Out of range float values are not JSON compliant: NaN and Infinity "
                "(pass nan_as_null=True to write null)");
  }

  // Depth bookkeeping shared by every container. The path is the chain of
  // containers being written; a depth overflow with the object already on the
  // path is a circular reference, reported as such.
  bool enter(PyObject* container) {
    if (depth_ >= o_.max_depth) {
      if (on_path(container)) return fail("Circular reference detected");
      PyErr_Format(state::encode_error, "Maximum nesting depth exceeded (max_depth=%zu)",
                   o_.max_depth);
      return false;
    }
    // The encoder recurses on the C stack. max_depth bounds that on a normal
    // thread stack, but a thread with a small stack, or a sanitizer build with
    // large frames, could still overflow: past the first levels, every 32nd
    // level checks the room left. PERF: one compare on the normal path.
    if (depth_ >= stack_check_from && depth_ % 32 == 0 && !stack_has_room()) {
      if (on_path(container)) return fail("Circular reference detected");
      PyErr_Format(state::encode_error,
                   "Maximum nesting depth exceeded: C stack nearly exhausted at depth %zu",
                   depth_);
      return false;
    }
    // PERF: the first levels live in an inline array (no allocation per call).
    if (depth_ < inline_depth) {
      path_inline_[depth_] = container;
    } else {
      path_overflow_.push_back(container);
    }
    ++depth_;
    return true;
  }
  bool stack_has_room() {
    if (stack_low_ == 0) {
      stack_low_ = stack_floor();
      if (stack_low_ == 0) stack_low_ = 1;  // unknown: rely on max_depth alone
    }
    // The frame address, not a local's: sanitizers may move locals to the heap.
    const auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    return here > stack_low_;
  }
  void leave() {
    --depth_;
    if (depth_ >= inline_depth) path_overflow_.pop_back();
  }
  bool on_path(PyObject* container) const {
    const std::size_t n = depth_ < inline_depth ? depth_ : inline_depth;
    return std::find(path_inline_, path_inline_ + n, container) != path_inline_ + n ||
           std::find(path_overflow_.begin(), path_overflow_.end(), container) !=
               path_overflow_.end();
  }

  void open_item(bool first) {
    if (!first) w_.byte(',');
    if (o_.indent >= 0) w_.newline_indent(depth_ * static_cast<std::size_t>(o_.indent));
  }
  void close(char bracket) {
    if (o_.indent >= 0) w_.newline_indent((depth_ - 1) * static_cast<std::size_t>(o_.indent));
    w_.byte(bracket);
  }
  void colon() {
    if (o_.indent >= 0) {
      w_.raw(": ", 2);
    } else {
      w_.byte(':');
    }
  }

  bool sequence(PyObject* seq, PyObject* const* items, Py_ssize_t n) {
    if (n == 0) {
      w_.raw("[]", 2);
      return true;
    }
    if (!enter(seq)) return false;
    w_.byte('[');
    for (Py_ssize_t i = 0; i < n; ++i) {
      open_item(i == 0);
      if (!value(items[i])) return false;
    }
    close(']');
    leave();
    return true;
  }

  bool tuple(PyObject* obj) {
    // Tuples are immutable: their items cannot go away while we write them.
    return sequence(obj, &PyTuple_GET_ITEM(obj, 0), PyTuple_GET_SIZE(obj));
  }

  bool list(PyObject* obj) {
    if (PyList_GET_SIZE(obj) == 0) {
      w_.raw("[]", 2);
      return true;
    }
    if (!enter(obj)) return false;
    w_.byte('[');
    // A `default` callback could mutate the list: re-read the size and hold each item.
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(obj); ++i) {
      open_item(i == 0);
      PyObject* item = PyList_GET_ITEM(obj, i);
      const int done = scalar(item, Py_TYPE(item));
      if (done < 0) return false;
      if (done > 0) continue;
      Py_INCREF(item);
      const bool ok = value(item);
      Py_DECREF(item);
      if (!ok) return false;
    }
    close(']');
    leave();
    return true;
  }

  // The text of a non-str key (non_str_keys=True), as a new str reference.
  PyObject* key_text(PyObject* key) {
    PyTypeObject* const t = Py_TYPE(key);
    if (key == Py_None) return PyUnicode_FromString("null");
    if (t == &PyBool_Type) return PyUnicode_FromString(key == Py_True ? "true" : "false");
    if (PyLong_Check(key)) return PyLong_Type.tp_repr(key);
    if (PyFloat_Check(key)) {
      const double d = PyFloat_AS_DOUBLE(key);
      if (!std::isfinite(d)) {
        if (o_.nan_as_null) return PyUnicode_FromString("null");
        (void)fail("Out of range float values are not JSON compliant: NaN and Infinity");
        return nullptr;
      }
      char buf[float_repr_max];
      return PyUnicode_FromStringAndSize(buf, static_cast<Py_ssize_t>(write_float_repr(d, buf)));
    }
    if (PyObject_TypeCheck(Py_TYPE(key), state::enum_meta)) {
      PyObject* v = PyObject_GetAttr(key, state::str_value);
      if (v == nullptr) return nullptr;
      PyObject* text = PyUnicode_Check(v) ? (Py_INCREF(v), v) : key_text(v);
      Py_DECREF(v);
      return text;
    }
    if (PyObject_TypeCheck(key, state::date_type) || PyObject_TypeCheck(key, state::time_type)) {
      return PyObject_CallMethodNoArgs(key, state::str_isoformat);
    }
    if (PyObject_TypeCheck(key, state::uuid_type)) return PyObject_Str(key);
    PyErr_Format(state::encode_error, "Dict key must be str, int, float, bool, None, Enum, "
                 "date/time or UUID, not %s", Py_TYPE(key)->tp_name);
    return nullptr;
  }

  struct Member {
    std::string_view key;
    PyObject* value;
  };

  bool dict(PyObject* obj) {
    if (PyDict_GET_SIZE(obj) == 0) {
      w_.raw("{}", 2);
      return true;
    }
    if (!enter(obj)) return false;
    bool ok = o_.sort_keys ? sorted_dict(obj) : plain_dict(obj);
    if (!ok) return false;
    close('}');
    leave();
    return true;
  }

  bool plain_dict(PyObject* obj) {
    w_.byte('{');
    Py_ssize_t pos = 0;
    PyObject* key = nullptr;
    PyObject* val = nullptr;
    bool first = true;
    const bool compact = o_.indent < 0;
    while (PyDict_Next(obj, &pos, &key, &val)) {
      PyTypeObject* vt = Py_TYPE(val);
      if (compact && PyUnicode_CheckExact(key)) {
        // PERF: the common member: separator, key and colon in one write.
        std::string_view text;
        if (!utf8_of(key, text)) return false;
        w_.member_key(text, !first);
        first = false;
        // The key is written; hold the value if its encoding may run Python
        // code (a `default` callback could remove it from the dict).
        const int done = scalar(val, vt);
        if (done < 0) return false;
        if (done > 0) continue;
        Py_INCREF(val);
        const bool ok = value(val);
        Py_DECREF(val);
        if (!ok) return false;
        continue;
      }
      open_item(first);
      first = false;
      // Hold both: a `default` callback could remove them from the dict.
      // PERF: unless the key is a str and the value a str/int/float, whose
      // encoding runs no Python code.
      if (PyUnicode_CheckExact(key) &&
          (vt == &PyUnicode_Type || vt == &PyLong_Type || vt == &PyFloat_Type)) {
        if (!member(key, val)) return false;
        continue;
      }
      Py_INCREF(key);
      Py_INCREF(val);
      bool ok = member(key, val);
      Py_DECREF(key);
      Py_DECREF(val);
      if (!ok) return false;
    }
    return true;
  }

  bool member(PyObject* key, PyObject* val) {
    std::string_view text;
    if (PyUnicode_Check(key)) {
      if (!utf8_of(key, text)) return false;
      w_.string(text);
    } else if (o_.non_str_keys) {
      PyObject* converted = key_text(key);
      if (converted == nullptr) return false;
      const bool ok = utf8_of(converted, text);
      if (ok) w_.string(text);
      Py_DECREF(converted);
      if (!ok) return false;
    } else {
      PyErr_Format(state::encode_error, "Dict key must be str, not %s (pass non_str_keys=True)",
                   Py_TYPE(key)->tp_name);
      return false;
    }
    colon();
    return value(val);
  }

  // sort_keys=True: keys are ordered by their JSON text (UTF-8 byte order is
  // code point order, the order of Python's str comparison).
  bool sorted_dict(PyObject* obj) {
    std::vector<PyObject*> keep;  // strong references: converted keys, values
    std::vector<Member> members;
    members.reserve(static_cast<std::size_t>(PyDict_GET_SIZE(obj)));
    Py_ssize_t pos = 0;
    PyObject* key = nullptr;
    PyObject* val = nullptr;
    bool ok = true;
    while (ok && PyDict_Next(obj, &pos, &key, &val)) {
      PyObject* text_obj = key;
      if (!PyUnicode_Check(key)) {
        if (!o_.non_str_keys) {
          PyErr_Format(state::encode_error,
                       "Dict key must be str, not %s (pass non_str_keys=True)",
                       Py_TYPE(key)->tp_name);
          ok = false;
          break;
        }
        text_obj = key_text(key);
        if (text_obj == nullptr) {
          ok = false;
          break;
        }
      } else {
        Py_INCREF(text_obj);
      }
      keep.push_back(text_obj);
      Py_INCREF(val);
      keep.push_back(val);
      std::string_view text;
      if (!utf8_of(text_obj, text)) {
        ok = false;
        break;
      }
      members.push_back({text, val});
    }
    if (ok) {
      std::stable_sort(members.begin(), members.end(),
                       [](const Member& a, const Member& b) { return a.key < b.key; });
      w_.byte('{');
      bool first = true;
      for (const Member& m : members) {
        open_item(first);
        first = false;
        w_.string(m.key);
        colon();
        if (!value(m.value)) {
          ok = false;
          break;
        }
      }
    }
    for (PyObject* o : keep) Py_DECREF(o);
    return ok;
  }

  // Encodes a new reference and releases it.
  bool value_steal(PyObject* obj) {
    if (obj == nullptr) return false;
    const bool ok = value(obj);
    Py_DECREF(obj);
    return ok;
  }

  bool str_of(PyObject* obj) {  // str(obj) as a JSON string
    PyObject* text = PyObject_Str(obj);
    if (text == nullptr) return false;
    const bool ok = str(text);
    Py_DECREF(text);
    return ok;
  }

  bool decimal(PyObject* obj) {
    PyObject* text = PyObject_Str(obj);
    if (text == nullptr) return false;
    std::string_view digits;
    bool ok = utf8_of(text, digits);
    if (ok) {
      // Finite Decimals print as valid JSON numbers ("1.10", "-0", "1E+2");
      // NaN, sNaN and Infinity contain letters other than E.
      const bool finite = digits.find_first_of("aAiInNsS") == std::string_view::npos;
      if (finite) {
        w_.raw(digits);
      } else if (o_.nan_as_null) {
        w_.null();
      } else {
        ok = fail("Decimal NaN and Infinity are not JSON compliant "
                  "(pass nan_as_null=True to write null)");
      }
    }
    Py_DECREF(text);
    return ok;
  }

  // The field names of a dataclass type, cached per type (a new reference),
  // or nullptr without an error when `type` is not a dataclass.
  PyObject* dataclass_fields(PyTypeObject* type) {
    PyObject* cached = PyDict_GetItemWithError(state::dataclass_fields_cache,
                                               reinterpret_cast<PyObject*>(type));
    if (cached != nullptr) {
      Py_INCREF(cached);
      return cached;
    }
    if (PyErr_Occurred()) return nullptr;
    PyObject* fields = PyObject_GetAttr(reinterpret_cast<PyObject*>(type),
                                        state::str_dataclass_fields);
    if (fields == nullptr) {
      if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return nullptr;
      PyErr_Clear();
      fields = PyTuple_New(0);  // not a dataclass: cache that too
      if (fields == nullptr) return nullptr;
    } else if (!PyDict_Check(fields)) {
      Py_DECREF(fields);
      fields = PyTuple_New(0);
      if (fields == nullptr) return nullptr;
    } else {
      // Keep real fields only (not ClassVar / InitVar pseudo-fields), in order.
      PyObject* names = PyList_New(0);
      Py_ssize_t pos = 0;
      PyObject* name = nullptr;
      PyObject* field = nullptr;
      bool ok = names != nullptr;
      while (ok && PyDict_Next(fields, &pos, &name, &field)) {
        PyObject* kind = PyObject_GetAttr(field, state::str_field_type);
        if (kind == nullptr) {
          ok = false;
          break;
        }
        if (kind == state::dataclass_field_marker) ok = PyList_Append(names, name) == 0;
        Py_DECREF(kind);
      }
      Py_DECREF(fields);
      fields = ok ? PyList_AsTuple(names) : nullptr;
      Py_XDECREF(names);
      if (fields == nullptr) return nullptr;
    }
    if (PyDict_SetItem(state::dataclass_fields_cache, reinterpret_cast<PyObject*>(type), fields) <
        0) {
      Py_DECREF(fields);
      return nullptr;
    }
    return fields;
  }

  bool dataclass(PyObject* obj, PyObject* names) {
    PyObject* as_dict = PyDict_New();
    if (as_dict == nullptr) return false;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); ++i) {
      PyObject* name = PyTuple_GET_ITEM(names, i);
      PyObject* field_value = PyObject_GetAttr(obj, name);
      if (field_value == nullptr || PyDict_SetItem(as_dict, name, field_value) < 0) {
        Py_XDECREF(field_value);
        Py_DECREF(as_dict);
        return false;
      }
      Py_DECREF(field_value);
    }
    // The dict stands for `obj` on the path, so a self-referencing dataclass
    // still reaches the depth limit and is reported.
    if (!enter(obj)) {
      Py_DECREF(as_dict);
      return false;
    }
    const bool ok = value(as_dict);
    leave();
    Py_DECREF(as_dict);
    return ok;
  }

  bool other(PyObject* obj) {
    PyTypeObject* const t = Py_TYPE(obj);
    if (PyObject_TypeCheck(reinterpret_cast<PyObject*>(t), state::enum_meta)) {
      if (!enter(obj)) return false;
      const bool ok = value_steal(PyObject_GetAttr(obj, state::str_value));
      leave();
      return ok;
    }
    if (PyObject_TypeCheck(obj, state::date_type) || PyObject_TypeCheck(obj, state::time_type)) {
      // RFC 3339 for aware values; exactly what isoformat() writes.
      PyObject* text = PyObject_CallMethodNoArgs(obj, state::str_isoformat);
      if (text == nullptr) return false;
      const bool ok = PyUnicode_Check(text) ? str(text) : fail("isoformat() did not return str");
      Py_DECREF(text);
      return ok;
    }
    if (PyObject_TypeCheck(obj, state::uuid_type)) return str_of(obj);
    if (PyObject_TypeCheck(obj, state::decimal_type)) return decimal(obj);
    if (!o_.passthrough_subclass) {
      if (PyUnicode_Check(obj)) return str(obj);
      if (PyLong_Check(obj)) return integer(obj);
      if (PyFloat_Check(obj)) return floating(PyFloat_AS_DOUBLE(obj));
      if (PyDict_Check(obj)) return dict(obj);
      if (PyList_Check(obj)) return list(obj);
      if (PyTuple_Check(obj)) return tuple(obj);
    }
    if (!PyType_Check(obj)) {
      PyObject* names = dataclass_fields(t);
      if (names == nullptr) return false;
      if (PyTuple_GET_SIZE(names) != 0) {
        const bool ok = dataclass(obj, names);
        Py_DECREF(names);
        return ok;
      }
      Py_DECREF(names);
      // Pydantic v2 models: their own JSON-mode dump, then encoded here.
      if (PyObject_HasAttr(reinterpret_cast<PyObject*>(t), state::str_pydantic_serializer)) {
        return pydantic(obj);
      }
    }
    if (o_.default_fn != nullptr) {
      if (!enter(obj)) return false;
      const bool ok = value_steal(PyObject_CallOneArg(o_.default_fn, obj));
      leave();
      return ok;
    }
    PyErr_Format(state::encode_error, "Type is not JSON serializable: %s", t->tp_name);
    return false;
  }

  bool pydantic(PyObject* obj) {
    PyObject* method = PyObject_GetAttr(obj, state::str_model_dump);
    if (method == nullptr) return false;
    PyObject* kwargs = PyDict_New();
    if (kwargs == nullptr || PyDict_SetItem(kwargs, state::str_mode, state::str_json) < 0) {
      Py_XDECREF(kwargs);
      Py_DECREF(method);
      return false;
    }
    PyObject* empty = PyTuple_New(0);
    PyObject* dumped = empty ? PyObject_Call(method, empty, kwargs) : nullptr;
    Py_XDECREF(empty);
    Py_DECREF(kwargs);
    Py_DECREF(method);
    if (!enter(obj)) {
      Py_XDECREF(dumped);
      return false;
    }
    const bool ok = value_steal(dumped);
    leave();
    return ok;
  }

  const EncodeOptions& o_;
  Writer& w_;
  static constexpr std::size_t inline_depth = 64;
  static constexpr std::size_t stack_check_from = 128;
  std::uintptr_t stack_low_ = 0;
  std::size_t depth_ = 0;
  PyObject* path_inline_[inline_depth];
  std::vector<PyObject*> path_overflow_;
};

}  // namespace

bool encode(PyObject* obj, const EncodeOptions& options, Writer& out) {
  out.clear();
  try {
    Encoder encoder(options, out);
    if (!encoder.value(obj)) return false;
    if (options.append_newline) out.byte('\n');
    return true;
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
    return false;
  }
}

namespace {

// The spill target of encode_to_bytes: the bytes object being returned.
char* spill_to_bytes(void* context, const char* data, std::size_t size, std::size_t wanted) {
  auto*& bytes = *static_cast<PyObject**>(context);
  if (bytes == nullptr) {
    bytes = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(wanted));
    if (bytes == nullptr) return nullptr;
    std::memcpy(PyBytes_AS_STRING(bytes), data, size);
  } else if (_PyBytes_Resize(&bytes, static_cast<Py_ssize_t>(wanted)) < 0) {
    return nullptr;  // `bytes` is freed and nullptr; MemoryError is set
  }
  return PyBytes_AS_STRING(bytes);
}

// Documents up to this size are copied out of the reused buffer (cheap, and
// no over-allocated bytes object); larger ones are written into their bytes
// object directly.
constexpr std::size_t spill_from = std::size_t{32} << 10;

}  // namespace

PyObject* encode_to_bytes(PyObject* obj, const EncodeOptions& options, Writer& scratch) {
  PyObject* bytes = nullptr;
  scratch.spill_into(&spill_to_bytes, &bytes, spill_from);
  const bool ok = encode(obj, options, scratch);
  const std::size_t size = scratch.size();
  const bool spilled = scratch.spilled();
  PyObject* result = nullptr;
  if (ok && !spilled) {
    const auto text = scratch.view();
    result = PyBytes_FromStringAndSize(text.data(), static_cast<Py_ssize_t>(text.size()));
  }
  scratch.unspill();
  if (spilled) {
    // The final size: a shrink in place (realloc), never a copy of the text.
    if (ok && _PyBytes_Resize(&bytes, static_cast<Py_ssize_t>(size)) == 0) return bytes;
    Py_XDECREF(bytes);
    return nullptr;
  }
  Py_XDECREF(bytes);  // a spill target may exist if growing it failed
  return result;
}

}  // namespace fulmen::json::py
