// The only file of fulmen-json that includes nanobind: the module definition and
// the reusable Encoder / Decoder classes. The work is done by the Python-object
// layer in cpp/python/ (C API only) over the Python-free core in cpp/src/.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>

#include <cstddef>
#include <optional>

#include "python/codec.hpp"

namespace nb = nanobind;
namespace py = fulmen::json::py;

namespace {

// A reusable encoder: options parsed once, output buffer kept between calls.
class Encoder {
 public:
  Encoder(nb::object default_fn, bool sort_keys, std::optional<int> indent, bool non_str_keys,
          bool nan_as_null, bool append_newline, bool passthrough_subclass, std::size_t max_depth)
      : default_(std::move(default_fn)) {
    if (!default_.is_none()) {
      if (!PyCallable_Check(default_.ptr())) throw nb::type_error("default must be callable or None");
      options_.default_fn = default_.ptr();
    }
    if (indent && (*indent < 0 || *indent > 16)) {
      throw nb::value_error("indent must be between 0 and 16 (or None)");
    }
    if (max_depth < 1 || max_depth > py::encode_depth_ceiling) {
      throw nb::value_error("max_depth must be between 1 and 10000");
    }
    options_.sort_keys = sort_keys;
    options_.indent = indent ? *indent : -1;
    options_.non_str_keys = non_str_keys;
    options_.nan_as_null = nan_as_null;
    options_.append_newline = append_newline;
    options_.passthrough_subclass = passthrough_subclass;
    options_.max_depth = max_depth;
  }

  // Cyclic GC support: `default` may refer back to this encoder.
  static int traverse(PyObject* self, visitproc visit, void* arg) {
    Py_VISIT(Py_TYPE(self));
    if (!nb::inst_ready(self)) return 0;
    Py_VISIT(nb::inst_ptr<Encoder>(self)->default_.ptr());
    return 0;
  }
  static int clear(PyObject* self) {
    Encoder* e = nb::inst_ptr<Encoder>(self);
    e->options_.default_fn = nullptr;
    e->default_ = nb::none();
    return 0;
  }

  nb::object encode(nb::handle obj) {
    PyObject* result = nullptr;
    if (busy_) {  // re-entered from a `default` callback
      fulmen::json::Writer own;
      result = py::encode_to_bytes(obj.ptr(), options_, own);
    } else {
      busy_ = true;
      result = py::encode_to_bytes(obj.ptr(), options_, writer_);
      writer_.shrink_if_above(std::size_t{1} << 20);
      busy_ = false;
    }
    if (result == nullptr) throw nb::python_error();
    return nb::steal(result);
  }

 private:
  nb::object default_;  // keeps options_.default_fn alive
  py::EncodeOptions options_;
  fulmen::json::Writer writer_;
  bool busy_ = false;
};

// A reusable decoder: parser buffers kept between calls.
class Decoder {
 public:
  explicit Decoder(std::size_t max_depth) {
    if (max_depth < 1 || max_depth > py::decode_depth_ceiling) {
      throw nb::value_error("max_depth must be between 1 and 1000000");
    }
    options_.max_depth = max_depth;
  }

  nb::object decode(nb::handle data) {
    PyObject* result = nullptr;
    if (busy_) {
      fulmen::json::Reader own;
      result = py::decode(data.ptr(), own, options_);
    } else {
      busy_ = true;
      result = py::decode(data.ptr(), reader_, options_);
      busy_ = false;
    }
    if (result == nullptr) throw nb::python_error();
    return nb::steal(result);
  }

 private:
  fulmen::json::ParseOptions options_;
  fulmen::json::Reader reader_;
  bool busy_ = false;
};

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "Native core of fulmen_json.";
  // The exception classes are defined in Python (fulmen_json/_errors.py) so that
  // they are ordinary, documented, picklable classes.
  if (!py::init_module_state()) throw nb::python_error();
  if (PyModule_AddFunctions(m.ptr(), py::fast_functions) < 0) throw nb::python_error();

  static PyType_Slot encoder_slots[] = {
      {Py_tp_traverse, reinterpret_cast<void*>(&Encoder::traverse)},
      {Py_tp_clear, reinterpret_cast<void*>(&Encoder::clear)},
      {0, nullptr}};
  nb::class_<Encoder>(m, "Encoder", "A reusable JSON encoder (options fixed at construction).",
                      nb::type_slots(encoder_slots))
      .def(nb::init<nb::object, bool, std::optional<int>, bool, bool, bool, bool, std::size_t>(),
           nb::kw_only(), nb::arg("default").none() = nb::none(), nb::arg("sort_keys") = false,
           nb::arg("indent").none() = nb::none(), nb::arg("non_str_keys") = false,
           nb::arg("nan_as_null") = false, nb::arg("append_newline") = false,
           nb::arg("passthrough_subclass") = false, nb::arg("max_depth") = py::default_max_depth,
           nb::sig("def __init__(self, *, default: collections.abc.Callable[[typing.Any], "
                   "typing.Any] | None = None, sort_keys: bool = False, indent: int | None = None, "
                   "non_str_keys: bool = False, nan_as_null: bool = False, "
                   "append_newline: bool = False, passthrough_subclass: bool = False, "
                   "max_depth: int = 1024) -> None"))
      .def("encode", &Encoder::encode, nb::arg("obj").none(),
           nb::sig("def encode(self, obj: object, /) -> bytes"),
           "Serialize ``obj`` to JSON text as UTF-8 bytes.");

  nb::class_<Decoder>(m, "Decoder", "A reusable JSON decoder.")
      .def(nb::init<std::size_t>(), nb::kw_only(), nb::arg("max_depth") = py::default_max_depth,
           nb::sig("def __init__(self, *, max_depth: int = 1024) -> None"))
      .def("decode", &Decoder::decode, nb::arg("data"),
           nb::sig("def decode(self, data: bytes | bytearray | memoryview | str, /) -> typing.Any"),
           "Deserialize JSON text to a Python object.");
}
