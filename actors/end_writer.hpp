#pragma once
/// The write of an entity's end (an impersonation session's, a support grant's), owned by the entity's
/// actor (SPEC §6 "Concurrency", "An end that was answered is durable"). The end is decided once; its
/// transaction re-reads the entity and writes the end only if it is still live there (another node that
/// loaded it may have ended it first); a write the audit log refused is tried again every `retry_after`
/// until it is durable; once durable, `on_durable` runs exactly once and only then do the waiters learn
/// how the write came out.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/commit_book.hpp"
#include "actors/interfaces.hpp"

namespace actas::actors {

/// What an entity actor is built with.
struct entity_deps {
  std::shared_ptr<store::writer> writer;
  registry_actor registry;
  timer_actor timers;
  /// How long to wait before writing again an end that the audit log refused.
  std::chrono::milliseconds retry_after{1000};
};

class end_writer {
public:
  /// The end's transaction: writes the end and returns true if the entity is still live in `tx`,
  /// otherwise writes nothing and returns false.
  using write_if_live = std::function<bool(store::transaction&)>;
  /// Runs once the end is durable, with whether this node's write was the one that ended the entity.
  using durable_handler = std::function<void(bool written)>;
  /// Who learns how a write came out: (durable, this node's write ended the entity).
  using promise = caf::typed_response_promise<bool, bool>;

  /// Records the end; an end is decided once, so a second call changes nothing.
  void decide(write_if_live write, durable_handler on_durable) {
    if (write_)
      return;
    write_ = std::move(write);
    on_durable_ = std::move(on_durable);
  }

  bool decided() const { return static_cast<bool>(write_); }
  bool durable() const { return durable_; }

  /// `self` (an actor of handle type `Handle`) waits for the next write's outcome and starts it unless
  /// one is in flight (then that one's outcome is the answer).
  template <class Handle, class Self>
  promise wait_and_write(Self self, const entity_deps& deps) {
    auto rp = self->template make_response_promise<bool, bool>();
    waiters_.push_back(rp);
    write<Handle>(self, deps);
    return rp;
  }

  /// Writes the end unless it is not decided, a write is in flight or it is durable.
  template <class Handle, class Self>
  void write(Self self, const entity_deps& deps) {
    if (writing_ || !write_ || durable_)
      return;
    writing_ = true;
    auto job = [write = write_, written = written_](store::transaction& tx) {
      *written = false;  // a run after a deadlock or a failed write starts over
      *written = write(tx);
    };
    commits_.submit(*deps.writer, caf::actor_cast<Handle>(self), std::move(job), [this, self, &deps](bool ok) {
      writing_ = false;
      auto waiters = std::move(waiters_);
      waiters_.clear();
      // Read only as the write comes back: a retry's job may be running on the writer later.
      bool written = ok && *written_;
      durable_ = ok;
      if (ok)
        on_durable_(written);
      else
        arm_retry(self, deps);
      for (auto& w : waiters)
        w.deliver(ok, written);
    });
  }

  /// The delayed retry arrived: write again.
  template <class Handle, class Self>
  void retry(Self self, const entity_deps& deps) {
    retry_armed_ = false;
    write<Handle>(self, deps);
  }

  /// The writer's answer for job `n`.
  void complete(std::uint64_t n, bool ok) { commits_.complete(n, ok); }

private:
  template <class Self>
  void arm_retry(Self self, const entity_deps& deps) {
    if (retry_armed_)
      return;
    retry_armed_ = true;
    self->delayed_send(self, deps.retry_after, retry_atom::value);
  }

  commit_book commits_;
  write_if_live write_;
  durable_handler on_durable_;
  std::shared_ptr<bool> written_ = std::make_shared<bool>(false);
  bool writing_ = false;
  bool durable_ = false;
  bool retry_armed_ = false;
  std::vector<promise> waiters_;
};

} // namespace actas::actors
