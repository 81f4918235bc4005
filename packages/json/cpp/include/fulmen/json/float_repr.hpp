// Shortest round-trip text of a double, laid out exactly as Python's repr(float)
// (and therefore json.dumps) writes it. Python-free.
#pragma once

#include <cstddef>

namespace fulmen::json {

// Longest output: "-2.2250738585072014e-308" is 24 characters; the writer
// needs room past the text for its fixed-size copies (float_repr.cpp).
inline constexpr std::size_t float_repr_max = 48;

// Writes the repr of a finite `value` to `out` (at least float_repr_max bytes)
// and returns the number of bytes written. NaN and infinities are the caller's
// business (JSON has no text for them).
std::size_t write_float_repr(double value, char* out) noexcept;

// The same text, with the digits from std::to_chars: the reference the tests
// check write_float_repr against (and the path of subnormal values).
std::size_t write_float_repr_via_to_chars(double value, char* out) noexcept;

}  // namespace fulmen::json
