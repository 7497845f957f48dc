#include <gtest/gtest.h>

#include "domain/clock_anchor.hpp"

namespace actas::domain {
namespace {

using namespace std::chrono_literals;

timestamp t0() { return *parse_utc("2026-11-21T09:00:00Z"); }
constexpr std::int64_t minute_us = 60'000'000;

clock_anchor anchor_at(timestamp wall, std::int64_t boot_us, std::string boot_id = "boot-a") {
  return clock_anchor{wall, boot_us, std::move(boot_id)};
}

TEST(node_start_time, a_first_start_takes_the_system_clock) {
  EXPECT_EQ(node_start_time(t0(), 5, "boot-a", std::nullopt), t0());
}

TEST(node_start_time, a_clock_set_back_across_a_restart_is_overruled_by_the_boot_clock) {
  // Anchored at 09:00 with the boot clock at 10 min; restarted 3 min later (boot clock 13 min) with the
  // wall clock set back an hour: the node's time is 09:03, not 08:03.
  const auto last = anchor_at(t0(), 10 * minute_us);
  EXPECT_EQ(node_start_time(t0() - 1h + 3min, 13 * minute_us, "boot-a", last), t0() + 3min);
}

TEST(node_start_time, a_clock_ahead_wins_so_a_deadline_may_come_early_but_never_late) {
  const auto last = anchor_at(t0(), 10 * minute_us);
  EXPECT_EQ(node_start_time(t0() + 1h, 13 * minute_us, "boot-a", last), t0() + 1h);
}

TEST(node_start_time, after_a_reboot_only_the_anchor_itself_is_known) {
  const auto last = anchor_at(t0(), 10 * minute_us);
  EXPECT_EQ(node_start_time(t0() - 1h, 1 * minute_us, "boot-b", last), t0());
  EXPECT_EQ(node_start_time(t0() + 2h, 1 * minute_us, "boot-b", last), t0() + 2h);
}

TEST(node_start_time, a_boot_clock_behind_the_anchor_is_not_trusted) {
  const auto last = anchor_at(t0(), 10 * minute_us);
  EXPECT_EQ(node_start_time(t0() - 1h, 2 * minute_us, "boot-a", last), t0());
}

TEST(clock_anchor_codec, round_trips_and_refuses_damage) {
  const auto a = anchor_at(t0() + 123us, 42, "0b1c2d3e-aaaa-bbbb-cccc-0123456789ab");
  auto back = decode_clock_anchor(encode_clock_anchor(a));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->wall, a.wall);
  EXPECT_EQ(back->boot_us, 42);
  EXPECT_EQ(back->boot_id, a.boot_id);
  for (const char* bad : {"", "1", "1 2", "1 2 ", "x 2 id", "1 y id", "1 2 id extra", "1  2 id", "99999999999999999999 1 id"})
    EXPECT_FALSE(decode_clock_anchor(bad)) << '"' << bad << '"';
}

} // namespace
} // namespace actas::domain
