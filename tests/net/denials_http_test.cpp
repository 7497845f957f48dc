// Denials over HTTP (SPEC §5): a failed login and a start with a 60 KB reason show in GET /v1/audit for
// the realm's superadmin, named and cut to 200 code points; the password never appears.
#include "server_fixture.hpp"

namespace actas::testing {
namespace {

using denials_http_test = server_fixture;

/// The first event of `events` with this name and outcome denied (null when there is none).
json denied(const json& events, const std::string& name) {
  for (const auto& e : events)
    if (e["event"] == name && e["outcome"] == "denied")
      return e;
  return nullptr;
}

TEST_F(denials_http_test, refusals_show_in_the_realms_audit_cut_and_without_the_password) {
  EXPECT_EQ(post("/v1/login", {{"username", "ann"}, {"password", "wrong-secret-horse"}}).status, 401u);
  std::string reason;
  for (int i = 0; i < 30000; ++i)
    reason += "é";
  auto refused = post("/v1/impersonations", {{"target", "ann"}, {"reason", reason}}, token("adam"));
  EXPECT_EQ(refused.status, 400u) << refused.text;

  auto audit = get("/v1/audit?limit=1000", token("sara"));
  ASSERT_EQ(audit.status, 200u) << audit.text;
  auto login = denied(audit.body["events"], "login");
  ASSERT_FALSE(login.is_null()) << audit.text;
  EXPECT_EQ(login["code"], "unauthenticated");
  EXPECT_TRUE(login["performed_by"].is_null());
  EXPECT_EQ(login["detail"]["username"], "ann");
  EXPECT_EQ(audit.text.find("wrong-secret-horse"), std::string::npos);
  auto start = denied(audit.body["events"], "impersonation.start");
  ASSERT_FALSE(start.is_null()) << audit.text;
  EXPECT_EQ(start["code"], "reason_required");
  EXPECT_EQ(start["performed_by"], "adam");
  EXPECT_EQ(start["reason"], reason.substr(0, 400));  // 200 two-byte characters
  EXPECT_LT(audit.text.size(), 8000u);
}

} // namespace
} // namespace actas::testing
