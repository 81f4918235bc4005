#include "fulmen/router/template.hpp"

#include <algorithm>

namespace fulmen::router {
namespace {

bool is_name_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) noexcept { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_identifier(std::string_view s) noexcept {
  return !s.empty() && is_name_start(s.front()) && std::all_of(s.begin() + 1, s.end(), is_name_char);
}
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool parse_converter(std::string_view name, Converter& out) noexcept {
  if (name == "str") out = Converter::str;
  else if (name == "int") out = Converter::int_;
  else if (name == "float") out = Converter::float_;
  else if (name == "uuid") out = Converter::uuid;
  else if (name == "path") out = Converter::path;
  else return false;
  return true;
}

// Length of the uuid regex's match at the start of `s`, or 0. The regex
// (hex{8} -? hex{4} -? hex{4} -? hex{4} -? hex{12}) has exactly one way to
// match: an optional '-' is taken when present, since '-' is never a hex digit.
std::size_t uuid_prefix(std::string_view s) noexcept {
  static constexpr std::size_t groups[] = {8, 4, 4, 4, 12};
  std::size_t i = 0;
  for (std::size_t g = 0; g < 5; ++g) {
    if (g > 0 && i < s.size() && s[i] == '-') ++i;
    for (std::size_t k = 0; k < groups[g]; ++k, ++i) {
      if (i >= s.size() || !is_hex(s[i])) return 0;
    }
  }
  return i;
}

}  // namespace

std::string_view converter_name(Converter c) noexcept {
  switch (c) {
    case Converter::str: return "str";
    case Converter::int_: return "int";
    case Converter::float_: return "float";
    case Converter::uuid: return "uuid";
    case Converter::path: return "path";
  }
  return "?";
}

bool converter_accepts(Converter c, std::string_view text) noexcept {
  switch (c) {
    case Converter::str:
      return !text.empty() && text.find('/') == std::string_view::npos;
    case Converter::path:
      return text.find('\n') == std::string_view::npos;
    case Converter::int_:
      return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
    case Converter::float_: {
      std::size_t i = 0;
      while (i < text.size() && is_digit(text[i])) ++i;
      if (i == 0) return false;
      if (i == text.size()) return true;
      if (text[i] != '.' || i + 1 == text.size()) return false;
      return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i) + 1, text.end(), is_digit);
    }
    case Converter::uuid:
      return uuid_prefix(text) == text.size() && !text.empty();
  }
  return false;
}

std::size_t converter_uuid_prefix(std::string_view s) noexcept { return uuid_prefix(s); }

ParsedTemplate parse_template(std::string_view tmpl) {
  ParsedTemplate out;
  auto fail = [&](std::string message) {
    out.atoms.clear();
    out.error = std::move(message);
    return out;
  };
  if (tmpl.size() > kMaxTemplateBytes) {
    return fail("route template is longer than " + std::to_string(kMaxTemplateBytes) + " bytes");
  }
  if (tmpl.empty() || tmpl.front() != '/') return fail("route template must start with '/'");

  std::size_t params = 0;
  auto add_literal = [&](std::string_view text) {
    if (text.empty()) return;
    if (!out.atoms.empty() && !out.atoms.back().is_param) {
      out.atoms.back().text += text;
    } else {
      out.atoms.push_back(Atom{false, Converter::str, std::string(text)});
    }
  };

  std::size_t i = 0;
  while (i < tmpl.size()) {
    const std::size_t open = tmpl.find_first_of("{}", i);
    if (open == std::string_view::npos) {
      add_literal(tmpl.substr(i));
      break;
    }
    if (tmpl[open] == '}') return fail("unbalanced '}' at offset " + std::to_string(open));
    add_literal(tmpl.substr(i, open - i));
    const std::size_t close = tmpl.find_first_of("{}", open + 1);
    if (close == std::string_view::npos || tmpl[close] == '{') {
      return fail("unbalanced '{' at offset " + std::to_string(open));
    }
    const std::string_view body = tmpl.substr(open + 1, close - open - 1);
    const std::size_t colon = body.find(':');
    const std::string_view name = body.substr(0, colon);
    if (!is_identifier(name)) {
      return fail("invalid parameter name '" + std::string(name) +
                  "' (expected a Python identifier of ASCII letters, digits and '_')");
    }
    Converter conv = Converter::str;
    if (colon != std::string_view::npos) {
      const std::string_view conv_name = body.substr(colon + 1);
      if (!parse_converter(conv_name, conv)) {
        return fail("unknown converter '" + std::string(conv_name) + "' for parameter '" +
                    std::string(name) + "' (expected str, int, float, uuid or path)");
      }
    }
    for (const Atom& a : out.atoms) {
      if (a.is_param && a.text == name) {
        return fail("repeated parameter name '" + std::string(name) + "'");
      }
    }
    if (++params > kMaxParams) {
      return fail("more than " + std::to_string(kMaxParams) + " parameters");
    }
    out.atoms.push_back(Atom{true, conv, std::string(name)});
    i = close + 1;
  }
  return out;
}

}  // namespace fulmen::router
