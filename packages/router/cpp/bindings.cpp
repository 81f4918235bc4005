// The only file of fulmen-router that knows about Python. The C++ core maps a
// path to a route id and parameter spans; this file keeps each route's handle,
// interned parameter names and converters, and turns one lookup into one tuple.
#include <Python.h>
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "fulmen/router/router.hpp"

namespace nb = nanobind;
namespace fr = fulmen::router;

namespace {

// What Python needs per route. `handle` is the caller's object; the rest is
// built once at registration (interned names, the `Allow` tuple).
struct RouteInfo {
  nb::object handle;
  std::vector<nb::object> names;  // interned str, template order
  std::vector<fr::Converter> converters;
  nb::object allowed;  // tuple[str, ...] of the route's methods, registration order
};

[[noreturn]] void raise_template_error(const std::string& message) {
  nb::object cls = nb::module_::import_("fulmen_router._errors").attr("RouteTemplateError");
  PyErr_SetString(cls.ptr(), message.c_str());
  throw nb::python_error();
}

class RouteTable {
 public:
  explicit RouteTable(std::uint32_t max_backtrack_steps)
      : core_(fr::Limits{max_backtrack_steps}) {
    uuid_class_ = nb::module_::import_("uuid").attr("UUID");
    // PERF: the not-found answer is one shared, immutable tuple.
    not_found_ = nb::make_tuple(static_cast<int>(fr::MatchStatus::not_found), nb::none(), nb::none());
    found_ = nb::int_(static_cast<int>(fr::MatchStatus::found));
    not_allowed_ = nb::int_(static_cast<int>(fr::MatchStatus::method_not_allowed));
  }

  std::uint32_t add(std::string_view tmpl, nb::object handle,
                    const std::vector<std::string>& methods) {
    const fr::AddResult r = core_.add(tmpl, methods);
    if (!r.error.empty()) {
      const std::string shown = tmpl.size() > 120 ? std::string(tmpl.substr(0, 120)) + "..." : std::string(tmpl);
      raise_template_error(r.error + " in route template '" + shown + "'");
    }
    RouteInfo info;
    info.handle = std::move(handle);
    for (const fr::Atom& a : core_.atoms(r.id)) {
      if (!a.is_param) continue;
      PyObject* name = PyUnicode_FromStringAndSize(a.text.data(), static_cast<Py_ssize_t>(a.text.size()));
      if (name == nullptr) throw nb::python_error();
      PyUnicode_InternInPlace(&name);  // PERF: dict inserts then compare names by pointer
      info.names.push_back(nb::steal(name));
      info.converters.push_back(a.converter);
    }
    nb::list allowed;
    for (const std::string& m : core_.methods(r.id)) {
      PyObject* name = PyUnicode_FromStringAndSize(m.data(), static_cast<Py_ssize_t>(m.size()));
      if (name == nullptr) throw nb::python_error();
      PyUnicode_InternInPlace(&name);
      nb::object owned = nb::steal(name);
      allowed.append(owned);
      bool known = false;
      for (const KnownMethod& k : method_cache_) known |= k.name.ptr() == name;
      if (!known) {
        KnownMethod k{owned, core_.method_bit(m), ~std::uint64_t{0}, 0};
        if (m.size() <= 8 && PyUnicode_IS_COMPACT_ASCII(name)) {
          k.head = ascii_head(m.data(), m.size());
          k.size = static_cast<std::uint32_t>(m.size());
        }
        method_cache_.push_back(std::move(k));
      }
    }
    info.allowed = nb::tuple(allowed);
    routes_.push_back(std::move(info));
    return r.id;
  }

  // (FOUND, handle, params) | (NOT_FOUND, None, None) | (METHOD_NOT_ALLOWED, allowed, None)
  nb::object match(nb::handle method, nb::handle path) const {
    const std::uint64_t bit = method_bit(method);
    Utf8 p(path, "path");
    fr::MatchResult result;
    core_.match_bit(bit, p.view(), result);
    switch (result.status) {
      case fr::MatchStatus::not_found:
        return not_found_;
      case fr::MatchStatus::method_not_allowed:
        return triple(not_allowed_, routes_[result.route].allowed, nb::none());
      case fr::MatchStatus::found:
        break;
    }
    const RouteInfo& info = routes_[result.route];
    // PERF: sized once for all the route's params (no resize while filling).
    nb::object params = nb::steal(result.param_count == 0
                                      ? PyDict_New()
                                      : _PyDict_NewPresized(static_cast<Py_ssize_t>(result.param_count)));
    if (!params.is_valid()) throw nb::python_error();
    for (std::uint32_t i = 0; i < result.param_count; ++i) {
      const fr::Span s = result.params[i];
      nb::object value = convert(info.converters[i], p.view().substr(s.begin, s.end - s.begin), p);
      if (PyDict_SetItem(params.ptr(), info.names[i].ptr(), value.ptr()) != 0) throw nb::python_error();
    }
    return triple(found_, info.handle, params);
  }

  // The bit of a method in the core's route masks.
  std::uint64_t method_bit(nb::handle method) const {
    // PERF: method names are nearly always interned str ("GET" in source code,
    // and the HTTP layer's constants): one pointer compare finds the bit.
    for (const KnownMethod& k : method_cache_) {
      if (k.name.ptr() == method.ptr()) return k.bit;
    }
    // An equal str that is another object (read from a file, built at run
    // time): its ASCII bytes, packed like the cached names', find the bit.
    PyObject* m = method.ptr();
    if (PyUnicode_Check(m) && PyUnicode_IS_COMPACT_ASCII(m) && PyUnicode_GET_LENGTH(m) <= 8) {
      const auto n = static_cast<std::uint32_t>(PyUnicode_GET_LENGTH(m));
      const std::uint64_t head = ascii_head(static_cast<const char*>(PyUnicode_DATA(m)), n);
      for (const KnownMethod& k : method_cache_) {
        if (k.head == head && k.size == n) return k.bit;
      }
      return 0;  // a short ASCII name no route uses (all such names are cached)
    }
    return core_.method_bit(Utf8(method, "method").view());
  }

  bool path_matches(nb::handle path) const {
    Utf8 p(path, "path");
    return core_.path_matches(p.view());
  }

  void freeze() { core_.freeze(); }
  bool frozen() const { return core_.frozen(); }
  std::size_t size() const { return routes_.size(); }

  // [(is_param, literal text or parameter name, converter name)] for url_path_for.
  nb::list atoms(std::uint32_t id) const {
    if (id >= core_.size()) throw nb::index_error("no such route");
    nb::list out;
    for (const fr::Atom& a : core_.atoms(id)) {
      const std::string_view conv = fr::converter_name(a.converter);
      out.append(nb::make_tuple(a.is_param, nb::str(a.text.data(), a.text.size()),
                                nb::str(conv.data(), conv.size())));
    }
    return out;
  }

  nb::object handle(std::uint32_t id) const {
    if (id >= routes_.size()) throw nb::index_error("no such route");
    return routes_[id].handle;
  }

  nb::object allowed(std::uint32_t id) const {
    if (id >= routes_.size()) throw nb::index_error("no such route");
    return routes_[id].allowed;
  }

  // Garbage-collector support: handles may refer back to the router.
  int traverse(visitproc visit, void* arg) const {
    for (const RouteInfo& r : routes_) Py_VISIT(r.handle.ptr());
    Py_VISIT(uuid_class_.ptr());
    return 0;
  }
  void clear() {
    for (RouteInfo& r : routes_) r.handle = nb::none();
  }

 private:
  // A str argument as UTF-8. Lone surrogates (which a decoded path may hold) go
  // through "surrogatepass" so they match, and come back, as in Starlette.
  class Utf8 {
   public:
    Utf8(nb::handle h, const char* what) {
      if (!PyUnicode_Check(h.ptr())) {
        PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what, Py_TYPE(h.ptr())->tp_name);
        throw nb::python_error();
      }
      Py_ssize_t size = 0;
      if (PyUnicode_IS_COMPACT_ASCII(h.ptr())) {
        // PERF: an ASCII str's characters are its UTF-8 bytes; no call needed.
        data_ = static_cast<const char*>(PyUnicode_DATA(h.ptr()));
        size_ = static_cast<std::size_t>(PyUnicode_GET_LENGTH(h.ptr()));
        ascii_ = true;
        return;
      }
      data_ = PyUnicode_AsUTF8AndSize(h.ptr(), &size);
      if (data_ == nullptr) {
        PyErr_Clear();
        owned_ = nb::steal(PyUnicode_AsEncodedString(h.ptr(), "utf-8", "surrogatepass"));
        if (!owned_.is_valid()) throw nb::python_error();
        data_ = PyBytes_AS_STRING(owned_.ptr());
        size = PyBytes_GET_SIZE(owned_.ptr());
      }
      size_ = static_cast<std::size_t>(size);
    }
    [[nodiscard]] std::string_view view() const { return {data_, size_}; }
    [[nodiscard]] bool surrogates() const { return owned_.is_valid(); }
    // The str was pure ASCII, so every slice of it is too.
    [[nodiscard]] bool ascii() const { return ascii_; }

   private:
    const char* data_ = nullptr;
    std::size_t size_ = 0;
    bool ascii_ = false;
    nb::object owned_;
  };

  static nb::object triple(const nb::object& status, nb::handle a, nb::handle b) {
    PyObject* t = PyTuple_New(3);
    if (t == nullptr) throw nb::python_error();
    PyTuple_SET_ITEM(t, 0, status.inc_ref().ptr());
    PyTuple_SET_ITEM(t, 1, a.inc_ref().ptr());
    PyTuple_SET_ITEM(t, 2, b.inc_ref().ptr());
    return nb::steal(t);
  }

  // PERF: values are short; overlapping fixed-size copies beat a memcpy call.
  static void copy_short(char* dst, std::string_view src) {
    const std::size_t n = src.size();
    const char* p = src.data();
    if (n >= 8 && n <= 16) {
      std::uint64_t a;
      std::uint64_t b;
      std::memcpy(&a, p, 8);
      std::memcpy(&b, p + n - 8, 8);
      std::memcpy(dst, &a, 8);
      std::memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
      std::uint32_t a;
      std::uint32_t b;
      std::memcpy(&a, p, 4);
      std::memcpy(&b, p + n - 4, 4);
      std::memcpy(dst, &a, 4);
      std::memcpy(dst + n - 4, &b, 4);
    } else if (n < 4) {
      for (std::size_t i = 0; i < n; ++i) dst[i] = p[i];
    } else {
      std::memcpy(dst, p, n);
    }
  }

  static PyObject* decode_str(std::string_view text, const Utf8& path) {
    // PERF: an ASCII value (nearly all of them) is copied into a new compact
    // str directly; PyUnicode_DecodeUTF8 costs several times more. An ASCII
    // path (known from the str's kind) needs no check per value.
    bool ascii = path.ascii();
    if (!ascii) {
      ascii = true;
      for (char ch : text) ascii &= static_cast<unsigned char>(ch) < 0x80U;
    }
    if (ascii) {
      PyObject* s = PyUnicode_New(static_cast<Py_ssize_t>(text.size()), 127);
      if (s != nullptr) copy_short(static_cast<char*>(PyUnicode_DATA(s)), text);
      return s;
    }
    return PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()),
                                path.surrogates() ? "surrogatepass" : nullptr);
  }

  nb::object convert(fr::Converter c, std::string_view text, const Utf8& path) const {
    PyObject* out = nullptr;
    switch (c) {
      case fr::Converter::str:
      case fr::Converter::path:
        out = decode_str(text, path);
        break;
      case fr::Converter::int_:
        if (text.size() <= 18) {
          // PERF: short digit runs (all of them in practice) skip PyLong_FromString.
          unsigned long long v = 0;
          for (char ch : text) v = v * 10 + static_cast<unsigned>(ch - '0');
          out = PyLong_FromUnsignedLongLong(v);
        } else {
          const std::string digits(text);
          out = PyLong_FromString(digits.c_str(), nullptr, 10);
        }
        break;
      case fr::Converter::float_: {
        // The same correctly rounded conversion float(str) uses.
        const std::string digits(text);  // short strings stay in the SSO buffer
        const double d = PyOS_string_to_double(digits.c_str(), nullptr, nullptr);
        if (d == -1.0 && PyErr_Occurred()) throw nb::python_error();
        out = PyFloat_FromDouble(d);
        break;
      }
      case fr::Converter::uuid: {
        nb::str s(text.data(), text.size());
        return uuid_class_(s);
      }
    }
    if (out == nullptr) throw nb::python_error();
    return nb::steal(out);
  }

  fr::Router core_;
  std::vector<RouteInfo> routes_;
  nb::object uuid_class_;
  nb::object not_found_;
  nb::object found_;        // the status ints, so a result takes a reference, not a lookup
  nb::object not_allowed_;
  // Every method name the routes use: the interned str, its bit, and (for an
  // ASCII name of at most 8 bytes) its bytes packed in an integer.
  struct KnownMethod {
    nb::object name;
    std::uint64_t bit;
    std::uint64_t head;  // ~0 (no packed str equals it) for other names
    std::uint32_t size;
  };
  // 1 to 8 bytes packed so that, for one length, equal packs mean equal bytes:
  // two overlapping 4-byte loads, or the first, middle and last byte.
  static std::uint64_t ascii_head(const char* p, std::size_t n) {
    if (n >= 4) {
      std::uint32_t lo;
      std::uint32_t hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      return lo | (std::uint64_t{hi} << 32);
    }
    if (n == 0) return 0;
    return static_cast<unsigned char>(p[0]) | (std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
           (std::uint64_t{static_cast<unsigned char>(p[n - 1])} << 16);
  }
  std::vector<KnownMethod> method_cache_;
};

int route_table_traverse(PyObject* self, visitproc visit, void* arg) {
  if (!nb::inst_ready(self)) return 0;
  const RouteTable* t = nb::inst_ptr<RouteTable>(self);
  if (int rc = t->traverse(visit, arg); rc != 0) return rc;
  Py_VISIT(Py_TYPE(self));
  return 0;
}

int route_table_clear(PyObject* self) {
  if (!nb::inst_ready(self)) return 0;
  nb::inst_ptr<RouteTable>(self)->clear();
  return 0;
}

// PERF: `match` is a plain METH_FASTCALL method descriptor rather than a
// nanobind function: a lookup is then one vectorcall with no overload
// resolution or argument casting, which halves the fixed cost of a call.
PyObject* route_table_match(PyObject* self, PyObject* const* args, Py_ssize_t nargs) noexcept {
  if (nargs != 2) {
    PyErr_Format(PyExc_TypeError, "match() takes exactly 2 arguments (method, path), %zd given", nargs);
    return nullptr;
  }
  if (!nb::inst_ready(self)) {
    PyErr_SetString(PyExc_RuntimeError, "RouteTable is not initialised");
    return nullptr;
  }
  try {
    return nb::inst_ptr<RouteTable>(self)->match(args[0], args[1]).release().ptr();
  } catch (nb::python_error& e) {
    e.restore();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return nullptr;
}

PyMethodDef route_table_match_def = {
    "match", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(route_table_match)),
    METH_FASTCALL,
    "match($self, method, path, /)\n--\n\n"
    "Look up a decoded path: (FOUND, handle, params), (NOT_FOUND, None, None) or\n"
    "(METHOD_NOT_ALLOWED, allowed_methods, None)."};

PyType_Slot route_table_slots[] = {{Py_tp_traverse, reinterpret_cast<void*>(route_table_traverse)},
                                   {Py_tp_clear, reinterpret_cast<void*>(route_table_clear)},
                                   {0, nullptr}};

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "Native core of fulmen_router.";
  m.attr("FOUND") = static_cast<int>(fr::MatchStatus::found);
  m.attr("NOT_FOUND") = static_cast<int>(fr::MatchStatus::not_found);
  m.attr("METHOD_NOT_ALLOWED") = static_cast<int>(fr::MatchStatus::method_not_allowed);
  m.attr("MAX_PARAMS") = fr::kMaxParams;
  m.attr("MAX_TEMPLATE_BYTES") = fr::kMaxTemplateBytes;

  auto cls = nb::class_<RouteTable>(m, "RouteTable", nb::type_slots(route_table_slots),
                         "The native route table: templates to handles, first match wins.");
  cls
      .def(nb::init<std::uint32_t>(), nb::kw_only(), nb::arg("max_backtrack_steps") = 100'000)
      .def("add", &RouteTable::add, nb::arg("template"), nb::arg("handle").none(), nb::arg("methods"),
           "Register a route (methods empty: any method); returns its id.")
      .def("path_matches", &RouteTable::path_matches, nb::arg("path"),
           nb::sig("def path_matches(self, path: str, /) -> bool"),
           "Whether any route's template matches the path, whatever its methods.")
      .def("freeze", &RouteTable::freeze, "Make the table read-only.")
      .def_prop_ro("frozen", &RouteTable::frozen)
      .def("atoms", &RouteTable::atoms, nb::arg("route_id"),
           nb::sig("def atoms(self, route_id: int) -> list[tuple[bool, str, str]]"),
           "The parsed template: (is_param, text or name, converter) items.")
      .def("handle", &RouteTable::handle, nb::arg("route_id"),
           nb::sig("def handle(self, route_id: int) -> typing.Any"))
      .def("allowed", &RouteTable::allowed, nb::arg("route_id"),
           nb::sig("def allowed(self, route_id: int) -> tuple[str, ...]"))
      .def("__len__", &RouteTable::size);
  PyObject* match = PyDescr_NewMethod(reinterpret_cast<PyTypeObject*>(cls.ptr()), &route_table_match_def);
  if (match == nullptr) throw nb::python_error();
  cls.attr("match") = nb::steal(match);
}
