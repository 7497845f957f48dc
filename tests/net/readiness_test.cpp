// SPEC §6: /livez (and /healthz) say the process serves; /readyz says whether this node should get
// traffic: 503 while it drains, cannot write its audit log or found a broken chain.
#include "server_fixture.hpp"

namespace actas::testing {
namespace {

using readiness_test = server_fixture;

TEST_F(readiness_test, livez_and_healthz_answer_ok_and_readyz_too_when_all_is_well) {
  for (const char* path : {"/livez", "/healthz", "/readyz"}) {
    auto r = get(path);
    EXPECT_EQ(r.status, 200u) << path << ": " << r.text;
    EXPECT_EQ(r.body, json({{"ok", true}})) << path;
    EXPECT_EQ(r.headers["cache-control"], "no-store") << path;
  }
}

TEST_F(readiness_test, readyz_is_503_naming_the_problem_while_the_audit_log_cannot_be_written_or_a_chain_is_broken) {
  auto& flags = server_->ready();
  flags.set_audit_writable(false);
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 503u) << r.text;
  EXPECT_EQ(r.body, json({{"ok", false}, {"problems", {"audit_unwritable"}}}));
  // Still alive: liveness is another question.
  EXPECT_EQ(get("/livez").status, 200u);
  flags.set_chain_ok(false);
  EXPECT_EQ(get("/readyz").body["problems"], json({"audit_unwritable", "chain_broken"}));
  flags.set_audit_writable(true);
  flags.set_chain_ok(true);
  EXPECT_EQ(get("/readyz").status, 200u);
}

TEST_F(readiness_test, a_draining_server_is_not_ready_and_closes_kept_alive_connections_after_answering) {
  http_connection kept(port_);
  ASSERT_EQ(kept.request("GET", "/readyz").status, 200u);
  // Nothing is in flight and no socket is open: the drain ends at once.
  server_->drain(5s);
  auto r = kept.request("GET", "/readyz");
  EXPECT_EQ(r.status, 503u) << r.text << r.error;
  EXPECT_EQ(r.body, json({{"ok", false}, {"problems", {"draining"}}}));
  EXPECT_EQ(r.headers["connection"], "close");
  // Nothing new is accepted.
  EXPECT_EQ(get("/livez").status, 0u);
}

} // namespace
} // namespace actas::testing
