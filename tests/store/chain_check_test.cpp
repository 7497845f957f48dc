// Chains checked at start (issue 12): a chain whose newest event was deleted verifies no more, the writer
// refuses new events on it (and only on it), and a clean chain's checkpoint moves to its head.
#include "store/chain_check.hpp"

#include <string>

#include <gtest/gtest.h>

#include "store/database.hpp"
#include "store/writer.hpp"
#include "store_fixture.hpp"
#include "temp_dir.hpp"
#include "test_database.hpp"

namespace actas::store {
namespace {

using namespace actas::testing;

writer::job append_event(const std::string& chain, const std::string& event) {
  return [=](transaction& tx) { tx.append_audit(make_event(chain, event, at_s(1))); };
}

class chain_check_test : public ::testing::Test {
protected:
  void SetUp() override {
    crypto::init();
    auto w = make_inline_writer(path());
    for (const char* e : {"e1", "e2", "e3"}) ASSERT_TRUE(commit(*w, append_event("acme", e)));
    ASSERT_TRUE(commit(*w, append_event("globex", "g1")));
    EXPECT_TRUE(w->broken_chains().empty());
  }
  std::string path() const { return location_; }

  /// What an intruder with the file does: drops the append-only trigger and deletes the newest event.
  void cut_tail(const std::string& chain) {
    raw_db raw(path());
    ASSERT_EQ(raw.drop_trigger("audit_no_delete", "audit"), std::nullopt);
    ASSERT_EQ(raw.exec("DELETE FROM audit WHERE chain = '" + chain +
                       "' AND seq = (SELECT max(seq) FROM audit WHERE chain = '" + chain + "')"),
              std::nullopt);
  }

  temp_dir dir_;
  std::string location_ = test_database(dir_.path());
};

TEST_F(chain_check_test, a_chain_cut_at_its_tail_does_not_verify) {
  cut_tail("acme");
  database db(path());
  auto r = db.verify("acme", sha256());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
  EXPECT_NE(r.problem.find("removed"), std::string::npos) << r.problem;
  EXPECT_TRUE(db.verify("globex", sha256()).ok);
}

TEST_F(chain_check_test, a_broken_chain_is_found_at_start_and_takes_no_new_events) {
  cut_tail("acme");
  auto w = make_inline_writer(path());
  auto broken = w->broken_chains();
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0].chain, "acme");
  EXPECT_EQ(broken[0].first_bad_seq, 3);
  EXPECT_FALSE(commit(*w, append_event("acme", "e4")));
  // Other realms go on.
  EXPECT_TRUE(commit(*w, append_event("globex", "g2")));
  EXPECT_EQ(database(path()).audit_chain("acme").size(), 2u);
}

TEST_F(chain_check_test, a_changed_event_after_the_checkpoint_is_found_at_start) {
  {
    raw_db raw(path());
    ASSERT_EQ(raw.drop_trigger("audit_no_update", "audit"), std::nullopt);
    // The checkpoint of SetUp's writer is at seq 3 (checked when it opened: before any event). A forged
    // reason on seq 2 is past that checkpoint, so the next start walks it.
    ASSERT_EQ(raw.exec("UPDATE audit SET reason = 'forged' WHERE chain = 'acme' AND seq = 2"), std::nullopt);
  }
  auto w = make_inline_writer(path());
  auto broken = w->broken_chains();
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0].first_bad_seq, 2);
}

TEST_F(chain_check_test, a_clean_start_moves_each_checkpoint_to_its_head) {
  { auto w = make_inline_writer(path()); }
  raw_db raw(path());
  EXPECT_EQ(raw.scalar("SELECT seq FROM audit_verified WHERE chain = 'acme'"), "3");
  EXPECT_EQ(raw.scalar("SELECT hash FROM audit_verified WHERE chain = 'acme'"),
            raw.scalar("SELECT hash FROM audit WHERE chain = 'acme' AND seq = 3"));
  EXPECT_EQ(raw.scalar("SELECT seq FROM audit_verified WHERE chain = 'globex'"), "1");
}

TEST_F(chain_check_test, an_event_changed_before_the_checkpoint_is_still_found_by_verify) {
  { auto w = make_inline_writer(path()); }  // checkpoint at seq 3
  {
    raw_db raw(path());
    ASSERT_EQ(raw.drop_trigger("audit_no_update", "audit"), std::nullopt);
    ASSERT_EQ(raw.exec("UPDATE audit SET reason = 'forged' WHERE chain = 'acme' AND seq = 1"), std::nullopt);
  }
  // The start walks only what came after its checkpoint; the full walk of GET /v1/audit/verify sees all.
  auto r = database(path()).verify("acme", sha256());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 1);
}

} // namespace
} // namespace actas::store
