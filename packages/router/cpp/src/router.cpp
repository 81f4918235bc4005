#include "fulmen/router/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace fulmen::router {
namespace {

using Segment = std::vector<Atom>;

// Cuts a parsed template (which starts with '/') into its '/'-separated segments.
std::vector<Segment> split_segments(const std::vector<Atom>& atoms) {
  std::vector<Segment> segments(1);
  bool leading = true;
  for (const Atom& a : atoms) {
    if (a.is_param) {
      segments.back().push_back(a);
      continue;
    }
    std::string_view text = a.text;
    if (leading) text.remove_prefix(1);  // the template's leading '/'
    leading = false;
    for (;;) {
      const std::size_t slash = text.find('/');
      const std::string_view piece = text.substr(0, slash);
      if (!piece.empty()) segments.back().push_back(Atom{false, Converter::str, std::string(piece)});
      if (slash == std::string_view::npos) break;
      segments.emplace_back();
      text.remove_prefix(slash + 1);
    }
  }
  return segments;
}

bool is_static(const Segment& s) noexcept { return s.empty() || (s.size() == 1 && !s[0].is_param); }
bool is_simple_param(const Segment& s) noexcept {
  return s.size() == 1 && s[0].is_param && s[0].converter != Converter::path;
}

// PERF: an inline compare for the short keys of path segments (the tags
// already matched length and first byte).
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  for (std::size_t i = 1; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

constexpr std::size_t kIndexedStatics = 6;  // more static children than this: hash them

inline std::uint32_t fnv1a(std::string_view s) noexcept {
  std::uint32_t h = 2166136261U;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619U;
  return h;
}

std::uint32_t static_tag(std::string_view key) noexcept {
  const std::uint32_t first = key.empty() ? 0U : static_cast<unsigned char>(key.front());
  return static_cast<std::uint32_t>(key.size() << 8) | first;
}

void append_atom(std::vector<Atom>& out, const Atom& a) {
  if (!a.is_param && !out.empty() && !out.back().is_param) {
    out.back().text += a.text;
  } else {
    out.push_back(a);
  }
}

}  // namespace

struct Router::Walk {
  std::string_view path;
  std::uint64_t method_bit = 0;
  bool tails = true;  // false on the second walk (see match)
  std::uint32_t max_steps = 0;
  RouteId best_full = kNoRoute;  // lowest route matching path and method
  RouteId best_any = kNoRoute;   // lowest route matching the path
  std::uint32_t best_count = 0;
  Span* best_caps = nullptr;
  std::array<Span, kMaxParams> caps;  // PERF: not zeroed; written before read
};

std::uint64_t Router::method_bit(std::string_view method) const noexcept {
  for (std::size_t i = 0; i < method_names_.size(); ++i) {
    if (method_names_[i] == method) return std::uint64_t{1} << i;
  }
  return 0;  // a method no route names: only routes open to any method accept it
}

AddResult Router::add(std::string_view tmpl, std::span<const std::string> methods) {
  if (frozen_) return {kNoRoute, "the router is frozen; no route can be added"};
  if (routes_.size() >= kNoRoute - 1) return {kNoRoute, "too many routes"};
  ParsedTemplate parsed = parse_template(tmpl);
  if (!parsed.ok()) return {kNoRoute, std::move(parsed.error)};

  Route route;
  for (const std::string& m : methods) {
    if (m.empty()) return {kNoRoute, "empty method name"};
    if (std::find(route.methods.begin(), route.methods.end(), m) != route.methods.end()) continue;
    auto known = std::find(method_names_.begin(), method_names_.end(), m);
    if (known == method_names_.end()) {
      if (method_names_.size() >= Limits::max_methods) {
        return {kNoRoute, "more than 64 distinct method names"};
      }
      method_names_.push_back(m);
      known = method_names_.end() - 1;
    }
    route.method_mask |= std::uint64_t{1} << (known - method_names_.begin());
    route.methods.push_back(m);
  }

  const auto id = static_cast<RouteId>(routes_.size());
  const std::vector<Segment> segments = split_segments(parsed.atoms);
  route.atoms = std::move(parsed.atoms);
  routes_.push_back(std::move(route));

  NodeId node = 0;
  std::uint32_t params_before = 0;
  auto touch = [&](NodeId n) {
    if (nodes_[n].min_route == kNoRoute) nodes_[n].min_route = id;  // ids only grow
  };
  touch(node);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& seg = segments[i];
    NodeId child = kNoNode;
    if (is_static(seg)) {
      const std::string key = seg.empty() ? std::string() : seg[0].text;
      for (const auto& [k, c] : nodes_[node].statics) {
        if (k == key) child = c;
      }
      if (child == kNoNode) {
        child = static_cast<NodeId>(nodes_.size());
        nodes_.emplace_back();
        nodes_[node].statics.emplace_back(key, child);
        nodes_[node].static_tags.push_back(static_tag(key));
        index_statics(nodes_[node]);
      }
    } else if (is_simple_param(seg)) {
      const auto slot = static_cast<std::size_t>(seg[0].converter);
      child = nodes_[node].params[slot];
      if (child == kNoNode) {
        child = static_cast<NodeId>(nodes_.size());
        nodes_.emplace_back();
        nodes_[node].params[slot] = child;
        nodes_[node].param_mask = static_cast<std::uint8_t>(nodes_[node].param_mask | (1U << slot));
      }
      ++params_before;
    } else {
      // The rest of the route, from this segment on, is checked by match_atoms.
      Tail tail{id, {}, params_before};
      for (std::size_t j = i; j < segments.size(); ++j) {
        if (j > i) append_atom(tail.atoms, Atom{false, Converter::str, "/"});
        for (const Atom& a : segments[j]) {
          append_atom(tail.atoms, a);
          tail.param_count += a.is_param ? 1U : 0U;
        }
      }
      nodes_[node].tails.push_back(std::move(tail));
      return {id, {}};
    }
    node = child;
    touch(node);
  }
  nodes_[node].terminals.push_back(id);
  return {id, {}};
}

void Router::index_statics(Node& node) {
  node.static_index.clear();
  if (node.statics.size() <= kIndexedStatics) return;
  std::size_t cap = 16;
  while (cap < node.statics.size() * 2) cap *= 2;  // load factor <= 1/2
  node.static_index.assign(cap, 0);
  for (std::size_t i = 0; i < node.statics.size(); ++i) {
    std::size_t slot = fnv1a(node.statics[i].first) & (cap - 1);
    while (node.static_index[slot] != 0) slot = (slot + 1) & (cap - 1);
    node.static_index[slot] = static_cast<std::uint32_t>(i + 1);
  }
}

void Router::freeze() {
  frozen_ = true;
  nodes_.shrink_to_fit();
  routes_.shrink_to_fit();
  for (Node& n : nodes_) {
    n.statics.shrink_to_fit();
    n.static_tags.shrink_to_fit();
    n.static_index.shrink_to_fit();
    n.terminals.shrink_to_fit();
    n.tails.shrink_to_fit();
  }
}

void Router::offer(Walk& w, RouteId r, std::uint32_t count) const noexcept {
  if (r < w.best_any) w.best_any = r;
  const std::uint64_t mask = routes_[r].method_mask;
  if (r < w.best_full && (mask == 0 || (mask & w.method_bit) != 0)) {
    w.best_full = r;
    w.best_count = count;
    std::copy_n(w.caps.begin(), count, w.best_caps);
  }
}

void Router::walk(Walk& w, NodeId id, std::size_t pos, std::uint32_t ncap) const noexcept {
  const Node& node = nodes_[id];
  // PERF: nothing below can beat the best route found so far.
  if (node.min_route >= w.best_full) return;
  if (w.tails) {
    for (const Tail& t : node.tails) {
      if (t.route >= w.best_full) break;
      std::uint32_t steps = w.max_steps;
      if (match_atoms(t.atoms, w.path, pos, w.caps.data() + ncap, steps)) {
        offer(w, t.route, t.param_count);
      }
    }
  }
  if (pos > w.path.size()) return;
  // PERF: segments are short; a plain loop beats a memchr call.
  std::size_t end = pos;
  const std::size_t size = w.path.size();
  const char* data = w.path.data();
  while (end < size && data[end] != '/') ++end;
  const bool last = end == size;
  const std::string_view seg = w.path.substr(pos, end - pos);

  auto descend = [&](NodeId child, std::uint32_t count) {
    if (!last) {
      walk(w, child, end + 1, count);
      return;
    }
    for (RouteId r : nodes_[child].terminals) {
      if (r >= w.best_full) break;
      offer(w, r, count);
    }
  };
  const std::uint32_t tag = static_tag(seg);
  if (!node.static_index.empty()) {
    const std::size_t mask = node.static_index.size() - 1;
    for (std::size_t slot = fnv1a(seg) & mask;; slot = (slot + 1) & mask) {
      const std::uint32_t entry = node.static_index[slot];
      if (entry == 0) break;
      const auto& [key, child] = node.statics[entry - 1];
      if (node.static_tags[entry - 1] == tag && same_bytes(key.data(), seg.data(), seg.size())) {
        descend(child, ncap);
        break;
      }
    }
  } else {
    const std::size_t n_statics = node.static_tags.size();
    for (std::size_t i = 0; i < n_statics; ++i) {
      if (node.static_tags[i] == tag && same_bytes(node.statics[i].first.data(), seg.data(), seg.size())) {
        descend(node.statics[i].second, ncap);
        break;
      }
    }
  }
  for (unsigned mask = node.param_mask; mask != 0; mask &= mask - 1) {
    const auto c = static_cast<std::size_t>(__builtin_ctz(mask));
    const NodeId child = node.params[c];
    if (nodes_[child].min_route >= w.best_full) continue;
    // PERF: a segment never holds '/', so `str` accepts any non-empty one.
    const bool accepts = c == static_cast<std::size_t>(Converter::str)
                             ? !seg.empty()
                             : converter_accepts(static_cast<Converter>(c), seg);
    if (!accepts) continue;
    w.caps[ncap] = Span{static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(end)};
    descend(child, ncap + 1);
  }
}

void Router::search(Walk& w) const noexcept {
  if (w.path.empty() || w.path.front() != '/') return;  // every template starts with '/'
  walk(w, 0, 1, 0);
}

void Router::match_bit(std::uint64_t method_bit, std::string_view path,
                       MatchResult& out) const noexcept {
  Walk w;
  w.path = path;
  w.method_bit = method_bit;
  w.max_steps = limits_.max_backtrack_steps;
  w.best_caps = out.params.data();
  search(w);
  // Starlette's regexes end in `$`, which also matches before a final '\n'. For
  // trie routes that means "the path without its final '\n' matches": a second
  // walk finds those (tails handle `$` themselves). On a tie the first walk's
  // answer is the one Python's greedy engine returns.
  if (path.size() > 1 && path.back() == '\n' && w.best_full != 0) {
    Walk w2;
    w2.path = path.substr(0, path.size() - 1);
    w2.method_bit = w.method_bit;
    w2.tails = false;
    w2.best_full = w.best_full;
    std::array<Span, kMaxParams> caps2;
    w2.best_caps = caps2.data();
    search(w2);
    if (w2.best_full < w.best_full) {
      w.best_full = w2.best_full;
      w.best_count = w2.best_count;
      std::copy_n(caps2.begin(), w2.best_count, out.params.begin());
    }
    w.best_any = std::min(w.best_any, w2.best_any);
  }
  if (w.best_full != kNoRoute) {
    out.status = MatchStatus::found;
    out.route = w.best_full;
    out.param_count = w.best_count;
  } else if (w.best_any != kNoRoute) {
    out.status = MatchStatus::method_not_allowed;
    out.route = w.best_any;
    out.param_count = 0;
  } else {
    out.status = MatchStatus::not_found;
    out.route = kNoRoute;
    out.param_count = 0;
  }
}

bool Router::path_matches(std::string_view path) const noexcept {
  MatchResult scratch;
  Walk w;
  w.path = path;
  w.method_bit = ~std::uint64_t{0};
  w.max_steps = limits_.max_backtrack_steps;
  w.best_caps = scratch.params.data();
  search(w);
  if (w.best_full == kNoRoute && path.size() > 1 && path.back() == '\n') {
    w.path = path.substr(0, path.size() - 1);
    w.tails = false;
    search(w);
  }
  return w.best_full != kNoRoute;
}

}  // namespace fulmen::router
