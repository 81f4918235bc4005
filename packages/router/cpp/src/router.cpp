#include "fulmen/router/router.hpp"

namespace fulmen::router {

bool StaticRouter::add(std::string_view path, RouteId id) {
  return routes_.try_emplace(std::string(path), id).second;
}

std::optional<RouteId> StaticRouter::match(std::string_view path) const noexcept {
  const auto it = routes_.find(path);
  if (it == routes_.end()) return std::nullopt;
  return it->second;
}

}  // namespace fulmen::router
