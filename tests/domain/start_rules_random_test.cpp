// Randomized invariants of the start rules: over many generated (actor, target, settings) triples, an
// allowed start never has a target of equal or higher rank, out of scope, of another realm, inactive, or
// the actor itself.
#include <random>

#include <gtest/gtest.h>

#include "domain/start_rules.hpp"
#include "fixture.hpp"

namespace actas::domain {
namespace {

constexpr std::array roles{role::learner, role::instructor, role::manager,  role::power_user,
                           role::admin,   role::superadmin, role::sysadmin, role::support};
constexpr std::array statuses{user_status::active, user_status::inactive, user_status::pending, user_status::deleted};
const std::vector<std::string> portals{"acme", "acme-eu", "acme-eu-paris", "acme-us", "globex"};

user random_user(std::mt19937& rng, const directory& dir, const std::string& id) {
  auto pick = [&](const auto& from) { return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)]; };
  user u;
  u.user_id = u.username = u.display_name = id;
  u.user_role = pick(roles);
  u.status = rng() % 4 == 0 ? pick(statuses) : user_status::active;
  if (!is_realmless(u.user_role)) {
    u.home_portal = pick(portals);
    u.realm_id = dir.find_portal(*u.home_portal)->realm_id;
  }
  if (u.user_role == role::admin)
    u.admin_portals = {pick(portals)};
  if (u.user_role == role::power_user) {
    u.assigned_portals = {pick(portals)};
    u.assigned_users = {"t"};
  }
  u.accepted = {rng() % 5 != 0, rng() % 5 != 0};
  u.exact_scope = u.user_role == role::admin && rng() % 6 == 0;
  return u;
}

settings_patch random_settings(std::mt19937& rng) {
  settings_patch p;
  p.impersonation.enabled = rng() % 4 != 0;
  auto roll = rng() % 3;
  if (roll == 0)
    p.impersonation.allowed_targets = std::map<role, std::set<role>>{
      {role::admin, {role::learner, role::instructor}}, {role::power_user, {role::learner, role::manager}}};
  if (roll == 1) {
    // Every role allowed for every caller (the API would refuse this): the rank, scope and realm rules
    // must then hold on their own.
    std::set<role> all(roles.begin(), roles.end());
    p.impersonation.allowed_targets =
      std::map<role, std::set<role>>{{role::admin, all}, {role::power_user, all}, {role::superadmin, all}};
  }
  if (rng() % 3 == 0)
    p.impersonation.require_consent = std::set<consent>{};
  return p;
}

TEST(start_rules_random, an_allowed_start_never_breaks_the_invariants) {
  std::mt19937 rng{20261121};
  int allowed = 0;
  for (int round = 0; round < 20000; ++round) {
    auto dir = testing::demo_directory();
    for (const auto& top : {"acme", "globex"})
      dir.put_settings(top, random_settings(rng));
    auto actor = random_user(rng, dir, "a");
    auto target = rng() % 10 == 0 ? actor : random_user(rng, dir, "t");
    dir.put_user(actor);
    dir.put_user(target);
    const user* a = dir.find_user("a");
    const user* t = dir.find_user(target.user_id);
    start_request req;
    req.caller = a;
    req.target_id = t->user_id;
    req.reason = std::string_view{"A long enough reason"};
    auto verdict = check_start(dir, req);
    if (!verdict.allowed())
      continue;
    ++allowed;
    SCOPED_TRACE("round " + std::to_string(round));
    EXPECT_NE(t->user_id, a->user_id);
    EXPECT_LT(rank(t->user_role), rank(a->user_role));
    EXPECT_EQ(t->status, user_status::active);
    EXPECT_EQ(t->realm_id, a->realm_id);
    EXPECT_TRUE(dir.in_scope(*a, *t));
    EXPECT_FALSE(is_realmless(t->user_role));
    EXPECT_TRUE(may_impersonate(a->user_role));
  }
  // The generator must reach allowed starts often enough for the invariants to mean something.
  EXPECT_GT(allowed, 200);
}

} // namespace
} // namespace actas::domain
