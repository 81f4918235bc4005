// The only file of fulmen-router that knows about Python. The native table maps
// paths to integer route ids; the Python `Router` keeps the handles.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string_view.h>

#include "fulmen/router/router.hpp"

namespace nb = nanobind;
using fulmen::router::RouteId;
using fulmen::router::StaticRouter;

NB_MODULE(_core, m) {
  m.doc() = "Native core of fulmen_router.";
  nb::class_<StaticRouter>(m, "StaticTable", "Exact-match table from path to route id.")
      .def(nb::init<>())
      .def("add", &StaticRouter::add, nb::arg("path"), nb::arg("route_id"),
           "Register a path; False if an earlier route already holds it.")
      .def("match", &StaticRouter::match, nb::arg("path"),
           "The route id registered for exactly this path, or None.")
      .def("__len__", &StaticRouter::size);
}
