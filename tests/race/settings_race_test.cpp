// Settings races (issue 13, SPEC §6 "Concurrency"): PATCHes of different keys of one portal, all at once.
// Each is applied to the override as its commit finds it, so none is lost, and the audit's
// settings.change events, in commit order, chain old → new without a gap.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/race/race_server.hpp"

namespace actas::testing {
namespace {

/// One key of acme's settings and the value a loop writes to it in its i-th PATCH.
struct key_loop {
  std::string group, key;
  json (*value)(int i);
};

const std::vector<key_loop> loops{
  {"impersonation", "reason_min_length", [](int i) { return json(10 + i); }},
  {"impersonation", "target_can_end", [](int i) { return json(i % 2 == 0); }},
  {"support", "request_ttl_s", [](int i) { return json(3600 + 60 * i); }},
  {"support", "default_duration_s", [](int i) { return json(7200 + 60 * i); }},
};

TEST(settings_race_test, concurrent_patches_of_different_keys_are_all_kept_in_commit_order) {
  constexpr int rounds = 3, patches = 15;
  demo_server d;
  ASSERT_NE(d.port, 0) << d.server.err_text;
  const auto sara = login(d.port, "sara");
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::thread> threads;
    std::vector<int> refused(loops.size(), 0);
    for (std::size_t l = 0; l < loops.size(); ++l)
      threads.emplace_back([&, l] {
        for (int i = 0; i < patches; ++i) {
          const auto& k = loops[l];
          auto r = http(d.port, "PATCH", "/v1/portals/acme/settings",
                        json{{k.group, {{k.key, k.value(round * patches + i)}}}}.dump(), sara);
          refused[l] += r.status != 200;
        }
      });
    for (auto& t : threads) t.join();
    for (std::size_t l = 0; l < loops.size(); ++l) EXPECT_EQ(refused[l], 0) << loops[l].key;

    // Every loop's last value is what the portal now holds.
    auto now = http(d.port, "GET", "/v1/portals/acme/settings", {}, sara);
    ASSERT_EQ(now.status, 200u) << now.text;
    for (const auto& k : loops)
      EXPECT_EQ(now.body["override"][k.group][k.key], k.value(round * patches + patches - 1))
          << "round " << round << ": " << k.group << "." << k.key << " lost its last write: " << now.body["override"].dump();

    // The audit, in commit order: each change starts from the state the one before left.
    auto details = file_rows(d.db(), "SELECT detail FROM audit WHERE chain = 'acme' AND event = 'settings.change' "
                                     "AND outcome = 'done' ORDER BY seq");
    ASSERT_EQ(details.size(), static_cast<std::size_t>((round + 1) * patches) * loops.size());
    json state = json::parse(details.front())["old"];
    int gaps = 0;
    for (const auto& text : details) {
      auto ev = json::parse(text);
      gaps += ev["old"] != state;
      state = ev["new"];
    }
    EXPECT_EQ(gaps, 0) << "round " << round << ": changes that started from a state a later commit replaced";
    EXPECT_EQ(state, now.body["override"]) << "round " << round;
  }
}

} // namespace
} // namespace actas::testing
