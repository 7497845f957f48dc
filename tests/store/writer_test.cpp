#include "store/writer.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store_fixture.hpp"
#include "temp_dir.hpp"
#include "test_database.hpp"

namespace actas::store {
namespace {

using namespace actas::testing;
using namespace std::chrono_literals;

/// Collects done results by name and lets the test wait (bounded) until all expected ones arrived.
class outcomes {
public:
  writer::done expect(std::string name) {
    return [this, name = std::move(name)](bool ok) {
      std::lock_guard lock(mu_);
      results_[name] = ok;
      cv_.notify_all();
    };
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 60s, [&] { return results_.size() >= n; });
  }
  bool ok(const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = results_.find(name);
    return it != results_.end() && it->second;
  }
  std::size_t count_ok() {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& [name, ok] : results_) n += ok ? 1 : 0;
    return n;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, bool> results_;
};

writer::job append(const std::string& chain, const std::string& event, std::optional<id> session = {}) {
  return [=](transaction& tx) {
    auto e = make_event(chain, event, at_s(1));
    e.session = session;
    tx.append_audit(e);
  };
}

class writer_test : public ::testing::Test {
protected:
  void SetUp() override {
    crypto::init();
    auto w = make_inline_writer(path());
    ASSERT_TRUE(commit(*w, write_small_realm));
  }
  std::string path() const { return location_; }

  /// A job that blocks the writer until `open()`: whatever is submitted meanwhile queues up behind it.
  struct gate {
    std::promise<void> release;
    std::shared_future<void> opened = release.get_future().share();
    std::shared_ptr<std::promise<void>> entered = std::make_shared<std::promise<void>>();
    std::future<void> running = entered->get_future();
    writer::job job(const std::string& chain) {
      return [f = opened, e = entered, chain](transaction& tx) {
        e->set_value();
        f.wait();
        tx.append_audit(make_event(chain, "gate", at_s(0)));
      };
    }
    /// Returns once the writer is inside the gate job (and so has taken it off the queue).
    void wait_running() { running.wait(); }
    void open() { release.set_value(); }
  };

  void expect_chain(const std::string& chain, std::vector<std::string> events) {
    database db(path());
    auto got = db.audit_chain(chain);
    std::vector<std::string> names;
    for (const auto& e : got) names.push_back(e.event);
    EXPECT_EQ(names, events);
    auto v = verify_chain(got, sha256());
    EXPECT_TRUE(v.ok) << v.problem << " at " << v.first_bad_seq.value_or(0);
  }

  temp_dir dir_;
  std::string location_ = test_database(dir_.path());
};

TEST_F(writer_test, concurrent_jobs_share_commits_and_each_done_follows_its_durable_commit) {
  constexpr int threads = 8, per_thread = 50;
  auto w = make_group_writer(path(), 64);
  database reader(path());  // used on the writer's thread inside done callbacks only, then after stop()
  std::atomic<int> readable{0};
  outcomes out;
  auto check = [&](const std::string& name) {
    return [&, name, record = out.expect(name)](bool ok) {
      audit_query q;
      q.chain = "acme";
      q.session = name;
      // A second connection already sees the job's event when its done runs.
      if (ok && reader.audit(q).size() == 1) ++readable;
      record(ok);
    };
  };

  gate g;
  w->submit(g.job("acme"), check("gate"));
  g.wait_running();
  std::vector<std::thread> submitters;
  for (int t = 0; t < threads; ++t)
    submitters.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto name = "job-" + std::to_string(t) + "-" + std::to_string(i);
        w->submit(append("acme", "authorize", name), check(name));
      }
    });
  for (auto& s : submitters) s.join();
  g.open();
  ASSERT_TRUE(out.wait_for(threads * per_thread + 1));
  w->stop();

  const std::size_t total = threads * per_thread + 1;
  EXPECT_EQ(out.count_ok(), total);
  EXPECT_EQ(readable.load(), static_cast<int>(total) - 1);  // the gate event has no session
  auto st = w->stats();
  EXPECT_EQ(st.jobs, total);
  EXPECT_EQ(st.failed_commits, 0u);
  EXPECT_LT(st.commits, st.jobs);
  EXPECT_LE(st.commits, 1u + (total - 1 + 63) / 64);  // the gate alone, then full batches of 64

  auto events = reader.audit_chain("acme");
  ASSERT_EQ(events.size(), total);
  auto v = verify_chain(events, sha256());
  EXPECT_TRUE(v.ok) << v.problem;
}

TEST_F(writer_test, a_throwing_job_fails_alone_and_leaves_the_chain_whole) {
  auto w = make_group_writer(path());
  outcomes out;
  gate g;
  w->submit(g.job("acme"), out.expect("gate"));
  w->submit(append("acme", "a"), out.expect("a"));
  w->submit(
    [](transaction& tx) {
      tx.append_audit(make_event("acme", "b", at_s(2)));
      tx.put_notification({"n-b", "u-ann", notification_kind::impersonation_started, "B", "B", at_s(2)});
      throw std::runtime_error("job b changed its mind");
    },
    out.expect("b"));
  w->submit(append("acme", "c"), out.expect("c"));
  // A constraint violation inside a job (no such user) is that job's failure too.
  w->submit(
    [](transaction& tx) {
      tx.append_audit(make_event("acme", "d", at_s(3)));
      tx.put_notification({"n-d", "u-nobody", notification_kind::impersonation_started, "D", "D", at_s(3)});
    },
    out.expect("d"));
  w->submit(append("acme", "e"), out.expect("e"));
  g.open();
  ASSERT_TRUE(out.wait_for(6));
  w->stop();

  EXPECT_TRUE(out.ok("gate"));
  EXPECT_TRUE(out.ok("a"));
  EXPECT_FALSE(out.ok("b"));
  EXPECT_TRUE(out.ok("c"));
  EXPECT_FALSE(out.ok("d"));
  EXPECT_TRUE(out.ok("e"));
  EXPECT_EQ(w->stats().failed_commits, 0u);
  expect_chain("acme", {"gate", "a", "c", "e"});
  database db(path());
  EXPECT_TRUE(db.inbox("u-ann", false, 10).empty());
}

// A batch that cannot commit: a trigger added behind the store's back makes a deferred foreign key
// fail at COMMIT, the way a full disk or an I/O error fails it.
void make_boom_fail_at_commit(const std::string& path) {
  raw_db raw(path);
  const std::string tables = R"(CREATE TABLE boom_parent (id TEXT PRIMARY KEY);
                                CREATE TABLE boom_child (parent TEXT REFERENCES boom_parent(id) DEFERRABLE INITIALLY DEFERRED);)";
  const std::string sqlite_trigger = R"(CREATE TRIGGER boom AFTER INSERT ON notifications WHEN NEW.title = 'boom'
                                        BEGIN INSERT INTO boom_child VALUES ('missing'); END;)";
  const std::string pg_trigger = R"(CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
                                      BEGIN INSERT INTO boom_child VALUES ('missing'); RETURN NULL; END $$;
                                    CREATE TRIGGER boom AFTER INSERT ON notifications FOR EACH ROW
                                      WHEN (NEW.title = 'boom') EXECUTE FUNCTION boom();)";
  ASSERT_EQ(raw.exec(tables + (raw.on_postgresql() ? pg_trigger : sqlite_trigger)), std::nullopt);
}

writer::job boom_job() {
  return [](transaction& tx) {
    tx.append_audit(make_event("acme", "lost", at_s(5)));
    tx.put_notification({"n-boom", "u-ann", notification_kind::impersonation_started, "boom", "x", at_s(5)});
  };
}

TEST_F(writer_test, a_failed_commit_fails_every_job_and_the_chain_continues_after_it) {
  auto w = make_group_writer(path());
  ASSERT_TRUE(submit_and_wait(*w, append("acme", "first")));
  make_boom_fail_at_commit(path());

  EXPECT_FALSE(submit_and_wait(*w, boom_job()));
  EXPECT_EQ(w->stats().failed_commits, 1u);

  // The next job links onto the last durable event, not onto the rolled-back one.
  std::int64_t seq = 0;
  EXPECT_TRUE(submit_and_wait(*w, [&](transaction& tx) { seq = tx.append_audit(make_event("acme", "after", at_s(6))).seq; }));
  EXPECT_EQ(seq, 2);
  // And the writer keeps trying: a later failure and a later success again.
  EXPECT_FALSE(submit_and_wait(*w, boom_job()));
  EXPECT_TRUE(submit_and_wait(*w, append("acme", "later")));
  w->stop();
  EXPECT_EQ(w->stats().failed_commits, 2u);
  expect_chain("acme", {"first", "after", "later"});
  database db(path());
  EXPECT_TRUE(db.inbox("u-ann", false, 10).empty());
}

TEST_F(writer_test, the_inline_writer_answers_before_submit_returns_with_the_same_rules) {
  auto w = make_inline_writer(path());
  EXPECT_TRUE(commit(*w, append("acme", "first")));
  EXPECT_FALSE(commit(*w, [](transaction& tx) {
    tx.append_audit(make_event("acme", "thrown", at_s(1)));
    throw std::runtime_error("no");
  }));
  make_boom_fail_at_commit(path());
  EXPECT_FALSE(commit(*w, boom_job()));
  EXPECT_TRUE(commit(*w, append("acme", "second")));
  auto st = w->stats();
  EXPECT_EQ(st.jobs, 4u);
  EXPECT_EQ(st.commits, 3u);  // the thrown job's empty transaction still commits
  EXPECT_EQ(st.failed_commits, 1u);
  w->stop();
  EXPECT_FALSE(commit(*w, append("acme", "after stop")));
  expect_chain("acme", {"first", "second"});
}

/// A job that meets a deadlock (as PostgreSQL reports one) on its first `conflicts` runs: it has already
/// written its event when the conflict is raised, as a real deadlock strikes mid-job.
writer::job conflicting(const std::string& event, int conflicts, std::shared_ptr<std::atomic<int>> runs) {
  return [=](transaction& tx) {
    tx.append_audit(make_event("acme", event, at_s(4)));
    if (++*runs <= conflicts) throw store_error("deadlock detected (SQLSTATE 40P01)", failure::conflict);
  };
}

TEST_F(writer_test, a_job_that_deadlocked_runs_again_after_its_batch_committed_and_is_answered_once) {
  auto w = make_group_writer(path());
  outcomes out;
  gate g;
  auto runs = std::make_shared<std::atomic<int>>(0);
  std::atomic<int> answers{0};
  w->submit(g.job("acme"), out.expect("gate"));
  w->submit(append("acme", "a"), out.expect("a"));
  auto record = out.expect("x");
  w->submit(conflicting("x", 2, runs), [&, record](bool ok) {
    ++answers;
    record(ok);
  });
  w->submit(append("acme", "b"), out.expect("b"));
  g.open();
  ASSERT_TRUE(out.wait_for(4));
  w->stop();
  EXPECT_TRUE(out.ok("x"));
  EXPECT_EQ(runs->load(), 3);
  EXPECT_EQ(answers.load(), 1);
  EXPECT_TRUE(out.ok("a"));
  EXPECT_TRUE(out.ok("b"));
  // The runs that conflicted left nothing: the event is in the chain once, after its batch's others.
  expect_chain("acme", {"gate", "a", "b", "x"});
}

TEST_F(writer_test, a_job_that_keeps_deadlocking_is_answered_failed_after_a_bounded_number_of_runs) {
  auto group = make_group_writer(path());
  outcomes out;
  auto runs = std::make_shared<std::atomic<int>>(0);
  group->submit(conflicting("never", 1000, runs), out.expect("never"));
  group->submit(append("acme", "other"), out.expect("other"));
  ASSERT_TRUE(out.wait_for(2));
  group->stop();
  EXPECT_FALSE(out.ok("never"));
  EXPECT_TRUE(out.ok("other"));
  EXPECT_EQ(runs->load(), max_job_runs);

  // The inline writer (virtual-time actor tests) runs it again the same way, before submit returns.
  auto inline_runs = std::make_shared<std::atomic<int>>(0);
  auto w = make_inline_writer(path());
  EXPECT_TRUE(commit(*w, conflicting("twice", 1, inline_runs)));
  EXPECT_EQ(inline_runs->load(), 2);
  EXPECT_FALSE(commit(*w, conflicting("never again", 1000, inline_runs)));
  EXPECT_EQ(inline_runs->load(), 2 + max_job_runs);
  w->stop();
  expect_chain("acme", {"other", "twice"});
}

TEST_F(writer_test, stop_commits_what_was_queued_and_refuses_what_comes_after) {
  auto w = make_group_writer(path(), 4);
  outcomes out;
  gate g;
  w->submit(g.job("acme"), out.expect("gate"));
  for (int i = 0; i < 20; ++i) w->submit(append("acme", "queued"), out.expect("q" + std::to_string(i)));
  g.open();
  w->stop();
  EXPECT_EQ(out.count_ok(), 21u);
  bool refused = false;
  w->submit(append("acme", "late"), [&](bool ok) { refused = !ok; });
  EXPECT_TRUE(refused);
  database db(path());
  EXPECT_EQ(db.audit_chain("acme").size(), 21u);
}

TEST_F(writer_test, a_full_queue_refuses_at_once_instead_of_growing) {
  auto w = make_group_writer(path());
  gate g;
  std::promise<bool> gate_done;
  w->submit(g.job("acme"), [&](bool ok) { gate_done.set_value(ok); });
  g.wait_running();
  // The gate holds the writer; fill the queue to its bound with jobs that do nothing.
  constexpr std::size_t bound = 1 << 17;
  std::atomic<std::size_t> accepted{0};
  for (std::size_t i = 0; i < bound; ++i) w->submit([](transaction&) {}, [&](bool ok) { accepted += ok ? 1 : 0; });
  std::optional<bool> refused;
  w->submit(append("acme", "one too many"), [&](bool ok) { refused = ok; });
  ASSERT_TRUE(refused.has_value());  // answered during submit, not queued
  EXPECT_FALSE(*refused);
  g.open();
  w->stop();
  EXPECT_TRUE(gate_done.get_future().get());
  EXPECT_EQ(accepted.load(), bound);
  expect_chain("acme", {"gate"});
}

TEST_F(writer_test, a_throwing_done_callback_does_not_stop_the_others) {
  auto w = make_group_writer(path());
  outcomes out;
  gate g;
  w->submit(g.job("acme"), [](bool) { throw std::runtime_error("careless callback"); });
  w->submit(append("acme", "next"), out.expect("next"));
  g.open();
  ASSERT_TRUE(out.wait_for(1));
  EXPECT_TRUE(out.ok("next"));
}

TEST_F(writer_test, a_new_writer_continues_the_chains_it_finds) {
  {
    auto w = make_inline_writer(path());
    ASSERT_TRUE(commit(*w, append("acme", "one")));
    ASSERT_TRUE(commit(*w, append("system", "sys")));
    ASSERT_TRUE(commit(*w, append("acme", "two")));
  }
  auto w = make_group_writer(path());
  std::int64_t seq = 0;
  ASSERT_TRUE(submit_and_wait(*w, [&](transaction& tx) { seq = tx.append_audit(make_event("acme", "three", at_s(3))).seq; }));
  EXPECT_EQ(seq, 3);
  w->stop();
  expect_chain("acme", {"one", "two", "three"});
  expect_chain("system", {"sys"});
}

} // namespace
} // namespace actas::store
