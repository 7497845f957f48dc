// Nothing is lost on a crash (SPEC §7): the real binary is killed with SIGKILL during two active sessions
// and restarted on the same data. The one still within its deadline resumes with the same deadline and a
// working token; the one whose deadline passed while the server was down ends `expired`, dated at its
// deadline, with its notification in the learner's inbox; the audit chain still verifies.
#include <gtest/gtest.h>


#include <filesystem>

#include "client.hpp"
#include "demo_login.hpp"
#include "crypto/crypto.hpp"
#include "domain/audit.hpp"
#include "process.hpp"
#include "store/database.hpp"
#include "tests/store/temp_dir.hpp"
#include "tests/store/test_database.hpp"

namespace actas::testing {
namespace {

const std::string& reason = demo_reason;

json start(std::uint16_t port, const std::string& bearer, const std::string& target) {
  auto r = http(port, "POST", "/v1/impersonations", json{{"target", target}, {"reason", reason}}.dump(), bearer);
  EXPECT_EQ(r.status, 201u) << r.text << r.error;
  return r.body;
}

/// Moves session `id` (and its token) `shift` back in time, straight in the database of a stopped server.
void move_back(const std::string& db_path, const std::string& id, const std::string& token,
               std::chrono::microseconds shift, domain::timestamp& new_deadline) {
  store::database db(db_path);
  auto session = db.find_session(id);
  ASSERT_TRUE(session);
  session->started_at -= shift;
  session->warn_at -= shift;
  session->expires_at -= shift;
  new_deadline = session->expires_at;
  const auto now = std::chrono::time_point_cast<domain::duration>(std::chrono::system_clock::now());
  std::optional<domain::token_record> rec;
  for (auto& t : db.load_snapshot(now).live_tokens)
    if (t.hash == crypto::token_hash(token)) rec = t;
  ASSERT_TRUE(rec);
  rec->created_at -= shift;
  rec->expires_at -= shift;
  rec->last_used_at -= shift;
  db.conn().begin_write();
  auto heads = db.chain_heads();
  const domain::hash_function sha256 = [](std::string_view b) { return crypto::sha256_hex(b); };
  store::transaction tx(db, heads, sha256);
  tx.put_session(*session);
  tx.put_token(*rec);
  db.conn().commit();
}

/// Waits (bounded) until `user`'s inbox in the database holds a notification of `kind`.
bool inbox_has(const std::string& db_path, const std::string& user, domain::notification_kind kind) {
  const auto deadline = clock_type::now() + 20s;
  while (clock_type::now() < deadline) {
    store::database db(db_path);
    for (const auto& n : db.inbox(user, false, 100))
      if (n.kind == kind) return true;
    // Polling a file written by another process: no event to wait on, so a short pause between reads.
    ::poll(nullptr, 0, 50);
  }
  return false;
}

TEST(restart_test, sessions_survive_sigkill_and_overdue_ones_end_expired_at_their_deadline) {
  crypto::init();
  temp_dir dir;
  const auto data = (dir.path() / "data").string();
  const auto db_path = test_database(dir.path() / "data");
  const std::vector<std::string> args{"--demo", "--data", data, "--listen", "127.0.0.1:0", "--log-level", "warn"};
  // On PostgreSQL the binary finds its schema through the environment (SPEC §8).
  std::vector<std::string> env;
  if (on_postgresql()) env.push_back("ACTAS_DATABASE_URL=" + db_path);

  std::string adam, sara, adam_imp, sara_imp, resumed_id, overdue_id, resumed_deadline;
  {
    process first(args, env);
    auto port = listening_port(first);
    ASSERT_TRUE(port) << first.out_text << first.err_text;
    adam = login(*port, "adam");
    sara = login(*port, "sara");
    auto a = start(*port, adam, "ann");
    auto s = start(*port, sara, "bob");
    ASSERT_TRUE(a.contains("token") && s.contains("token"));
    resumed_id = a["session"]["id"];
    resumed_deadline = a["session"]["expires_at"];
    adam_imp = a["token"];
    overdue_id = s["session"]["id"];
    sara_imp = s["token"];
    // A crash, not a shutdown: nothing gets to run after this.
    first.signal(SIGKILL);
    auto status = first.wait_exit();
    ASSERT_TRUE(status && WIFSIGNALED(*status));
  }

  // Downtime past one deadline: rather than wait 30 minutes, move sara's session (and its token) so its
  // deadline lies 10 minutes in the past, as if the server had been down since before it. The other session
  // keeps its deadline, still ahead.
  domain::timestamp overdue_deadline{};
  const auto now = std::chrono::time_point_cast<domain::duration>(std::chrono::system_clock::now());
  {
    std::optional<domain::timestamp> expires;
    {
      store::database db(db_path);
      auto s = db.find_session(overdue_id);
      ASSERT_TRUE(s);
      expires = s->expires_at;
    }
    const auto shift = std::chrono::duration_cast<domain::duration>((*expires - now) + std::chrono::minutes{10});
    move_back(db_path, overdue_id, sara_imp, shift, overdue_deadline);
  }
  ASSERT_LT(overdue_deadline, now);

  process second(args, env);
  auto port = listening_port(second);
  ASSERT_TRUE(port) << second.out_text << second.err_text;

  // The session within its deadline resumed: same deadline, its token works, so does the actor's own.
  auto me = http(*port, "GET", "/v1/me", {}, adam_imp);
  ASSERT_EQ(me.status, 200u) << me.text;
  EXPECT_EQ(me.body["user"]["id"], "ann");
  EXPECT_EQ(me.body["actor"]["id"], "adam");
  EXPECT_EQ(me.body["impersonation"]["id"], resumed_id);
  EXPECT_EQ(me.body["impersonation"]["state"], "active");
  EXPECT_EQ(me.body["impersonation"]["expires_at"], resumed_deadline);
  EXPECT_EQ(http(*port, "GET", "/v1/me", {}, adam).status, 200u);

  // The overdue one ended `expired` at its deadline; its token is dead.
  auto overdue = http(*port, "GET", "/v1/impersonations/" + overdue_id, {}, sara);
  ASSERT_EQ(overdue.status, 200u) << overdue.text;
  EXPECT_EQ(overdue.body["session"]["state"], "ended");
  EXPECT_EQ(overdue.body["session"]["end_reason"], "expired");
  EXPECT_EQ(overdue.body["session"]["ended_at"], domain::format_utc(overdue_deadline));
  EXPECT_EQ(http(*port, "GET", "/v1/me", {}, sara_imp).status, 401u);

  // Bob's inbox has the end (the notifications endpoint comes later: read the store).
  EXPECT_TRUE(inbox_has(db_path, "bob", domain::notification_kind::impersonation_ended));

  // The end is audited at the deadline, and the chain verifies.
  auto events = http(*port, "GET", "/v1/audit?session=" + overdue_id, {}, sara);
  ASSERT_EQ(events.status, 200u) << events.text;
  bool end_at_deadline = false;
  for (const auto& e : events.body["events"])
    end_at_deadline |= e["event"] == "impersonation.end" && e["at"] == domain::format_utc(overdue_deadline);
  EXPECT_TRUE(end_at_deadline) << events.text;
  auto verify = http(*port, "GET", "/v1/audit/verify", {}, sara);
  ASSERT_EQ(verify.status, 200u) << verify.text;
  EXPECT_EQ(verify.body["ok"], true) << verify.text;

  second.signal(SIGTERM);
  auto status = second.wait_exit();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << second.err_text;
}

} // namespace
} // namespace actas::testing
