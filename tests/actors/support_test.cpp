// Support access through the registry in virtual time (SPEC §3): request, banners, lapse, deny, cancel,
// grant with a temporary admin, its token, warning, expiry, revocation while in use, status, log, restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "tests/actors/virtual_runtime.hpp"
#include "tests/actors/world.hpp"

namespace actas::test {
namespace {

using ::testing::ElementsAre;
using domain::errc;

struct support_test : ::testing::Test {
  temp_dir dir;
  std::string db = testing::test_database(dir.path);
  std::unique_ptr<virtual_runtime> rt;
  std::string sam, sara;

  void SetUp() override {
    crypto::init();
    seed_world(*store::make_inline_writer(db));
    boot(test_epoch());
  }
  void boot(domain::timestamp at) {
    rt.reset();
    rt = std::make_unique<virtual_runtime>(db, at);
    sam = rt->token_for("sam");
    sara = rt->token_for("sara");
  }

  actors::request_reply request(std::vector<std::string> portals, const std::string& token = "") {
    return rt->ask<actors::request_reply>(
      actors::request_atom::value,
      actors::request_command{crypto::token_hash(token.empty() ? sam : token), std::move(portals),
                              "Enrolments fail for every learner", "T-4711", "10.1.1.1"});
  }
  actors::grants_reply grant(const std::string& request_id, std::vector<std::string> portals,
                             std::optional<std::int64_t> duration = std::nullopt, const std::string& token = "") {
    return rt->ask<actors::grants_reply>(
      actors::grant_atom::value,
      actors::grant_command{crypto::token_hash(token.empty() ? sara : token), request_id, std::move(portals), duration, ""});
  }
  actors::grants_reply revoke(std::vector<std::string> ids) {
    return rt->ask<actors::grants_reply>(actors::revoke_atom::value, crypto::token_hash(sara), ids, std::string{});
  }
  actors::mint_reply grant_token(const std::string& grant_id, const std::string& token = "") {
    return rt->ask<actors::mint_reply>(actors::gtoken_atom::value, crypto::token_hash(token.empty() ? sam : token), grant_id);
  }
  std::map<std::string, std::string> status() {
    // A fresh login each time: the tests let days pass, and a token idles out after an hour.
    auto r = rt->ask<actors::access_reply>(actors::access_atom::value, crypto::token_hash(rt->token_for("sara")));
    std::map<std::string, std::string> out;
    for (const auto& row : r.portals)
      out[row.portal_id] = row.state;
    return out;
  }
  std::vector<std::string> inbox_kinds(const std::string& user) {
    std::vector<std::string> out;
    for (const auto& n : rt->reader().inbox(user, false, 50))
      out.push_back(std::string{domain::to_string(n.kind)});
    return out;
  }
};

TEST_F(support_test, a_request_shows_on_every_superadmin_tab_now_and_later) {
  auto sara_tab = rt->open_tab(sara);
  auto adam_tab = rt->open_tab(rt->token_for("adam"));
  auto r = request({"acme", "acme-eu"});
  ASSERT_FALSE(r.refused.error) << r.refused.message;
  EXPECT_EQ(r.request.realm_id, "acme");
  EXPECT_THAT(kinds(sara_tab), ElementsAre("hello", "notification:support_request", "banner:support_request"));
  EXPECT_THAT(kinds(adam_tab), ElementsAre("hello"));
  auto later = rt->open_tab(rt->token_for("sara"));
  EXPECT_THAT(kinds(later), ElementsAre("hello", "banner:support_request"));
  EXPECT_EQ(status()["acme-eu"], "requested");
  EXPECT_EQ(status()["acme-us"], "none");
}

TEST_F(support_test, requests_are_for_support_staff_and_one_realm) {
  EXPECT_EQ(request({"acme", "globex"}).refused.field, "portals");
  EXPECT_EQ(request({"acme"}, rt->token_for("adam")).refused.error, errc::permission_missing);
}

TEST_F(support_test, an_unanswered_request_lapses_at_its_deadline) {
  auto r = request({"acme-eu"});
  rt->advance(72h - 1s);
  EXPECT_EQ(status()["acme-eu"], "requested");
  auto sara_tab = rt->open_tab(rt->token_for("sara"));  // a tab opened late still gets the banner
  rt->advance(1s);
  EXPECT_EQ(status()["acme-eu"], "none");
  EXPECT_EQ(rt->reader().find_request(r.request.request_id)->state, domain::request_state::lapsed);
  EXPECT_EQ(rt->reader().find_request(r.request.request_id)->decided_at, r.request.lapses_at);
  EXPECT_THAT(kinds(sara_tab), ElementsAre("hello", "banner:support_request", "clear:support_request"));
  EXPECT_THAT(inbox_kinds("sam"), ElementsAre("support_expired"));
  sara = rt->token_for("sara");
  EXPECT_EQ(grant(r.request.request_id, {"acme-eu"}).refused.error, errc::session_ended);
}

TEST_F(support_test, a_lapse_the_log_refused_is_asked_again_each_second_and_announced_once_it_is_written) {
  auto r = request({"acme-eu"});
  rt->advance(72h - 1min);
  auto sara_tab = rt->open_tab(rt->token_for("sara"));
  rt->writer().failing = true;
  const auto refused_before = rt->writer().refused;
  rt->advance(1min);
  for (int second = 0; second < 5; ++second)
    rt->advance(1s);
  // Still pending where it is written, and nobody is told it lapsed.
  EXPECT_EQ(rt->reader().find_request(r.request.request_id)->state, domain::request_state::pending);
  EXPECT_THAT(kinds(sara_tab), ElementsAre("hello", "banner:support_request"));
  // Asked again about once a second, not as fast as the writer refuses (the deadline has passed).
  EXPECT_LE(rt->writer().refused - refused_before, 7u);
  EXPECT_GE(rt->writer().refused - refused_before, 5u);
  rt->writer().failing = false;
  rt->advance(1s);
  auto stored = rt->reader().find_request(r.request.request_id);
  EXPECT_EQ(stored->state, domain::request_state::lapsed);
  EXPECT_EQ(stored->decided_at, r.request.lapses_at) << "dated at its deadline, not when it was written";
  rt->advance(10s);
  EXPECT_THAT(kinds(sara_tab), ElementsAre("hello", "banner:support_request", "clear:support_request"));
  EXPECT_THAT(inbox_kinds("sam"), ElementsAre("support_expired"));
  std::size_t lapses = 0;
  for (const auto& e : rt->reader().audit_chain("acme"))
    lapses += e.event == "support.lapse" && e.detail_json.find(r.request.request_id) != std::string::npos;
  EXPECT_EQ(lapses, 1u);
}

TEST_F(support_test, a_lapse_due_while_a_deny_or_an_allow_is_being_written_follows_when_it_is_not_written) {
  // Each decision on a request of its own, the lapse falling due as the decision arrives.
  const std::vector<std::pair<std::string, std::function<std::optional<errc>(const std::string&)>>> decisions{
    {"deny",
     [&](const std::string& request_id) {
       return rt->ask<actors::request_reply>(actors::deny_atom::value, crypto::token_hash(sara), request_id, std::string{})
         .refused.error;
     }},
    {"allow", [&](const std::string& request_id) { return grant(request_id, {"acme-eu"}).refused.error; }},
  };
  for (const auto& [name, decide] : decisions) {
    auto r = request({"acme-eu"});
    rt->advance(72h - 1min);
    sara = rt->token_for("sara");
    sam = rt->token_for("sam");
    rt->writer().failing = true;
    rt->advance_without_delivering(1min);  // the lapse is due, and races the decision
    EXPECT_EQ(decide(r.request.request_id), errc::audit_unavailable) << name << ": nothing can be written";
    rt->writer().failing = false;
    rt->advance(1s);
    auto stored = rt->reader().find_request(r.request.request_id);
    EXPECT_EQ(stored->state, domain::request_state::lapsed) << name << ": the lapse is not lost to it";
    EXPECT_EQ(stored->decided_at, r.request.lapses_at) << name;
  }
  EXPECT_THAT(inbox_kinds("sam"), ElementsAre("support_expired", "support_expired"));
}

TEST_F(support_test, a_denied_or_cancelled_request_clears_the_banners) {
  auto sara_tab = rt->open_tab(sara);
  auto first = request({"acme-eu"});
  auto denied = rt->ask<actors::request_reply>(actors::deny_atom::value, crypto::token_hash(sara), first.request.request_id, std::string{});
  ASSERT_FALSE(denied.refused.error);
  EXPECT_EQ(denied.request.state, domain::request_state::denied);
  EXPECT_THAT(inbox_kinds("sam"), ElementsAre("support_denied"));
  auto second = request({"acme-us"});
  EXPECT_EQ(rt->ask<actors::request_reply>(actors::cancel_atom::value, crypto::token_hash(sara), second.request.request_id, std::string{})
              .refused.error,
            errc::not_found);
  auto cancelled = rt->ask<actors::request_reply>(actors::cancel_atom::value, crypto::token_hash(sam), second.request.request_id, std::string{});
  EXPECT_EQ(cancelled.request.state, domain::request_state::cancelled);
  auto k = kinds(sara_tab);
  EXPECT_EQ(std::count(k.begin(), k.end(), "clear:support_request"), 2);
}

TEST_F(support_test, a_decided_requests_and_an_ended_grants_actors_are_gone) {
  auto running = [&] { return rt->system().registry().running(); };
  // A request denied, one granted and revoked, one granted until it expires; fresh logins each time
  // (a token idles out after an hour).
  auto decided_and_ended = [&] {
    sam = rt->token_for("sam");
    sara = rt->token_for("sara");
    auto denied = request({"acme-eu"});
    ASSERT_FALSE(rt->ask<actors::request_reply>(actors::deny_atom::value, crypto::token_hash(sara),
                                                denied.request.request_id, std::string{})
                   .refused.error);
    auto revoked = grant(request({"acme-eu"}).request.request_id, {"acme-eu"});
    ASSERT_FALSE(revoked.refused.error);
    ASSERT_FALSE(revoke({revoked.grants[0].grant_id}).refused.error);
    ASSERT_FALSE(grant(request({"acme-eu"}).request.request_id, {"acme-eu"}, 3600).refused.error);
    rt->advance(61min);
  };
  // Actors spawned on first use that stay (the users' own) are counted from here.
  decided_and_ended();
  decided_and_ended();
  const auto before = running();
  for (int round = 0; round < 3; ++round)
    decided_and_ended();
  EXPECT_EQ(running(), before) << "the actors of decided requests and ended grants live on";
}

TEST_F(support_test, a_grant_gives_the_support_user_a_temporary_admin_of_that_portal_only) {
  auto r = request({"acme-eu"});
  EXPECT_EQ(grant(r.request.request_id, {"acme-eu"}, std::nullopt, rt->token_for("adam")).refused.error,
            errc::permission_missing);
  EXPECT_EQ(grant(r.request.request_id, {"acme-eu"}, std::nullopt, rt->token_for("gary")).refused.error, errc::not_found);
  EXPECT_EQ(grant(r.request.request_id, {"acme-eu"}, 3599).refused.field, "duration_s");
  auto g = grant(r.request.request_id, {"acme-eu", "acme-us"});
  ASSERT_FALSE(g.refused.error) << g.refused.message;
  ASSERT_EQ(g.grants.size(), 2u);
  EXPECT_EQ(g.grants[0].expires_at - g.grants[0].created_at, 24h);  // default: one day
  EXPECT_EQ(status()["acme-eu"], "available");
  EXPECT_EQ(status()["acme"], "none");
  EXPECT_THAT(inbox_kinds("sam"), ElementsAre("support_granted", "support_granted"));
  // Only the requesting support user gets the token; with it, the temporary admin acts and sam is `act`.
  EXPECT_EQ(grant_token(g.grants[0].grant_id, sara).error, errc::not_found);
  auto token = grant_token(g.grants[0].grant_id);
  ASSERT_FALSE(token.error);
  auto who = rt->auth(token.token);
  EXPECT_EQ(who.who.user_id, g.grants[0].temp_admin);
  EXPECT_EQ(who.who.actor_id, "sam");
  EXPECT_EQ(who.who.grant_id, g.grants[0].grant_id);
  auto mine = rt->ask<actors::grants_reply>(actors::mygrants_atom::value, crypto::token_hash(sam));
  EXPECT_EQ(mine.grants.size(), 2u);
  auto me = rt->ask<actors::me_reply>(actors::me_atom::value, crypto::token_hash(token.token));
  ASSERT_TRUE(me.grant);
  EXPECT_EQ(me.grant->grant_id, g.grants[0].grant_id);
  EXPECT_EQ(me.actor->user_id, "sam");
  // The temporary admin cannot get a token any other way.
  EXPECT_EQ(rt->ask<actors::mint_reply>(actors::mint_atom::value, g.grants[0].temp_admin).error, errc::forbidden);
}

TEST_F(support_test, impersonating_as_a_temporary_admin_records_all_three_people) {
  auto r = request({"acme-eu"});
  auto g = grant(r.request.request_id, {"acme-eu"});
  auto token = grant_token(g.grants[0].grant_id);
  auto started = rt->start(token.token, "ann");
  ASSERT_FALSE(started.error);
  EXPECT_EQ(started.session.via, "sam");
  EXPECT_EQ(started.session.grant_id, g.grants[0].grant_id);
  auto intro = rt->ask<actors::introspect_reply>(actors::introspect_atom::value, actors::caller_ref{"", true, ""},
                                                 crypto::token_hash(started.token));
  ASSERT_EQ(intro.result.act.size(), 2u);
  EXPECT_EQ(intro.result.act[0].sub, g.grants[0].temp_admin);
  EXPECT_EQ(intro.result.act[1].sub, "sam");
  auto log = rt->ask<actors::audit_reply>(actors::glog_atom::value, crypto::token_hash(sara), g.grants[0].grant_id);
  std::vector<std::string> events;
  for (const auto& e : log.events)
    events.push_back(e.event);
  EXPECT_THAT(events, ElementsAre("support.grant", "support.token", "impersonation.start"));
  const auto& start = log.events.back();
  EXPECT_EQ(start.performed_by, g.grants[0].temp_admin);
  EXPECT_EQ(start.active_account, "ann");
  EXPECT_EQ(start.via, "sam");
}

TEST_F(support_test, the_warning_comes_warn_before_s_ahead_and_the_grant_expires_at_its_deadline) {
  auto r = request({"acme-eu"});
  auto g = grant(r.request.request_id, {"acme-eu"}, 2 * 3600);
  auto token = grant_token(g.grants[0].grant_id);
  auto temp_tab = rt->open_tab(token.token);
  rt->advance(30min);
  EXPECT_FALSE(rt->auth(token.token).error);  // in use, so it does not idle out
  rt->advance(30min - 1s);
  EXPECT_THAT(inbox_kinds("sam"), ElementsAre("support_granted"));
  rt->advance(1s);
  EXPECT_THAT(inbox_kinds("sam"), ElementsAre("support_ending_soon", "support_granted"));
  EXPECT_THAT(inbox_kinds("sara"), ElementsAre("support_ending_soon", "support_request"));
  EXPECT_FALSE(rt->auth(token.token).error);  // in use, so it does not idle out
  rt->advance(1h - 1s);
  EXPECT_FALSE(rt->auth(token.token).error);
  rt->advance(1s);
  EXPECT_EQ(rt->auth(token.token).error, errc::unauthenticated);
  EXPECT_EQ(kinds(temp_tab).back(), "close:1008");
  EXPECT_EQ(status()["acme-eu"], "expired");
  auto stored = rt->reader().find_grant(g.grants[0].grant_id);
  EXPECT_EQ(stored->ended_at, g.grants[0].expires_at);
  EXPECT_EQ(inbox_kinds("sam").front(), "support_expired");
}

TEST_F(support_test, revoking_while_in_use_ends_everything_before_the_answer) {
  auto r = request({"acme-eu", "acme-us"});
  auto g = grant(r.request.request_id, {"acme-eu", "acme-us"});
  auto token = grant_token(g.grants[0].grant_id);
  auto started = rt->start(token.token, "ann");
  ASSERT_FALSE(started.error);
  auto imp_tab = rt->open_tab(started.token);
  auto revoked = revoke({g.grants[0].grant_id, g.grants[1].grant_id});
  ASSERT_FALSE(revoked.refused.error) << revoked.refused.message;
  ASSERT_EQ(revoked.grants.size(), 2u);
  EXPECT_EQ(revoked.grants[0].state, domain::grant_state::revoked);
  EXPECT_EQ(rt->reader().find_session(started.session.session_id)->ended_because, domain::end_reason::grant_ended);
  EXPECT_EQ(rt->auth(token.token).error, errc::unauthenticated);
  EXPECT_EQ(rt->auth(started.token).error, errc::unauthenticated);
  EXPECT_EQ(kinds(imp_tab).back(), "close:1008");
  bool tombstone = false;
  for (const auto& u : rt->reader().load_snapshot(test_epoch()).users)
    if (u.user_id == g.grants[0].temp_admin)
      tombstone = u.status == domain::user_status::deleted;
  EXPECT_TRUE(tombstone);
  EXPECT_EQ(status()["acme-eu"], "revoked");
  EXPECT_EQ(revoke({g.grants[0].grant_id}).refused.error, errc::session_ended);
  auto verified = domain::verify_chain(rt->reader().audit_chain("acme"), crypto::sha256_hex);
  EXPECT_TRUE(verified.ok) << verified.problem;
}

/// How many events of this kind name `grant_id` on acme's chain.
std::size_t grant_events(virtual_runtime& rt, const std::string& event, const std::string& grant_id) {
  std::size_t n = 0;
  for (const auto& e : rt.reader().audit_chain("acme"))
    n += e.event == event && e.grant == grant_id;
  return n;
}

TEST_F(support_test, an_expiry_the_log_refused_is_written_by_the_grants_actor_once_it_is_back_and_announced_once) {
  auto r = request({"acme-eu"});
  auto g = grant(r.request.request_id, {"acme-eu"}, 2 * 3600);
  const auto& grant_id = g.grants[0].grant_id;
  auto token = grant_token(grant_id);
  auto again = request({"acme-eu"});
  rt->advance(1h);  // the warning
  rt->advance(30min);
  // Logged in before the log fails (a login is written too); sara's first token has idled out by now.
  auto sara_now = rt->token_for("sara");
  auto sam_tab = rt->open_tab(rt->token_for("sam"));
  auto dashboard = rt->open_dashboard(sara_now);
  dashboard->clear();
  rt->writer().failing = true;
  rt->advance(30min);
  // Ended at once on this node: the temporary admin's token is dead, though nothing is written yet.
  EXPECT_EQ(rt->auth(token.token).error, errc::unauthenticated);
  EXPECT_EQ(rt->reader().find_grant(grant_id)->state, domain::grant_state::active);
  rt->advance(5s);  // retried while the log is down, still refused
  EXPECT_EQ(grant_events(*rt, "support.expire", grant_id), 0u);
  // Nothing is announced before the end is durable: no note to the support user, the dashboard keeps it.
  EXPECT_THAT(kinds(sam_tab), ElementsAre("hello"));
  EXPECT_THAT(kinds(dashboard), ElementsAre());
  rt->writer().failing = false;
  rt->advance(1s);
  EXPECT_EQ(grant_events(*rt, "support.expire", grant_id), 1u);
  EXPECT_THAT(kinds(sam_tab), ElementsAre("hello", "notification:support_expired"));
  EXPECT_THAT(kinds(dashboard), ElementsAre("remove:grant", "notification:support_expired"));
  auto stored = rt->reader().find_grant(grant_id);
  EXPECT_EQ(stored->state, domain::grant_state::expired);
  EXPECT_EQ(stored->ended_at, g.grants[0].expires_at);
  rt->advance(10s);  // nothing written twice
  EXPECT_EQ(grant_events(*rt, "support.expire", grant_id), 1u);
  EXPECT_THAT(inbox_kinds("sam"), ElementsAre("support_expired", "support_ending_soon", "support_granted"));
  auto regranted = grant(again.request.request_id, {"acme-eu"}, std::nullopt, sara_now);
  EXPECT_FALSE(regranted.refused.error) << "the portal is free once the end is durable: " << regranted.refused.message;
}

TEST_F(support_test, a_repeat_revoke_of_an_unwritten_end_writes_it_and_answers_once_with_the_grant) {
  auto r = request({"acme-eu"});
  auto g = grant(r.request.request_id, {"acme-eu"});
  const auto& grant_id = g.grants[0].grant_id;
  rt->writer().failing = true;
  EXPECT_EQ(revoke({grant_id}).refused.error, errc::audit_unavailable);
  EXPECT_EQ(revoke({grant_id}).refused.error, errc::audit_unavailable) << "asked again while the log is down";
  rt->writer().failing = false;
  // Asked again once the log is back: the decided end is written now (not waiting for the retry) and this
  // revoke is answered with the grant it ended.
  auto second = revoke({grant_id});
  ASSERT_FALSE(second.refused.error) << second.refused.message;
  ASSERT_EQ(second.grants.size(), 1u);
  EXPECT_EQ(second.grants[0].state, domain::grant_state::revoked);
  EXPECT_EQ(grant_events(*rt, "support.revoke", grant_id), 1u);
  EXPECT_EQ(revoke({grant_id}).refused.error, errc::session_ended);
  rt->advance(10s);  // the armed retries find nothing left to write
  EXPECT_EQ(grant_events(*rt, "support.revoke", grant_id), 1u);
  EXPECT_THAT(inbox_kinds("sam"), ::testing::UnorderedElementsAre("support_revoked", "support_granted"));
}

TEST_F(support_test, grants_and_requests_survive_a_restart_and_overdue_ones_end_at_their_deadline) {
  auto r = request({"acme-eu"});
  auto g = grant(r.request.request_id, {"acme-eu"}, 3600);
  auto pending = request({"acme-us"});
  boot(test_epoch() + 30min);
  EXPECT_EQ(status()["acme-eu"], "available");
  EXPECT_EQ(status()["acme-us"], "requested");
  boot(test_epoch() + 4 * 24h);
  EXPECT_EQ(status()["acme-eu"], "expired");
  EXPECT_EQ(status()["acme-us"], "none");
  EXPECT_EQ(rt->reader().find_grant(g.grants[0].grant_id)->ended_at, g.grants[0].expires_at);
  EXPECT_EQ(rt->reader().find_request(pending.request.request_id)->state, domain::request_state::lapsed);
}

TEST_F(support_test, the_ending_soon_warning_is_sent_once_when_a_node_starts_right_after_it) {
  auto r = request({"acme-eu"});
  auto g = grant(r.request.request_id, {"acme-eu"}, 2 * 3600);
  rt->advance(1h);  // the warning, sent by this node
  ASSERT_THAT(inbox_kinds("sam"), ElementsAre("support_ending_soon", "support_granted"));
  // A node that starts (or restarts) half a minute later holds the grant live too, with a warning that
  // was due a moment ago: it must not tell anyone again.
  boot(test_epoch() + 1h + 30s);
  rt->advance(1s);
  EXPECT_THAT(inbox_kinds("sam"), ElementsAre("support_ending_soon", "support_granted"));
  EXPECT_THAT(inbox_kinds("sara"), ElementsAre("support_ending_soon", "support_request"));
  rt->advance(1h);
  EXPECT_EQ(rt->reader().find_grant(g.grants[0].grant_id)->state, domain::grant_state::expired);
}

} // namespace
} // namespace actas::test
