#pragma once
/// Continuations waiting for the group-commit writer. A job is submitted with a continuation; the
/// writer's callback (on its own thread) only sends (committed, n, ok) back to the actor, which then
/// runs the continuation in its own context. Nothing is announced before `ok`.
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <utility>

#include <caf/send.hpp>

#include "actors/atoms.hpp"
#include "store/writer.hpp"

namespace actas::actors {

class commit_book {
public:
  using continuation = std::function<void(bool ok)>;

  /// Submits `job`; `then` runs inside the actor `self_handle` when (committed, n, ok) arrives.
  template <class Handle>
  void submit(store::writer& w, const Handle& self_handle, store::writer::job job, continuation then) {
    auto n = next_++;
    pending_.emplace(n, std::move(then));
    w.submit(std::move(job), [self_handle, n](bool ok) {
      caf::anon_send(self_handle, committed_atom::value, n, ok);
    });
  }

  /// Runs and forgets the continuation of job `n` (unknown `n` is ignored).
  void complete(std::uint64_t n, bool ok) {
    auto i = pending_.find(n);
    if (i == pending_.end())
      return;
    auto then = std::move(i->second);
    pending_.erase(i);
    then(ok);
  }

  std::size_t waiting() const { return pending_.size(); }

private:
  std::uint64_t next_ = 1;
  std::unordered_map<std::uint64_t, continuation> pending_;
};

} // namespace actas::actors
