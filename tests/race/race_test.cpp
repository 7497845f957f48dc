// The race suite (issue 13, SPEC §6 "Concurrency"): a change races the decisions that read what it
// changes, over real HTTP against the real binary, round after round (each undoing its change, so one
// server serves many rounds). Each asserts the serializable outcome: the final state is the changes
// applied in commit order, nothing lost, no session alive after a committed change that refuses it, one
// grant per portal.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/race/race_server.hpp"

namespace actas::testing {
namespace {

constexpr int change_rounds = 8;

/// One server for all rounds (each round undoes its change); sam, sara and adam logged in.
class race_test : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_NE(d.port, 0) << d.server.err_text; }
  /// adam is an admin again, with no session left running, for the next round.
  void promote_adam() {
    end_leftovers(d.port, sara);
    auto promotion = patch_user(d.port, "adam", {{"role", "admin"}}, sara);
    ASSERT_EQ(promotion["status"], 200) << promotion.dump();
  }
  /// Every live grant of acme-eu revoked and sam's pending requests cancelled, for the next round.
  void free_acme_eu() {
    auto live = file_rows(d.db(), "SELECT grant_id FROM support_grants WHERE portal_id = 'acme-eu' AND state = 'active'");
    if (!live.empty()) {
      EXPECT_EQ(http(d.port, "POST", "/v1/support/grants/revoke", json{{"grants", live}}.dump(), sara).status, 200u);
    }
    for (const auto& r : file_rows(d.db(), "SELECT request_id FROM support_requests WHERE state = 'pending'"))
      http(d.port, "POST", "/v1/support/requests/" + r + "/cancel", "{}", sam);
  }
  demo_server d;
  const std::string sam = login(d.port, "sam");
  const std::string sara = login(d.port, "sara");
  const std::string adam = login(d.port, "adam");
};

TEST_F(race_test, a_demotion_is_not_undone_by_concurrent_changes_of_other_fields) {
  for (int round = 0; round < change_rounds; ++round) {
    std::atomic<int> steps{0};
    std::vector<std::thread> renames;
    for (int t = 0; t < 4; ++t)
      renames.emplace_back([&, t] {
        for (int i = 0; i < 30; ++i, ++steps)
          http(d.port, "PATCH", "/v1/users/adam", json{{"name", "Adam " + std::to_string(t * 100 + i)}}.dump(), adam);
      });
    ASSERT_TRUE(under_way(steps, 4 + round));
    auto demotion = patch_user(d.port, "adam", {{"role", "learner"}}, sara);
    for (auto& t : renames) t.join();
    ASSERT_EQ(demotion["status"], 200) << demotion.dump();
    EXPECT_EQ(demotion["body"]["user"]["role"], "learner") << demotion.dump();
    EXPECT_EQ(file_query(d.db(), "SELECT role FROM users WHERE user_id = 'adam'"), "learner")
        << "round " << round << ": the demotion was undone";
    // A learner may not impersonate: whatever token adam holds.
    auto start = http(d.port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(), adam);
    EXPECT_NE(start.status, 201u) << "round " << round << ": the demoted admin started a session";
    promote_adam();
  }
}

TEST_F(race_test, a_start_racing_a_demotion_leaves_no_session_of_the_demoted_admin) {
  for (int round = 0; round < 2 * change_rounds; ++round) {
    std::thread starter([&] {
      http(d.port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(), adam);
    });
    auto demotion = patch_user(d.port, "adam", {{"role", "learner"}}, sara);
    starter.join();
    ASSERT_EQ(demotion["status"], 200) << demotion.dump();
    auto active = http(d.port, "GET", "/v1/impersonations?state=active", {}, sara);
    for (const auto& s : active.body["sessions"])
      EXPECT_NE(s.value("actor", ""), "adam") << "round " << round << ": " << s.dump();
    EXPECT_EQ(file_query(d.db(), "SELECT count(*) FROM sessions WHERE actor = 'adam' AND state = 'active'"), "0")
        << "round " << round;
    promote_adam();
  }
}

TEST_F(race_test, two_grants_for_one_portal_never_both_live) {
  for (int round = 0; round < 2 * change_rounds; ++round) {
    std::vector<std::string> requests;
    for (int i = 0; i < 2; ++i)
      if (auto id = ask_for_acme_eu(d.port, sam); !id.empty()) requests.push_back(id);
    ASSERT_FALSE(requests.empty());
    // With one request the same request is granted twice at once.
    if (requests.size() == 1) requests.push_back(requests[0]);
    std::vector<unsigned> statuses(2);
    std::vector<std::thread> grants;
    for (int i = 0; i < 2; ++i)
      grants.emplace_back([&, i] { statuses[i] = grant_acme_eu(d.port, requests[i], sara); });
    for (auto& t : grants) t.join();
    EXPECT_LE((statuses[0] == 201) + (statuses[1] == 201), 1) << "round " << round;
    EXPECT_EQ(file_query(d.db(), "SELECT count(*) FROM support_grants WHERE portal_id = 'acme-eu' AND state = 'active'"),
              "1")
        << "round " << round;
    free_acme_eu();
  }
}

TEST_F(race_test, a_deny_racing_an_allow_leaves_one_decision) {
  for (int round = 0; round < 2 * change_rounds; ++round) {
    const auto request = ask_for_acme_eu(d.port, sam);
    ASSERT_FALSE(request.empty());
    unsigned granted = 0, denied = 0;
    std::thread allow([&] { granted = grant_acme_eu(d.port, request, sara); });
    denied = http(d.port, "POST", "/v1/support/requests/" + request + "/deny", "{}", sara).status;
    allow.join();
    EXPECT_EQ((granted == 201) + (denied == 200), 1) << "round " << round << ": grant " << granted << ", deny " << denied;
    const auto state = file_query(d.db(), "SELECT state FROM support_requests WHERE request_id = '" + request + "'");
    const auto live = file_query(d.db(), "SELECT count(*) FROM support_grants WHERE request_id = '" + request + "'");
    EXPECT_EQ(state, granted == 201 ? "granted" : "denied") << "round " << round;
    EXPECT_EQ(live, granted == 201 ? "1" : "0") << "round " << round;
    free_acme_eu();
  }
}

} // namespace
} // namespace actas::testing
