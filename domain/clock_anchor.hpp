#pragma once
/// Clock anchor (SPEC §7 "downtime counts", issue 12): a wall clock set back while the node was down must
/// not give a running session or grant its time back. The node keeps the last time it used together with
/// the kernel's boot clock, which never jumps and keeps counting while the process is down; a restart on
/// the same boot learns from it how much time really passed, whatever the wall clock says now.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/time.hpp"

namespace actas::domain {

struct clock_anchor {
  timestamp wall{};          ///< the node's time when the anchor was taken
  std::int64_t boot_us = 0;  ///< the boot clock (CLOCK_BOOTTIME) then, in microseconds
  std::string boot_id;       ///< which boot that clock belongs to (/proc/sys/kernel/random/boot_id)
};

/// "wall_us boot_us boot_id", the form the store keeps.
std::string encode_clock_anchor(const clock_anchor& a);
/// nullopt on anything encode_clock_anchor does not write (a damaged value is ignored, not trusted).
std::optional<clock_anchor> decode_clock_anchor(std::string_view text);

/// The time a starting node takes as "now": never earlier than the last anchor plus the boot-clock time
/// since it (same boot), or than the last anchor itself (after a reboot, when the elapsed time is
/// unknown). A wall clock that is ahead wins: a session may end early, never late. The cost is that a
/// wall clock once set far ahead keeps the node ahead until real time catches up.
timestamp node_start_time(timestamp system_now, std::int64_t boot_us_now, std::string_view boot_id_now,
                          const std::optional<clock_anchor>& last);

} // namespace actas::domain
