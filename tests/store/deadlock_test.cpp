// SPEC §6 "Concurrency" on PostgreSQL: two nodes' writers that lock the same rows in opposite order
// deadlock, and the server fails one of the two jobs. That job is run again once its own batch has
// committed (and so freed what its batch's earlier jobs had locked): every change is answered as made,
// none as 503. Runs only in the PostgreSQL run (tests/CMakeLists); SQLite has one writer at a time.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/writer.hpp"
#include "store_fixture.hpp"
#include "test_database.hpp"

namespace actas::store {
namespace {

using namespace actas::testing;
using namespace std::chrono_literals;

/// One node's writer, held by a gate job until both nodes have queued their batch.
struct node {
  std::unique_ptr<writer> w;
  std::promise<void> locked_first;  ///< its first job holds its first row
  std::shared_future<void> locked_first_seen = locked_first.get_future().share();
  std::promise<void> gate_open;
  std::shared_future<void> gate = gate_open.get_future().share();
  std::promise<bool> first_done, second_done;
  std::atomic<int> second_runs{0};
};

/// Queues, behind a gate, one batch of two jobs: the first locks `first` (FOR UPDATE, as a decision's
/// read does) and waits until the other node holds its own first row; the second then locks `second`.
void queue_batch(node& n, node& other, const std::string& first, const std::string& second) {
  std::promise<void> inside;
  auto gate_entered = inside.get_future();
  n.w->submit([&inside, gate = n.gate](transaction&) {
    inside.set_value();
    gate.wait_for(30s);
  }, [](bool) {});
  gate_entered.wait();  // the gate is off the queue: the next two go into one batch
  n.w->submit(
    [&n, &other, first](transaction& tx) {
      ASSERT_TRUE(tx.find_user(first));
      n.locked_first.set_value();
      other.locked_first_seen.wait_for(30s);
    },
    [&n](bool ok) { n.first_done.set_value(ok); });
  n.w->submit(
    [&n, second](transaction& tx) {
      ++n.second_runs;
      ASSERT_TRUE(tx.find_user(second));
      tx.touch_user(second, at_s(9));
    },
    [&n](bool ok) { n.second_done.set_value(ok); });
}

TEST(deadlock_test, the_job_postgresql_fails_in_a_deadlock_runs_again_and_both_nodes_changes_are_made) {
  crypto::init();
  ASSERT_TRUE(on_postgresql()) << "this suite runs in the PostgreSQL run only";
  const auto url = fresh_postgresql_schema();
  {
    auto w = make_inline_writer(url);
    ASSERT_TRUE(commit(*w, write_small_realm));
  }
  node a, b;
  a.w = make_group_writer(url);
  b.w = make_group_writer(url);
  queue_batch(a, b, "u-ann", "u-bob");
  queue_batch(b, a, "u-bob", "u-ann");
  a.gate_open.set_value();
  b.gate_open.set_value();

  auto answer = [](std::promise<bool>& p) {
    auto f = p.get_future();
    return f.wait_for(60s) == std::future_status::ready && f.get();
  };
  EXPECT_TRUE(answer(a.first_done));
  EXPECT_TRUE(answer(b.first_done));
  EXPECT_TRUE(answer(a.second_done));
  EXPECT_TRUE(answer(b.second_done));
  // PostgreSQL failed exactly one of the two second jobs (the deadlock happened), which then ran again.
  EXPECT_EQ(a.second_runs.load() + b.second_runs.load(), 3);
  a.w->stop();
  b.w->stop();
  raw_db raw(url);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM users WHERE user_id IN ('u-ann', 'u-bob') AND last_seen_at IS NOT NULL"),
            "2");
}

} // namespace
} // namespace actas::store
