#include "actors/clock_keeper.hpp"

#include <time.h>

#include <fstream>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/guarded.hpp"
#include "store/database.hpp"
#include "store/writer.hpp"

namespace actas::actors {

namespace {

const std::string anchor_key = "node.clock_anchor";
constexpr auto keep_every = std::chrono::minutes{1};

std::int64_t boot_clock_us() {
  timespec ts{};
  if (::clock_gettime(CLOCK_BOOTTIME, &ts) != 0) return 0;
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  // An id the anchor cannot carry is no id: the boot clock is then never trusted across restarts.
  if (id.size() > 64 || id.find(' ') != std::string::npos) return {};
  return id;
}

} // namespace

domain::clock_anchor system_anchor(domain::timestamp node_now) {
  return domain::clock_anchor{node_now, boot_clock_us(), boot_id()};
}

domain::timestamp node_start_time(store::database& db) {
  const auto system_now = std::chrono::time_point_cast<domain::duration>(std::chrono::system_clock::now());
  const auto here = system_anchor(system_now);
  std::optional<domain::clock_anchor> last;
  if (auto text = db.meta(anchor_key)) last = domain::decode_clock_anchor(*text);
  const auto start = domain::node_start_time(system_now, here.boot_us, here.boot_id, last);
  if (start > system_now + std::chrono::seconds{1})
    spdlog::warn("the system clock ({}) is behind the time this node already used; running at {} so that no "
                 "deadline gets longer",
                 domain::format_utc(system_now), domain::format_utc(start));
  return start;
}

void keep_anchor(store::writer& writer, const time_base& times, caf::actor_clock::time_point now) {
  const auto value = domain::encode_clock_anchor(system_anchor(times.wall(now)));
  // A failed write costs nothing but precision: the next minute's write carries a newer anchor.
  writer.submit([value](store::transaction& tx) { tx.set_meta(anchor_key, value); }, [](bool) {});
}

namespace {

// Spawned with arguments, not as a capturing lambda: CAF 0.17's init_fun_factory binds a null tuple for an
// argument-less function, which UBSan reports (and halts on) as a null reference.
caf::behavior clock_keeper(caf::event_based_actor* self, std::shared_ptr<store::writer> writer, time_base times) {
  keep_anchor(*writer, times, self->clock().now());
  self->delayed_send(self, keep_every, tick_atom::value);
  return guarded_behavior<caf::behavior>("the clock keeper", [=](tick_atom) {
    self->delayed_send(self, keep_every, tick_atom::value);
    keep_anchor(*writer, times, self->clock().now());
  });
}

} // namespace

caf::actor spawn_clock_keeper(caf::actor_system& sys, std::shared_ptr<store::writer> writer, time_base times) {
  return sys.spawn(clock_keeper, std::move(writer), times);
}

} // namespace actas::actors
