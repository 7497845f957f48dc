#include "store/database.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "codec/settings_json.hpp"
#include "store/writer.hpp"
#include "store_fixture.hpp"
#include "temp_dir.hpp"
#include "test_database.hpp"

namespace actas::store {
namespace {

using namespace actas::testing;

class database_test : public ::testing::Test {
protected:
  void SetUp() override { crypto::init(); }
  std::string path() const { return location_; }
  temp_dir dir_;
  std::string location_ = test_database(dir_.path());
};

TEST_F(database_test, portals_load_parents_first_whatever_their_ids) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, [](transaction& tx) {
    tx.put_realm({"r", "R", "z-top"});
    tx.put_portal({"z-top", "r", std::nullopt, "Top"});
    tx.put_portal({"m-mid", "r", "z-top", "Mid"});
    tx.put_portal({"a-leaf", "r", "m-mid", "Leaf"});
  }));
  database db(path());
  auto s = db.load_snapshot(at_s(0));
  ASSERT_EQ(s.portals.size(), 3u);
  EXPECT_EQ(s.portals[0].portal_id, "z-top");
  EXPECT_EQ(s.portals[1].portal_id, "m-mid");
  EXPECT_EQ(s.portals[2].portal_id, "a-leaf");
  EXPECT_EQ(s.portals[2].parent, "m-mid");
}

TEST_F(database_test, putting_a_user_again_replaces_its_lists_and_keeps_what_references_it) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, write_small_realm));
  ASSERT_TRUE(commit(*w, [](transaction& tx) {
    token_record t;
    t.hash = crypto::token_hash("tok");
    t.user_id = "u-pia";
    t.expires_at = at_s(1000);
    tx.put_token(t);
    user pia = make_user("pia", role::power_user, "acme", "acme");
    pia.assigned_users = {"u-bob"};
    pia.status = user_status::inactive;
    tx.put_user(pia);
  }));
  database db(path());
  auto s = db.load_snapshot(at_s(0));
  auto pia = std::find_if(s.users.begin(), s.users.end(), [](const user& u) { return u.user_id == "u-pia"; });
  ASSERT_NE(pia, s.users.end());
  EXPECT_EQ(pia->assigned_users, std::vector<id>{"u-bob"});
  EXPECT_TRUE(pia->assigned_portals.empty());
  EXPECT_EQ(pia->status, user_status::inactive);
  EXPECT_EQ(s.live_tokens.size(), 1u);
}

TEST_F(database_test, the_snapshot_holds_only_live_tokens) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, write_small_realm));
  auto token = [](std::string text, std::string user, std::int64_t expires_s) {
    token_record t;
    t.hash = crypto::token_hash(text);
    t.user_id = std::move(user);
    t.created_at = at_s(0);
    t.last_used_at = at_s(0);
    t.expires_at = at_s(expires_s);
    return t;
  };
  ASSERT_TRUE(commit(*w, [&](transaction& tx) {
    tx.put_token(token("live", "u-ann", 500));
    tx.put_token(token("expired", "u-ann", 100));
    tx.put_token(token("revoked", "u-ann", 500));
    tx.revoke_token(crypto::token_hash("revoked"), at_s(50));
    auto imp = token("impersonation", "u-ann", 500);
    imp.kind = token_kind::impersonation;
    imp.session_id = "ses-1";
    imp.actor_id = "u-adam";
    imp.parent_hash = crypto::token_hash("adam-1");
    tx.put_token(imp);
    tx.put_token(token("adam-1", "u-adam", 500));
    tx.put_token(token("adam-2", "u-adam", 500));
    tx.touch_token(crypto::token_hash("live"), at_s(70));
    tx.touch_token(crypto::token_hash("live"), at_s(60));  // last use never moves back
  }));
  database db(path());
  auto live = [&](std::int64_t now_s) {
    std::set<std::string> hashes;
    for (const auto& t : db.load_snapshot(at_s(now_s)).live_tokens) hashes.insert(t.hash);
    return hashes;
  };
  auto h = [](const char* text) { return crypto::token_hash(text); };
  EXPECT_EQ(live(200), (std::set{h("live"), h("impersonation"), h("adam-1"), h("adam-2")}));
  EXPECT_EQ(live(500), std::set<std::string>{});  // expires_at is exclusive
  for (const auto& t : db.load_snapshot(at_s(200)).live_tokens)
    EXPECT_EQ(t.parent_hash, t.kind == token_kind::impersonation ? std::optional{h("adam-1")} : std::nullopt);

  ASSERT_TRUE(commit(*w, [&](transaction& tx) {
    tx.revoke_session_tokens("ses-1", at_s(80));
    tx.revoke_user_tokens("u-adam", at_s(90));
  }));
  EXPECT_EQ(live(200), std::set{h("live")});
  auto s = db.load_snapshot(at_s(200));
  ASSERT_EQ(s.live_tokens.size(), 1u);
  EXPECT_EQ(s.live_tokens[0].last_used_at, at_s(70));
}

TEST_F(database_test, sessions_filter_by_realm_and_state_newest_first) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, write_small_realm));
  auto session = [](std::string sid, std::string realm, std::int64_t started_s, std::string actor = "u-adam") {
    impersonation_session s;
    s.session_id = std::move(sid);
    s.actor = std::move(actor);
    s.target = "u-ann";
    s.realm_id = std::move(realm);
    s.reason = "checking the gradebook";
    s.started_at = at_s(started_s);
    s.expires_at = at_s(started_s + 1800);
    s.warn_at = at_s(started_s + 1500);
    return s;
  };
  ASSERT_TRUE(commit(*w, [&](transaction& tx) {
    tx.put_session(session("s1", "acme", 10));
    tx.put_session(session("s2", "acme", 30, "u-pia"));
    tx.put_session(session("s3", "globex", 20, "u-bob"));
    auto ended = session("s4", "acme", 40);
    ended.state = session_state::ended;
    ended.ended_at = at_s(45);
    ended.ended_because = end_reason::terminated;
    tx.put_session(ended);
  }));
  database db(path());
  auto ids = [](const std::vector<impersonation_session>& v) {
    std::vector<id> out;
    for (const auto& s : v) out.push_back(s.session_id);
    return out;
  };
  EXPECT_EQ(ids(db.sessions(std::nullopt, std::nullopt, 10)), (std::vector<id>{"s4", "s2", "s3", "s1"}));
  EXPECT_EQ(ids(db.sessions(id("acme"), std::nullopt, 10)), (std::vector<id>{"s4", "s2", "s1"}));
  EXPECT_EQ(ids(db.sessions(id("acme"), session_state::active, 10)), (std::vector<id>{"s2", "s1"}));
  EXPECT_EQ(ids(db.sessions(std::nullopt, session_state::ended, 10)), (std::vector<id>{"s4"}));
  EXPECT_EQ(ids(db.sessions(std::nullopt, std::nullopt, 2)), (std::vector<id>{"s4", "s2"}));
  EXPECT_EQ(ids(db.load_snapshot(at_s(50)).active_sessions), (std::vector<id>{"s1", "s3", "s2"}));
  auto s4 = db.find_session("s4");
  ASSERT_TRUE(s4);
  EXPECT_EQ(s4->ended_because, end_reason::terminated);
  EXPECT_EQ(s4->ended_at, at_s(45));
  EXPECT_FALSE(db.find_session("nope"));
}

TEST_F(database_test, audit_queries_filter_within_a_chain_in_seq_order) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, [](transaction& tx) {
    for (int i = 0; i < 6; ++i) {
      auto e = make_event("acme", "impersonation.authorize", at_s(i));
      e.session = i % 2 ? "s-odd" : "s-even";
      e.performed_by = "u-adam";
      e.active_account = i < 3 ? "u-ann" : "u-bob";
      e.portal = "acme-eu";
      if (i == 5) e.grant = "g-1";
      tx.append_audit(e);
    }
    tx.append_audit(make_event("system", "realm.create", at_s(9)));
  }));
  database db(path());
  auto seqs = [](const std::vector<audit_event>& v) {
    std::vector<std::int64_t> out;
    for (const auto& e : v) out.push_back(e.seq);
    return out;
  };
  audit_query q;
  q.chain = "acme";
  EXPECT_EQ(seqs(db.audit(q)), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
  q.after_seq = 2;
  q.limit = 3;
  EXPECT_EQ(seqs(db.audit(q)), (std::vector<std::int64_t>{3, 4, 5}));
  q = {};
  q.chain = "acme";
  q.session = "s-odd";
  EXPECT_EQ(seqs(db.audit(q)), (std::vector<std::int64_t>{2, 4, 6}));
  q.active_account = "u-bob";
  EXPECT_EQ(seqs(db.audit(q)), (std::vector<std::int64_t>{4, 6}));
  q = {};
  q.chain = "acme";
  q.grant = "g-1";
  q.performed_by = "u-adam";
  q.portal = "acme-eu";
  EXPECT_EQ(seqs(db.audit(q)), (std::vector<std::int64_t>{6}));
  q.chain = "system";
  EXPECT_TRUE(db.audit(q).empty());

  auto heads = db.chain_heads();
  ASSERT_EQ(heads.size(), 2u);
  EXPECT_EQ(heads["acme"].first, 6);
  EXPECT_EQ(heads["system"].first, 1);
  EXPECT_EQ(heads["acme"].second, db.audit_chain("acme").back().hash);
}

// Everything written, the writer gone, the file reopened: all of it comes back as it was.
TEST_F(database_test, reopening_finds_everything_and_no_token_in_the_clear) {
  const std::string user_token = crypto::random_token();
  const std::string imp_token = crypto::random_token();
  const std::string password_hash = crypto::hash_password("s3cret-pass");
  settings_patch patch;
  patch.impersonation.enabled = true;
  patch.impersonation.max_duration_s = 900;
  patch.notifications[notification_kind::impersonation_started].title = "Someone is in";

  {
    auto w = make_inline_writer(path());
    ASSERT_TRUE(commit(*w, write_small_realm));
    ASSERT_TRUE(commit(*w, [&](transaction& tx) {
      user sam = make_user("sam", role::support, std::nullopt, std::nullopt);
      sam.last_seen_at = at_s(77);
      tx.put_user(sam);
      user tom = make_user("tom", role::admin, "acme-eu", "acme");
      tom.admin_portals = {"acme-eu"};
      tom.exact_scope = true;
      tom.grant_id = "g-1";
      tx.put_user(tom);
      tx.put_password("u-adam", password_hash);
      tx.put_settings("acme", patch);
      tx.set_meta("seeded", "yes");

      impersonation_session s;
      s.session_id = "ses-1";
      s.actor = "u-adam";
      s.target = "u-ann";
      s.portal = "acme-eu";
      s.realm_id = "acme";
      s.reason = "checking the gradebook";
      s.return_to = "/admin/users";
      s.started_at = at_s(100);
      s.expires_at = at_s(1900);
      s.warn_at = at_s(1600);
      tx.put_session(s);

      token_record t;
      t.hash = crypto::token_hash(user_token);
      t.user_id = "u-adam";
      t.created_at = at_s(90);
      t.expires_at = at_s(90 + 12 * 3600);
      t.last_used_at = at_s(95);
      tx.put_token(t);
      t.hash = crypto::token_hash(imp_token);
      t.kind = token_kind::impersonation;
      t.user_id = "u-ann";
      t.session_id = "ses-1";
      t.actor_id = "u-adam";
      tx.put_token(t);

      tx.put_notification({"n-1", "u-ann", notification_kind::impersonation_started, "Someone is in", "Adam", at_s(100)});
      tx.put_notification({"n-2", "u-ann", notification_kind::impersonation_ended, "Gone", "Adam left", at_s(200)});
      tx.put_notification({"n-3", "u-ann", notification_kind::impersonation_message, "Msg", "Hi", at_s(150)});
      tx.mark_read("u-ann", "n-3");
      tx.mark_read("u-bob", "n-1");  // not bob's: changes nothing

      auto e = make_event("acme", "impersonation.start", at_s(100));
      e.performed_by = "u-adam";
      e.active_account = "u-ann";
      e.session = "ses-1";
      e.reason = "checking the gradebook";
      e.ip = "127.0.0.1";
      e.detail_json = R"({"return_to":"/admin/users"})";
      tx.append_audit(e);
      auto denied = make_event("acme", "impersonation.start", at_s(101));
      denied.result = outcome::denied;
      denied.code = "target_busy";
      tx.append_audit(denied);
      tx.append_audit(make_event("system", "realm.create", at_s(1)));
    }));
    ASSERT_TRUE(commit(*w, [](transaction& tx) { tx.append_audit(make_event("acme", "settings.change", at_s(300))); }));
  }

  database db(path());
  auto s = db.load_snapshot(at_s(500));
  ASSERT_EQ(s.realms.size(), 1u);
  EXPECT_EQ(s.realms[0].name, "Acme Corp");
  EXPECT_EQ(s.portals.size(), 3u);
  ASSERT_EQ(s.users.size(), 6u);
  std::map<id, user> users;
  for (auto& u : s.users) users[u.user_id] = u;
  EXPECT_EQ(users["u-adam"].admin_portals, (std::vector<id>{"acme-eu", "acme-eu-paris"}));
  EXPECT_EQ(users["u-adam"].user_role, role::admin);
  EXPECT_EQ(users["u-pia"].assigned_users, (std::vector<id>{"u-ann", "u-bob"}));
  EXPECT_EQ(users["u-pia"].assigned_portals, std::vector<id>{"acme-eu-paris"});
  EXPECT_FALSE(users["u-bob"].accepted.terms);
  EXPECT_TRUE(users["u-bob"].accepted.privacy);
  EXPECT_EQ(users["u-bob"].home_portal, "acme-eu-paris");
  EXPECT_EQ(users["u-sam"].home_portal, std::nullopt);
  EXPECT_EQ(users["u-sam"].realm_id, std::nullopt);
  EXPECT_EQ(users["u-sam"].last_seen_at, at_s(77));
  EXPECT_EQ(users["u-tom"].grant_id, "g-1");
  EXPECT_TRUE(users["u-tom"].exact_scope);
  EXPECT_EQ(users["u-ann"].display_name, "User ann");

  auto hash = db.password_hash("u-adam");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(crypto::verify_password("s3cret-pass", *hash));
  EXPECT_FALSE(crypto::verify_password("wrong", *hash));
  EXPECT_FALSE(db.password_hash("u-ann"));

  ASSERT_EQ(s.settings.count("acme"), 1u);
  EXPECT_EQ(codec::encode(s.settings["acme"]), codec::encode(patch));
  EXPECT_EQ(db.meta("seeded"), "yes");

  ASSERT_EQ(s.active_sessions.size(), 1u);
  EXPECT_EQ(s.active_sessions[0].return_to, "/admin/users");
  EXPECT_EQ(s.active_sessions[0].portal, "acme-eu");
  EXPECT_EQ(s.active_sessions[0].warn_at, at_s(1600));

  ASSERT_EQ(s.live_tokens.size(), 2u);
  const auto& imp = s.live_tokens[0].kind == token_kind::impersonation ? s.live_tokens[0] : s.live_tokens[1];
  EXPECT_EQ(imp.hash, crypto::token_hash(imp_token));
  EXPECT_EQ(imp.session_id, "ses-1");
  EXPECT_EQ(imp.actor_id, "u-adam");
  EXPECT_EQ(imp.idle_timeout_s, 3600);

  auto inbox = db.inbox("u-ann", false, 10);
  ASSERT_EQ(inbox.size(), 3u);
  EXPECT_EQ(inbox[0].notification_id, "n-2");
  EXPECT_EQ(inbox[1].notification_id, "n-3");
  EXPECT_TRUE(inbox[1].read);
  EXPECT_EQ(inbox[2].kind, notification_kind::impersonation_started);
  EXPECT_EQ(db.inbox("u-ann", true, 10).size(), 2u);
  EXPECT_EQ(db.inbox("u-ann", false, 1).size(), 1u);
  EXPECT_EQ(db.unread_count("u-ann"), 2);
  EXPECT_EQ(db.unread_count("u-bob"), 0);

  auto chain = db.audit_chain("acme");
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[0].detail_json, R"({"return_to":"/admin/users"})");
  EXPECT_EQ(chain[0].ip, "127.0.0.1");
  EXPECT_EQ(chain[1].result, outcome::denied);
  EXPECT_EQ(chain[1].code, "target_busy");
  EXPECT_EQ(chain[0].prev_hash, genesis_hash);
  auto verified = verify_chain(chain, sha256());
  EXPECT_TRUE(verified.ok) << verified.problem;
  EXPECT_EQ(verified.events, 3);
  EXPECT_TRUE(verify_chain(db.audit_chain("system"), sha256()).ok);

  // Tokens are stored as hashes only: neither plain text is anywhere in the files.
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(user_token), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find(imp_token), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find("s3cret-pass"), std::string::npos) << entry.path();
  }
}

} // namespace
} // namespace actas::store

namespace actas::store {
namespace {

using namespace actas::testing;

class preferences_test : public ::testing::Test {
protected:
  void SetUp() override { crypto::init(); }
  std::string path() const { return location_; }
  temp_dir dir_;
  std::string location_ = test_database(dir_.path());
};

TEST_F(preferences_test, preferences_and_last_seen_survive_a_reopen) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, write_small_realm));
  ASSERT_TRUE(commit(*w, [](transaction& tx) {
    tx.put_preferences("u-ann", R"({"theme":"dark"})", at_s(10));
    tx.put_preferences("u-ann", R"({"theme":"light"})", at_s(20));
    tx.touch_user("u-ann", at_s(30));
    tx.touch_user("u-ann", at_s(25));  // never moves back
  }));
  w.reset();
  database db(path());
  EXPECT_EQ(db.preferences("u-ann"), R"({"theme":"light"})");
  EXPECT_EQ(db.preferences("u-bob"), std::nullopt);
  for (const auto& u : db.load_snapshot(at_s(40)).users) {
    if (u.user_id == "u-ann") {
      EXPECT_EQ(u.last_seen_at, at_s(30));
    }
  }
}

} // namespace
} // namespace actas::store

namespace actas::store {
namespace {

using namespace actas::testing;

class support_store_test : public ::testing::Test {
protected:
  void SetUp() override { crypto::init(); }
  std::string path() const { return location_; }
  temp_dir dir_;
  std::string location_ = test_database(dir_.path());
};

// One pending request of pia's for acme-eu (and acme), and the grant that would follow it.
domain::support_request a_request() {
  domain::support_request r;
  r.request_id = "req-1";
  r.support_user = "u-pia";
  r.realm_id = "acme";
  r.portals = {"acme", "acme-eu"};
  r.reason = "Broken enrolments";
  r.ticket = "T-42";
  r.created_at = at_s(1);
  r.lapses_at = at_s(100);
  return r;
}

domain::support_grant a_grant() {
  domain::support_grant g;
  g.grant_id = "g-1";
  g.request_id = "req-1";
  g.portal_id = "acme-eu";
  g.realm_id = "acme";
  g.support_user = "u-pia";
  g.temp_admin = "u-adam";
  g.granted_by = "u-sara";
  g.created_at = at_s(2);
  g.expires_at = at_s(50);
  g.warn_at = at_s(40);
  return g;
}

// The last guard (migration 7): whatever the registry decided, the database commits at most one active
// impersonation per actor and one live grant per portal. The job that would break either is rolled back.
TEST_F(support_store_test, the_database_refuses_a_second_active_session_per_actor_and_live_grant_per_portal) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, write_small_realm));
  impersonation_session s;
  s.session_id = "s1";
  s.actor = "u-adam";
  s.target = "u-ann";
  s.reason = "checking the gradebook";
  s.started_at = at_s(1);
  s.expires_at = at_s(1801);
  s.warn_at = at_s(1501);
  ASSERT_TRUE(commit(*w, [&](transaction& tx) { tx.put_session(s); }));
  auto second = s;
  second.session_id = "s2";
  second.target = "u-bob";
  EXPECT_FALSE(commit(*w, [&](transaction& tx) { tx.put_session(second); }));
  // Ending the first and starting the second in one commit is fine, in that order.
  auto ended = s;
  ended.state = session_state::ended;
  ended.ended_at = at_s(2);
  ended.ended_because = end_reason::terminated;
  EXPECT_TRUE(commit(*w, [&](transaction& tx) {
    tx.put_session(ended);
    tx.put_session(second);
  }));

  const auto r = a_request();
  const auto g = a_grant();
  ASSERT_TRUE(commit(*w, [&](transaction& tx) {
    tx.put_request(r);
    tx.put_grant(g);
  }));
  auto twin = g;
  twin.grant_id = "g-2";
  EXPECT_FALSE(commit(*w, [&](transaction& tx) { tx.put_grant(twin); }));
  database db(path());
  EXPECT_FALSE(db.find_grant("g-2"));
  EXPECT_EQ(db.find_session("s2")->state, session_state::active);
  EXPECT_EQ(db.find_session("s1")->state, session_state::ended);
}

TEST_F(support_store_test, requests_and_grants_survive_a_reopen_and_the_snapshot_keeps_the_live_ones) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, write_small_realm));
  const auto pending = a_request();
  auto denied = pending;
  denied.request_id = "req-2";
  denied.state = domain::request_state::denied;
  denied.decided_at = at_s(5);
  denied.decided_by = "u-sara";
  const auto live = a_grant();
  auto revoked = live;
  revoked.grant_id = "g-0";
  revoked.created_at = at_s(1);
  revoked.state = domain::grant_state::revoked;
  revoked.ended_at = at_s(3);
  revoked.ended_by = "u-sara";
  ASSERT_TRUE(commit(*w, [&](transaction& tx) {
    tx.put_request(pending);
    tx.put_request(denied);
    tx.put_grant(revoked);
    tx.put_grant(live);
  }));
  w.reset();
  database db(path());
  auto snap = db.load_snapshot(at_s(10));
  ASSERT_EQ(snap.pending_requests.size(), 1u);
  EXPECT_EQ(snap.pending_requests[0].portals, (std::vector<domain::id>{"acme", "acme-eu"}));
  EXPECT_EQ(snap.pending_requests[0].ticket, "T-42");
  ASSERT_EQ(snap.active_grants.size(), 1u);
  EXPECT_EQ(snap.active_grants[0].grant_id, "g-1");
  EXPECT_EQ(snap.active_grants[0].warn_at, at_s(40));
  EXPECT_EQ(db.find_request("req-2")->decided_by, "u-sara");
  EXPECT_EQ(db.find_grant("g-0")->state, domain::grant_state::revoked);
  auto all = db.grants_of_realm("acme", 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].grant_id, "g-1");  // newest first
}

} // namespace
} // namespace actas::store
