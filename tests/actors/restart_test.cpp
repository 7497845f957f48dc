// A restart keeps everything: deadlines are absolute and downtime counts (SPEC §7).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/actors/virtual_runtime.hpp"
#include "tests/actors/world.hpp"

namespace actas::test {
namespace {

using domain::errc;

struct restart_test : ::testing::Test {
  temp_dir dir;
  std::string db = testing::test_database(dir.path);
  void SetUp() override {
    crypto::init();
    seed_world(*store::make_inline_writer(db));
  }
};

TEST_F(restart_test, a_session_resumes_with_its_deadline_and_token) {
  std::string adam, token;
  actors::start_reply started;
  {
    virtual_runtime first{db, test_epoch()};
    adam = first.token_for("adam");
    started = first.start(adam, "ann");
    ASSERT_FALSE(started.error);
  }
  virtual_runtime second{db, test_epoch() + std::chrono::minutes{10}};
  auto who = second.auth(started.token);
  ASSERT_FALSE(who.error);
  EXPECT_EQ(who.who.actor_id, "adam");
  EXPECT_EQ(second.start(adam, "bob").error, errc::actor_busy);
  auto tab = second.open_tab(started.token);
  second.advance(20min - 1s);
  EXPECT_TRUE(second.reader().find_session(started.session.session_id)->active());
  second.advance(1s);
  auto ended = second.reader().find_session(started.session.session_id);
  EXPECT_EQ(ended->ended_because, domain::end_reason::expired);
  EXPECT_EQ(ended->ended_at, started.session.expires_at);
  EXPECT_EQ(second.auth(started.token).error, errc::unauthenticated);
}

TEST_F(restart_test, the_target_is_still_shown_being_viewed_after_a_restart) {
  actors::start_reply started;
  std::string ann;
  {
    virtual_runtime first{db, test_epoch()};
    ann = first.token_for("ann");
    started = first.start(first.token_for("adam"), "ann");
    ASSERT_FALSE(started.error);
  }
  // Issue 12: after a restart, ann's tabs no longer said an admin was in her account.
  virtual_runtime second{db, test_epoch() + std::chrono::minutes{10}};
  auto tab = second.open_tab(ann);
  EXPECT_THAT(kinds(tab), ::testing::ElementsAre("hello", "banner:being_viewed"));
  second.end(started.token, started.session.session_id);
  EXPECT_THAT(kinds(tab), ::testing::ElementsAre("hello", "banner:being_viewed", "clear:being_viewed",
                                                 "notification:impersonation_ended"));
}

TEST_F(restart_test, a_deadline_that_passed_while_down_ends_expired_at_the_deadline) {
  actors::start_reply started;
  {
    virtual_runtime first{db, test_epoch()};
    started = first.start(first.token_for("adam"), "ann");
    ASSERT_FALSE(started.error);
  }
  virtual_runtime second{db, test_epoch() + std::chrono::hours{2}};
  auto ended = second.reader().find_session(started.session.session_id);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->ended_because, domain::end_reason::expired);
  EXPECT_EQ(ended->ended_at, started.session.expires_at);
  EXPECT_EQ(second.auth(started.token).error, errc::unauthenticated);
  auto inbox = second.reader().inbox("ann", false, 10);
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_EQ(inbox[0].kind, domain::notification_kind::impersonation_ended);
  EXPECT_EQ(inbox[1].kind, domain::notification_kind::impersonation_started);
  auto chain = second.reader().audit_chain("acme");
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(chain.back().event, "impersonation.end");
  EXPECT_EQ(chain.back().at, started.session.expires_at);
  auto verified = domain::verify_chain(chain, crypto::sha256_hex);
  EXPECT_TRUE(verified.ok) << verified.problem;
}

TEST_F(restart_test, user_tokens_survive_a_restart_and_expire_on_time) {
  std::string ann;
  {
    virtual_runtime first{db, test_epoch()};
    ann = first.token_for("ann");
  }
  virtual_runtime second{db, test_epoch() + std::chrono::minutes{59}};
  EXPECT_FALSE(second.auth(ann).error);
  // Used at 59 minutes: idle from there, so one hour later it is dead.
  second.advance(60min - 1s);
  EXPECT_FALSE(second.auth(ann).error);
  second.advance(60min);
  EXPECT_EQ(second.auth(ann).error, errc::unauthenticated);
}

} // namespace
} // namespace actas::test
