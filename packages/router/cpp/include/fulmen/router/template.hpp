// Route templates in Starlette/FastAPI syntax: "/users/{user_id:int}".
//
// A template is parsed once, at registration, into atoms (literal text and
// typed parameters). Parsing is stricter than Starlette's: a brace that is not
// part of a well-formed `{name}` / `{name:converter}` is an error here, where
// Starlette would silently treat it as literal text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fulmen::router {

// The converters of starlette/convertors.py (Starlette 1.10), with the same
// regular expressions:
//   str   [^/]+            path  .*  (any character but '\n', slashes included)
//   int   [0-9]+           float [0-9]+(\.[0-9]+)?
//   uuid  [0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}
enum class Converter : std::uint8_t { str = 0, int_ = 1, float_ = 2, uuid = 3, path = 4 };

inline constexpr std::size_t kSegmentConverters = 4;  // all but `path` stay inside a segment

struct Atom {
  bool is_param = false;
  Converter converter = Converter::str;
  std::string text;  // the literal text, or the parameter's name
};

struct ParsedTemplate {
  std::vector<Atom> atoms;  // adjacent literals are merged
  std::string error;        // empty when the template is valid
  [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

// Limits enforced at registration (documented in docs/packages/router.md).
inline constexpr std::size_t kMaxParams = 32;              // parameters per template
inline constexpr std::size_t kMaxTemplateBytes = 8 * 1024;  // template length

// Parses `tmpl`. Errors: no leading '/', unbalanced or stray braces, an invalid
// parameter name, an unknown converter, a repeated parameter name, too many
// parameters, an over-long template.
[[nodiscard]] ParsedTemplate parse_template(std::string_view tmpl);

[[nodiscard]] std::string_view converter_name(Converter c) noexcept;

// Whether `text` is entirely matched by the converter's regular expression.
[[nodiscard]] bool converter_accepts(Converter c, std::string_view text) noexcept;

// Length of the uuid converter's (only possible) match at the start of `s`, or 0.
[[nodiscard]] std::size_t converter_uuid_prefix(std::string_view s) noexcept;

}  // namespace fulmen::router
