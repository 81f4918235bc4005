// C++-only tests of the route table, run under ASan + UBSan + LSan by tools/sanitize.
#include <string>

#include "fulmen/router/router.hpp"
#include "fulmen_check.hpp"

using fulmen::router::StaticRouter;

int main() {
  StaticRouter r;
  FULMEN_CHECK(r.add("/", 0));
  FULMEN_CHECK(r.add("/users/me", 1));
  FULMEN_CHECK(!r.add("/users/me", 2));  // first registration wins
  FULMEN_CHECK_EQ(r.size(), 2U);
  FULMEN_CHECK(r.match("/users/me") == 1U);
  FULMEN_CHECK(r.match("/") == 0U);
  FULMEN_CHECK(!r.match("/users/me/").has_value());
  FULMEN_CHECK(!r.match("/USERS/ME").has_value());  // paths are case-sensitive
  std::string long_path(10000, 'a');
  FULMEN_CHECK(!r.match(long_path).has_value());
  return fulmen::check::finish("router_core");
}
