// The backtracking matcher behind "tail" routes (a `path` converter, or text and
// parameters mixed in one segment). It reproduces what Python's `re.match` does
// with the regex Starlette compiles for the template:
//   - each converter is greedy and backtracks from its longest match down, in
//     the order Python's engine tries (so the captured values agree too);
//   - the final `$` matches at the end or just before one final '\n';
//   - `.` (the `path` converter) does not match '\n';
//   - a parameter never ends inside a UTF-8 sequence (Python matches code points).
#include <algorithm>

#include "fulmen/router/router.hpp"

namespace fulmen::router {
namespace {

bool is_continuation(char c) noexcept { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool at_end(std::string_view path, std::size_t pos) noexcept {
  return pos == path.size() || (pos + 1 == path.size() && path[pos] == '\n');
}

std::size_t run_until(std::string_view path, std::size_t pos, char stop) noexcept {
  const std::size_t e = path.find(stop, pos);
  return e == std::string_view::npos ? path.size() : e;
}

std::size_t run_digits(std::string_view path, std::size_t pos) noexcept {
  while (pos < path.size() && is_digit(path[pos])) ++pos;
  return pos;
}

struct Matcher {
  std::span<const Atom> atoms;
  std::string_view path;
  std::uint32_t& steps;

  bool at(std::size_t ai, std::size_t pos, Span* caps) noexcept {
    if (steps == 0) return false;
    --steps;
    if (ai == atoms.size()) return at_end(path, pos);
    const Atom& a = atoms[ai];
    if (!a.is_param) {
      return path.substr(pos).starts_with(a.text) && at(ai + 1, pos + a.text.size(), caps);
    }
    auto take = [&](std::size_t end) {
      *caps = Span{static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(end)};
      return at(ai + 1, end, caps + 1);
    };
    switch (a.converter) {
      case Converter::str:
      case Converter::path: {
        const bool is_path = a.converter == Converter::path;
        const std::size_t longest = run_until(path, pos, is_path ? '\n' : '/');
        const std::size_t shortest = is_path ? pos : pos + 1;
        for (std::size_t end = longest + 1; end-- > shortest;) {
          if (end < path.size() && is_continuation(path[end])) continue;
          if (take(end)) return true;
          if (steps == 0) return false;
        }
        return false;
      }
      case Converter::int_: {
        for (std::size_t end = run_digits(path, pos); end > pos; --end) {
          if (take(end)) return true;
          if (steps == 0) return false;
        }
        return false;
      }
      case Converter::float_: {
        // [0-9]+ greedy, then the optional (\.[0-9]+) tried before skipping it.
        for (std::size_t whole = run_digits(path, pos); whole > pos; --whole) {
          if (whole < path.size() && path[whole] == '.') {
            for (std::size_t end = run_digits(path, whole + 1); end > whole + 1; --end) {
              if (take(end)) return true;
              if (steps == 0) return false;
            }
          }
          if (take(whole)) return true;
          if (steps == 0) return false;
        }
        return false;
      }
      case Converter::uuid: {
        const std::size_t n = converter_uuid_prefix(path.substr(pos));
        return n != 0 && take(pos + n);
      }
    }
    return false;
  }
};

}  // namespace

bool match_atoms(std::span<const Atom> atoms, std::string_view path, std::size_t pos, Span* caps,
                 std::uint32_t& steps) noexcept {
  if (pos > path.size()) return false;
  Matcher m{atoms, path, steps};
  return m.at(0, pos, caps);
}

}  // namespace fulmen::router
