// Process-wide references the codec looks up once at import (the interpreter
// keeps them alive; fulmen_json does not support sub-interpreters).
#pragma once

#include <Python.h>

namespace fulmen::json::py::state {

inline PyObject* encode_error = nullptr;  // fulmen_json._errors.JSONEncodeError
inline PyObject* decode_error = nullptr;  // fulmen_json._errors.JSONDecodeError
inline PyTypeObject* datetime_type = nullptr;
inline PyTypeObject* date_type = nullptr;
inline PyTypeObject* time_type = nullptr;
inline PyTypeObject* uuid_type = nullptr;
inline PyTypeObject* decimal_type = nullptr;
inline PyTypeObject* enum_meta = nullptr;  // enum.EnumType: every Enum class is an instance
inline PyObject* dataclass_field_marker = nullptr;  // dataclasses._FIELD
inline PyObject* dataclass_fields_cache = nullptr;  // dict: type -> tuple of field names
inline PyObject* str_isoformat = nullptr;
inline PyObject* str_value = nullptr;
inline PyObject* str_dataclass_fields = nullptr;
inline PyObject* str_field_type = nullptr;
inline PyObject* str_pydantic_serializer = nullptr;
inline PyObject* str_model_dump = nullptr;
inline PyObject* str_mode = nullptr;
inline PyObject* str_json = nullptr;

}  // namespace fulmen::json::py::state
