// SPEC §6 Retries over real sockets: a client that lost an answer asks again with the same
// Idempotency-Key and learns what happened, without the change being made twice.
#include <set>
#include <thread>

#include "server_fixture.hpp"

namespace actas::testing {
namespace {

class idempotency_test : public server_fixture {
protected:
  http_result post_keyed(const std::string& target, const json& body, const std::string& bearer,
                         const std::string& key) {
    return http(port_, "POST", target, body.is_null() ? std::string{} : body.dump(), bearer,
                {{"Idempotency-Key", key}});
  }
  http_result start_keyed(const std::string& actor, const std::string& target, const std::string& key) {
    return post_keyed("/v1/impersonations", {{"target", target}, {"reason", a_reason}}, actor, key);
  }
  /// Sessions of the realm, as the superadmin sees them.
  std::size_t active_sessions() {
    auto r = get("/v1/impersonations?state=active", token("sara"));
    EXPECT_EQ(r.status, 200u) << r.text;
    return r.body["sessions"].size();
  }
  /// Stops server and core and opens both again on the same database.
  void restart() {
    server_->stop();
    server_.reset();
    core_->shutdown();
    core_.reset();
    auto rc = runtime_options();
    rc.db_path = location_;
    core_ = std::make_unique<actors::runtime>(rc);
    server_ = make_server(options());
    port_ = server_->port();
  }
};

TEST_F(idempotency_test, a_retried_start_answers_the_first_outcome_and_starts_nothing_more) {
  const auto adam = token("adam");
  auto first = start_keyed(adam, "ann", "start-ann-1");
  ASSERT_EQ(first.status, 201u) << first.text;
  EXPECT_EQ(first.headers.count("idempotent-replayed"), 0u);

  auto again = start_keyed(adam, "ann", "start-ann-1");
  ASSERT_EQ(again.status, 201u) << again.text;
  EXPECT_EQ(again.headers["idempotent-replayed"], "true");
  EXPECT_EQ(again.body["session"]["id"], first.body["session"]["id"]);
  // The token is shown once: what is kept has no secret in it.
  EXPECT_TRUE(again.body["token"].is_null()) << again.text;
  EXPECT_EQ(active_sessions(), 1u);

  // Without the key the same request is a new decision: adam already runs a session.
  auto plain = post("/v1/impersonations", {{"target", "ann"}, {"reason", a_reason}}, adam);
  EXPECT_EQ(plain.status, 409u) << plain.text;
  EXPECT_EQ(plain.body["error"]["code"], "actor_busy");
}

TEST_F(idempotency_test, a_retried_end_learns_that_the_end_happened) {
  const auto adam = token("adam");
  auto started = start(adam, "ann");
  ASSERT_EQ(started.status, 201u) << started.text;
  const auto end = "/v1/impersonations/" + started.body["session"]["id"].get<std::string>() + "/end";
  auto first = post_keyed(end, json::object(), adam, "end-1");
  ASSERT_EQ(first.status, 200u) << first.text;
  auto retry = post_keyed(end, json::object(), adam, "end-1");
  EXPECT_EQ(retry.status, 200u) << retry.text;
  EXPECT_EQ(retry.body["session"]["end_reason"], "ended_by_actor");
  // A fresh request (another key) is refused as it always was.
  EXPECT_EQ(post_keyed(end, json::object(), adam, "end-2").status, 409u);
}

TEST_F(idempotency_test, the_same_key_with_another_body_is_refused_422) {
  const auto adam = token("adam");
  ASSERT_EQ(start_keyed(adam, "ann", "k").status, 201u);
  auto other = start_keyed(adam, "bob", "k");
  EXPECT_EQ(other.status, 422u) << other.text;
  EXPECT_EQ(other.body["error"]["code"], "idempotency_key_reused");
  EXPECT_EQ(active_sessions(), 1u);
}

TEST_F(idempotency_test, keys_belong_to_their_caller) {
  // sara's key "k" is not adam's key "k".
  ASSERT_EQ(start_keyed(token("adam"), "ann", "k").status, 201u);
  auto sara = start_keyed(token("sara"), "bob", "k");
  EXPECT_EQ(sara.status, 201u) << sara.text;
  EXPECT_EQ(sara.headers.count("idempotent-replayed"), 0u);
}

TEST_F(idempotency_test, a_malformed_or_repeated_key_is_refused_400_and_changes_nothing) {
  const auto adam = token("adam");
  for (const std::string& bad : {std::string(256, 'k'), std::string("caf\xc3\xa9")}) {
    auto r = start_keyed(adam, "ann", bad);
    EXPECT_EQ(r.status, 400u) << r.text;
    EXPECT_EQ(r.body["error"]["code"], "invalid_request");
  }
  auto twice = raw_exchange(port_, "POST /v1/impersonations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + adam +
                                     "\r\nIdempotency-Key: a\r\nIdempotency-Key: b\r\nContent-Type: application/json\r\n"
                                     "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  EXPECT_NE(twice.find("400 Bad Request"), std::string::npos) << twice;
  EXPECT_EQ(active_sessions(), 0u);
}

TEST_F(idempotency_test, a_kept_answer_survives_a_restart) {
  const auto adam = token("adam");
  auto first = start_keyed(adam, "ann", "across-restart");
  ASSERT_EQ(first.status, 201u) << first.text;
  restart();
  auto again = start_keyed(adam, "ann", "across-restart");
  EXPECT_EQ(again.status, 201u) << again.text;
  EXPECT_EQ(again.headers["idempotent-replayed"], "true");
  EXPECT_EQ(again.body["session"]["id"], first.body["session"]["id"]);
}

TEST_F(idempotency_test, parallel_retries_act_once) {
  const auto adam = token("adam");
  constexpr int n = 8;
  std::vector<http_result> answers(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] { answers[i] = start_keyed(adam, "ann", "race"); });
  for (auto& t : threads) t.join();
  std::set<std::string> sessions;
  int created = 0;
  for (const auto& a : answers) {
    if (a.status == 201u) {
      sessions.insert(a.body["session"]["id"].get<std::string>());
      created += a.headers.count("idempotent-replayed") == 0 ? 1 : 0;
    } else {
      EXPECT_EQ(a.status, 409u) << a.text;
      EXPECT_EQ(a.body["error"]["code"], "request_in_progress") << a.text;
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(sessions.size(), 1u);
  EXPECT_EQ(active_sessions(), 1u);
}

TEST_F(idempotency_test, calls_that_change_nothing_ignore_the_key) {
  const auto ann = token("ann");
  // Two tickets with one key: each is a fresh secret (a ticket is never kept or replayed).
  auto a = post_keyed("/v1/ws/ticket", nullptr, ann, "t");
  auto b = post_keyed("/v1/ws/ticket", nullptr, ann, "t");
  ASSERT_EQ(a.status, 200u);
  ASSERT_EQ(b.status, 200u);
  EXPECT_NE(a.body["ticket"], b.body["ticket"]);
  EXPECT_EQ(b.headers.count("idempotent-replayed"), 0u);
}

} // namespace
} // namespace actas::testing
