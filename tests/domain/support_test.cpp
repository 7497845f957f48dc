#include <gtest/gtest.h>

#include "domain/support.hpp"
#include "fixture.hpp"

namespace actas::domain {
namespace {

using namespace std::chrono_literals;

timestamp t0() { return *parse_utc("2026-11-21T09:00:00Z"); }

struct support_rules : ::testing::Test {
  directory dir = testing::demo_directory();
  const user& sam() { return *dir.find_user("u-sam"); }
  const user& sara() { return *dir.find_user("u-sara"); }

  support_request pending(std::vector<id> portals) {
    support_request r;
    r.request_id = "req-1";
    r.support_user = "sam";
    r.realm_id = "acme";
    r.portals = std::move(portals);
    r.reason = "Customer reports broken enrolments";
    r.ticket = "T-42";
    r.created_at = t0();
    return r;
  }
};

TEST_F(support_rules, a_request_needs_a_support_user_one_realm_a_reason_and_a_ticket) {
  id realm;
  EXPECT_FALSE(check_request(dir, sam(), {"acme", "acme-eu"}, "Broken enrolments", "T-42", realm));
  EXPECT_EQ(realm, "acme");
  EXPECT_EQ(check_request(dir, sara(), {"acme"}, "x", "T-1", realm)->code, errc::permission_missing);
  auto two_realms = check_request(dir, sam(), {"acme", "globex"}, "Broken enrolments", "T-42", realm);
  ASSERT_TRUE(two_realms);
  EXPECT_EQ(two_realms->code, errc::invalid_request);
  EXPECT_EQ(two_realms->field, "portals");
  EXPECT_EQ(check_request(dir, sam(), {}, "r", "t", realm)->field, "portals");
  EXPECT_EQ(check_request(dir, sam(), {"nope"}, "r", "t", realm)->field, "portals");
  EXPECT_EQ(check_request(dir, sam(), {"acme", "acme"}, "r", "t", realm)->field, "portals");
  EXPECT_EQ(check_request(dir, sam(), {"acme"}, "  ", "T-1", realm)->field, "reason");
  EXPECT_EQ(check_request(dir, sam(), {"acme"}, "line\nbreak", "T-1", realm)->field, "reason");
  EXPECT_EQ(check_request(dir, sam(), {"acme"}, std::string(501, 'r'), "T-1", realm)->field, "reason");
  EXPECT_FALSE(check_request(dir, sam(), {"acme"}, std::string(500, 'r'), "T-1", realm));
  EXPECT_EQ(check_request(dir, sam(), {"acme"}, "reason", "", realm)->field, "ticket");
  EXPECT_EQ(check_request(dir, sam(), {"acme"}, "reason", std::string(101, 't'), realm)->field, "ticket");
}

TEST_F(support_rules, only_the_realms_superadmin_grants_for_a_bounded_duration) {
  auto req = pending({"acme-eu"});
  EXPECT_FALSE(check_grant(dir, sara(), req, {"acme-eu", "acme-us"}, 86400, {}));
  EXPECT_EQ(check_grant(dir, *dir.find_user("u-adam"), req, {"acme-eu"}, 86400, {})->code, errc::permission_missing);
  EXPECT_EQ(check_grant(dir, *dir.find_user("u-gary"), req, {"acme-eu"}, 86400, {})->code, errc::not_found);
  EXPECT_EQ(check_grant(dir, sara(), req, {"acme-eu"}, 3599, {})->field, "duration_s");
  EXPECT_FALSE(check_grant(dir, sara(), req, {"acme-eu"}, 3600, {}));
  EXPECT_FALSE(check_grant(dir, sara(), req, {"acme-eu"}, 2592000, {}));
  EXPECT_EQ(check_grant(dir, sara(), req, {"acme-eu"}, 2592001, {})->field, "duration_s");
  EXPECT_EQ(check_grant(dir, sara(), req, {"globex"}, 86400, {})->field, "portals");
  EXPECT_EQ(check_grant(dir, sara(), req, {"acme-eu"}, 86400, {"acme-eu"})->field, "portals");
  req.state = request_state::denied;
  EXPECT_EQ(check_grant(dir, sara(), req, {"acme-eu"}, 86400, {})->code, errc::session_ended);
}

TEST_F(support_rules, the_temporary_admin_administers_its_portal_only) {
  auto temp = make_temp_admin(dir, "tmp_0123456789abcdef", "acme-eu", "grant-1", "T-42");
  dir.put_user(temp);
  EXPECT_TRUE(dir.administers(temp, "acme-eu"));
  EXPECT_FALSE(dir.administers(temp, "acme-eu-paris"));
  EXPECT_FALSE(dir.administers(temp, "acme"));
  EXPECT_TRUE(temp.is_temporary());
  EXPECT_EQ(temp.realm_id, "acme");
}

TEST_F(support_rules, a_grant_ends_once) {
  support_grant g;
  g.grant_id = "g";
  EXPECT_FALSE(end_grant(g, grant_state::revoked, t0(), "sara"));
  EXPECT_EQ(end_grant(g, grant_state::expired, t0() + 1h, std::nullopt), errc::session_ended);
  EXPECT_EQ(g.state, grant_state::revoked);
  EXPECT_EQ(g.ended_at, t0());
}

TEST_F(support_rules, access_status_per_portal) {
  support_grant live;
  live.grant_id = "g-live";
  live.portal_id = "acme-eu";
  live.created_at = t0();
  live.expires_at = t0() + 24h;
  support_grant old = live;
  old.grant_id = "g-old";
  old.portal_id = "acme-us";
  old.state = grant_state::revoked;
  old.ended_at = t0() + 1h;
  auto rows = access_status(dir, "acme", {live, old}, {pending({"acme"})});
  std::map<id, access_row> by_portal;
  for (const auto& r : rows)
    by_portal[r.portal_id] = r;
  EXPECT_EQ(rows.front().portal_id, "acme");
  EXPECT_EQ(by_portal["acme"].state, "requested");
  EXPECT_EQ(by_portal["acme"].request_id, "req-1");
  EXPECT_EQ(by_portal["acme-eu"].state, "available");
  EXPECT_EQ(by_portal["acme-eu"].expires_at, t0() + 24h);
  EXPECT_EQ(by_portal["acme-us"].state, "revoked");
  EXPECT_EQ(by_portal["acme-eu-paris"].state, "none");
}

} // namespace
} // namespace actas::domain
