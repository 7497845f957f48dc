// A grant's end racing its temporary admin (issue 13, SPEC §6 "Concurrency"): no session the temporary
// admin started survives the revoke, its token answers 401 once the revoke answered, and nothing it did
// is committed after the revoke in the audit's order. Many grants, one after another, on one server.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "tests/race/race_server.hpp"

namespace actas::testing {
namespace {

constexpr int grant_rounds = 16;

/// A live grant of acme-eu for sam and its temporary admin's token.
struct live_grant {
  std::string id, temp_admin, token;
};

live_grant grant_for_sam(std::uint16_t port, const std::string& sam, const std::string& sara) {
  auto request = ask_for_acme_eu(port, sam);
  EXPECT_FALSE(request.empty());
  auto granted = grant_acme_eu_answer(port, request, sara);
  EXPECT_EQ(granted.status, 201u) << granted.text;
  if (granted.status != 201)
    return {};
  live_grant g{granted.body["grants"][0]["id"], granted.body["grants"][0]["temp_admin"], {}};
  auto token = http(port, "POST", "/v1/support/grants/" + g.id + "/token", {}, sam);
  EXPECT_EQ(token.status, 200u) << token.text;
  g.token = token.body.value("token", "");
  return g;
}

http_result revoke(std::uint16_t port, const std::string& grant_id, const std::string& sara) {
  return http(port, "POST", "/v1/support/grants/revoke", json{{"grants", {grant_id}}}.dump(), sara);
}

/// After the revoke answered: the token is dead, none of the grant's sessions runs, and no event the
/// temporary admin caused follows the revoke's on acme's chain.
void expect_nothing_after_revoke(const demo_server& d, const std::string& sara, const live_grant& g, int round) {
  EXPECT_EQ(http(d.port, "GET", "/v1/me", {}, g.token).status, 401u) << "round " << round;
  EXPECT_EQ(file_query(d.db(), "SELECT count(*) FROM sessions WHERE grant_id = '" + g.id + "' AND state = 'active'"),
            "0")
      << "round " << round << ": a session of the revoked grant still runs";
  const auto revoked_at = file_query(
    d.db(), "SELECT seq FROM audit WHERE chain = 'acme' AND event = 'support.revoke' AND grant_id = '" + g.id + "'");
  ASSERT_FALSE(revoked_at.empty());
  auto after = file_rows(d.db(), "SELECT event || ' ' || outcome FROM audit WHERE chain = 'acme' AND seq > " +
                                   revoked_at + " AND performed_by = '" + g.temp_admin + "' ORDER BY seq");
  EXPECT_TRUE(after.empty()) << "round " << round << ": the temporary admin's " << after.front()
                             << " committed after the revoke";
  end_leftovers(d.port, sara);
}

/// One server for all rounds; sam and sara logged in.
class grant_race_test : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_NE(d.port, 0) << d.server.err_text; }
  demo_server d;
  const std::string sam = login(d.port, "sam");
  const std::string sara = login(d.port, "sara");
};

TEST_F(grant_race_test, a_start_racing_the_revoke_of_its_grant_leaves_no_session) {
  for (int round = 0; round < grant_rounds; ++round) {
    auto g = grant_for_sam(d.port, sam, sara);
    ASSERT_FALSE(g.token.empty());
    std::thread starter([&] {
      http(d.port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(), g.token);
    });
    auto revoked = revoke(d.port, g.id, sara);
    starter.join();
    ASSERT_EQ(revoked.status, 200u) << revoked.text;
    expect_nothing_after_revoke(d, sara, g, round);
  }
}

TEST_F(grant_race_test, a_revoke_racing_the_temporary_admins_own_requests_is_the_last_word) {
  for (int round = 0; round < grant_rounds; ++round) {
    auto g = grant_for_sam(d.port, sam, sara);
    ASSERT_FALSE(g.token.empty());
    std::atomic<int> steps{0};
    // The temporary admin works in ann's account until its token stops working.
    std::thread work([&] {
      for (int i = 0; i < 200; ++i, ++steps) {
        auto s = http(d.port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(),
                      g.token);
        if (s.status == 401)
          return;
        if (s.status != 201)
          continue;
        auto as_ann = s.body.value("token", "");
        http(d.port, "POST", "/v1/authorize", json{{"action", "courses.view"}}.dump(), as_ann);
        http(d.port, "POST", "/v1/impersonations/" + s.body["session"]["id"].get<std::string>() + "/end", "{}",
             g.token);
      }
    });
    ASSERT_TRUE(under_way(steps, 1 + round % 3));
    auto revoked = revoke(d.port, g.id, sara);
    work.join();
    ASSERT_EQ(revoked.status, 200u) << revoked.text;
    expect_nothing_after_revoke(d, sara, g, round);
  }
}

} // namespace
} // namespace actas::testing
