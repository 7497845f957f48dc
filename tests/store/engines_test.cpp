// SPEC §8 "Engines": PostgreSQL keeps the same audit chain as SQLite (an event hashes to the same value on
// either engine), its schema is versioned and append-only like SQLite's, nodes that start together
// migrate once, and no error or log shows a password. Runs only in the PostgreSQL run (tests/CMakeLists).
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "store/database.hpp"
#include "store/pg_engine.hpp"
#include "store/writer.hpp"
#include "store_fixture.hpp"
#include "temp_dir.hpp"
#include "test_database.hpp"

namespace actas::store {
namespace {

using namespace actas::testing;

// Every field an event may carry, with the text a hash is sensitive to: non-ASCII, quotes, a NUL-free
// control character, an empty optional and an empty string.
std::vector<audit_event> varied_events() {
  std::vector<audit_event> out;
  auto e = make_event("acme", "impersonation.start", at_s(1'700'000'000));
  e.performed_by = "adam";
  e.active_account = "ann";
  e.session = "imp_1";
  e.portal = "acme-eu";
  e.reason = "Élodie's \"course\" player\tfails — 試験";
  e.ip = "203.0.113.9";
  e.detail_json = R"({"minutes":30,"note":"ünïcode"})";
  out.push_back(e);
  auto d = make_event("acme", "authorize", at_s(1'700'000'001));
  d.performed_by = "adam";
  d.via = "grt_9";
  d.grant = "grt_9";
  d.action = "grades.export";
  d.result = outcome::denied;
  d.code = "restricted_action";
  d.reason = "";
  out.push_back(d);
  out.push_back(make_event("system", "demo.seed", at_s(1'700'000'002)));
  return out;
}

std::vector<audit_event> write_and_read(const std::string& location) {
  auto w = make_inline_writer(location);
  for (const auto& e : varied_events()) EXPECT_TRUE(commit(*w, [e](transaction& tx) { tx.append_audit(e); }));
  w->stop();
  database db(location);
  auto events = db.audit_chain("acme");
  auto system = db.audit_chain("system");
  events.insert(events.end(), system.begin(), system.end());
  EXPECT_TRUE(db.verify("acme", sha256()).ok);
  EXPECT_TRUE(db.verify("system", sha256()).ok);
  return events;
}

TEST(engines_test, the_same_events_hash_to_the_same_values_on_both_engines) {
  crypto::init();
  ASSERT_TRUE(on_postgresql()) << "this suite runs in the PostgreSQL run only";
  temp_dir dir;
  const auto on_sqlite = write_and_read(dir.file("actas.db"));
  const auto on_pg = write_and_read(fresh_postgresql_schema());
  ASSERT_EQ(on_sqlite.size(), 3u);
  ASSERT_EQ(on_pg.size(), on_sqlite.size());
  for (std::size_t i = 0; i < on_sqlite.size(); ++i) {
    EXPECT_EQ(on_pg[i].hash, on_sqlite[i].hash) << "event " << i;
    EXPECT_EQ(canonical_json(on_pg[i]), canonical_json(on_sqlite[i])) << "event " << i;
    EXPECT_EQ(on_pg[i].reason, on_sqlite[i].reason);
    EXPECT_EQ(on_pg[i].at, on_sqlite[i].at);
  }
}

TEST(engines_test, the_schema_is_at_this_builds_version_and_a_newer_one_is_refused) {
  const auto url = fresh_postgresql_schema();
  { database db(url); }
  raw_db raw(url);
  EXPECT_EQ(raw.scalar("SELECT max(version) FROM actas_schema"), std::to_string(schema_version()));
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM actas_schema"), std::to_string(schema_version()));
  ASSERT_EQ(raw.exec("INSERT INTO actas_schema (version) VALUES (999)"), std::nullopt);
  try {
    database again(url);
    FAIL() << "a schema from a newer build was opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST(engines_test, the_audit_log_refuses_updates_deletes_and_truncation) {
  const auto url = fresh_postgresql_schema();
  auto w = make_inline_writer(url);
  ASSERT_TRUE(commit(*w, [](transaction& tx) { tx.append_audit(make_event("acme", "e1", at_s(1))); }));
  raw_db raw(url);
  auto update = raw.exec("UPDATE audit SET reason = 'forged'");
  auto remove = raw.exec("DELETE FROM audit");
  auto truncate = raw.exec("TRUNCATE audit");
  auto head = raw.exec("DELETE FROM audit_heads");
  for (const auto* r : {&update, &remove, &truncate}) {
    ASSERT_TRUE(r->has_value());
    EXPECT_NE((*r)->find("append-only"), std::string::npos) << **r;
  }
  ASSERT_TRUE(head.has_value());
  EXPECT_NE(head->find("never deleted"), std::string::npos) << *head;
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM audit"), "1");
}

TEST(engines_test, nodes_opening_a_new_database_together_migrate_each_step_once) {
  const auto url = fresh_postgresql_schema();
  std::atomic<int> failures{0};
  std::vector<std::thread> nodes;
  for (int i = 0; i < 6; ++i)
    nodes.emplace_back([&] {
      try {
        database db(url);
      } catch (const std::exception&) {
        ++failures;
      }
    });
  for (auto& t : nodes) t.join();
  EXPECT_EQ(failures.load(), 0);
  raw_db raw(url);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM actas_schema"), std::to_string(schema_version()));
}

TEST(engines_test, a_connection_error_names_the_server_but_never_the_password) {
  const std::string url = "postgresql://actas:hunter2-secret@/actas?host=/nonexistent-socket-dir";
  try {
    database db(url);
    FAIL() << "connected to a server that does not exist";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
    EXPECT_NE(what.find("postgresql://actas:***@/actas"), std::string::npos) << what;
  }
  EXPECT_EQ(redact("postgresql:///actas?host=/x&password=hunter2&user=a"),
            "postgresql:///actas?host=/x&password=***&user=a");
}

TEST(engines_test, parameters_become_numbered_placeholders_outside_quotes_only) {
  int params = 0;
  EXPECT_EQ(to_postgresql("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND d = ?12", params),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND d = $12");
  EXPECT_EQ(params, 12);
}


// The URL of a fresh schema whose connections carry `name` as application_name, so the test can find
// (and end) the store's own server processes.
std::string named_schema(const std::string& name) { return fresh_postgresql_schema() + "&application_name=" + name; }

void end_server_processes(raw_db& raw, const std::string& name) {
  ASSERT_EQ(raw.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + name +
                     "' AND pid <> pg_backend_pid()"),
            std::nullopt);
}

TEST(engines_test, a_connection_ended_between_commits_costs_no_write) {
  const std::string name = "actas_reconnect_" + std::to_string(::getpid());
  const auto url = named_schema(name);
  auto w = make_group_writer(url);
  ASSERT_TRUE(submit_and_wait(*w, [](transaction& tx) { tx.append_audit(make_event("acme", "e1", at_s(1))); }));
  {
    raw_db raw(fresh_postgresql_schema());  // any connection of the same server
    end_server_processes(raw, name);
  }
  // libpq learns of it only at the next use: that BEGIN fails, and the writer connects again and goes on.
  EXPECT_TRUE(submit_and_wait(*w, [](transaction& tx) { tx.append_audit(make_event("acme", "e2", at_s(2))); }));
  w->stop();
  EXPECT_EQ(w->stats().failed_commits, 0u);
  database db(url);
  EXPECT_EQ(db.audit_chain("acme").size(), 2u);
  EXPECT_TRUE(db.verify("acme", sha256()).ok);
}

// A COMMIT whose connection is cut: the writer asks the database on a new connection whether it landed.
// Here it did not (the server process ends itself while committing), so the jobs are answered failed,
// nothing of them is there, and the next batch links onto the last durable event.
TEST(engines_test, a_commit_cut_off_is_answered_by_what_the_database_holds) {
  const auto url = fresh_postgresql_schema();
  auto w = make_group_writer(url);
  ASSERT_TRUE(submit_and_wait(*w, [](transaction& tx) {
    write_small_realm(tx);
    tx.append_audit(make_event("acme", "first", at_s(1)));
  }));
  {
    raw_db raw(url);
    ASSERT_EQ(raw.exec(R"(CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$
                            BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
                          CREATE CONSTRAINT TRIGGER die AFTER INSERT ON notifications DEFERRABLE INITIALLY DEFERRED
                            FOR EACH ROW WHEN (NEW.title = 'die') EXECUTE FUNCTION die();)"),
              std::nullopt);
  }
  EXPECT_FALSE(submit_and_wait(*w, [](transaction& tx) {
    tx.append_audit(make_event("acme", "lost", at_s(2)));
    tx.put_notification({"n-die", "u-ann", notification_kind::impersonation_started, "die", "x", at_s(2)});
  }));
  std::int64_t seq = 0;
  EXPECT_TRUE(submit_and_wait(*w, [&](transaction& tx) { seq = tx.append_audit(make_event("acme", "after", at_s(3))).seq; }));
  EXPECT_EQ(seq, 2);
  w->stop();
  EXPECT_EQ(w->stats().failed_commits, 1u);
  database db(url);
  EXPECT_TRUE(db.inbox("u-ann", false, 10).empty());
  EXPECT_EQ(db.audit_chain("acme").size(), 2u);
  EXPECT_TRUE(db.verify("acme", sha256()).ok);
}

} // namespace
} // namespace actas::store
