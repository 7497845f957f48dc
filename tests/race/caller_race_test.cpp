// A caller's own rights racing its requests (issue 13, SPEC §6 "Concurrency"): an admin demoted while his
// changes of other users are in flight. Serializable means no change he could make only as an admin
// commits after his demotion, in the audit's order. Many rounds on one server: demote, check, promote.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/race/race_server.hpp"

namespace actas::testing {
namespace {

constexpr int caller_rounds = 10;

TEST(caller_race_test, a_demoted_admins_changes_in_flight_do_not_commit_after_his_demotion) {
  demo_server d;
  ASSERT_NE(d.port, 0) << d.server.err_text;
  const auto adam = login(d.port, "adam");
  const auto sara = login(d.port, "sara");
  for (int round = 0; round < caller_rounds; ++round) {
    std::atomic<int> steps{0};
    std::vector<std::thread> renames;
    for (int t = 0; t < 4; ++t)
      renames.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i, ++steps)
          http(d.port, "PATCH", "/v1/users/ann", json{{"name", "Ann " + std::to_string(t * 100 + i)}}.dump(), adam);
      });
    ASSERT_TRUE(under_way(steps, 4 + round));
    auto demotion = patch_user(d.port, "adam", {{"role", "learner"}}, sara);
    for (auto& t : renames) t.join();
    ASSERT_EQ(demotion["status"], 200) << demotion.dump();
    const auto demoted_at = file_query(
      d.db(), "SELECT max(seq) FROM audit WHERE chain = 'acme' AND event = 'user.change' AND outcome = 'done' AND "
              "json_extract(detail, '$.user') = 'adam' AND json_extract(detail, '$.new.role') = 'learner'");
    ASSERT_FALSE(demoted_at.empty());
    EXPECT_EQ(file_query(d.db(), "SELECT count(*) FROM audit WHERE chain = 'acme' AND event = 'user.change' AND "
                                 "outcome = 'done' AND performed_by = 'adam' AND seq > " + demoted_at),
              "0")
        << "round " << round << ": a learner's change of ann committed after the demotion";
    auto promotion = patch_user(d.port, "adam", {{"role", "admin"}}, sara);
    ASSERT_EQ(promotion["status"], 200) << promotion.dump();
  }
}

} // namespace
} // namespace actas::testing
