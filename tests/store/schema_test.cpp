#include "store/database.hpp"

#include <gtest/gtest.h>

#include "store/writer.hpp"
#include "store_fixture.hpp"
#include "temp_dir.hpp"
#include "test_database.hpp"

namespace actas::store {
namespace {

using namespace actas::testing;

class schema_test : public ::testing::Test {
protected:
  void SetUp() override { crypto::init(); }
  std::string path() const { return location_; }
  temp_dir dir_;
  std::string location_ = test_database(dir_.path());
};

TEST_F(schema_test, a_new_file_gets_the_whole_schema_and_its_version) {
  { database db(path()); }
  raw_db raw(path());
  EXPECT_EQ(raw.scalar("PRAGMA user_version"), std::to_string(schema_version()));
  EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
  for (const char* table : {"meta", "realms", "portals", "users", "user_admin_portals", "user_assigned_users",
                            "user_assigned_portals", "passwords", "settings", "sessions", "tokens",
                            "notifications", "audit"})
    EXPECT_EQ(raw.scalar(std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '") +
                         table + "'"),
              "1")
      << table;
}

TEST_F(schema_test, an_unread_count_reads_only_the_unread_index) {
  { database db(path()); }
  raw_db raw(path());
  // EXPLAIN QUERY PLAN's 4th column is the plan's text.
  EXPECT_EQ(raw.scalar("EXPLAIN QUERY PLAN SELECT count(*) FROM notifications WHERE user_id = 'ann' AND read = 0", 3),
            "SEARCH notifications USING COVERING INDEX notifications_unread (user_id=? AND read=?)");
}

TEST_F(schema_test, reopening_a_current_file_changes_nothing) {
  {
    database db(path());
    EXPECT_EQ(db.meta("x"), std::nullopt);
  }
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, [](transaction& tx) { tx.set_meta("x", "1"); }));
  w.reset();
  database again(path());
  EXPECT_EQ(again.meta("x"), "1");
}

TEST_F(schema_test, a_file_from_a_newer_build_is_refused) {
  { database db(path()); }
  { raw_db(path()).exec("PRAGMA user_version = 999"); }
  try {
    database db(path());
    FAIL() << "opened a file of schema version 999";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path()), std::string::npos) << e.what();
  }
}

TEST_F(schema_test, an_unopenable_path_names_the_path) {
  const std::string bad = dir_.file("no/such/dir/actas.db");
  try {
    database db(bad);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
}

TEST_F(schema_test, foreign_keys_are_enforced) {
  auto w = make_inline_writer(path());
  // A portal of a realm that does not exist.
  EXPECT_FALSE(commit(*w, [](transaction& tx) { tx.put_portal({"p", "nowhere", std::nullopt, "P"}); }));
  database db(path());
  EXPECT_TRUE(db.load_snapshot(at_s(0)).portals.empty());
}

TEST_F(schema_test, the_audit_log_refuses_updates_and_deletes) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, [](transaction& tx) { tx.append_audit(make_event("acme", "user.create", at_s(1))); }));
  raw_db raw(path());
  auto update = raw.exec("UPDATE audit SET event = 'forged'");
  ASSERT_TRUE(update.has_value());
  EXPECT_NE(update->find("append-only"), std::string::npos) << *update;
  auto del = raw.exec("DELETE FROM audit");
  ASSERT_TRUE(del.has_value());
  EXPECT_NE(del->find("append-only"), std::string::npos) << *del;
  EXPECT_EQ(raw.scalar("SELECT event FROM audit"), "user.create");
}

} // namespace
} // namespace actas::store
