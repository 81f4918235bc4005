// A minimal assertion harness for the C++-only unit tests of the native cores.
// The tests are built and run by tools/sanitize under ASan + UBSan + LSan; they
// exist because leaks cannot be checked from inside CPython.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace fulmen::check {

inline int failures = 0;

inline void report(bool ok, const char* expr, const char* file, int line) {
  if (!ok) {
    ++failures;
    std::fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
  }
}

inline int finish(const char* suite) {
  if (failures != 0) {
    std::fprintf(stderr, "%s: %d check(s) failed\n", suite, failures);
    return EXIT_FAILURE;
  }
  std::printf("%s: all checks passed\n", suite);
  return EXIT_SUCCESS;
}

}  // namespace fulmen::check

#define FULMEN_CHECK(expr) ::fulmen::check::report(static_cast<bool>(expr), #expr, __FILE__, __LINE__)
#define FULMEN_CHECK_EQ(a, b) ::fulmen::check::report((a) == (b), #a " == " #b, __FILE__, __LINE__)
