#include <gtest/gtest.h>

#include "domain/rate_limit.hpp"

namespace actas::domain {
namespace {

using namespace std::chrono_literals;

timestamp nine_am() { return *parse_utc("2026-11-21T09:00:00Z"); }

TEST(failure_limiter, blocks_after_the_allowed_failures_within_the_window) {
  failure_limiter limit{3, std::chrono::duration_cast<duration>(10min), 100};
  for (int i = 0; i < 2; ++i)
    limit.record_failure("ann", nine_am());
  EXPECT_FALSE(limit.blocked("ann", nine_am()));
  limit.record_failure("ann", nine_am() + 1min);
  EXPECT_TRUE(limit.blocked("ann", nine_am() + 1min));
  EXPECT_FALSE(limit.blocked("bob", nine_am() + 1min));
  // The first two failures leave the window ten minutes after they happened.
  EXPECT_TRUE(limit.blocked("ann", nine_am() + 10min - 1us));
  EXPECT_FALSE(limit.blocked("ann", nine_am() + 10min));
}

TEST(failure_limiter, a_success_forgets_the_failures) {
  failure_limiter limit{2, std::chrono::duration_cast<duration>(10min), 100};
  limit.record_failure("ann", nine_am());
  limit.record_failure("ann", nine_am());
  EXPECT_TRUE(limit.blocked("ann", nine_am()));
  limit.forget("ann");
  EXPECT_FALSE(limit.blocked("ann", nine_am()));
}

TEST(failure_limiter, memory_stays_bounded_under_many_keys) {
  failure_limiter limit{2, std::chrono::duration_cast<duration>(10min), 50};
  for (int i = 0; i < 1000; ++i)
    limit.record_failure("key-" + std::to_string(i), nine_am() + std::chrono::seconds{i});
  EXPECT_LE(limit.keys(), 50u);
  // The newest key is still remembered.
  limit.record_failure("key-999", nine_am() + 1000s);
  EXPECT_TRUE(limit.blocked("key-999", nine_am() + 1000s));
}

} // namespace
} // namespace actas::domain
