// C++-only tests of the route table, run under ASan + UBSan + LSan by tools/sanitize.
#include <string>
#include <string_view>
#include <vector>

#include "fulmen/router/router.hpp"
#include "fulmen_check.hpp"

using fulmen::router::Converter;
using fulmen::router::MatchResult;
using fulmen::router::MatchStatus;
using fulmen::router::parse_template;
using fulmen::router::Router;

namespace {

const std::vector<std::string> kAny;
const std::vector<std::string> kGet{"GET"};
const std::vector<std::string> kPost{"POST"};

std::string param(std::string_view path, const MatchResult& r, std::size_t i) {
  return std::string(path.substr(r.params[i].begin, r.params[i].end - r.params[i].begin));
}

void test_templates() {
  auto t = parse_template("/users/{id:int}/files/{rest:path}");
  FULMEN_CHECK(t.ok());
  FULMEN_CHECK_EQ(t.atoms.size(), 4U);
  FULMEN_CHECK(t.atoms[1].is_param && t.atoms[1].converter == Converter::int_);
  FULMEN_CHECK_EQ(t.atoms[2].text, std::string("/files/"));
  FULMEN_CHECK(!parse_template("users").ok());
  FULMEN_CHECK(!parse_template("/{a").ok());
  FULMEN_CHECK(!parse_template("/a}").ok());
  FULMEN_CHECK(!parse_template("/{a{b}}").ok());
  FULMEN_CHECK(!parse_template("/{1a}").ok());
  FULMEN_CHECK(!parse_template("/{a:number}").ok());
  FULMEN_CHECK(!parse_template("/{a}/{a:int}").ok());
  FULMEN_CHECK(!parse_template("/" + std::string(9000, 'a')).ok());
  std::string many = "/";
  for (int i = 0; i < 33; ++i) many += "{p" + std::to_string(i) + "}/";
  FULMEN_CHECK(!parse_template(many).ok());
}

void test_converters() {
  using fulmen::router::converter_accepts;
  FULMEN_CHECK(converter_accepts(Converter::int_, "007"));
  FULMEN_CHECK(!converter_accepts(Converter::int_, "-1"));
  FULMEN_CHECK(converter_accepts(Converter::float_, "1.5"));
  FULMEN_CHECK(converter_accepts(Converter::float_, "15"));
  FULMEN_CHECK(!converter_accepts(Converter::float_, "1."));
  FULMEN_CHECK(!converter_accepts(Converter::float_, ".5"));
  FULMEN_CHECK(converter_accepts(Converter::uuid, "0f8fad5b-d9cb-469f-a165-70867728950e"));
  FULMEN_CHECK(converter_accepts(Converter::uuid, "0F8FAD5BD9CB469FA16570867728950E"));
  FULMEN_CHECK(!converter_accepts(Converter::uuid, "0f8fad5b-d9cb-469f-a165-70867728950"));
  FULMEN_CHECK(!converter_accepts(Converter::str, ""));
}

void test_priority_and_methods() {
  Router r;
  FULMEN_CHECK(r.add("/users/me", kGet).error.empty());
  FULMEN_CHECK(r.add("/users/{id:int}", kAny).error.empty());
  FULMEN_CHECK(r.add("/users/{name}", kPost).error.empty());
  FULMEN_CHECK(r.add("/users/me", kPost).error.empty());  // after {name}: shadowed for POST

  MatchResult m;
  r.match("GET", "/users/me", m);
  FULMEN_CHECK(m.status == MatchStatus::found && m.route == 0);
  r.match("POST", "/users/me", m);
  FULMEN_CHECK(m.status == MatchStatus::found && m.route == 2);  // first registered wins
  r.match("DELETE", "/users/42", m);
  FULMEN_CHECK(m.status == MatchStatus::found && m.route == 1);
  FULMEN_CHECK_EQ(param("/users/42", m, 0), std::string("42"));
  r.match("DELETE", "/users/me", m);
  FULMEN_CHECK(m.status == MatchStatus::method_not_allowed && m.route == 0);  // first path match
  r.match("GET", "/nope", m);
  FULMEN_CHECK(m.status == MatchStatus::not_found);
  r.match("GET", "", m);
  FULMEN_CHECK(m.status == MatchStatus::not_found);
  r.match("GET", "users/me", m);
  FULMEN_CHECK(m.status == MatchStatus::not_found);
}

void test_tails() {
  Router r;
  FULMEN_CHECK(r.add("/files/{name}.{ext}", kAny).error.empty());
  FULMEN_CHECK(r.add("/{p:path}/edit", kAny).error.empty());
  FULMEN_CHECK(r.add("/static/{rest:path}", kAny).error.empty());
  MatchResult m;
  const std::string_view a = "/files/a.tar.gz";
  r.match("GET", a, m);
  FULMEN_CHECK(m.route == 0 && param(a, m, 0) == "a.tar" && param(a, m, 1) == "gz");
  const std::string_view b = "/x/y/edit";
  r.match("GET", b, m);
  FULMEN_CHECK(m.route == 1 && param(b, m, 0) == "x/y");
  const std::string_view c = "/static/";
  r.match("GET", c, m);
  FULMEN_CHECK(m.route == 2 && param(c, m, 0).empty());
  // `$` also matches before one final newline; `.` never matches a newline.
  r.match("GET", "/static/a\n", m);
  FULMEN_CHECK(m.route == 2 && m.params[0].end - m.params[0].begin == 1);
  r.match("GET", "/static/a\nb", m);
  FULMEN_CHECK(m.status == MatchStatus::not_found);
}

void test_backtracking_budget() {
  Router r(fulmen::router::Limits{1000});
  FULMEN_CHECK(r.add("/{a}.{b}.{c}.{d}.{e}!", kAny).error.empty());
  std::string hostile = "/" + std::string(5000, '.');
  MatchResult m;
  r.match("GET", hostile, m);  // gives up after 1000 steps instead of hanging
  FULMEN_CHECK(m.status == MatchStatus::not_found);
  r.match("GET", "/a.b.c.d.e!", m);
  FULMEN_CHECK(m.status == MatchStatus::found);
}

void test_freeze_and_limits() {
  Router r;
  FULMEN_CHECK(r.add("/a", kAny).error.empty());
  r.freeze();
  FULMEN_CHECK(!r.add("/b", kAny).error.empty());
  MatchResult m;
  r.match("GET", "/a", m);
  FULMEN_CHECK(m.status == MatchStatus::found);
  std::string long_path(100000, '/');
  r.match("GET", long_path, m);
  FULMEN_CHECK(m.status == MatchStatus::not_found);

  Router many;
  for (int i = 0; i < 64; ++i) {
    const std::vector<std::string> one{"M" + std::to_string(i)};
    FULMEN_CHECK(many.add("/x", one).error.empty());
  }
  const std::vector<std::string> extra{"M64"};
  FULMEN_CHECK(!many.add("/x", extra).error.empty());
}

}  // namespace

int main() {
  test_templates();
  test_converters();
  test_priority_and_methods();
  test_tails();
  test_backtracking_budget();
  test_freeze_and_limits();
  return fulmen::check::finish("router_core");
}
