// The Python-object layer of fulmen-json: walks Python objects into the C++
// Writer (encode) and builds Python objects from the C++ Reader's events
// (decode). It uses the CPython C API only; nanobind stays in bindings.cpp.
#pragma once

#include <Python.h>

#include <cstddef>

#include "fulmen/json/reader.hpp"
#include "fulmen/json/writer.hpp"

namespace fulmen::json::py {

// Hard ceiling for EncodeOptions::max_depth: the encoder recurses on the C
// stack (about 200 bytes a level), so 10,000 levels stay far inside a thread's stack.
inline constexpr std::size_t encode_depth_ceiling = 10'000;
// The decoder keeps its own heap stack, so its ceiling is only a memory bound.
inline constexpr std::size_t decode_depth_ceiling = 1'000'000;
inline constexpr std::size_t default_max_depth = 1024;

struct EncodeOptions {
  PyObject* default_fn = nullptr;  // borrowed; nullptr when None
  bool sort_keys = false;
  bool non_str_keys = false;
  bool nan_as_null = false;
  bool append_newline = false;
  bool passthrough_subclass = false;
  int indent = -1;  // -1: compact; n >= 0: json.dumps(indent=n) layout
  std::size_t max_depth = default_max_depth;
};

// Looks up the types and names the codec needs (datetime, uuid, decimal, enum,
// the error classes). Returns false with a Python error set.
bool init_module_state();

// Encodes `obj` into `out` (cleared first). Returns false with a Python error set.
bool encode(PyObject* obj, const EncodeOptions& options, Writer& out);

// Returns a new reference to the bytes of `obj` encoded, or nullptr with an error set.
// `scratch` is used as the output buffer (its capacity is kept for reuse).
PyObject* encode_to_bytes(PyObject* obj, const EncodeOptions& options, Writer& scratch);

// Decodes `data` (bytes, bytearray, memoryview or str). Returns a new reference
// or nullptr with an error set (JSONDecodeError for bad input).
PyObject* decode(PyObject* data, Reader& reader, const ParseOptions& options);

// Parses the keyword-only options shared by dumps() and Encoder(); the names
// are those of the Python signature. Returns false with a TypeError set.
bool parse_encode_option(PyObject* name, PyObject* value, EncodeOptions& options);
bool parse_max_depth(PyObject* value, std::size_t ceiling, std::size_t& out);

// The module-level fast functions (METH_FASTCALL | METH_KEYWORDS).
extern PyMethodDef fast_functions[];

}  // namespace fulmen::json::py
