// Introspection (RFC 7662 shape with the RFC 8693 `act` chain): who is active, who really acts.
#include <gtest/gtest.h>

#include "domain/introspection.hpp"
#include "fixture.hpp"

namespace {

using namespace actas::testing;

const timestamp exp_at = from_micros(1'800'000'000'000'000);

struct introspection_case {
  std::string name;
  token_facts facts;
  bool active;
  id sub;
  std::vector<actor_link> act;
  std::optional<id> portal;
};

TEST(introspection, nests_act_from_the_nearest_real_actor_outwards) {
  const directory d = demo_directory();
  const user* ann = &who(d, "ann");
  const user* tom = &who(d, "tom");
  const user* root = &who(d, "root");
  const std::vector<introspection_case> cases{
    {"user token: no act", {true, token_kind::user, ann, {}, {}, {}, {}, exp_at}, true, "u-ann", {}, "acme-eu"},
    {"realmless user: no portal", {true, token_kind::user, root, {}, {}, {}, {}, exp_at}, true, "u-root", {},
     std::nullopt},
    {"impersonation: act is the admin with the session",
     {true, token_kind::impersonation, ann, "s-1", "u-adam", {}, "acme-eu", exp_at}, true, "u-ann",
     {{"u-adam", "s-1"}}, "acme-eu"},
    {"grant token: act is the support user", {true, token_kind::grant, tom, {}, {}, "u-sam", {}, exp_at}, true,
     "u-tom", {{"u-sam", std::nullopt}}, "acme-eu"},
    {"temporary admin impersonating: learner <- temp admin <- support user",
     {true, token_kind::impersonation, ann, "s-2", "u-tom", "u-sam", "acme-eu", exp_at}, true, "u-ann",
     {{"u-tom", "s-2"}, {"u-sam", std::nullopt}}, "acme-eu"},
    {"the session's portal wins over the home portal",
     {true, token_kind::impersonation, ann, "s-3", "u-sara", {}, "acme-eu-paris", exp_at}, true, "u-ann",
     {{"u-sara", "s-3"}}, "acme-eu-paris"},
    {"inactive token", {false, token_kind::impersonation, ann, "s-1", "u-adam", {}, "acme-eu", exp_at}, false, "",
     {}, std::nullopt},
    {"no subject", {true, token_kind::user, nullptr, {}, {}, {}, {}, exp_at}, false, "", {}, std::nullopt},
    {"impersonation without its actor", {true, token_kind::impersonation, ann, "s-1", {}, {}, {}, exp_at}, false,
     "", {}, std::nullopt},
    {"impersonation without its session", {true, token_kind::impersonation, ann, {}, "u-adam", {}, {}, exp_at},
     false, "", {}, std::nullopt},
    {"grant without its support user", {true, token_kind::grant, tom, {}, {}, {}, {}, exp_at}, false, "", {},
     std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const introspection got = introspect_token(c.facts);
    EXPECT_EQ(got.active, c.active);
    EXPECT_EQ(got.sub, c.sub);
    EXPECT_EQ(got.act, c.act);
    EXPECT_EQ(got.portal, c.portal);
    EXPECT_EQ(got.exp, c.active ? exp_at : timestamp{});  // an inactive answer is {active: false} only
    EXPECT_EQ(got.username, c.active ? c.facts.subject->username : "");
  }
}

} // namespace
