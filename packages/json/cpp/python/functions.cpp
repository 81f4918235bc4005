// Module state, option parsing and the two module-level functions dumps() and
// loads(). PERF: these are plain METH_FASTCALL | METH_KEYWORDS functions (no
// binding-layer dispatch): they run on every request of the framework.
#include "codec.hpp"  // Python.h first: datetime.h relies on it

#include <datetime.h>

#include <optional>

#include "state.hpp"

namespace fulmen::json::py {

namespace {

PyObject* import_attr(const char* module, const char* name) {
  PyObject* m = PyImport_ImportModule(module);
  if (m == nullptr) return nullptr;
  PyObject* attr = PyObject_GetAttrString(m, name);
  Py_DECREF(m);
  return attr;
}

bool import_type(const char* module, const char* name, PyTypeObject*& out) {
  PyObject* t = import_attr(module, name);
  if (t == nullptr) return false;
  if (!PyType_Check(t)) {
    PyErr_Format(PyExc_TypeError, "%s.%s is not a type", module, name);
    Py_DECREF(t);
    return false;
  }
  out = reinterpret_cast<PyTypeObject*>(t);  // kept for the life of the process
  return true;
}

bool intern(const char* text, PyObject*& out) {
  out = PyUnicode_InternFromString(text);
  return out != nullptr;
}

bool is_name(PyObject* name, const char* expected) {
  return PyUnicode_CompareWithASCIIString(name, expected) == 0;
}

bool flag(PyObject* value, bool& out) {
  const int truth = PyObject_IsTrue(value);
  if (truth < 0) return false;
  out = truth != 0;
  return true;
}

// One reusable output buffer / parser for the module functions. A GC finalizer
// or a `default` callback may call dumps()/loads() while they run, so a busy
// flag sends such nested calls to a private one.
Writer shared_writer;
bool shared_writer_busy = false;
Reader shared_reader;
bool shared_reader_busy = false;
// Past this size, the shared buffer is freed after use rather than kept.
constexpr std::size_t keep_buffer_limit = std::size_t{1} << 20;

PyObject* dumps(PyObject*, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  if (nargs != 1) {
    PyErr_SetString(PyExc_TypeError, "dumps() takes exactly one positional argument (obj)");
    return nullptr;
  }
  EncodeOptions options;
  if (kwnames != nullptr) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); ++i) {
      if (!parse_encode_option(PyTuple_GET_ITEM(kwnames, i), args[nargs + i], options)) {
        return nullptr;
      }
    }
  }
  if (shared_writer_busy) {
    Writer own;
    return encode_to_bytes(args[0], options, own);
  }
  shared_writer_busy = true;
  PyObject* result = encode_to_bytes(args[0], options, shared_writer);
  shared_writer.shrink_if_above(keep_buffer_limit);
  shared_writer_busy = false;
  return result;
}

PyObject* loads(PyObject*, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  if (nargs != 1) {
    PyErr_SetString(PyExc_TypeError, "loads() takes exactly one positional argument (data)");
    return nullptr;
  }
  ParseOptions options;
  options.max_depth = default_max_depth;
  if (kwnames != nullptr) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); ++i) {
      PyObject* name = PyTuple_GET_ITEM(kwnames, i);
      if (!is_name(name, "max_depth")) {
        PyErr_Format(PyExc_TypeError, "loads() got an unexpected keyword argument '%U'", name);
        return nullptr;
      }
      if (!parse_max_depth(args[nargs + i], decode_depth_ceiling, options.max_depth)) {
        return nullptr;
      }
    }
  }
  if (shared_reader_busy) {
    Reader own;
    return decode(args[0], own, options);
  }
  shared_reader_busy = true;
  PyObject* result = decode(args[0], shared_reader, options);
  shared_reader_busy = false;
  return result;
}

}  // namespace

bool parse_max_depth(PyObject* value, std::size_t ceiling, std::size_t& out) {
  if (!PyLong_Check(value) || PyBool_Check(value)) {
    PyErr_SetString(PyExc_TypeError, "max_depth must be an int");
    return false;
  }
  const long long depth = PyLong_AsLongLong(value);
  if (depth == -1 && PyErr_Occurred()) return false;
  if (depth < 1 || static_cast<unsigned long long>(depth) > ceiling) {
    PyErr_Format(PyExc_ValueError, "max_depth must be between 1 and %zu", ceiling);
    return false;
  }
  out = static_cast<std::size_t>(depth);
  return true;
}

bool parse_encode_option(PyObject* name, PyObject* value, EncodeOptions& o) {
  if (is_name(name, "default")) {
    if (value == Py_None) {
      o.default_fn = nullptr;
      return true;
    }
    if (!PyCallable_Check(value)) {
      PyErr_SetString(PyExc_TypeError, "default must be callable or None");
      return false;
    }
    o.default_fn = value;
    return true;
  }
  if (is_name(name, "sort_keys")) return flag(value, o.sort_keys);
  if (is_name(name, "non_str_keys")) return flag(value, o.non_str_keys);
  if (is_name(name, "nan_as_null")) return flag(value, o.nan_as_null);
  if (is_name(name, "append_newline")) return flag(value, o.append_newline);
  if (is_name(name, "passthrough_subclass")) return flag(value, o.passthrough_subclass);
  if (is_name(name, "indent")) {
    if (value == Py_None) {
      o.indent = -1;
      return true;
    }
    if (!PyLong_Check(value) || PyBool_Check(value)) {
      PyErr_SetString(PyExc_TypeError, "indent must be an int or None");
      return false;
    }
    const long n = PyLong_AsLong(value);
    if (n == -1 && PyErr_Occurred()) return false;
    if (n < 0 || n > 16) {
      PyErr_SetString(PyExc_ValueError, "indent must be between 0 and 16 (or None)");
      return false;
    }
    o.indent = static_cast<int>(n);
    return true;
  }
  if (is_name(name, "max_depth")) return parse_max_depth(value, encode_depth_ceiling, o.max_depth);
  PyErr_Format(PyExc_TypeError, "unexpected keyword argument '%U'", name);
  return false;
}

bool init_module_state() {
  PyDateTime_IMPORT;
  if (PyDateTimeAPI == nullptr) return false;
  state::datetime_type = PyDateTimeAPI->DateTimeType;
  state::date_type = PyDateTimeAPI->DateType;
  state::time_type = PyDateTimeAPI->TimeType;
  state::encode_error = import_attr("fulmen_json._errors", "JSONEncodeError");
  state::decode_error = import_attr("fulmen_json._errors", "JSONDecodeError");
  state::dataclass_field_marker = import_attr("dataclasses", "_FIELD");
  state::dataclass_fields_cache = PyDict_New();
  if (state::encode_error == nullptr || state::decode_error == nullptr ||
      state::dataclass_field_marker == nullptr || state::dataclass_fields_cache == nullptr) {
    return false;
  }
  return import_type("uuid", "UUID", state::uuid_type) &&
         import_type("decimal", "Decimal", state::decimal_type) &&
         import_type("enum", "EnumMeta", state::enum_meta) &&
         intern("isoformat", state::str_isoformat) && intern("value", state::str_value) &&
         intern("__dataclass_fields__", state::str_dataclass_fields) &&
         intern("_field_type", state::str_field_type) &&
         intern("__pydantic_serializer__", state::str_pydantic_serializer) &&
         intern("model_dump", state::str_model_dump) && intern("mode", state::str_mode) &&
         intern("json", state::str_json);
}

PyMethodDef fast_functions[] = {
    {"dumps", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&dumps)),
     METH_FASTCALL | METH_KEYWORDS,
     "dumps(obj, /, *, default=None, sort_keys=False, indent=None, non_str_keys=False, "
     "nan_as_null=False, append_newline=False, passthrough_subclass=False, max_depth=1024)\n"
     "--\n\n"
     "Serialize ``obj`` to JSON text as UTF-8 bytes."},
    {"loads", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&loads)),
     METH_FASTCALL | METH_KEYWORDS,
     "loads(data, /, *, max_depth=1024)\n--\n\n"
     "Deserialize JSON text (bytes, bytearray, memoryview or str) to a Python object."},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace fulmen::json::py
