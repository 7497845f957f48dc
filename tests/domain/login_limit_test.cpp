// Login limiting: an attacker is slowed, the owner is never locked out (issue 12).
#include <gtest/gtest.h>

#include "domain/login_limit.hpp"

namespace actas::domain {
namespace {

using namespace std::chrono_literals;

timestamp t0() { return *parse_utc("2026-11-21T09:00:00Z"); }

TEST(login_limiter, an_address_is_refused_after_its_failures_until_they_age_out) {
  login_limiter limit;
  for (int i = 0; i < 29; ++i)
    limit.record_failure("user" + std::to_string(i), "10.0.0.1", t0());
  EXPECT_TRUE(limit.admits("sara", "10.0.0.1", t0()));
  limit.record_failure("user29", "10.0.0.1", t0());
  EXPECT_FALSE(limit.admits("sara", "10.0.0.1", t0()));
  EXPECT_TRUE(limit.admits("sara", "10.0.0.2", t0()));
  EXPECT_TRUE(limit.admits("sara", "10.0.0.1", t0() + 15min));
}

TEST(login_limiter, an_attacked_username_stays_open_to_addresses_that_are_not_failing) {
  login_limiter limit;
  // Ten guesses against ann from five addresses, two each.
  for (int i = 0; i < 10; ++i)
    limit.record_failure("ann", "10.1.0." + std::to_string(i / 2), t0());
  // The owner from a fresh address, or from one where she mistyped once or twice, still gets her check.
  EXPECT_TRUE(limit.admits("ann", "192.0.2.7", t0()));
  limit.record_failure("ann", "192.0.2.7", t0());
  limit.record_failure("ann", "192.0.2.7", t0());
  EXPECT_TRUE(limit.admits("ann", "192.0.2.7", t0()));
  // An address with three failures must wait out the window for ann (other usernames are still open).
  limit.record_failure("ann", "10.1.0.0", t0());
  EXPECT_FALSE(limit.admits("ann", "10.1.0.0", t0()));
  EXPECT_TRUE(limit.admits("sara", "10.1.0.0", t0()));
  EXPECT_TRUE(limit.admits("ann", "10.1.0.0", t0() + 15min));
}

TEST(login_limiter, failing_addresses_are_suspect_for_the_window) {
  login_limiter limit;
  EXPECT_FALSE(limit.suspect("10.0.0.1", t0()));
  limit.record_failure("ann", "10.0.0.1", t0());
  EXPECT_TRUE(limit.suspect("10.0.0.1", t0() + 15min - 1us));
  EXPECT_FALSE(limit.suspect("10.0.0.1", t0() + 15min));
}

TEST(check_queue, checks_beyond_the_slots_wait_and_clean_addresses_go_first) {
  check_queue q{2};
  EXPECT_EQ(q.enter(1, "a", true), check_queue::admission::run);
  EXPECT_EQ(q.enter(2, "b", true), check_queue::admission::run);
  EXPECT_EQ(q.enter(3, "c", true), check_queue::admission::wait);
  EXPECT_EQ(q.enter(4, "d", false), check_queue::admission::wait);
  EXPECT_EQ(q.leave("a"), 4u);  // the clean address overtakes
  EXPECT_EQ(q.leave("b"), 3u);
  EXPECT_EQ(q.leave("d"), std::nullopt);
  EXPECT_EQ(q.running(), 1u);
  EXPECT_EQ(q.leave("c"), std::nullopt);
  EXPECT_EQ(q.running(), 0u);
  EXPECT_EQ(q.enter(5, "a", true), check_queue::admission::run);
}

TEST(check_queue, one_address_holds_at_most_two_checks_and_the_wait_is_bounded) {
  check_queue q{1, 2, 3};
  EXPECT_EQ(q.enter(1, "a", true), check_queue::admission::run);
  EXPECT_EQ(q.enter(2, "a", true), check_queue::admission::wait);
  EXPECT_EQ(q.enter(3, "a", true), check_queue::admission::refuse);
  EXPECT_EQ(q.enter(4, "b", false), check_queue::admission::wait);
  EXPECT_EQ(q.enter(5, "c", false), check_queue::admission::wait);
  EXPECT_EQ(q.enter(6, "d", false), check_queue::admission::refuse);  // three wait already
  EXPECT_EQ(q.waiting(), 3u);
  // A refused address holds nothing afterwards.
  EXPECT_EQ(q.leave("a"), 4u);
  EXPECT_EQ(q.leave("b"), 5u);
  EXPECT_EQ(q.enter(7, "d", false), check_queue::admission::wait);
}

} // namespace
} // namespace actas::domain
