#pragma once
/// What a drain waits for (SPEC §8): requests being answered and WebSockets still open. Each holds a
/// `hold` while it lasts; the drain waits (bounded) until none is left.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

namespace actas::net {

class in_flight : public std::enable_shared_from_this<in_flight> {
public:
  /// One request or socket counted while it lives (movable, released on destruction or reset()).
  class hold {
  public:
    hold() = default;
    explicit hold(std::shared_ptr<in_flight> owner) : owner_(std::move(owner)) {}
    hold(hold&&) noexcept = default;
    hold& operator=(hold&& other) noexcept {
      reset();
      owner_ = std::move(other.owner_);
      return *this;
    }
    hold(const hold&) = delete;
    hold& operator=(const hold&) = delete;
    ~hold() { reset(); }
    void reset() {
      if (owner_) owner_->release();
      owner_.reset();
    }

  private:
    std::shared_ptr<in_flight> owner_;
  };

  hold acquire() {
    std::lock_guard lock(mutex_);
    ++count_;
    return hold(shared_from_this());
  }

  /// Waits until nothing is held or `deadline` passes; true when nothing is held.
  bool wait_idle_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return idle_.wait_until(lock, deadline, [&] { return count_ == 0; });
  }

  std::size_t count() {
    std::lock_guard lock(mutex_);
    return count_;
  }

private:
  void release() {
    std::lock_guard lock(mutex_);
    if (--count_ == 0) idle_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable idle_;
  std::size_t count_ = 0;
};

} // namespace actas::net
