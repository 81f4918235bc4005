// The route table. This first piece matches static paths exactly; parameters,
// converters and the radix trie build on it (see the package CHANGELOG).
// It stores only route ids: the bindings map ids to Python handles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fulmen::router {

using RouteId = std::uint32_t;

// Transparent hashing lets lookups take a string_view without allocating.
struct PathHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

class StaticRouter {
 public:
  // Registers `path` for route `id`. FastAPI's rule is "the first registered
  // route that matches wins", so a later duplicate is kept out of the table.
  // Returns false when the path was already taken (the earlier route wins).
  bool add(std::string_view path, RouteId id);

  [[nodiscard]] std::optional<RouteId> match(std::string_view path) const noexcept;

  [[nodiscard]] std::size_t size() const noexcept { return routes_.size(); }

 private:
  std::unordered_map<std::string, RouteId, PathHash, std::equal_to<>> routes_;
};

}  // namespace fulmen::router
