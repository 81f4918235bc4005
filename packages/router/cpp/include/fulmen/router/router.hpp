// The route table: a segment trie whose answers are exactly those of trying the
// routes one by one, in registration order, with Starlette's compiled regexes.
//
// Priority. Every trie node records the lowest route id in its subtree. The
// lookup is a depth-first walk over all branches the path can take (a static
// child, and one child per segment converter), keeping the lowest matching id
// found so far and skipping every subtree whose lowest id cannot beat it. So the
// result is the first registered route that matches — never "static beats
// parameter" as in httprouter/matchit.
//
// Shapes. A template is cut at '/' into segments. A segment that is pure text,
// or exactly one `{param}` with a str/int/float/uuid converter, is "simple" and
// lives in the trie. From the first other segment on (a `path` converter, text
// and parameters mixed in one segment) the rest of the route is a "tail": stored
// at the node reached so far and checked there by a small backtracking matcher
// that reproduces Python's `re` semantics for these patterns (greedy, leftmost,
// `$` also matching before one final '\n', '.' not matching '\n').
//
// The core stores route ids only; the Python bindings map ids to handles.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fulmen/router/template.hpp"

namespace fulmen::router {

using RouteId = std::uint32_t;
inline constexpr RouteId kNoRoute = UINT32_MAX;

// PERF: no default member initialisers, so arrays of spans are not zeroed on
// every lookup.
struct Span {
  std::uint32_t begin;
  std::uint32_t end;
};

enum class MatchStatus : std::uint8_t { found = 0, not_found = 1, method_not_allowed = 2 };

// Filled by Router::match. `params` holds the byte spans of the route's
// parameters in template order (valid while the path is alive).
struct MatchResult {
  MatchStatus status = MatchStatus::not_found;
  RouteId route = kNoRoute;  // found: the route; method_not_allowed: the route whose methods to list
  std::uint32_t param_count = 0;
  // PERF: left uninitialised; only the first param_count spans are meaningful.
  std::array<Span, kMaxParams> params;
};

struct Limits {
  // Steps the backtracking matcher may take for one route and one path before
  // it gives up on that route (treats it as not matching). Only templates with
  // several parameters in one segment can need many; this bounds the cost of a
  // hostile path (Python's `re` has no such bound).
  std::uint32_t max_backtrack_steps = 100'000;
  // Distinct method names across all routes (a 64-bit mask per route).
  static constexpr std::size_t max_methods = 64;
};

struct AddResult {
  RouteId id = kNoRoute;
  std::string error;  // empty on success
};

class Router {
 public:
  explicit Router(Limits limits = {}) : limits_(limits) { nodes_.emplace_back(); }

  // Registers a route; `methods` empty means any method (mounts, websockets).
  // Method names are matched exactly (callers upper-case them).
  AddResult add(std::string_view tmpl, std::span<const std::string> methods);

  // After freeze() the table is read-only: add() fails, the memory is trimmed,
  // and lookups only read (safe to share across fork()).
  void freeze();
  [[nodiscard]] bool frozen() const noexcept { return frozen_; }

  // PERF: allocation-free and exception-free; `out` is caller-provided.
  void match(std::string_view method, std::string_view path, MatchResult& out) const noexcept {
    match_bit(method_bit(method), path, out);
  }
  // The same with the method already resolved by method_bit() (callers that
  // cache it per method object skip the name comparison).
  void match_bit(std::uint64_t method_bit, std::string_view path, MatchResult& out) const noexcept;
  // The bit of a method name in the route masks; 0 for a name no route uses.
  [[nodiscard]] std::uint64_t method_bit(std::string_view method) const noexcept;

  // Whether any route's path matches, whatever its methods (redirect_slashes).
  [[nodiscard]] bool path_matches(std::string_view path) const noexcept;

  [[nodiscard]] std::size_t size() const noexcept { return routes_.size(); }
  [[nodiscard]] const std::vector<Atom>& atoms(RouteId id) const { return routes_.at(id).atoms; }
  [[nodiscard]] const std::vector<std::string>& methods(RouteId id) const {
    return routes_.at(id).methods;
  }
  [[nodiscard]] const Limits& limits() const noexcept { return limits_; }

 private:
  using NodeId = std::uint32_t;
  static constexpr NodeId kNoNode = UINT32_MAX;

  struct Tail {
    RouteId route;
    std::vector<Atom> atoms;   // the route from the first non-simple segment on
    std::uint32_t param_count;  // of the whole route
  };
  // A static child's key as the walk compares it: the length and the first
  // (up to) 8 bytes packed in one integer, so a mismatch costs two integer
  // compares; keys longer than 8 bytes then compare their remaining bytes.
  struct StaticKey {
    std::uint64_t head;  // bytes [0, min(size, 8)), little-endian order, zero-padded
    std::uint32_t size;
    NodeId child;
  };
  struct Node {
    std::vector<std::string> static_texts;  // parallel to static_keys
    std::vector<StaticKey> static_keys;
    // PERF: with many static children, an open-addressing table of
    // (segment hash -> index + 1) replaces the scan; empty for small nodes.
    std::vector<std::uint32_t> static_index;
    std::array<NodeId, kSegmentConverters> params{kNoNode, kNoNode, kNoNode, kNoNode};
    std::uint8_t param_mask = 0;  // bit c set: params[c] exists
    bool only_str_param = false;  // no static child, and a `str` parameter child only
    std::vector<RouteId> terminals;  // ascending
    std::vector<Tail> tails;         // ascending by route
    RouteId min_route = kNoRoute;    // lowest id in this subtree
  };
  struct Route {
    std::vector<Atom> atoms;
    std::vector<std::string> methods;
    std::uint64_t method_mask = 0;  // 0: any method
  };
  struct Walk;

  // Routes whose template is plain text live in one hash table keyed by the
  // whole path, not in the trie; the trie holds the others ("dynamic" routes),
  // and its min_route counts only those.
  struct StaticRoute {
    std::string path;
    std::vector<RouteId> ids;  // ascending
    // The lowest dynamic route whose template matches this path, whatever its
    // method (kNoRoute: none). Set by freeze(); 0 before, so that a lookup
    // always walks the trie too. A static route found below it is the answer.
    RouteId first_dynamic = 0;
  };
  static void index_statics(Node& node);
  void add_static(std::string path, RouteId id);
  const StaticRoute* probe_static(Walk& w) const noexcept;
  void walk(Walk& w, NodeId id, std::size_t pos, std::uint32_t ncap) const noexcept;
  void offer(Walk& w, RouteId r, std::uint32_t ncap) const noexcept;
  void offer_terminals(Walk& w, NodeId node, std::uint32_t count) const noexcept;
  void match_tails(Walk& w, const Node& node, std::size_t pos, std::uint32_t ncap) const noexcept;
  void search(Walk& w) const noexcept;

  Limits limits_;
  bool frozen_ = false;
  std::vector<Node> nodes_;
  std::vector<Route> routes_;
  std::vector<std::string> method_names_;
  std::vector<StaticRoute> static_routes_;
  std::vector<std::uint32_t> static_slots_;  // open addressing: index + 1, 0 = empty
  // PERF: a 512-bit filter of (length, second byte, last byte) of the static
  // paths: most dynamic lookups skip hashing the whole path.
  std::array<std::uint64_t, 8> static_filter_{};
};

// Whether `atoms` match all of `path[pos:]` the way Python's re.match with the
// compiled template regex (anchored by `$`) would, writing the parameter spans
// from `caps` on. `steps` counts down the backtracking budget.
bool match_atoms(std::span<const Atom> atoms, std::string_view path, std::size_t pos, Span* caps,
                 std::uint32_t& steps) noexcept;

}  // namespace fulmen::router
