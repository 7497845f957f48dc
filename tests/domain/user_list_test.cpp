// GET /v1/users: who sees whom, the filters, the order and the bound, and can_impersonate/why_not.
#include <gtest/gtest.h>

#include "domain/user_list.hpp"
#include "fixture.hpp"

namespace {

using namespace actas::testing;

directory list_directory() {
  directory d = demo_directory();
  user ann = who(d, "ann");
  ann.display_name = "Ann LEE";
  d.put_user(ann);
  user dora = make_user("dora", role::learner, "acme-eu", "acme");
  dora.status = user_status::deleted;
  d.put_user(dora);
  return d;
}

struct list_case {
  std::string caller;
  user_filter filter;
  std::vector<std::string> usernames;  ///< expected, in order
  std::string why;
  std::size_t limit = 100;
};

std::vector<std::string> names(const std::vector<const user*>& rows) {
  std::vector<std::string> out;
  for (const user* u : rows) out.push_back(u->username);
  return out;
}

void expect_rows(const directory& d, const list_case& c) {
  const auto rows = visible_users(d, who(d, c.caller), c.filter, c.limit);
  EXPECT_EQ(names(rows), c.usernames) << c.caller << ": " << c.why;
}

user_filter q(std::string text) { return {std::move(text), std::nullopt, std::nullopt, std::nullopt}; }
user_filter in_portal(id p) { return {std::nullopt, std::move(p), std::nullopt, std::nullopt}; }
user_filter with_role(role r) { return {std::nullopt, std::nullopt, r, std::nullopt}; }
user_filter with_status(user_status s) { return {std::nullopt, std::nullopt, std::nullopt, s}; }

TEST(user_list, who_sees_whom) {
  const directory d = list_directory();
  const std::vector<std::string> acme_eu{"adam", "ann", "ines", "ivan", "mia", "noel", "paul", "pete", "tom"};
  const std::vector<list_case> cases{
    {"root", {}, {"adam", "ann", "bob", "gary", "gwen", "ines", "ivan", "mia", "noel", "paul", "pete", "pia",
                  "root", "sam", "sara", "tom"}, "a sysadmin sees every realm"},
    {"sara", {}, {"adam", "ann", "bob", "ines", "ivan", "mia", "noel", "paul", "pete", "pia", "sara", "tom"},
     "a superadmin sees its realm"},
    {"gary", {}, {"gary", "gwen"}, "and never another"},
    {"adam", {}, acme_eu, "an admin sees its portals and below"},
    {"tom", {}, {"adam", "ann", "ines", "ivan", "mia", "noel", "pete", "tom"},
     "a temporary admin its portal only"},
    {"pia", {}, {"ann", "pia"}, "a power user its assigned users and itself"},
    {"ann", {}, {"ann"}, "a learner itself"},
    {"sam", {}, {"sam"}, "a support user itself"},
  };
  for (const auto& c : cases) expect_rows(d, c);
}

TEST(user_list, filters_order_and_bound) {
  const directory d = list_directory();
  const std::vector<list_case> cases{
    {"sara", q("lee"), {"ann"}, "q matches the display name, case folded"},
    {"sara", q("PA"), {"paul"}, "q matches the username, case folded"},
    {"sara", q("e"), {"ann", "ines", "noel", "pete"}, "q is a substring"},
    {"sara", q(""), {"adam", "ann", "bob", "ines", "ivan", "mia", "noel", "paul", "pete", "pia", "sara", "tom"},
     "an empty q matches all"},
    {"sara", q("gwen"), {}, "q never reaches another realm"},
    {"sara", in_portal("acme-eu-paris"), {"paul"}, "portal"},
    {"sara", in_portal("acme-eu"), {"adam", "ann", "ines", "ivan", "mia", "noel", "paul", "pete", "tom"},
     "portal and its sub-portals"},
    {"adam", in_portal("acme-us"), {}, "a portal outside the caller's view"},
    {"sara", in_portal("globex"), {}, "another realm's portal"},
    {"root", in_portal("globex"), {"gary", "gwen"}, "the sysadmin filters any realm"},
    {"sara", with_role(role::learner), {"ann", "bob", "ines", "noel", "paul", "pete"}, "role"},
    {"sara", with_status(user_status::inactive), {"ines"}, "status"},
    {"sara", with_status(user_status::deleted), {"dora"}, "tombstones only when asked for"},
    {"sara", {std::string{"n"}, id{"acme-eu"}, role::learner, user_status::active}, {"ann", "noel"},
     "all at once"},
    {"sara", {}, {"adam", "ann", "bob"}, "bounded by limit", 3},
    {"sara", {}, {}, "limit 0", 0},
  };
  for (const auto& c : cases) expect_rows(d, c);
}

struct hint_case {
  std::string caller;
  std::string row;
  std::optional<errc> why_not;  ///< nullopt: can impersonate
  bool impersonation_token = false;
};

TEST(user_list, impersonation_hints_per_row) {
  const directory d = list_directory();
  const std::vector<hint_case> cases{
    {"adam", "ann", std::nullopt},
    {"sara", "ivan", std::nullopt},
    {"pia", "ann", std::nullopt},
    {"adam", "adam", errc::self_impersonation},
    {"adam", "ines", errc::target_inactive},
    {"adam", "pete", errc::target_inactive},
    {"adam", "sara", errc::target_protected},
    {"adam", "bob", errc::target_out_of_scope},
    {"adam", "ivan", errc::target_role_not_allowed},
    {"adam", "noel", errc::consent_missing},
    {"adam", "dora", errc::target_not_found},
    {"ann", "ann", errc::permission_missing},
    {"root", "ann", errc::permission_missing},
    {"sara", "ann", errc::nested_impersonation, true},
  };
  for (const auto& c : cases) {
    const impersonation_hint h = hint_for(d, who(d, c.caller), who(d, c.row), c.impersonation_token);
    EXPECT_EQ(h.can_impersonate, !c.why_not) << c.caller << " -> " << c.row;
    EXPECT_EQ(h.why_not, c.why_not) << c.caller << " -> " << c.row;
  }
}

} // namespace
