// libFuzzer target (tools/fuzz router): the input is route templates, one per
// line, then a NUL byte, then a path. Every template is registered (invalid ones
// must be rejected cleanly), the path is looked up, and the trie's answer is
// checked against the plain linear scan: the lowest route whose whole template
// matches (match_atoms from the start) and whose methods allow the request.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fulmen/router/router.hpp"

using namespace fulmen::router;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  if (nul == std::string_view::npos) return 0;
  std::string_view templates = input.substr(0, nul);
  const std::string_view path = input.substr(nul + 1);

  Router router(Limits{1'000'000});
  const std::vector<std::string> get{"GET"};
  const std::vector<std::string> post{"POST"};
  const std::vector<std::string> any;
  std::size_t line = 0;
  while (!templates.empty() && line < 16) {
    const std::size_t eol = templates.find('\n');
    const std::string_view tmpl = templates.substr(0, eol);
    const auto& methods = line % 3 == 0 ? any : (line % 3 == 1 ? get : post);
    (void)router.add(tmpl, methods);
    ++line;
    if (eol == std::string_view::npos) break;
    templates.remove_prefix(eol + 1);
  }

  MatchResult got;
  router.match("GET", path, got);

  // The linear reference.
  RouteId full = kNoRoute, partial = kNoRoute;
  for (RouteId r = 0; r < router.size(); ++r) {
    Span caps[kMaxParams];
    std::uint32_t steps = 1'000'000;
    if (!match_atoms(router.atoms(r), path, 0, caps, steps)) continue;
    const auto& ms = router.methods(r);
    const bool allowed = ms.empty() || (ms.size() == 1 && ms[0] == "GET");
    if (allowed) {
      full = r;
      break;
    }
    if (partial == kNoRoute) partial = r;
  }
  if (full != kNoRoute) {
    if (got.status != MatchStatus::found || got.route != full) std::abort();
  } else if (partial != kNoRoute) {
    if (got.status != MatchStatus::method_not_allowed || got.route != partial) std::abort();
  } else if (got.status != MatchStatus::not_found) {
    std::abort();
  }
  if (router.path_matches(path) != (full != kNoRoute || partial != kNoRoute)) std::abort();
  return 0;
}
