// The impersonation lifecycle through the registry, in virtual time: start, deadlines, ends, denials.
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/actors/virtual_runtime.hpp"
#include "tests/actors/world.hpp"

namespace actas::test {
namespace {

using ::testing::ElementsAre;
using domain::errc;

struct impersonation_test : registry_fixture {

  /// Every audit event of the acme chain with this event name.
  std::vector<domain::audit_event> events(const std::string& name) {
    std::vector<domain::audit_event> out;
    for (auto& e : rt->reader().audit_chain("acme"))
      if (e.event == name)
        out.push_back(e);
    return out;
  }
  /// How many `name` events were done, not refused (a late end's 409 is a denial event of its own).
  std::size_t done(const std::string& name) {
    auto all = events(name);
    return std::count_if(all.begin(), all.end(), [](const auto& e) { return e.result == domain::outcome::done; });
  }
};

TEST_F(impersonation_test, start_creates_a_durable_session_and_tells_the_learner) {
  auto adam = rt->token_for("adam");
  auto ann = rt->token_for("ann");
  auto ann_tab = rt->open_tab(ann);
  auto r = rt->start(adam, "ann", "  Ann cannot open module 3  ");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.session.actor, "adam");
  EXPECT_EQ(r.session.target, "ann");
  EXPECT_EQ(r.session.reason, "Ann cannot open module 3");
  EXPECT_EQ(r.session.expires_at - r.session.started_at, 30min);
  EXPECT_EQ(r.token.size(), 43u);
  EXPECT_THAT(kinds(ann_tab), ElementsAre("hello", "notification:impersonation_started", "banner:being_viewed"));
  auto stored = rt->reader().find_session(r.session.session_id);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->active());
  auto starts = events("impersonation.start");
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].performed_by, "adam");
  EXPECT_EQ(starts[0].active_account, "ann");
  EXPECT_EQ(rt->reader().unread_count("ann"), 1);
  // The impersonation token acts as ann with adam attached.
  auto who = rt->auth(r.token);
  ASSERT_FALSE(who.error);
  EXPECT_EQ(who.who.user_id, "ann");
  EXPECT_EQ(who.who.actor_id, "adam");
  EXPECT_EQ(who.who.session_id, r.session.session_id);
}

TEST_F(impersonation_test, expiry_fires_at_the_deadline_and_not_a_second_before) {
  auto adam = rt->token_for("adam");
  auto ann_tab = rt->open_tab(rt->token_for("ann"));
  auto r = rt->start(adam, "ann");
  ASSERT_FALSE(r.error);
  auto imp_tab = rt->open_tab(r.token);
  rt->advance(30min - 1s);
  EXPECT_TRUE(rt->reader().find_session(r.session.session_id)->active());
  EXPECT_FALSE(rt->auth(r.token).error);
  rt->advance(1s);
  auto ended = rt->reader().find_session(r.session.session_id);
  ASSERT_TRUE(ended);
  EXPECT_FALSE(ended->active());
  EXPECT_EQ(ended->ended_because, domain::end_reason::expired);
  EXPECT_EQ(ended->ended_at, r.session.expires_at);
  EXPECT_EQ(rt->auth(r.token).error, errc::unauthenticated);
  // The token died without the actor asking: the tab closes 1008 (SPEC §4), after `session_ended`.
  EXPECT_THAT(kinds(imp_tab), ElementsAre("hello", "banner:impersonating", "banner:ending_soon", "session_ended", "close:1008"));
  EXPECT_THAT(kinds(ann_tab), ElementsAre("hello", "notification:impersonation_started", "banner:being_viewed",
                                          "clear:being_viewed", "notification:impersonation_ended"));
  auto ends = events("impersonation.end");
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0].at, r.session.expires_at);
}

TEST_F(impersonation_test, ending_soon_arrives_warn_before_s_ahead_and_not_earlier) {
  auto r = rt->start(rt->token_for("adam"), "ann");
  ASSERT_FALSE(r.error);
  auto imp_tab = rt->open_tab(r.token);
  rt->advance(25min - 1s);
  EXPECT_THAT(kinds(imp_tab), ElementsAre("hello", "banner:impersonating"));
  rt->advance(1s);
  EXPECT_THAT(kinds(imp_tab), ElementsAre("hello", "banner:impersonating", "banner:ending_soon"));
  // A tab opened after the warning gets both banners at once.
  auto late_tab = rt->open_tab(r.token);
  EXPECT_THAT(kinds(late_tab), ElementsAre("hello", "banner:impersonating", "banner:ending_soon"));
}

TEST_F(impersonation_test, a_manual_end_racing_the_deadline_ends_once) {
  auto adam = rt->token_for("adam");
  auto r = rt->start(adam, "ann");
  ASSERT_FALSE(r.error);
  rt->advance(30min - 1s);
  // The deadline fires and the admin's click arrives in the same instant: the click reaches the registry
  // before the session actor's expiry does, and the expiry then finds nothing left to end.
  rt->advance_without_delivering(1s);
  auto reply = rt->end(adam, r.session.session_id, "All fixed");
  rt->advance(1min);
  ASSERT_FALSE(reply.error);
  EXPECT_EQ(reply.session.ended_because, domain::end_reason::ended_by_actor);
  EXPECT_EQ(done("impersonation.end"), 1u);
  EXPECT_EQ(rt->end(adam, r.session.session_id).error, errc::session_ended);
  EXPECT_EQ(done("impersonation.end"), 1u);
  auto verified = domain::verify_chain(rt->reader().audit_chain("acme"), crypto::sha256_hex);
  EXPECT_TRUE(verified.ok) << verified.problem;
}

TEST_F(impersonation_test, an_expiry_already_queued_loses_to_nothing_and_a_late_end_gets_409) {
  auto adam = rt->token_for("adam");
  auto r = rt->start(adam, "ann");
  ASSERT_FALSE(r.error);
  rt->advance(30min);
  auto late = rt->end(adam, r.session.session_id);
  EXPECT_EQ(late.error, errc::session_ended);
  EXPECT_EQ(late.session.ended_because, domain::end_reason::expired);
  EXPECT_EQ(done("impersonation.end"), 1u);
}

TEST_F(impersonation_test, a_finished_sessions_actor_is_gone_whether_it_was_ended_or_expired) {
  auto running = [&] { return rt->system().registry().running(); };
  auto adam = rt->token_for("adam");
  auto start_and_end_by_hand = [&] {
    auto by_hand = rt->start(adam, "ann");
    ASSERT_FALSE(by_hand.error);
    ASSERT_FALSE(rt->end(adam, by_hand.session.session_id).error);
    rt->advance(1s);
  };
  // Actors spawned on first use that stay (the users' own) are counted from here.
  start_and_end_by_hand();
  const auto before = running();
  // Checked long before the deadlines: the timer wheel still holds the actor's handle until then, so an
  // actor that was not stopped is still running.
  for (int round = 0; round < 3; ++round)
    start_and_end_by_hand();
  EXPECT_EQ(running(), before) << "the actors of sessions ended by hand live on";
  ASSERT_FALSE(rt->start(adam, "ann").error);
  rt->advance(30min);
  EXPECT_EQ(running(), before) << "the expired session's actor lives on";
}

TEST_F(impersonation_test, ending_by_hand_tells_everyone_and_the_token_dies) {
  auto adam = rt->token_for("adam");
  auto ann_tab = rt->open_tab(rt->token_for("ann"));
  auto r = rt->start(adam, "ann");
  auto imp_tab = rt->open_tab(r.token);
  auto reply = rt->end(r.token, r.session.session_id, "I reset your progress on module 3");
  ASSERT_FALSE(reply.error);
  EXPECT_EQ(reply.session.ended_because, domain::end_reason::ended_by_actor);
  EXPECT_EQ(reply.session.return_to, "/admin/users");
  EXPECT_THAT(kinds(imp_tab), ElementsAre("hello", "banner:impersonating", "session_ended", "close:1000"));
  EXPECT_THAT(kinds(ann_tab),
              ElementsAre("hello", "notification:impersonation_started", "banner:being_viewed", "clear:being_viewed",
                          "notification:impersonation_ended", "notification:impersonation_message"));
  EXPECT_EQ(rt->auth(r.token).error, errc::unauthenticated);
  // A new start is a new session.
  auto again = rt->start(adam, "ann");
  ASSERT_FALSE(again.error);
  EXPECT_NE(again.session.session_id, r.session.session_id);
}

TEST_F(impersonation_test, who_may_end_follows_spec) {
  auto adam = rt->token_for("adam");
  auto r = rt->start(adam, "ann");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(rt->end(rt->token_for("ann"), r.session.session_id).error, errc::forbidden);
  EXPECT_EQ(rt->end(rt->token_for("bob"), r.session.session_id).error, errc::not_found);
  EXPECT_EQ(rt->end(rt->token_for("gwen"), r.session.session_id).error, errc::not_found);
  auto other = rt->start(rt->token_for("alex"), "bob");
  ASSERT_FALSE(other.error);
  EXPECT_EQ(rt->end(other.token, r.session.session_id).error, errc::not_found);
  auto killed = rt->end(rt->token_for("sara"), r.session.session_id);
  ASSERT_FALSE(killed.error);
  EXPECT_EQ(killed.session.ended_because, domain::end_reason::terminated);
  EXPECT_EQ(rt->end(adam, "ses_does_not_exist").error, errc::not_found);
}

TEST_F(impersonation_test, busy_rules_hold_while_a_session_runs) {
  auto adam = rt->token_for("adam");
  ASSERT_FALSE(rt->start(adam, "ann").error);
  EXPECT_EQ(rt->start(adam, "ann").error, errc::actor_busy);
  EXPECT_EQ(rt->start(rt->token_for("alex"), "ann").error, errc::target_busy);
}

TEST_F(impersonation_test, denials_are_audited_before_the_answer) {
  auto ann = rt->token_for("ann");
  EXPECT_EQ(rt->start(ann, "bob").error, errc::permission_missing);
  EXPECT_EQ(rt->start(rt->token_for("adam"), "gwen").error, errc::target_not_found);
  auto denied = events("impersonation.start");
  ASSERT_EQ(denied.size(), 2u);
  EXPECT_EQ(denied[0].result, domain::outcome::denied);
  EXPECT_EQ(denied[0].code, "permission_missing");
  EXPECT_EQ(denied[0].performed_by, "ann");
  EXPECT_EQ(denied[1].code, "target_not_found");
  // Nothing of globex's user reached globex's chain from acme's attempt.
  EXPECT_TRUE(rt->reader().audit_chain("globex").empty());
}

TEST_F(impersonation_test, nested_impersonation_is_refused_and_names_the_real_person) {
  auto r = rt->start(rt->token_for("alex"), "ann");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(rt->start(r.token, "bob").error, errc::nested_impersonation);
  auto denied = events("impersonation.start").back();
  EXPECT_EQ(denied.performed_by, "alex");
  EXPECT_EQ(denied.active_account, "ann");
}

TEST_F(impersonation_test, an_unwritable_audit_log_refuses_starts_and_changes_nothing) {
  auto adam = rt->token_for("adam");
  auto ann_tab = rt->open_tab(rt->token_for("ann"));
  rt->writer().failing = true;
  EXPECT_EQ(rt->start(adam, "ann").error, errc::audit_unavailable);
  EXPECT_THAT(kinds(ann_tab), ElementsAre("hello"));
  rt->writer().failing = false;
  // Nothing was reserved: the same start now succeeds.
  EXPECT_FALSE(rt->start(adam, "ann").error);
}

TEST_F(impersonation_test, an_expiry_while_the_log_is_down_is_written_by_the_sessions_actor_when_it_is_back_and_announced_once) {
  auto adam = rt->token_for("adam");
  auto ann_tab = rt->open_tab(rt->token_for("ann"));
  auto r = rt->start(adam, "ann");
  ASSERT_FALSE(r.error);
  auto imp_tab = rt->open_tab(r.token);
  rt->writer().failing = true;
  rt->advance(30min);
  // Ended at once: its token is dead and the actor is free, even though nothing could be written.
  EXPECT_EQ(rt->auth(r.token).error, errc::unauthenticated);
  EXPECT_TRUE(events("impersonation.end").empty());
  EXPECT_TRUE(rt->reader().find_session(r.session.session_id)->active());
  // Read here it is ended already; nothing is announced before it is durable.
  auto seen = rt->ask<actors::find_reply>(actors::find_atom::value, crypto::token_hash(adam), r.session.session_id);
  ASSERT_FALSE(seen.error);
  EXPECT_EQ(seen.session.ended_because, domain::end_reason::expired);
  rt->advance(5s);  // retried while the log is down, still refused
  EXPECT_TRUE(events("impersonation.end").empty());
  EXPECT_THAT(kinds(imp_tab), ElementsAre("hello", "banner:impersonating", "banner:ending_soon"));
  EXPECT_THAT(kinds(ann_tab), ElementsAre("hello", "notification:impersonation_started", "banner:being_viewed"));
  rt->writer().failing = false;
  rt->advance(1s);
  auto ends = events("impersonation.end");
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0].at, r.session.expires_at);
  auto stored = rt->reader().find_session(r.session.session_id);
  EXPECT_FALSE(stored->active());
  EXPECT_EQ(stored->ended_at, r.session.expires_at);
  rt->advance(10s);  // nothing written or announced twice
  EXPECT_EQ(events("impersonation.end").size(), 1u);
  EXPECT_THAT(kinds(imp_tab), ElementsAre("hello", "banner:impersonating", "banner:ending_soon", "session_ended", "close:1008"));
  EXPECT_THAT(kinds(ann_tab), ElementsAre("hello", "notification:impersonation_started", "banner:being_viewed",
                                          "clear:being_viewed", "notification:impersonation_ended"));
  // adam and ann are free again once the end is durable.
  EXPECT_FALSE(rt->start(rt->token_for("adam"), "ann").error);
}

TEST_F(impersonation_test, an_end_by_hand_the_log_refused_is_answered_503_and_written_once_it_is_back) {
  auto adam = rt->token_for("adam");
  auto r = rt->start(adam, "ann");
  ASSERT_FALSE(r.error);
  rt->writer().failing = true;
  auto refused = rt->end(adam, r.session.session_id);
  EXPECT_EQ(refused.error, errc::audit_unavailable);
  EXPECT_EQ(rt->auth(r.token).error, errc::unauthenticated) << "an end that was decided is not undone";
  rt->writer().failing = false;
  // Before the retry: the end is decided once, though not yet written.
  EXPECT_EQ(rt->end(adam, r.session.session_id).error, errc::session_ended);
  EXPECT_EQ(done("impersonation.end"), 0u);
  rt->advance(1s);
  EXPECT_EQ(done("impersonation.end"), 1u);
  auto stored = rt->reader().find_session(r.session.session_id);
  EXPECT_EQ(stored->ended_because, domain::end_reason::ended_by_actor);
}

TEST_F(impersonation_test, a_bad_return_to_is_an_invalid_request) {
  actors::start_command cmd{crypto::token_hash(rt->token_for("adam")), "ann", "A long enough reason",
                            "//evil.example", ""};
  EXPECT_EQ(rt->ask<actors::start_reply>(actors::start_atom::value, cmd).error, errc::invalid_request);
}

TEST_F(impersonation_test, a_tab_with_a_dead_token_is_closed_1008) {
  auto tab = rt->open_tab("not-a-token");
  EXPECT_THAT(kinds(tab), ElementsAre("close:1008"));
}

} // namespace
} // namespace actas::test
