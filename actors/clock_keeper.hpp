#pragma once
/// Keeps the node's clock anchor (domain/clock_anchor.hpp) in the store: read once at start to choose the
/// node's time, written then, every minute and at shutdown, so a restart after a wall clock set back
/// learns how much time really passed and no deadline gets longer.
#include <memory>

#include <caf/fwd.hpp>

#include "actors/time_base.hpp"
#include "domain/clock_anchor.hpp"

namespace actas::store {
class database;
class writer;
} // namespace actas::store

namespace actas::actors {

/// The anchor as this machine sees it now, for a node whose time is `node_now`.
domain::clock_anchor system_anchor(domain::timestamp node_now);

/// The node's time at start: the system clock, unless the stored anchor proves it was set back.
/// Logs a warning when it was.
domain::timestamp node_start_time(store::database& db);

/// Writes the anchor for the node's time now (asynchronously, through the writer's next batch).
void keep_anchor(store::writer& writer, const time_base& times, caf::actor_clock::time_point now);

/// Spawns the actor that calls keep_anchor every minute until it is sent an exit.
caf::actor spawn_clock_keeper(caf::actor_system& sys, std::shared_ptr<store::writer> writer, time_base times);

} // namespace actas::actors
