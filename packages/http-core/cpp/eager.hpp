// run_eagerly: the first step of a request's coroutine, natively (see eager.cpp).
#pragma once

#include <nanobind/nanobind.h>

namespace fulmen_http_bindings {

void bind_eager(nanobind::module_& m);

}  // namespace fulmen_http_bindings
