#include "fulmen/router/router.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
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

constexpr std::size_t kIndexedStatics = 6;  // more static children than this: hash them

// Little-endian 8-byte loads (the byte order the packed keys use on any host).
inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// The first min(n, 8) bytes at p, zero-padded; reads only [p, p + n).
inline std::uint64_t load_head(const char* p, std::size_t n) noexcept {
  if (n >= 8) return load8(p);
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
constexpr std::uint64_t kSlashes = kOnes * '/';

// The bit (7 + 8 * i) of the first '/' byte i of v, and possibly higher bits; 0 if none.
inline std::uint64_t slash_bits(std::uint64_t v) noexcept {
  const std::uint64_t x = v ^ kSlashes;
  return (x - kOnes) & ~x & kHighs;
}

// The end of the segment that starts at pos: the next '/' or the end of the path.
inline std::size_t segment_end(const char* data, std::size_t pos, std::size_t size) noexcept {
  std::size_t end = pos;
  while (size - end >= 8) {
    const std::uint64_t bits = slash_bits(load8(data + end));
    if (bits != 0) return end + (static_cast<unsigned>(std::countr_zero(bits)) >> 3U);
    end += 8;
  }
  if (end == size) return end;
  if (size >= 8) {
    // The path's last 8 bytes, shifted so that byte `end` comes first (the
    // zeros shifted in are no '/').
    const std::size_t rest = size - end;  // 1..7
    const std::uint64_t bits = slash_bits(load8(data + size - 8) >> (8U * (8U - rest)));
    return bits != 0 ? end + (static_cast<unsigned>(std::countr_zero(bits)) >> 3U) : size;
  }
  while (end < size && data[end] != '/') ++end;
  return end;
}

constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;

// PERF: a multiply-xor hash over 8 bytes at a time, the tail read as one
// overlapping 8-byte load (FNV's byte-serial chain cost more than the rest of
// a static lookup). The keys are the registered routes; a request only
// probes, so chains stay as short as the table makes them.
inline std::uint64_t path_hash(std::string_view s) noexcept {
  std::uint64_t h = s.size() * kMul;
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n < 8) {
    h = (h ^ load_head(p, n)) * kMul;
    return h ^ (h >> 29);
  }
  for (std::size_t i = 0; i + 8 < n; i += 8) {
    h = (h ^ load8(p + i)) * kMul;
    h ^= h >> 32;
  }
  h = (h ^ load8(p + n - 8)) * kMul;
  return h ^ (h >> 29);
}

// The hash of a segment for a node's static index, from what the walk already
// has in registers: the length, the first 8 bytes and (if longer) the last 8.
inline std::uint64_t segment_hash(std::uint64_t head, const char* p, std::size_t n) noexcept {
  std::uint64_t h = (n * kMul) ^ head;
  if (n > 8) h = (h * kMul) ^ load8(p + n - 8);
  h *= kMul;
  return h ^ (h >> 32);
}

inline std::size_t filter_bit(std::string_view path) noexcept {
  const auto second = path.size() > 1 ? static_cast<unsigned char>(path[1]) : 0U;
  const auto last = path.empty() ? 0U : static_cast<unsigned char>(path.back());
  return (path.size() * 131 + last * 31 + second) & 511U;
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

  if (routes_.back().atoms.size() == 1 && !routes_.back().atoms[0].is_param) {
    add_static(routes_.back().atoms[0].text, id);
    return {id, {}};
  }

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
      const std::vector<std::string>& texts = nodes_[node].static_texts;
      for (std::size_t k = 0; k < texts.size(); ++k) {
        if (texts[k] == key) child = nodes_[node].static_keys[k].child;
      }
      if (child == kNoNode) {
        child = static_cast<NodeId>(nodes_.size());
        nodes_.emplace_back();
        Node& parent = nodes_[node];
        parent.static_keys.push_back(
            StaticKey{load_head(key.data(), key.size()), static_cast<std::uint32_t>(key.size()), child});
        parent.static_texts.push_back(key);
        index_statics(parent);
        parent.only_str_param = false;
      }
    } else if (is_simple_param(seg)) {
      const auto slot = static_cast<std::size_t>(seg[0].converter);
      child = nodes_[node].params[slot];
      if (child == kNoNode) {
        child = static_cast<NodeId>(nodes_.size());
        nodes_.emplace_back();
        nodes_[node].params[slot] = child;
        Node& parent = nodes_[node];
        parent.param_mask = static_cast<std::uint8_t>(parent.param_mask | (1U << slot));
        parent.only_str_param = parent.param_mask == 1U && parent.static_keys.empty();
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

// Called after each new static child: inserts it into the index, rebuilding
// (twice as large) only when the load would pass 1/2, so registration stays
// linear in the number of children.
void Router::index_statics(Node& node) {
  const std::size_t n = node.static_keys.size();
  if (n <= kIndexedStatics) return;
  const auto hash_of = [&node](std::size_t i) {
    const std::string& text = node.static_texts[i];
    return static_cast<std::size_t>(segment_hash(node.static_keys[i].head, text.data(), text.size()));
  };
  if (!node.static_index.empty() && n * 2 <= node.static_index.size()) {
    const std::size_t mask = node.static_index.size() - 1;
    std::size_t slot = hash_of(n - 1) & mask;
    while (node.static_index[slot] != 0) slot = (slot + 1) & mask;
    node.static_index[slot] = static_cast<std::uint32_t>(n);
    return;
  }
  std::size_t cap = 16;
  while (cap < n * 2) cap *= 2;  // load factor <= 1/2
  node.static_index.assign(cap, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t slot = hash_of(i) & (cap - 1);
    while (node.static_index[slot] != 0) slot = (slot + 1) & (cap - 1);
    node.static_index[slot] = static_cast<std::uint32_t>(i + 1);
  }
}

void Router::add_static(std::string path, RouteId id) {
  const auto slot_of = [this](std::string_view key) {
    const std::size_t mask = static_slots_.size() - 1;
    std::size_t slot = static_cast<std::size_t>(path_hash(key)) & mask;
    while (static_slots_[slot] != 0 && static_routes_[static_slots_[slot] - 1].path != key) {
      slot = (slot + 1) & mask;
    }
    return slot;
  };
  if (!static_slots_.empty()) {
    const std::size_t slot = slot_of(path);
    if (static_slots_[slot] != 0) {
      static_routes_[static_slots_[slot] - 1].ids.push_back(id);  // ids only grow
      return;
    }
  }
  const std::size_t bit = filter_bit(path);
  static_filter_[bit >> 6] |= std::uint64_t{1} << (bit & 63U);
  static_routes_.push_back(StaticRoute{std::move(path), {id}});
  if (static_routes_.size() * 2 > static_slots_.size()) {  // keep the load <= 1/2
    static_slots_.assign(std::max<std::size_t>(16, static_slots_.size() * 2), 0);
    for (std::size_t i = 0; i < static_routes_.size(); ++i) {
      static_slots_[slot_of(static_routes_[i].path)] = static_cast<std::uint32_t>(i + 1);
    }
  } else {
    static_slots_[slot_of(static_routes_.back().path)] =
        static_cast<std::uint32_t>(static_routes_.size());
  }
}

// PERF: inlined into the walk (a call per candidate route cost more than its body).
inline void Router::offer(Walk& w, RouteId r, std::uint32_t count) const noexcept {
  if (r < w.best_any) w.best_any = r;
  const std::uint64_t mask = routes_[r].method_mask;
  if (r < w.best_full && (mask == 0 || (mask & w.method_bit) != 0)) {
    w.best_full = r;
    w.best_count = count;
    std::copy_n(w.caps.begin(), count, w.best_caps);
  }
}

// The routes ending at `node` (the path's last segment led there).
inline void Router::offer_terminals(Walk& w, NodeId node, std::uint32_t count) const noexcept {
  for (RouteId r : nodes_[node].terminals) {
    if (r >= w.best_full) break;
    offer(w, r, count);
  }
}

[[gnu::always_inline]] inline const Router::StaticRoute* Router::probe_static(Walk& w) const noexcept {
  const std::size_t bit = filter_bit(w.path);
  if ((static_filter_[bit >> 6] & (std::uint64_t{1} << (bit & 63U))) == 0) return nullptr;
  const std::size_t mask = static_slots_.size() - 1;
  for (std::size_t slot = static_cast<std::size_t>(path_hash(w.path)) & mask;; slot = (slot + 1) & mask) {
    const std::uint32_t entry = static_slots_[slot];
    if (entry == 0) return nullptr;
    const StaticRoute& sr = static_routes_[entry - 1];
    if (sr.path.size() == w.path.size() && std::memcmp(sr.path.data(), w.path.data(), w.path.size()) == 0) {
      for (RouteId r : sr.ids) {
        if (r >= w.best_full) break;
        offer(w, r, 0);
      }
      return &sr;
    }
  }
}

void Router::freeze() {
  frozen_ = true;
  // PERF: which static paths an earlier dynamic route can shadow, so a lookup
  // that finds a static route below that bound skips the trie walk.
  for (StaticRoute& sr : static_routes_) {
    MatchResult scratch;
    Walk w;
    w.path = sr.path;
    w.method_bit = ~std::uint64_t{0};
    w.max_steps = limits_.max_backtrack_steps;
    w.best_caps = scratch.params.data();
    if (!sr.path.empty() && sr.path.front() == '/') walk(w, 0, 1, 0);
    sr.first_dynamic = w.best_full;
  }
  nodes_.shrink_to_fit();
  routes_.shrink_to_fit();
  static_routes_.shrink_to_fit();
  for (Node& n : nodes_) {
    n.static_texts.shrink_to_fit();
    n.static_keys.shrink_to_fit();
    n.static_index.shrink_to_fit();
    n.terminals.shrink_to_fit();
    n.tails.shrink_to_fit();
  }
}

// The tail routes stored at `node`, checked by the backtracking matcher.
// PERF: out of line, so the walk's loop keeps its registers for the common case.
[[gnu::noinline]] void Router::match_tails(Walk& w, const Node& node, std::size_t pos,
                                           std::uint32_t ncap) const noexcept {
  for (const Tail& t : node.tails) {
    if (t.route >= w.best_full) break;
    std::uint32_t steps = w.max_steps;
    if (match_atoms(t.atoms, w.path, pos, w.caps.data() + ncap, steps)) offer(w, t.route, t.param_count);
  }
}

void Router::walk(Walk& w, NodeId id, std::size_t pos, std::uint32_t ncap) const noexcept {
  const std::size_t size = w.path.size();
  const char* data = w.path.data();
  // PERF: a loop rather than a call per segment. The walk recurses only where
  // a segment leads to more than one child (a static key and a parameter,
  // say); the last of them is followed by the loop itself.
  for (;;) {
    const Node& node = nodes_[id];
    // PERF: nothing below can beat the best route found so far.
    if (node.min_route >= w.best_full) return;
    if (!node.tails.empty() && w.tails) [[unlikely]] {
      match_tails(w, node, pos, ncap);
    }
    if (pos > size) return;

    if (node.only_str_param) {
      // PERF: the commonest dynamic shape, a lone `{name}` child: only the
      // segment's end is needed (no static key to look up).
      const std::size_t end = segment_end(data, pos, size);
      const NodeId child = node.params[static_cast<std::size_t>(Converter::str)];
      if (end == pos || nodes_[child].min_route >= w.best_full) return;
      w.caps[ncap] = Span{static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(end)};
      if (end == size) {
        offer_terminals(w, child, ncap + 1);
        return;
      }
      id = child;
      pos = end + 1;
      ++ncap;
      continue;
    }

    // The segment [pos, end) and its first (up to) 8 bytes, zero-padded.
    // PERF: 8 bytes per step where 8 remain (segments are short; a byte loop
    // or a memchr call cost more).
    std::size_t end = pos;
    std::uint64_t head = 0;
    if (size - pos >= 8) {
      const std::uint64_t first = load8(data + pos);
      std::uint64_t bits = slash_bits(first);
      if (bits != 0) {
        const auto n = static_cast<unsigned>(std::countr_zero(bits)) >> 3U;  // < 8
        end = pos + n;
        head = first & ((std::uint64_t{1} << (8U * n)) - 1U);
      } else {
        head = first;
        end = pos + 8;
        for (;;) {
          if (size - end < 8) {
            while (end < size && data[end] != '/') ++end;
            break;
          }
          bits = slash_bits(load8(data + end));
          if (bits != 0) {
            end += static_cast<unsigned>(std::countr_zero(bits)) >> 3U;
            break;
          }
          end += 8;
        }
      }
    } else if (size >= 8) {
      // PERF: the path's last 8 bytes, shifted so that byte `pos` comes first
      // (the zeros shifted in are no '/').
      const std::size_t rest = size - pos;  // < 8
      const std::uint64_t tail = rest == 0 ? 0 : load8(data + size - 8) >> (8U * (8U - rest));
      const std::uint64_t bits = slash_bits(tail);
      const std::size_t n =
          bits != 0 ? static_cast<unsigned>(std::countr_zero(bits)) >> 3U : rest;  // <= rest < 8
      end = pos + n;
      head = tail & ((std::uint64_t{1} << (8U * n)) - 1U);
    } else {
      while (end < size && data[end] != '/') ++end;
      head = load_head(data + pos, end - pos);
    }
    const std::size_t len = end - pos;
    const char* seg = data + pos;
    const bool last = end == size;

    // The static child the segment names, if any.
    NodeId fixed = kNoNode;
    const auto same_key = [&](std::size_t i) {
      const StaticKey& k = node.static_keys[i];
      return k.head == head && k.size == len &&
             (len <= 8 || std::memcmp(node.static_texts[i].data() + 8, seg + 8, len - 8) == 0);
    };
    if (!node.static_index.empty()) {
      const std::size_t mask = node.static_index.size() - 1;
      for (std::size_t slot = static_cast<std::size_t>(segment_hash(head, seg, len)) & mask;;
           slot = (slot + 1) & mask) {
        const std::uint32_t entry = node.static_index[slot];
        if (entry == 0) break;
        if (same_key(entry - 1)) {
          fixed = node.static_keys[entry - 1].child;
          break;
        }
      }
    } else {
      const std::size_t n_keys = node.static_keys.size();
      for (std::size_t i = 0; i < n_keys; ++i) {
        if (same_key(i)) {
          fixed = node.static_keys[i].child;
          break;
        }
      }
    }

    // The parameter children whose converter accepts the segment.
    std::array<NodeId, kSegmentConverters> params;  // PERF: not zeroed
    std::size_t n_params = 0;
    for (unsigned mask = node.param_mask; mask != 0; mask &= mask - 1) {
      const auto c = static_cast<std::size_t>(std::countr_zero(mask));
      const NodeId child = node.params[c];
      if (nodes_[child].min_route >= w.best_full) continue;
      // PERF: a segment never holds '/', so `str` accepts any non-empty one.
      bool accepts = len != 0;
      if (c != static_cast<std::size_t>(Converter::str)) [[unlikely]] {
        accepts = converter_accepts(static_cast<Converter>(c), {seg, len});
      }
      if (accepts) params[n_params++] = child;
    }

    // Every parameter child captures this same segment at index ncap; it is
    // (re)written before each one is entered, as the subtree of a sibling
    // entered before may have used that index meanwhile.
    const Span span{static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(end)};
    if (last) {  // the children's own routes only
      if (fixed != kNoNode) offer_terminals(w, fixed, ncap);
      for (std::size_t i = 0; i < n_params; ++i) {
        w.caps[ncap] = span;
        offer_terminals(w, params[i], ncap + 1);
      }
      return;
    }
    if (n_params == 0) {  // PERF: the common shape, followed without a call
      if (fixed == kNoNode) return;
      id = fixed;
      pos = end + 1;
      continue;
    }
    if (fixed != kNoNode) [[unlikely]] {
      walk(w, fixed, end + 1, ncap);
    }
    for (std::size_t i = 0; i + 1 < n_params; ++i) {
      w.caps[ncap] = span;
      walk(w, params[i], end + 1, ncap + 1);
    }
    w.caps[ncap] = span;
    id = params[n_params - 1];
    pos = end + 1;
    ++ncap;
  }
}

// PERF: inlined into match_bit, its hot caller.
[[gnu::always_inline]] inline void Router::search(Walk& w) const noexcept {
  if (w.path.empty() || w.path.front() != '/') return;  // every template starts with '/'
  // PERF: the plain-text routes first, in one probe; their best id then prunes
  // the trie walk, which only looks for a dynamic route registered before it.
  const StaticRoute* sr = probe_static(w);
  if (sr != nullptr && w.best_full < sr->first_dynamic) return;
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
