// Why: the server makes one Request per HTTP request, an object of ~30 slots.
// Built in Python (__init__ unpacking the parsed head and storing every field)
// that costs about as much as parsing the request; here the slot offsets are
// looked up once per class, and each instance is one allocation plus pointer
// stores. The class is the ordinary Python class: its methods, subclasses and
// slot descriptors work as usual; only __init__ is not run.
#include "slot_factory.hpp"

#include <descrobject.h>
#include <structmember.h>

#include <string>
#include <utility>
#include <vector>

namespace nb = nanobind;

namespace fulmen_http_bindings {

namespace {

// The byte offset of the writable object slot `name` of `type` (a __slots__
// entry of it or of a base), or a clear error.
Py_ssize_t slot_offset(PyTypeObject* type, nb::handle name) {
  nb::object descr = nb::steal(PyObject_GetAttr(reinterpret_cast<PyObject*>(type), name.ptr()));
  if (!descr.is_valid()) throw nb::python_error();
  if (!Py_IS_TYPE(descr.ptr(), &PyMemberDescr_Type))
    throw nb::type_error(("'" + std::string(nb::str(name).c_str()) + "' is not a __slots__ entry")
                             .c_str());
  auto* member = reinterpret_cast<PyMemberDescrObject*>(descr.ptr());
  const PyMemberDef* def = member->d_member;
  if (def->type != T_OBJECT_EX || (def->flags & READONLY) != 0 ||
      !PyType_IsSubtype(type, member->d_common.d_type))
    throw nb::type_error(
        ("'" + std::string(nb::str(name).c_str()) + "' is not a writable object slot").c_str());
  return def->offset;
}

class SlotFactory {
 public:
  SlotFactory(nb::type_object cls, nb::sequence head_fields, nb::sequence fields,
              nb::dict defaults)
      : cls_(std::move(cls)) {
    auto* type = reinterpret_cast<PyTypeObject*>(cls_.ptr());
    if ((type->tp_flags & Py_TPFLAGS_HEAPTYPE) == 0)
      throw nb::type_error("SlotFactory needs a class defined in Python");
    for (nb::handle name : head_fields) head_offsets_.push_back(slot_offset(type, name));
    for (nb::handle name : fields) value_offsets_.push_back(slot_offset(type, name));
    for (auto [name, value] : defaults) {
      default_offsets_.push_back(slot_offset(type, name));
      default_values_.push_back(nb::borrow(value));
    }
  }

  // An instance with the items of `head` in the head fields, `values` (the
  // rest of `args`) in the other fields, and the shared defaults in theirs.
  PyObject* make(PyObject* args) const {
    const Py_ssize_t given = PyTuple_GET_SIZE(args);
    if (given != static_cast<Py_ssize_t>(1 + value_offsets_.size())) {
      PyErr_Format(PyExc_TypeError, "SlotFactory takes the head and %zd field values, not %zd",
                   static_cast<Py_ssize_t>(value_offsets_.size()), given - 1);
      return nullptr;
    }
    PyObject* head = PyTuple_GET_ITEM(args, 0);
    // The head may carry more items than the factory stores (the leading ones are used).
    if (!PyTuple_Check(head) ||
        PyTuple_GET_SIZE(head) < static_cast<Py_ssize_t>(head_offsets_.size())) {
      PyErr_Format(PyExc_TypeError, "head: a tuple of at least %zd items was expected",
                   static_cast<Py_ssize_t>(head_offsets_.size()));
      return nullptr;
    }
    if (!cls_.is_valid()) {
      PyErr_SetString(PyExc_RuntimeError, "SlotFactory was cleared");
      return nullptr;
    }
    auto* type = reinterpret_cast<PyTypeObject*>(cls_.ptr());
    PyObject* obj = type->tp_alloc(type, 0);  // zeroed: every slot starts unset (NULL)
    if (obj == nullptr) return nullptr;
    auto* base = reinterpret_cast<char*>(obj);
    auto store = [base](Py_ssize_t offset, PyObject* value) {
      // A fresh object: the slot is NULL, nothing to release.
      *reinterpret_cast<PyObject**>(base + offset) = Py_NewRef(value);
    };
    for (std::size_t i = 0; i < head_offsets_.size(); ++i)
      store(head_offsets_[i], PyTuple_GET_ITEM(head, static_cast<Py_ssize_t>(i)));
    for (std::size_t i = 0; i < value_offsets_.size(); ++i)
      store(value_offsets_[i], PyTuple_GET_ITEM(args, static_cast<Py_ssize_t>(i + 1)));
    for (std::size_t i = 0; i < default_offsets_.size(); ++i)
      store(default_offsets_[i], default_values_[i].ptr());
    return obj;
  }

  // For the garbage collector (tp_traverse / tp_clear below): the references
  // this object holds, so that a cycle through the class can be collected.
  int traverse(visitproc visit, void* arg) const {
    Py_VISIT(cls_.ptr());
    for (const nb::object& value : default_values_) Py_VISIT(value.ptr());
    return 0;
  }
  void clear() {
    cls_.reset();
    default_values_.clear();
    head_offsets_.clear();
    value_offsets_.clear();
    default_offsets_.clear();
  }

 private:
  nb::object cls_;
  std::vector<Py_ssize_t> head_offsets_;
  std::vector<Py_ssize_t> value_offsets_;
  std::vector<Py_ssize_t> default_offsets_;
  std::vector<nb::object> default_values_;
};

// PERF: the type's own tp_call, so that a call is not routed through a
// Python-level __call__ lookup and nanobind's overload dispatch.
PyObject* slot_factory_call(PyObject* self, PyObject* args, PyObject* kwargs) {
  if (kwargs != nullptr && PyDict_GET_SIZE(kwargs) != 0) {
    PyErr_SetString(PyExc_TypeError, "SlotFactory takes no keyword arguments");
    return nullptr;
  }
  return nb::inst_ptr<SlotFactory>(self)->make(args);
}

int slot_factory_traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));  // heap-type instances own a reference to their type
  if (!nb::inst_ready(self)) return 0;
  return nb::inst_ptr<SlotFactory>(self)->traverse(visit, arg);
}

int slot_factory_clear(PyObject* self) {
  if (nb::inst_ready(self)) nb::inst_ptr<SlotFactory>(self)->clear();
  return 0;
}

PyType_Slot slot_factory_slots[] = {
    {Py_tp_call, reinterpret_cast<void*>(slot_factory_call)},
    {Py_tp_traverse, reinterpret_cast<void*>(slot_factory_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(slot_factory_clear)},
    {0, nullptr}};

}  // namespace

void bind_slot_factory(nb::module_& m) {
  nb::class_<SlotFactory>(
      m, "SlotFactory", nb::type_slots(slot_factory_slots),
      "Builds instances of a class with __slots__ without running __init__:\n"
      "``SlotFactory(cls, head_fields, fields, defaults)(head, *values)`` sets\n"
      "``head_fields`` from the leading items of the tuple ``head``, ``fields`` from ``values`` and\n"
      "each ``defaults`` entry (shared by every instance: keep them immutable).")
      .def(nb::init<nb::type_object, nb::sequence, nb::sequence, nb::dict>(), nb::arg("cls"),
           nb::arg("head_fields"), nb::arg("fields"), nb::arg("defaults"),
           nb::sig("def __init__(self, cls: type, head_fields: collections.abc.Sequence[str], "
                   "fields: collections.abc.Sequence[str], defaults: dict[str, object]) -> None"));
}

}  // namespace fulmen_http_bindings
