// The real binary on a failing disk (issue 12): with fsync failing (EIO) or the disk full (ENOSPC),
// starts answer 503 audit_unavailable, the server recovers by itself when the disk does, and after a
// SIGKILL and a restart every answer it gave agrees with what the restart finds: a 503'd start is not
// there, a 201'd one is active. And a chain cut at its tail is caught at start.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "fault_switch.hpp"
#include "file_query.hpp"
#include "tests/net/client.hpp"
#include "tests/net/demo_login.hpp"
#include "tests/net/process.hpp"

namespace actas::testing {
namespace {

const std::string& reason = demo_reason;

/// One start as the client saw it.
struct answer {
  std::string actor, target;
  unsigned status = 0;
  std::string code;
  std::string session;  ///< set on 201
};

answer start(std::uint16_t port, const std::string& actor, const std::string& bearer, const std::string& target) {
  auto r = http(port, "POST", "/v1/impersonations", json{{"target", target}, {"reason", reason}}.dump(), bearer);
  answer a{actor, target, r.status, {}, {}};
  if (r.status == 201) a.session = r.body["session"]["id"];
  if (r.body.contains("error")) a.code = r.body["error"].value("code", "");
  return a;
}

/// Polls `read` every 100 ms for up to 10 s until it gives `wanted`; returns the last value read.
std::string await_value(const std::function<std::string()>& read, const std::string& wanted) {
  auto seen = read();
  for (int i = 0; i < 100 && seen != wanted; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen = read();
  }
  return seen;
}

class binary_fault_test : public ::testing::TestWithParam<const char*> {
protected:
  std::vector<std::string> args() const {
    return {"--demo", "--data", data(), "--listen", "127.0.0.1:0", "--log-level", "warn"};
  }
  std::string data() const { return (dir_.path() / "data").string(); }
  std::string db_path() const { return data() + "/actas.db"; }
  void fault(bool on) {
    if (std::string(GetParam()) == "eio")
      faults_.eio(on);
    else
      faults_.enospc(on);
  }

  temp_dir dir_;
  fault_switch faults_{false};
};

TEST_P(binary_fault_test, every_answer_given_while_the_disk_failed_agrees_with_what_a_restart_finds) {
  std::vector<answer> answers;
  std::string sara;
  {
    process server(args(), faults_.env());
    auto port = listening_port(server);
    ASSERT_TRUE(port) << server.out_text << server.err_text;
    sara = login(*port, "sara");
    const auto pia = login(*port, "pia");
    const auto adam = login(*port, "adam");

    fault(true);
    answers.push_back(start(*port, "pia", pia, "ann"));
    answers.push_back(start(*port, "sara", sara, "bob"));
    EXPECT_GT(faults_.injected(), 0u) << "the shim was never reached";
    for (const auto& a : answers) {
      EXPECT_EQ(a.status, 503u) << a.actor;
      EXPECT_EQ(a.code, "audit_unavailable") << a.actor;
    }
    // Nothing was announced: no active session is listed.
    auto active = http(*port, "GET", "/v1/impersonations?state=active", {}, sara);
    EXPECT_EQ(active.body["sessions"].size(), 0u) << active.text;
    // Load balancers are told: not ready while the audit log cannot be written.
    auto unready = http(*port, "GET", "/readyz");
    EXPECT_EQ(unready.status, 503u) << unready.text;
    EXPECT_EQ(unready.body["problems"], json::array({"audit_unwritable"})) << unready.text;

    // The disk is back: no restart needed.
    fault(false);
    answers.push_back(start(*port, "pia", pia, "ann"));
    EXPECT_EQ(answers.back().status, 201u) << answers.back().code;
    EXPECT_EQ(http(*port, "GET", "/readyz").status, 200u) << "ready again once a commit succeeded";

    // And fails again, then the process dies in the middle of it. Each failed commit is written where
    // the one before it was, so the last one is what a restart would replay: a start.
    fault(true);
    answers.push_back(start(*port, "adam", adam, "ann"));  // target_busy, whose denial cannot be audited
    answers.push_back(start(*port, "sara", sara, "bob"));
    EXPECT_EQ(answers[3].status, 503u);
    EXPECT_EQ(answers[4].status, 503u);
    server.signal(SIGKILL);
    ASSERT_TRUE(server.wait_exit());
    fault(false);
  }

  process again(args());
  auto port = listening_port(again);
  ASSERT_TRUE(port) << again.out_text << again.err_text;
  std::size_t created = 0;
  for (const auto& a : answers) {
    if (a.status == 201) {
      ++created;
      auto s = http(*port, "GET", "/v1/impersonations/" + a.session, {}, sara);
      EXPECT_EQ(s.status, 200u) << s.text;
      EXPECT_EQ(s.body["session"]["state"], "active") << a.actor << " was answered 201";
    }
  }
  auto all = http(*port, "GET", "/v1/impersonations", {}, sara);
  ASSERT_EQ(all.status, 200u) << all.text;
  EXPECT_EQ(all.body["sessions"].size(), created) << "a start answered 503 came back: " << all.text;
  // Bob was never told of a session (his start was answered 503 twice); ann of exactly one.
  EXPECT_EQ(file_query(db_path(), "SELECT count(*) FROM notifications WHERE user_id = 'bob'"), "0");
  EXPECT_EQ(file_query(db_path(), "SELECT count(*) FROM notifications WHERE user_id = 'ann' AND kind = "
                              "'impersonation_started'"),
            "1");
  // adam's only act was the refused start answered 503: its denial event is not there either.
  EXPECT_EQ(file_query(db_path(), "SELECT count(*) FROM audit WHERE performed_by = 'adam'"), "0");
  auto verify = http(*port, "GET", "/v1/audit/verify", {}, sara);
  EXPECT_EQ(verify.body["ok"], true) << verify.text;
  EXPECT_EQ(file_query(db_path(), "PRAGMA integrity_check"), "ok");
}

TEST_P(binary_fault_test, a_session_ends_on_time_while_the_disk_fails_and_its_end_is_written_once_it_is_back) {
  std::string session, token;
  {
    process server(args(), faults_.env());
    auto port = listening_port(server);
    ASSERT_TRUE(port) << server.out_text << server.err_text;
    const auto sara = login(*port, "sara");
    one_minute_sessions(*port, sara);
    auto started = http(*port, "POST", "/v1/impersonations",
                        json{{"target", "ann"}, {"reason", reason}}.dump(), login(*port, "pia"));
    ASSERT_EQ(started.status, 201u) << started.text;
    session = started.body["session"]["id"];
    token = started.body["token"];
    EXPECT_EQ(http(*port, "GET", "/v1/me", {}, token).status, 200u);

    fault(true);
    // The deadline passes while nothing can be written (bounded wait: the session has a minute).
    json seen;
    for (int i = 0; i < 240; ++i) {
      seen = http(*port, "GET", "/v1/impersonations/" + session, {}, sara).body["session"];
      if (seen["state"] != "active") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    EXPECT_EQ(seen["state"], "ended") << seen;
    EXPECT_EQ(seen["end_reason"], "expired") << seen;
    EXPECT_EQ(http(*port, "GET", "/v1/me", {}, token).status, 401u) << "the token outlived its session";
    EXPECT_GT(faults_.injected(), 0u) << "the end was never tried on the failing disk";
    EXPECT_EQ(file_query(db_path(), "SELECT state FROM sessions WHERE session_id = '" + session + "'"), "active")
        << "the failing disk took the end after all: this test proves nothing";

    // The disk is back: the end is written by itself, without a restart, and announced once.
    fault(false);
    EXPECT_EQ(await_value([&] { return file_query(db_path(), "SELECT state FROM sessions WHERE session_id = '" + session + "'"); },
                          "ended"),
              "ended");
    server.signal(SIGKILL);
    ASSERT_TRUE(server.wait_exit());
  }
  process again(args());
  auto port = listening_port(again);
  ASSERT_TRUE(port) << again.out_text << again.err_text;
  const auto sara = login(*port, "sara");
  auto after = http(*port, "GET", "/v1/impersonations/" + session, {}, sara).body["session"];
  EXPECT_EQ(after["state"], "ended") << after;
  EXPECT_EQ(after["end_reason"], "expired") << after;
  EXPECT_EQ(after["ended_at"], after["expires_at"]) << after;
  EXPECT_EQ(http(*port, "GET", "/v1/me", {}, token).status, 401u);
  EXPECT_EQ(file_query(db_path(), "SELECT count(*) FROM notifications WHERE user_id = 'ann' AND kind = "
                              "'impersonation_ended'"),
            "1");
  auto verify = http(*port, "GET", "/v1/audit/verify", {}, sara);
  EXPECT_EQ(verify.body["ok"], true) << verify.text;
}

TEST_P(binary_fault_test, a_revoke_the_disk_refused_is_written_once_it_is_back_and_holds_after_a_restart) {
  std::string grant, temp_token;
  auto grant_state = [&] {
    return file_query(db_path(), "SELECT state FROM support_grants WHERE grant_id = '" + grant + "'");
  };
  auto revoke = [&](std::uint16_t port, const std::string& sara) {
    return http(port, "POST", "/v1/support/grants/revoke", json{{"grants", {grant}}}.dump(), sara);
  };
  {
    process server(args(), faults_.env());
    auto port = listening_port(server);
    ASSERT_TRUE(port) << server.out_text << server.err_text;
    const auto sara = login(*port, "sara");
    const auto sam = login(*port, "sam");
    auto asked = http(*port, "POST", "/v1/support/requests",
                      json{{"portals", {"acme-eu"}}, {"reason", "Enrolments fail"}, {"ticket", "T-1"}}.dump(), sam);
    ASSERT_EQ(asked.status, 201u) << asked.text;
    auto granted = http(*port, "POST", "/v1/support/grants",
                        json{{"request", asked.body["request"]["id"]}, {"portals", {"acme-eu"}}, {"duration_s", 3600}}.dump(),
                        sara);
    ASSERT_EQ(granted.status, 201u) << granted.text;
    grant = granted.body["grants"][0]["id"];
    temp_token = http(*port, "POST", "/v1/support/grants/" + grant + "/token", "{}", sam).body.value("token", "");
    ASSERT_EQ(http(*port, "GET", "/v1/me", {}, temp_token).status, 200u);

    fault(true);
    auto first = revoke(*port, sara);
    EXPECT_EQ(first.status, 503u) << first.text;
    // The end is decided: the temporary admin's token is dead at once, though the disk still says active.
    EXPECT_EQ(http(*port, "GET", "/v1/me", {}, temp_token).status, 401u);
    EXPECT_EQ(grant_state(), "active");
    // Asked again while the disk still fails: the same end is tried again, and refused again.
    auto second = revoke(*port, sara);
    EXPECT_EQ(second.status, 503u) << second.text;
    EXPECT_EQ(second.body["error"]["code"], "audit_unavailable") << second.text;

    // The disk is back: the end is written by itself, without a restart, and nobody can grant the portal
    // again before that.
    fault(false);
    EXPECT_EQ(await_value(grant_state, "revoked"), "revoked");
    EXPECT_EQ(revoke(*port, sara).status, 409u) << "an ended grant is not ended twice";
    server.signal(SIGKILL);
    ASSERT_TRUE(server.wait_exit());
  }
  process again(args());
  auto port = listening_port(again);
  ASSERT_TRUE(port) << again.out_text << again.err_text;
  const auto sara = login(*port, "sara");
  EXPECT_EQ(http(*port, "GET", "/v1/me", {}, temp_token).status, 401u) << "the revoked grant's token works again";
  EXPECT_EQ(revoke(*port, sara).status, 409u);
  // Announced once: sam heard of the revoke exactly once.
  EXPECT_EQ(file_query(db_path(), "SELECT count(*) FROM notifications WHERE user_id = 'sam' AND kind = "
                              "'support_revoked'"),
            "1");
  EXPECT_EQ(file_query(db_path(), "SELECT count(*) FROM audit WHERE grant_id = '" + grant + "' AND event = "
                              "'support.revoke'"),
            "1");
  auto verify = http(*port, "GET", "/v1/audit/verify", {}, sara);
  EXPECT_EQ(verify.body["ok"], true) << verify.text;
}

INSTANTIATE_TEST_SUITE_P(faults, binary_fault_test, ::testing::Values("eio", "enospc"));

TEST(chain_at_start_test, a_chain_cut_at_its_tail_is_caught_at_start_and_refuses_audited_changes) {
  temp_dir dir;
  const auto data = (dir.path() / "data").string();
  const auto db_path = data + "/actas.db";
  const std::vector<std::string> args{"--demo", "--data", data, "--listen", "127.0.0.1:0", "--log-level", "warn"};
  std::string sara, pia;
  {
    process server(args);
    auto port = listening_port(server);
    ASSERT_TRUE(port) << server.out_text << server.err_text;
    sara = login(*port, "sara");
    pia = login(*port, "pia");
    EXPECT_EQ(start(*port, "pia", pia, "ann").status, 201u);
    server.signal(SIGTERM);
    ASSERT_TRUE(server.wait_exit());
  }
  // An intruder with the file removes the newest event of acme's chain.
  const auto newest = file_query(db_path, "SELECT max(seq) FROM audit WHERE chain = 'acme'");
  file_query(db_path, "DROP TRIGGER audit_no_delete");
  file_query(db_path, "DELETE FROM audit WHERE chain = 'acme' AND seq = " + newest);
  ASSERT_EQ(file_query(db_path, "SELECT count(*) FROM audit WHERE chain = 'acme'"),
            std::to_string(std::stoi(newest) - 1));

  process again(args);
  auto port = listening_port(again);
  ASSERT_TRUE(port) << again.out_text << again.err_text;
  EXPECT_NE(again.err_text.find("AUDIT CHAIN BROKEN: chain acme fails at seq " + newest), std::string::npos)
      << again.err_text << again.out_text;
  auto verify = http(*port, "GET", "/v1/audit/verify", {}, sara);
  EXPECT_EQ(verify.body["ok"], false) << verify.text;
  EXPECT_EQ(verify.body["first_bad_seq"], std::stoi(newest)) << verify.text;
  auto r = start(*port, "sara", sara, "bob");
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.code, "audit_unavailable");
  auto ready = http(*port, "GET", "/readyz");
  EXPECT_EQ(ready.status, 503u) << ready.text;
  EXPECT_EQ(ready.body["problems"], json::array({"chain_broken"})) << ready.text;
}

} // namespace
} // namespace actas::testing
