// SlotFactory: builds instances of a Python class with __slots__ in one native
// call, without running __init__ (see slot_factory.cpp).
#pragma once

#include <nanobind/nanobind.h>

namespace fulmen_http_bindings {

void bind_slot_factory(nanobind::module_& m);

}  // namespace fulmen_http_bindings
