// The store under a failing disk, in-process: a batch whose fsync failed is answered failed, and a
// reopening of the file (what a restart does: SQLite replays every complete transaction it finds in the
// WAL) must agree with that answer (SPEC §6: no answer contradicts what a restart finds).
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fault_switch.hpp"
#include "store/database.hpp"
#include "store/writer.hpp"
#include "tests/store/store_fixture.hpp"
#include "tests/store/temp_dir.hpp"

namespace actas::store {
namespace {

using namespace actas::testing;
using namespace std::chrono_literals;

writer::job append(const std::string& event) {
  return [event](transaction& tx) { tx.append_audit(make_event("acme", event, at_s(1))); };
}

/// The events of chain "acme" as a fresh open of the file finds them (every connection of the writer is
/// closed first, so SQLite rebuilds its WAL index from the WAL file, as after a crash).
std::vector<std::string> events_after_reopen(const std::string& path) {
  database db(path);
  std::vector<std::string> names;
  auto chain = db.audit_chain("acme");
  for (const auto& e : chain) names.push_back(e.event);
  auto v = verify_chain(chain, sha256());
  EXPECT_TRUE(v.ok) << v.problem;
  return names;
}

class store_fault_test : public ::testing::Test {
protected:
  void SetUp() override {
    crypto::init();
    ASSERT_EQ(actas_fault_shim_loaded(), 1);
  }
  std::string path() const { return dir_.file("actas.db"); }

  temp_dir dir_;
  fault_switch faults_{true};
};

TEST_F(store_fault_test, a_batch_whose_fsync_failed_is_not_found_after_a_restart) {
  {
    auto w = make_group_writer(path());
    ASSERT_TRUE(submit_and_wait(*w, append("before")));
    faults_.eio(true);
    EXPECT_FALSE(submit_and_wait(*w, append("answered_failed")));
    faults_.eio(false);
    EXPECT_GT(faults_.injected(), 0u);
    w->stop();
  }
  EXPECT_EQ(events_after_reopen(path()), std::vector<std::string>{"before"});
}

TEST_F(store_fault_test, the_writer_comes_back_by_itself_once_fsync_works_again) {
  {
    auto w = make_group_writer(path());
    ASSERT_TRUE(submit_and_wait(*w, append("before")));
    faults_.eio(true);
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(submit_and_wait(*w, append("failed" + std::to_string(i))));
    EXPECT_FALSE(w->stats().audit_writable);  // what /readyz and /metrics show
    faults_.eio(false);
    EXPECT_TRUE(submit_and_wait(*w, append("after")));
    EXPECT_TRUE(w->stats().audit_writable);
    w->stop();
  }
  EXPECT_EQ(events_after_reopen(path()), (std::vector<std::string>{"before", "after"}));
}

TEST_F(store_fault_test, a_full_disk_fails_the_batch_and_the_writer_recovers_when_space_returns) {
  {
    auto w = make_group_writer(path());
    ASSERT_TRUE(submit_and_wait(*w, append("before")));
    faults_.enospc(true);
    EXPECT_FALSE(submit_and_wait(*w, append("disk_full")));
    faults_.enospc(false);
    EXPECT_GT(faults_.injected(), 0u);
    EXPECT_TRUE(submit_and_wait(*w, append("after")));
    w->stop();
  }
  EXPECT_EQ(events_after_reopen(path()), (std::vector<std::string>{"before", "after"}));
}

} // namespace
} // namespace actas::store
