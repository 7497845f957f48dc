// Starts racing the changes that refuse them (issue 13, SPEC §6 "Concurrency": no start survives a
// deactivation, consent withdrawal, feature switch or logout that committed before it). Each race runs many
// rounds on one server: the change, then its undo, so the next round starts from the same rights.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <string>
#include <thread>

#include "tests/race/race_server.hpp"

namespace actas::testing {
namespace {

constexpr int start_rounds = 12;

/// How many sessions `column` = `who` left running, as the API shows them and as the store holds them.
void expect_none_running(const demo_server& d, const std::string& sara, const std::string& column,
                         const std::string& who, int round) {
  auto active = http(d.port, "GET", "/v1/impersonations?state=active", {}, sara);
  ASSERT_EQ(active.status, 200u) << active.text;
  for (const auto& s : active.body["sessions"])
    EXPECT_NE(s.value(column, ""), who) << "round " << round << ": " << s.dump();
  EXPECT_EQ(file_query(d.db(), "SELECT count(*) FROM sessions WHERE " + column + " = '" + who + "' AND state = 'active'"),
            "0")
      << "round " << round;
}

/// A change made by one of the people logged in before the races begin (sara, ann).
struct people {
  std::uint16_t port;
  std::string sara, ann;
};
using change_fn = std::function<http_result(const people&)>;

/// Round after round: adam starts on ann while `change` refuses it; `undo` restores the rights.
void race_start_against(const change_fn& change, const change_fn& undo, const std::string& column,
                        const std::string& who) {
  demo_server d;
  ASSERT_NE(d.port, 0) << d.server.err_text;
  const auto sara = login(d.port, "sara");
  const people p{d.port, sara, login(d.port, "ann")};
  for (int round = 0; round < start_rounds; ++round) {
    const auto adam = login(d.port, "adam");
    std::thread starter([&] {
      http(d.port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(), adam);
    });
    auto changed = change(p);
    starter.join();
    ASSERT_EQ(changed.status, 200u) << changed.text;
    expect_none_running(d, sara, column, who, round);
    end_leftovers(d.port, sara);
    auto undone = undo(p);
    ASSERT_EQ(undone.status, 200u) << undone.text;
  }
}

http_result patch(const people& p, const std::string& user, const json& body, const std::string& as) {
  return http(p.port, "PATCH", "/v1/users/" + user, body.dump(), as);
}

http_result switch_impersonation(const people& p, bool on) {
  return http(p.port, "PATCH", "/v1/portals/acme/settings", json{{"impersonation", {{"enabled", on}}}}.dump(), p.sara);
}

TEST(start_race_test, a_start_racing_a_deactivation_leaves_no_session_of_the_deactivated_admin) {
  race_start_against([](const people& p) { return patch(p, "adam", {{"status", "inactive"}}, p.sara); },
                     [](const people& p) { return patch(p, "adam", {{"status", "active"}}, p.sara); }, "actor",
                     "adam");
}

TEST(start_race_test, a_start_racing_the_feature_switched_off_leaves_no_session) {
  race_start_against([](const people& p) { return switch_impersonation(p, false); },
                     [](const people& p) { return switch_impersonation(p, true); }, "actor", "adam");
}

TEST(start_race_test, a_start_racing_a_consent_withdrawal_leaves_no_session_on_the_target) {
  race_start_against([](const people& p) { return patch(p, "ann", {{"consents", {{"terms", false}}}}, p.ann); },
                     [](const people& p) { return patch(p, "ann", {{"consents", {{"terms", true}}}}, p.ann); },
                     "target", "ann");
}

// The token a start was asked with dies by a logout committed before the start: the start is refused in
// its transaction; committed first, it ends with the logout (actor_logged_out). Either way nothing runs.
TEST(start_race_test, a_start_racing_its_callers_logout_leaves_no_session) {
  demo_server d;
  ASSERT_NE(d.port, 0) << d.server.err_text;
  const auto sara = login(d.port, "sara");
  int started = 0;
  for (int round = 0; round < start_rounds * 2; ++round) {
    const auto adam = login(d.port, "adam");
    unsigned start_status = 0;
    std::thread starter([&] {
      start_status =
        http(d.port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(), adam).status;
    });
    // A different head start each round, so the logout lands before, during and after the start.
    std::this_thread::sleep_for(std::chrono::microseconds(400 * (round % 8)));
    auto out = http(d.port, "POST", "/v1/logout", {}, adam);
    starter.join();
    started += start_status == 201 ? 1 : 0;
    ASSERT_EQ(out.status, 200u) << out.text;
    expect_none_running(d, sara, "actor", "adam", round);
    end_leftovers(d.port, sara);
  }
  std::cout << "starts answered 201 (then ended by the logout): " << started << " of " << start_rounds * 2 << "\n";
}

} // namespace
} // namespace actas::testing
