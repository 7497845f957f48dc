#pragma once
// The registry, the timer wheel and the store wired as in production, but on CAF's test coordinator
// (virtual time) with the inline writer, so every test step is deterministic.
#include <memory>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/dashboard.hpp"
#include "actors/reader.hpp"
#include "actors/registry.hpp"
#include "actors/timer_wheel.hpp"
#include "crypto/crypto.hpp"
#include "store/writer.hpp"
#include "tests/actors/world.hpp"

namespace actas::test {

using namespace std::chrono_literals;

/// Wall time at which the first virtual runtime of a test starts.
inline domain::timestamp test_epoch() { return *domain::parse_utc("2026-11-21T09:00:00.000000Z"); }

/// A writer that refuses every job while `failing` is set, as a full or read-only disk would.
class flaky_writer : public store::writer {
public:
  explicit flaky_writer(std::unique_ptr<store::writer> inner) : inner_(std::move(inner)) {}
  void submit(job j, done d) override {
    if (failing) {
      // A job asked for again as fast as it is refused would spin the scheduler for ever: fail the test
      // instead, and let the jobs through so that it ends.
      if (++refused == spin_limit)
        ADD_FAILURE() << "the writer was asked " << spin_limit << " times while failing: a retry without a delay";
      if (refused < spin_limit) {
        d(false);
        return;
      }
    }
    inner_->submit(std::move(j), std::move(d));
  }
  store::writer_stats stats() const override { return inner_->stats(); }
  std::vector<store::chain_fault> broken_chains() const override { return inner_->broken_chains(); }
  void stop() override { inner_->stop(); }
  bool failing = false;
  std::size_t refused = 0;  ///< jobs refused so far
  static constexpr std::size_t spin_limit = 100000;

private:
  std::unique_ptr<store::writer> inner_;
};

/// Every live event one fake browser tab received, in order.
using event_log = std::shared_ptr<std::vector<actors::live_event>>;

class virtual_runtime {
public:
  /// Starts at wall time `start` on the database at `db_path`.
  virtual_runtime(const std::string& db_path, domain::timestamp start) {
    crypto::init();
    cfg_.set("scheduler.policy", caf::atom("testing"));
    sys_ = std::make_unique<caf::actor_system>(cfg_);
    sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(sys_->scheduler());
    writer_ = std::make_shared<flaky_writer>(store::make_inline_writer(db_path));
    reader_ = std::make_shared<store::database>(db_path);
    actors::time_base times{start, sys_->clock().now()};
    timers_ = sys_->spawn(actors::timer_wheel, times);
    audit_reader_ = sys_->spawn(actors::reader, db_path);
    actors::registry_deps deps;
    deps.writer = writer_;
    deps.reader = reader_;
    deps.timers = timers_;
    deps.audit_reader = audit_reader_;
    hub_ = sys_->spawn(actors::dashboard, 0);
    deps.dashboard = hub_;
    deps.times = times;
    deps.inline_password_checks = true;
    registry_ = sys_->spawn(actors::registry, deps, reader_->load_snapshot(start));
    run();
  }

  ~virtual_runtime() {
    caf::anon_send_exit(registry_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(timers_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(audit_reader_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(hub_, caf::exit_reason::user_shutdown);
    run();
  }

  /// Delivers every queued message (no time passes).
  void run() { sched_->run(); }

  /// Lets `d` of virtual time pass, firing what falls due, and delivers the consequences.
  void advance(caf::timespan d) {
    sched_->advance_time(d);
    run();
  }

  /// Lets `d` pass so the due timers fire, but delivers nothing yet: what is sent next races them.
  void advance_without_delivering(caf::timespan d) { sched_->advance_time(d); }

  /// Sends `xs` to the registry, runs everything, and returns the reply.
  template <class Reply, class... Ts>
  Reply ask(Ts&&... xs) {
    caf::scoped_actor self{*sys_};
    auto handle = self->request(registry_, caf::infinite, std::forward<Ts>(xs)...);
    run();
    Reply out;
    bool got = false;
    handle.receive([&](const Reply& r) { out = r, got = true; },
                   [&](const caf::error& e) { throw std::runtime_error(sys_->render(e)); });
    if (!got)
      throw std::runtime_error("no reply");
    return out;
  }

  /// A user token for `user_id`, minted as the platform would (POST /v1/tokens).
  std::string token_for(const std::string& user_id) {
    auto r = ask<actors::mint_reply>(actors::mint_atom::value, user_id);
    if (r.error)
      throw std::runtime_error("mint failed: " + std::string{domain::to_string(*r.error)});
    return r.token;
  }

  actors::start_reply start(const std::string& token, const std::string& target,
                            std::optional<std::string> reason = "Checking the learner's course view") {
    actors::start_command cmd{crypto::token_hash(token), target, std::move(reason), "/admin/users", "127.0.0.1"};
    return ask<actors::start_reply>(actors::start_atom::value, cmd);
  }

  actors::end_reply end(const std::string& token, const std::string& session_id,
                        std::optional<std::string> message = std::nullopt) {
    actors::end_command cmd{crypto::token_hash(token), session_id, std::move(message), "127.0.0.1"};
    return ask<actors::end_reply>(actors::end_atom::value, cmd);
  }

  actors::auth_reply auth(const std::string& token) {
    return ask<actors::auth_reply>(actors::auth_atom::value, crypto::token_hash(token));
  }

  /// Opens a fake browser tab with `token` and returns what it will receive.
  event_log open_tab(const std::string& token) {
    auto log = std::make_shared<std::vector<actors::live_event>>();
    // The log travels as a spawn argument: CAF 0.17 trips UBSan when a function is spawned with none.
    auto tab = sys_->spawn(
      [](actors::socket_actor::pointer, event_log into) -> actors::socket_actor::behavior_type {
        return {[into](const actors::live_event& ev) { into->push_back(ev); }};
      },
      log);
    caf::anon_send(registry_, actors::attach_atom::value, tab, crypto::token_hash(token));
    run();
    last_tab_ = tab;
    return log;
  }

  /// Opens a fake tab with `token` and subscribes it to the dashboard.
  event_log open_dashboard(const std::string& token) {
    auto log = open_tab(token);
    log->clear();  // keep only what the subscription brings
    caf::anon_send(registry_, actors::subscribe_atom::value, last_tab_, crypto::token_hash(token));
    run();
    return log;
  }

  /// Sends `subscribe` again from the last tab opened (a client repeating itself).
  void subscribe_again(const std::string& token) {
    caf::anon_send(registry_, actors::subscribe_atom::value, last_tab_, crypto::token_hash(token));
    run();
  }

  flaky_writer& writer() { return *writer_; }
  store::database& reader() { return *reader_; }
  actors::registry_actor registry() { return registry_; }
  caf::actor_system& system() { return *sys_; }

private:
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  std::shared_ptr<flaky_writer> writer_;
  std::shared_ptr<store::database> reader_;
  actors::timer_actor timers_;
  actors::reader_actor audit_reader_;
  actors::dashboard_actor hub_;
  actors::registry_actor registry_;
  actors::socket_actor last_tab_;
};

/// A fresh database with the test world and a virtual runtime on it, for every registry test.
struct registry_fixture : ::testing::Test {
  temp_dir dir;
  std::string db = testing::test_database(dir.path);
  std::unique_ptr<virtual_runtime> rt;

  void SetUp() override {
    crypto::init();
    seed_world(*store::make_inline_writer(db));
    rt = std::make_unique<virtual_runtime>(db, test_epoch());
  }
};

/// The refused requests recorded as `event` on `chain`, oldest first (SPEC §5: every denial is an event).
inline std::vector<domain::audit_event> denied_events(store::database& db, const std::string& event,
                                                      const std::string& chain) {
  std::vector<domain::audit_event> out;
  for (auto& e : db.audit_chain(chain))
    if (e.event == event && e.result == domain::outcome::denied)
      out.push_back(e);
  return out;
}

/// A learner as the platform provisions it (POST /v1/users) in `portal`, with both consents given.
inline domain::new_user new_learner(std::string user_id, std::string display_name, std::string portal) {
  domain::new_user u;
  u.username = user_id;
  u.user_id = std::move(user_id);
  u.display_name = std::move(display_name);
  u.portal = std::move(portal);
  u.accepted = {true, true};
  return u;
}

/// Kinds of events in a log, for compact assertions: "hello", "notification:impersonation_started",
/// "banner:being_viewed", "clear:being_viewed", "session_ended", "close:1008".
inline std::vector<std::string> kinds(const event_log& log) {
  std::vector<std::string> out;
  for (const auto& ev : *log) {
    std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, actors::hello>)
          out.push_back("hello");
        else if constexpr (std::is_same_v<T, actors::notification_pushed>)
          out.push_back("notification:" + std::string{domain::to_string(e.item.kind)});
        else if constexpr (std::is_same_v<T, actors::banner_set>)
          out.push_back("banner:" + e.kind);
        else if constexpr (std::is_same_v<T, actors::banner_cleared>)
          out.push_back("clear:" + e.kind);
        else if constexpr (std::is_same_v<T, actors::session_closed>)
          out.push_back("session_ended");
        else if constexpr (std::is_same_v<T, actors::dashboard_update>)
          out.push_back(std::string{e.removed ? "remove:" : "upsert:"} +
                        (e.session ? "session" : e.request ? "request" : "grant"));
        else if constexpr (std::is_same_v<T, actors::notification_read>)
          out.push_back("read:" + std::to_string(e.unread));
        else if constexpr (std::is_same_v<T, actors::error_frame>)
          out.push_back("error:" + std::string{domain::to_string(e.code)});
        else
          out.push_back("close:" + std::to_string(e.code));
      },
      ev);
  }
  return out;
}

} // namespace actas::test
