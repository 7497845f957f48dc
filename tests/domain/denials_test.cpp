// Denials as the audit log records them (SPEC §5): client text cut to 200 code points and made valid
// UTF-8, the chain chosen by who asked, and the per-caller limit with its one summary per minute.
#include <gtest/gtest.h>

#include "domain/denial_limiter.hpp"
#include "domain/denials.hpp"
#include "domain/text.hpp"
#include "tests/domain/repeat.hpp"

namespace actas::domain {
namespace {

using actas::testing::repeat;

timestamp at(std::string_view text) { return *parse_utc(text); }

denial by(std::string person, timestamp when, std::string chain = "acme") {
  denial d;
  d.chain = std::move(chain);
  d.event = "impersonation.start";
  d.who.performed_by = std::move(person);
  d.ip = "10.0.0.1";
  d.at = when;
  return d;
}

TEST(truncate_code_points, cuts_on_code_point_boundaries) {
  EXPECT_EQ(truncate_code_points("héllo", 2), "hé");
  EXPECT_EQ(truncate_code_points("😀😀😀", 2), "😀😀");
  EXPECT_EQ(truncate_code_points("abc", 10), "abc");
  EXPECT_EQ(truncate_code_points("abc", 0), "");
  // An ill-formed byte counts as one: a cut never ends inside a sequence nor runs past the limit.
  EXPECT_EQ(truncate_code_points("a\xff\xfe" "b", 2), "a\xEF\xBF\xBD");
  EXPECT_EQ(truncate_code_points("a\xE2\x82", 5), "a\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(make_valid_utf8, replaces_each_bad_byte_and_keeps_good_text) {
  EXPECT_EQ(make_valid_utf8("Ann Lee — ok"), "Ann Lee — ok");
  EXPECT_EQ(make_valid_utf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(make_valid_utf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(make_valid_utf8("\xED\xA0\x80"), repeat("\xEF\xBF\xBD", 3));  // a surrogate
  EXPECT_TRUE(is_valid_utf8(make_valid_utf8("\xC0\xAF\xF8\x80")));
}

TEST(denial_text, keeps_the_first_200_code_points_of_huge_text) {
  EXPECT_EQ(denial_text(repeat("é", 30000)), repeat("é", 200));
  EXPECT_EQ(denial_text(repeat("x", 199) + "😀😀"), repeat("x", 199) + "😀");
  auto cut = denial_text("\xff" + repeat("y", 500));
  EXPECT_EQ(cut, "\xEF\xBF\xBD" + repeat("y", 199));
  EXPECT_EQ(code_points(cut), 200u);
}

TEST(denial_event, cuts_every_client_text_and_names_both_identities) {
  auto d = by("adam", at("2026-11-21T09:00:00Z"));
  d.who.active_account = "ann";
  d.code = errc::reason_required;
  d.reason = repeat("r", 60000);
  d.texts = {{"target", repeat("t", 300)}, {"return_to", "/x\xff"}};
  auto e = denial_event(d);
  EXPECT_EQ(e.result, outcome::denied);
  EXPECT_EQ(e.code, "reason_required");
  EXPECT_EQ(e.performed_by, "adam");
  EXPECT_EQ(e.active_account, "ann");
  EXPECT_EQ(e.reason, repeat("r", 200));
  EXPECT_EQ(e.detail_json, R"({"return_to":"/x)" "\xEF\xBF\xBD" R"(","target":")" + repeat("t", 200) + "\"}");
  // An anonymous caller (a failed login) has no performed_by.
  d.who = {};
  EXPECT_FALSE(denial_event(d).performed_by);
}

TEST(denial_chain, the_callers_realm_else_what_it_acted_on_else_system) {
  user sara;
  sara.realm_id = "acme";
  user sam;
  EXPECT_EQ(denial_chain(&sara, std::string{"globex"}), "acme");
  EXPECT_EQ(denial_chain(&sam, std::string{"globex"}), "globex");
  EXPECT_EQ(denial_chain(nullptr, std::nullopt), "system");
}

TEST(denial_limiter, records_the_limit_then_counts_into_one_summary_per_minute) {
  denial_limiter limiter{20, 100};
  const auto t0 = at("2026-11-21T09:00:10Z");
  std::size_t written = 0;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(limiter.roll(t0).empty());
    written += limiter.admit(by("ann", t0));
  }
  EXPECT_EQ(written, 20u);
  // Others are not limited by ann.
  EXPECT_TRUE(limiter.admit(by("bob", t0)));
  // Still the same minute: nothing to sum up yet.
  EXPECT_TRUE(limiter.roll(at("2026-11-21T09:00:59.999999Z")).empty());
  auto closed = limiter.roll(at("2026-11-21T09:01:00Z"));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].performed_by, "ann");
  EXPECT_EQ(closed[0].chain, "acme");
  EXPECT_EQ(closed[0].count, 980u);
  EXPECT_EQ(closed[0].from, at("2026-11-21T09:00:00Z"));
  EXPECT_EQ(closed[0].until, at("2026-11-21T09:01:00Z"));
  EXPECT_EQ(limiter.callers(), 0u);
  // A new minute: ann is heard again.
  EXPECT_TRUE(limiter.admit(by("ann", at("2026-11-21T09:01:00Z"))));
  // The summary is written once.
  EXPECT_TRUE(limiter.roll(at("2026-11-21T09:03:00Z")).empty());
}

TEST(denial_limiter, a_clock_stepping_back_does_not_reset_the_count) {
  denial_limiter limiter{2, 100};
  const auto t0 = at("2026-11-21T09:05:00Z");
  limiter.roll(t0);
  EXPECT_TRUE(limiter.admit(by("ann", t0)));
  EXPECT_TRUE(limiter.admit(by("ann", t0)));
  EXPECT_TRUE(limiter.roll(at("2026-11-21T09:03:00Z")).empty());
  EXPECT_FALSE(limiter.admit(by("ann", at("2026-11-21T09:03:00Z"))));
}

TEST(denial_limiter, anonymous_callers_are_told_apart_by_address) {
  denial_limiter limiter{1, 100};
  const auto t0 = at("2026-11-21T09:00:00Z");
  auto from = [&](std::string ip) {
    auto d = by("", t0, "system");
    d.ip = std::move(ip);
    return d;
  };
  EXPECT_TRUE(limiter.admit(from("10.0.0.1")));
  EXPECT_FALSE(limiter.admit(from("10.0.0.1")));
  EXPECT_TRUE(limiter.admit(from("10.0.0.2")));
  auto closed = limiter.roll(at("2026-11-21T09:01:00Z"));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_FALSE(closed[0].performed_by);
  EXPECT_EQ(closed[0].ip, "10.0.0.1");
}

TEST(denial_limiter, memory_is_bounded_and_newcomers_beyond_it_are_counted_together) {
  denial_limiter limiter{20, 100};
  const auto t0 = at("2026-11-21T09:00:00Z");
  std::size_t written = 0;
  for (int i = 0; i < 100000; ++i)
    written += limiter.admit(by("user-" + std::to_string(i), t0));
  EXPECT_EQ(written, 100u);
  EXPECT_LE(limiter.callers(), 101u);
  auto closed = limiter.roll(at("2026-11-21T09:01:00Z"));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].chain, "system");
  EXPECT_FALSE(closed[0].performed_by);
  EXPECT_EQ(closed[0].count, 99900u);
}

TEST(suppressed_event, says_how_many_and_when) {
  denial_summary s{"acme", std::string{"ann"}, std::nullopt, 980, at("2026-11-21T09:00:00Z"),
                   at("2026-11-21T09:01:00Z")};
  auto e = suppressed_event(s, at("2026-11-21T09:01:04Z"));
  EXPECT_EQ(e.event, "denials_suppressed");
  EXPECT_EQ(e.chain, "acme");
  EXPECT_EQ(e.performed_by, "ann");
  EXPECT_EQ(e.result, outcome::denied);
  EXPECT_EQ(e.code, "rate_limited");
  EXPECT_EQ(e.detail_json,
            R"({"count":980,"from":"2026-11-21T09:00:00.000000Z","until":"2026-11-21T09:01:00.000000Z"})");
}

} // namespace
} // namespace actas::domain
