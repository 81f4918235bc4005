// Why: the server steps each request's coroutine itself up to its first real
// suspension (fulmen_http/_eager.py: no Task for handlers that never wait).
// Done in Python, that is `context.run(coro.send, None)` and a caught
// StopIteration per request; here PyIter_Send reports the return value without
// an exception object, inside a fresh copy of the caller's context, as a Task
// would run it.
#include "eager.hpp"

namespace nb = nanobind;

namespace fulmen_http_bindings {

namespace {

// Runs `coro` in `context` until it returns, raises or first yields. Returns
// None when it finished (after calling on_done(value, None) or
// on_done(None, exception)), else a 1-tuple of what it yielded (None for a
// bare yield), for the caller's Task to wait on.
nb::object run_eagerly(nb::handle context, nb::handle coro, nb::handle on_done) {
  if (!PyContext_CheckExact(context.ptr())) throw nb::type_error("context: a Context");
  if (PyContext_Enter(context.ptr()) != 0) throw nb::python_error();
  PyObject* result = nullptr;
  const PySendResult status = PyIter_Send(coro.ptr(), Py_None, &result);
  PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
  if (status == PYGEN_ERROR) PyErr_Fetch(&type, &value, &traceback);
  if (PyContext_Exit(context.ptr()) != 0) {
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    Py_XDECREF(result);
    throw nb::python_error();
  }
  if (status == PYGEN_NEXT) return nb::make_tuple(nb::steal(result));
  if (status == PYGEN_RETURN) {
    on_done(nb::steal(result), nb::none());
    return nb::none();
  }
  // The coroutine raised: hand the exception over, as `except BaseException` would.
  PyErr_NormalizeException(&type, &value, &traceback);
  if (traceback != nullptr) PyException_SetTraceback(value, traceback);
  Py_XDECREF(type);
  Py_XDECREF(traceback);
  on_done(nb::none(), nb::steal(value));
  return nb::none();
}

}  // namespace

void bind_eager(nb::module_& m) {
  m.def("run_eagerly", &run_eagerly, nb::arg("context"), nb::arg("coro"), nb::arg("on_done"),
        nb::sig("def run_eagerly(context: contextvars.Context, coro: "
                "collections.abc.Coroutine[typing.Any, typing.Any, typing.Any], on_done: "
                "collections.abc.Callable[[typing.Any, BaseException | None], None]) -> "
                "tuple[typing.Any] | None"),
        "Run ``coro`` in ``context`` until it finishes or first yields. Finished: "
        "calls ``on_done(value, None)`` or ``on_done(None, exc)`` and returns None; "
        "suspended: returns ``(yielded,)``.");
}

}  // namespace fulmen_http_bindings
