// The only file of fulmen-json that knows about Python: it walks Python objects
// and drives the Python-free Writer. Kept thin on purpose.
#include <nanobind/nanobind.h>

#include <cstdint>

#include "fulmen/json/writer.hpp"

namespace nb = nanobind;

namespace {

// fulmen_json._errors.JSONEncodeError, looked up once at import. The module
// holds a strong reference for the life of the process.
PyObject* encode_error_type = nullptr;

[[noreturn]] void raise_encode_error(const char* message) {
  PyErr_SetString(encode_error_type, message);
  throw nb::python_error();
}

void encode_value(fulmen::json::Writer& out, PyObject* obj) {
  if (obj == Py_None) {
    out.null();
  } else if (obj == Py_True || obj == Py_False) {
    out.boolean(obj == Py_True);
  } else if (PyLong_CheckExact(obj)) {
    int overflow = 0;
    const long long value = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow == 0) {
      out.integer(value);
    } else if (overflow > 0) {
      const unsigned long long u = PyLong_AsUnsignedLongLong(obj);
      if (u == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
        PyErr_Clear();
        raise_encode_error("Integer exceeds 64-bit range");
      }
      out.unsigned_integer(u);
    } else {
      raise_encode_error("Integer exceeds 64-bit range");
    }
  } else if (PyUnicode_CheckExact(obj)) {
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(obj, &size);
    if (utf8 == nullptr) {
      // Lone surrogates cannot be represented in UTF-8, hence not in JSON text.
      PyErr_Clear();
      raise_encode_error("str is not valid UTF-8: surrogates not allowed");
    }
    out.string({utf8, static_cast<std::size_t>(size)});
  } else {
    PyErr_Format(encode_error_type, "Type is not JSON serializable: %s", Py_TYPE(obj)->tp_name);
    throw nb::python_error();
  }
}

nb::bytes dumps(nb::handle obj) {
  fulmen::json::Writer out;
  encode_value(out, obj.ptr());
  const auto text = out.view();
  return nb::bytes(text.data(), text.size());
}

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "Native core of fulmen_json.";
  // The exception classes are defined in Python (fulmen_json/_errors.py) so that
  // they are ordinary, documented, picklable classes.
  encode_error_type =
      nb::object(nb::module_::import_("fulmen_json._errors").attr("JSONEncodeError")).release().ptr();
  m.def("dumps", &dumps, nb::arg("obj").none(),
        nb::sig("def dumps(obj: object, /) -> bytes"),
        "Serialize ``obj`` to JSON text as UTF-8 bytes.");
}
