// No caller can fill the audit log (SPEC §5): beyond 20 denials a minute a caller's denials are only
// counted, and the count is written as one `denials_suppressed` event per caller and minute.
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/actors/virtual_runtime.hpp"
#include "tests/actors/world.hpp"

namespace actas::test {
namespace {

using domain::errc;

struct denial_limit_test : registry_fixture {
  std::size_t count(const std::string& event, const std::optional<std::string>& by) {
    std::size_t n = 0;
    for (const auto& e : rt->reader().audit_chain("acme"))
      n += e.event == event && e.performed_by == by;
    return n;
  }
  std::vector<domain::audit_event> summaries() {
    std::vector<domain::audit_event> out;
    for (auto& e : rt->reader().audit_chain("acme"))
      if (e.event == "denials_suppressed")
        out.push_back(e);
    return out;
  }
  std::uintmax_t database_bytes() {
    std::uintmax_t total = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path))
      total += entry.file_size();
    return total;
  }
};

TEST_F(denial_limit_test, a_thousand_refused_starts_with_huge_reasons_leave_the_limit_and_one_summary) {
  auto ann = rt->token_for("ann");
  const std::string reason(60000, 'r');
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(rt->start(ann, "bob", reason).error, errc::permission_missing) << i;
  EXPECT_EQ(count("impersonation.start", "ann"), 20u);
  // The minute closes: one summary for ann, counting the 980 that were not written.
  rt->advance(61s);
  auto written = summaries();
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].performed_by, "ann");
  EXPECT_EQ(written[0].code, "rate_limited");
  EXPECT_NE(written[0].detail_json.find(R"("count":980)"), std::string::npos) << written[0].detail_json;
  // 20 events of 200 code points each: far below the 60 MB the reasons weighed.
  EXPECT_LT(database_bytes(), 2u * 1024 * 1024);
  // The next minute ann is heard again, and others were never limited by ann.
  EXPECT_EQ(rt->start(ann, "bob", reason).error, errc::permission_missing);
  EXPECT_EQ(count("impersonation.start", "ann"), 21u);
  EXPECT_EQ(rt->start(rt->token_for("bob"), "ann", "x").error, errc::permission_missing);
  EXPECT_EQ(count("impersonation.start", "bob"), 1u);
}

TEST_F(denial_limit_test, the_summary_comes_once_per_minute_and_only_for_callers_over_the_limit) {
  auto ann = rt->token_for("ann");
  auto bob = rt->token_for("bob");
  for (int i = 0; i < 25; ++i)
    rt->start(ann, "bob", "x");
  for (int i = 0; i < 20; ++i)
    rt->start(bob, "ann", "x");
  // Second by second, so every sweep fires on time. One second before the minute ends: nothing yet.
  for (int i = 0; i < 59; ++i)
    rt->advance(1s);
  EXPECT_TRUE(summaries().empty());
  rt->advance(1s);
  ASSERT_EQ(summaries().size(), 1u);
  EXPECT_NE(summaries()[0].detail_json.find(R"("count":5)"), std::string::npos);
  // A quiet minute writes nothing more.
  rt->advance(2min);
  EXPECT_EQ(summaries().size(), 1u);
}

TEST_F(denial_limit_test, denied_authorize_decisions_count_against_the_same_limit) {
  auto imp = rt->start(rt->token_for("adam"), "ann");
  ASSERT_FALSE(imp.error);
  for (int i = 0; i < 100; ++i) {
    auto r = rt->ask<actors::authorize_reply>(actors::authorize_atom::value,
                                              actors::authorize_command{crypto::token_hash(imp.token), "messages.send",
                                                                        std::nullopt, ""});
    ASSERT_FALSE(r.allowed);
    ASSERT_EQ(r.code, errc::restricted_while_impersonating);
  }
  EXPECT_EQ(count("authorize", "adam"), 20u);
  rt->advance(61s);
  ASSERT_EQ(summaries().size(), 1u);
  EXPECT_NE(summaries()[0].detail_json.find(R"("count":80)"), std::string::npos) << summaries()[0].detail_json;
}

} // namespace
} // namespace actas::test
