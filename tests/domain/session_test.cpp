// The impersonation session: deadlines at open, ends exactly once, and safe return paths.
#include <gtest/gtest.h>

#include "domain/session.hpp"
#include "fixture.hpp"

namespace {

using namespace actas::testing;
using std::chrono::seconds;

const timestamp t0 = *parse_utc("2026-11-21T08:00:00Z");

TEST(session, open_sets_deadlines_and_copies_the_target_portal) {
  const directory d = demo_directory();
  const auto s = open_session("s-1", who(d, "adam"), who(d, "paul"), "why", "/courses/7", 1800, 300, t0);
  EXPECT_EQ(s.session_id, "s-1");
  EXPECT_EQ(s.actor, "u-adam");
  EXPECT_EQ(s.target, "u-paul");
  EXPECT_EQ(s.portal, "acme-eu-paris");
  EXPECT_EQ(s.realm_id, "acme");
  EXPECT_EQ(s.reason, "why");
  EXPECT_EQ(s.return_to, "/courses/7");
  EXPECT_TRUE(s.active());
  EXPECT_EQ(s.started_at, t0);
  EXPECT_EQ(s.expires_at, t0 + seconds{1800});
  EXPECT_EQ(s.warn_at, t0 + seconds{1500});
  EXPECT_EQ(expiry_time(s), s.expires_at);
  EXPECT_FALSE(s.grant_id);
  EXPECT_FALSE(s.ended_at);
}

TEST(session, temporary_admin_carries_its_grant) {
  const directory d = demo_directory();
  const auto s = open_session("s-2", who(d, "tom"), who(d, "ann"), "why", std::nullopt, 60, 300, t0);
  EXPECT_EQ(s.grant_id, "g-1");
  EXPECT_EQ(s.expires_at, t0 + seconds{60});
  EXPECT_EQ(s.warn_at, t0);  // a warning longer than the session is due at its start
}

TEST(session, ends_exactly_once) {
  const directory d = demo_directory();
  auto s = open_session("s-1", who(d, "adam"), who(d, "ann"), "why", std::nullopt, 1800, 300, t0);
  EXPECT_EQ(end_session(s, end_reason::ended_by_actor, t0 + seconds{10}), std::nullopt);
  EXPECT_FALSE(s.active());
  EXPECT_EQ(s.ended_at, t0 + seconds{10});
  EXPECT_EQ(s.ended_because, end_reason::ended_by_actor);
  EXPECT_EQ(end_session(s, end_reason::terminated, t0 + seconds{20}), errc::session_ended);
  EXPECT_EQ(s.ended_at, t0 + seconds{10});
  EXPECT_EQ(s.ended_because, end_reason::ended_by_actor);
  EXPECT_EQ(s.state, session_state::ended);
}

TEST(session, names_round_trip) {
  for (const end_reason r : {end_reason::ended_by_actor, end_reason::expired, end_reason::terminated,
                             end_reason::ended_by_target, end_reason::actor_logged_out, end_reason::actor_revoked,
                             end_reason::target_changed, end_reason::grant_ended}) {
    EXPECT_NE(to_string(r), "unknown");
    EXPECT_EQ(end_reason_from_string(to_string(r)), r);
  }
  EXPECT_EQ(to_string(end_reason::actor_logged_out), "actor_logged_out");
  EXPECT_FALSE(end_reason_from_string("done"));
  EXPECT_EQ(session_state_from_string("active"), session_state::active);
  EXPECT_EQ(session_state_from_string(to_string(session_state::ended)), session_state::ended);
  EXPECT_FALSE(session_state_from_string("paused"));
}

TEST(session, return_to_must_be_a_local_path) {
  const std::vector<std::string> good{"/", "/courses/7?tab=grades#top", "/caf\xC3\xA9",
                                      "/" + std::string(2047, 'a')};
  for (const std::string& ok : good)
    EXPECT_TRUE(valid_return_to(ok)) << ok;
  const std::vector<std::string> bad_paths{"",         "courses",   "//evil.example", "https://evil.example/",
                                           "/\\evil.example", "/a\nb",    "/a\tb",           "/a\xC2\x85",
                                           "/a\x7F",           "/bad\xC3", "/" + std::string(2048, 'a')};
  for (const std::string& bad : bad_paths)
    EXPECT_FALSE(valid_return_to(bad)) << bad;
}

} // namespace
