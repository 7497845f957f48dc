#pragma once
/// Maps an actor clock reading to wall-clock time. Deadlines are absolute wall-clock instants (SPEC §7),
/// while actors read time only from their clock (STYLE.md); one fixed pair of origins links the two,
/// so under CAF's test coordinator the wall clock advances exactly with virtual time.
#include <caf/actor_clock.hpp>

#include "domain/time.hpp"

namespace actas::actors {

struct time_base {
  domain::timestamp wall_origin{};
  caf::actor_clock::time_point clock_origin{};

  domain::timestamp wall(caf::actor_clock::time_point now) const {
    return wall_origin + std::chrono::duration_cast<domain::duration>(now - clock_origin);
  }
  caf::actor_clock::time_point clock_time(domain::timestamp at) const {
    return clock_origin + std::chrono::duration_cast<caf::actor_clock::duration_type>(at - wall_origin);
  }
};

} // namespace actas::actors
