// Policy, provisioning and support over real sockets: settings, authorize, preferences, the inbox, users,
// the platform's calls (tokens, introspection) and the support-access flow end to end.
#include <gtest/gtest.h>

#include <sodium.h>

#include "tests/net/server_fixture.hpp"

namespace actas::testing {
namespace {

/// Standard base64 with padding (what HTTP Basic carries), by libsodium.
std::string base64(const std::string& in) {
  std::string out(sodium_base64_encoded_len(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

class policy_http_test : public server_fixture {
protected:
  http_result send(const std::string& method, const std::string& target, const json& body, const std::string& bearer) {
    return http(port_, method, target, body.is_null() ? std::string{} : body.dump(), bearer);
  }
};

TEST_F(policy_http_test, settings_are_validated_and_a_change_ends_the_sessions_it_refuses_before_answering) {
  auto started = start(token("adam"), "ann");
  ASSERT_EQ(started.status, 201u) << started.text;
  auto sid = started.body["session"]["id"].get<std::string>();
  auto read = get("/v1/portals/acme-eu/settings", token("adam"));
  ASSERT_EQ(read.status, 200u) << read.text;
  EXPECT_EQ(read.body["settings"]["impersonation"]["max_duration_s"], 1800);
  auto adam_write = send("PATCH", "/v1/portals/acme/settings", {{"impersonation", {{"enabled", false}}}}, token("adam"));
  EXPECT_EQ(adam_write.status, 403u);
  auto unknown = send("PATCH", "/v1/portals/acme/settings", {{"impersonation", {{"enabeld", false}}}}, token("sara"));
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_NE(unknown.body["error"]["message"].get<std::string>().find("enabeld"), std::string::npos) << unknown.text;
  auto too_long = send("PATCH", "/v1/portals/acme/settings", {{"impersonation", {{"max_duration_s", 3600}}}}, token("sara"));
  EXPECT_EQ(too_long.status, 400u);
  EXPECT_NE(too_long.text.find("impersonation.max_duration_s"), std::string::npos) << too_long.text;
  auto loosen = send("PATCH", "/v1/portals/acme-eu/settings", {{"impersonation", {{"exclusive", false}}}}, token("sara"));
  EXPECT_EQ(loosen.status, 400u);
  auto off = send("PATCH", "/v1/portals/acme/settings", {{"impersonation", {{"enabled", false}}}}, token("sara"));
  ASSERT_EQ(off.status, 200u) << off.text;
  // Ended before the answer: already gone when we look.
  auto session = get("/v1/impersonations/" + sid, token("adam"));
  EXPECT_EQ(session.body["session"]["state"], "ended");
  EXPECT_EQ(session.body["session"]["end_reason"], "actor_revoked");
  EXPECT_EQ(start(token("adam"), "ann").body["error"]["code"], "feature_disabled");
}

TEST_F(policy_http_test, authorize_always_answers_200_and_denies_restricted_actions_while_impersonating) {
  auto started = start(token("adam"), "ann");
  auto imp = started.body["token"].get<std::string>();
  auto denied = post("/v1/authorize", {{"action", "messages.read"}}, imp);
  ASSERT_EQ(denied.status, 200u);
  EXPECT_EQ(denied.body["allowed"], false);
  EXPECT_EQ(denied.body["code"], "restricted_while_impersonating");
  EXPECT_EQ(denied.body["subject"], "ann");
  EXPECT_EQ(denied.body["actor"], "adam");
  EXPECT_EQ(post("/v1/authorize", {{"action", "courses.view"}}, imp).body["allowed"], true);
  auto nobody = post("/v1/authorize", {{"action", "courses.view"}}, "not-a-token");
  EXPECT_EQ(nobody.status, 200u);
  EXPECT_EQ(nobody.body["code"], "unauthenticated");
  EXPECT_EQ(post("/v1/authorize", {{"action", 7}}, imp).status, 400u);
}

TEST_F(policy_http_test, preferences_and_the_inbox_under_impersonation) {
  ASSERT_EQ(send("PUT", "/v1/me/preferences", {{"theme", "dark"}}, token("ann")).status, 200u);
  auto started = start(token("adam"), "ann");
  auto imp = started.body["token"].get<std::string>();
  ASSERT_EQ(send("PUT", "/v1/me/preferences", {{"theme", "neon"}}, imp).status, 200u);
  EXPECT_EQ(get("/v1/me/preferences", imp).body["preferences"]["theme"], "neon");
  EXPECT_EQ(get("/v1/me/preferences", token("ann")).body["preferences"]["theme"], "dark");
  auto inbox = get("/v1/notifications?unread=true", imp);
  ASSERT_EQ(inbox.status, 200u) << inbox.text;
  ASSERT_EQ(inbox.body["notifications"].size(), 1u);
  auto nid = inbox.body["notifications"][0]["id"].get<std::string>();
  EXPECT_EQ(post("/v1/notifications/" + nid + "/read", nullptr, imp).body["notification"]["read"], false);
  EXPECT_EQ(get("/v1/notifications", token("ann")).body["unread"], 1);
  auto own = post("/v1/notifications/" + nid + "/read", nullptr, token("ann"));
  EXPECT_EQ(own.body["notification"]["read"], true);
  EXPECT_EQ(own.body["unread"], 0);
  EXPECT_EQ(get("/v1/notifications?unread=maybe", token("ann")).status, 400u);
}

TEST_F(policy_http_test, the_user_list_says_who_can_be_impersonated_and_why_not) {
  auto r = get("/v1/users", token("adam"));
  ASSERT_EQ(r.status, 200u) << r.text;
  std::map<std::string, json> rows;
  for (const auto& u : r.body["users"]) rows[u["username"].get<std::string>()] = u;
  EXPECT_EQ(rows["ann"]["can_impersonate"], true);
  EXPECT_EQ(rows["ivan"]["why_not"], "target_role_not_allowed");
  EXPECT_EQ(rows["noel"]["why_not"], "consent_missing");
  EXPECT_EQ(rows["ines"]["why_not"], "target_inactive");
  EXPECT_FALSE(rows.contains("bob"));
  EXPECT_FALSE(rows.contains("gwen"));
  EXPECT_EQ(get("/v1/users?q=ANN", token("adam")).body["users"].size(), 1u);  // case-insensitive
}

TEST_F(policy_http_test, the_platform_provisions_mints_and_introspects) {
  EXPECT_EQ(post("/v1/realms", {{"id", "initech"}, {"name", "Initech"}, {"top_portal", {{"id", "initech"}, {"name", "Initech"}}}},
                 "wrong-key").status,
            401u);
  ASSERT_EQ(post("/v1/realms", {{"id", "initech"}, {"name", "Initech"}, {"top_portal", {{"id", "initech"}, {"name", "Initech"}}}},
                 service_key_a).status,
            201u);
  ASSERT_EQ(post("/v1/portals", {{"id", "initech-fr"}, {"parent", "initech"}, {"name", "Initech FR"}}, service_key_b).status, 201u);
  auto created = post("/v1/users",
                      {{"id", "milton"}, {"username", "milton"}, {"name", "Milton"}, {"role", "learner"},
                       {"portal", "initech-fr"}, {"consents", {{"terms", true}, {"privacy", true}}}},
                      service_key_a);
  ASSERT_EQ(created.status, 201u) << created.text;
  EXPECT_EQ(post("/v1/users", {{"id", "x"}, {"username", "x"}, {"name", "X"}, {"role", "wizard"}}, service_key_a).status, 400u);
  auto minted = post("/v1/tokens", {{"user", "milton"}}, service_key_a);
  ASSERT_EQ(minted.status, 200u) << minted.text;
  auto who = get("/v1/me", minted.body["token"].get<std::string>());
  EXPECT_EQ(who.body["user"]["realm"], "initech");
  auto started = start(token("adam"), "ann");
  auto intro = post("/v1/introspect", {{"token", started.body["token"]}}, service_key_a);
  ASSERT_EQ(intro.status, 200u);
  EXPECT_EQ(intro.body["active"], true);
  EXPECT_EQ(intro.body["sub"], "ann");
  EXPECT_EQ(intro.body["act"]["sub"], "adam");
  EXPECT_EQ(intro.body["act"]["sid"], started.body["session"]["id"]);
  EXPECT_EQ(post("/v1/introspect", {{"token", "nope"}}, service_key_a).body, json({{"active", false}}));
  EXPECT_EQ(post("/v1/introspect", {{"token", "nope"}}, token("sara")).status, 401u);
  // A deactivation by the platform ends the user's tokens at once.
  ASSERT_EQ(send("PATCH", "/v1/users/milton", {{"status", "inactive"}}, service_key_a).status, 200u);
  EXPECT_EQ(get("/v1/me", minted.body["token"].get<std::string>()).status, 401u);
}

// SPEC §9: what an off-the-shelf RFC 7662 client sends: a form body, the service key as HTTP Basic
// password (any user name, the password form-encoded per RFC 6749 §2.3.1 or not) or as Bearer.
TEST_F(policy_http_test, introspection_takes_the_rfc_7662_form_and_basic_authentication) {
  auto started = start(token("adam"), "ann");
  ASSERT_EQ(started.status, 201u) << started.text;
  const auto imp = started.body["token"].get<std::string>();
  const auto form = [&](const std::string& body, const std::string& authorization,
                        const std::string& type = "application/x-www-form-urlencoded") {
    return http(port_, "POST", "/v1/introspect", body, {}, {{"Content-Type", type}, {"Authorization", authorization}});
  };
  const auto basic = [](const std::string& user, const std::string& password) {
    return "Basic " + base64(user + ":" + password);
  };
  for (const auto& auth : {basic("any-client", service_key_b), "Bearer " + service_key_a,
                           basic("lms", service_key_a), "basic  " + base64("x:" + service_key_a)}) {
    SCOPED_TRACE(auth.substr(0, 12));
    auto r = form("token=" + imp + "&token_type_hint=access_token", auth);
    ASSERT_EQ(r.status, 200u) << r.text;
    EXPECT_EQ(r.body["active"], true);
    EXPECT_EQ(r.body["token_type"], "access_token");
    EXPECT_EQ(r.body["sub"], "ann");
    EXPECT_EQ(r.body["username"], "ann");
    EXPECT_EQ(r.body["act"]["sub"], "adam");
    EXPECT_TRUE(r.body["iat"].is_number_integer());
    EXPECT_LE(r.body["iat"].get<std::int64_t>(), r.body["exp"].get<std::int64_t>());
  }
  // The JSON form answers the same fields.
  auto j = post("/v1/introspect", {{"token", imp}, {"token_type_hint", "access_token"}}, service_key_a);
  EXPECT_EQ(j.body["username"], "ann") << j.text;
  // A dead or unknown token is {"active": false} and nothing else, in either form.
  EXPECT_EQ(form("token=nope", basic("lms", service_key_a)).body, json({{"active", false}}));
  // Not a service key: 401, whether as the Basic password, a user name, or a user's token.
  EXPECT_EQ(form("token=" + imp, basic("lms", "wrong")).status, 401u);
  EXPECT_EQ(form("token=" + imp, basic(service_key_a, "")).status, 401u);
  EXPECT_EQ(form("token=" + imp, "Basic not-base64!").status, 401u);
  EXPECT_EQ(form("token=" + imp, "Bearer " + token("sara")).status, 401u);
  // Bad forms are 400 with what is wrong.
  auto twice = form("token=a&token=b", basic("lms", service_key_a));
  EXPECT_EQ(twice.status, 400u);
  EXPECT_NE(twice.body["error"]["message"].get<std::string>().find("'token' twice"), std::string::npos) << twice.text;
  EXPECT_EQ(form("token=" + imp + "&client_id=x", basic("lms", service_key_a)).status, 400u);
  EXPECT_EQ(form("token_type_hint=access_token", basic("lms", service_key_a)).status, 400u);
  EXPECT_EQ(form("token=%zz", basic("lms", service_key_a)).status, 400u);
  // Forms stay refused everywhere else: a cross-site form post reaches no other route.
  auto elsewhere = http(port_, "POST", "/v1/login", "username=ann&password=demo", {},
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(elsewhere.status, 400u) << elsewhere.text;
  EXPECT_EQ(form("token=" + imp, basic("lms", service_key_a), "text/plain").status, 400u);
}

TEST_F(policy_http_test, support_access_from_request_to_revoke) {
  auto sara_tab = tab(token("sara"));
  EXPECT_EQ(post("/v1/support/requests", {{"portals", {"acme", "globex"}}, {"reason", "Broken"}, {"ticket", "T-1"}},
                 token("sam")).status,
            400u);
  EXPECT_EQ(post("/v1/support/requests", {{"portals", {"acme-eu"}}, {"reason", "Broken"}, {"ticket", "T-1"}},
                 token("adam")).status,
            403u);
  auto req = post("/v1/support/requests",
                  {{"portals", {"acme-eu"}}, {"reason", "Enrolments fail for all learners"}, {"ticket", "T-4711"}},
                  token("sam"));
  ASSERT_EQ(req.status, 201u) << req.text;
  auto banner = sara_tab.read_until("banner");
  ASSERT_TRUE(banner);
  EXPECT_EQ((*banner)["kind"], "support_request");
  auto request_id = req.body["request"]["id"].get<std::string>();
  EXPECT_EQ(post("/v1/support/grants", {{"request", request_id}, {"portals", {"acme-eu"}}}, token("adam")).status, 403u);
  EXPECT_EQ(post("/v1/support/grants", {{"request", request_id}, {"portals", {"acme-eu"}}, {"duration_s", 60}},
                 token("sara")).status,
            400u);
  auto granted = post("/v1/support/grants", {{"request", request_id}, {"portals", {"acme-eu"}}, {"duration_s", 3600}}, token("sara"));
  ASSERT_EQ(granted.status, 201u) << granted.text;
  auto grant_id = granted.body["grants"][0]["id"].get<std::string>();
  auto status = get("/v1/support/access", token("sara"));
  for (const auto& row : status.body["portals"]) {
    if (row["portal"] == "acme-eu") {
      EXPECT_EQ(row["state"], "available");
    }
  }
  EXPECT_EQ(get("/v1/support/grants", token("sam")).body["grants"].size(), 1u);
  auto temp = post("/v1/support/grants/" + grant_id + "/token", nullptr, token("sam"));
  ASSERT_EQ(temp.status, 200u) << temp.text;
  auto temp_token = temp.body["token"].get<std::string>();
  auto me = get("/v1/me", temp_token);
  EXPECT_EQ(me.body["actor"]["username"], "sam");
  EXPECT_EQ(me.body["grant"]["id"], grant_id);
  auto as_ann = start(temp_token, "ann");
  ASSERT_EQ(as_ann.status, 201u) << as_ann.text;
  auto temp_tab = tab(temp_token);
  auto revoked = post("/v1/support/grants/revoke", {{"grants", {grant_id}}}, token("sara"));
  ASSERT_EQ(revoked.status, 200u) << revoked.text;
  EXPECT_EQ(get("/v1/me", temp_token).status, 401u);
  EXPECT_EQ(temp_tab.expect_close(), 1008);
  auto ended = get("/v1/impersonations/" + as_ann.body["session"]["id"].get<std::string>(), token("sara"));
  EXPECT_EQ(ended.body["session"]["end_reason"], "grant_ended");
  auto log = get("/v1/support/grants/" + grant_id + "/log", token("sara"));
  ASSERT_EQ(log.status, 200u);
  std::vector<std::string> events;
  for (const auto& e : log.body["events"]) events.push_back(e["event"]);
  EXPECT_NE(std::find(events.begin(), events.end(), "impersonation.start"), events.end());
  EXPECT_NE(std::find(events.begin(), events.end(), "support.revoke"), events.end());
  EXPECT_EQ(post("/v1/support/grants/revoke", {{"grants", {grant_id}}}, token("sara")).status, 409u);
}

TEST_F(policy_http_test, a_request_can_be_denied_by_the_customer_or_cancelled_by_support) {
  auto sara_tab = tab(token("sara"));
  auto ask_for = [&](const char* portal) {
    auto r = post("/v1/support/requests", {{"portals", {portal}}, {"reason", "Reports are empty"}, {"ticket", "T-9"}}, token("sam"));
    EXPECT_EQ(r.status, 201u) << r.text;
    return r.body["request"]["id"].get<std::string>();
  };
  auto first = ask_for("acme-eu");
  EXPECT_EQ(post("/v1/support/requests/" + first + "/deny", nullptr, token("adam")).status, 404u);
  auto denied = post("/v1/support/requests/" + first + "/deny", nullptr, token("sara"));
  ASSERT_EQ(denied.status, 200u) << denied.text;
  EXPECT_EQ(denied.body["request"]["state"], "denied");
  auto cleared = sara_tab.read_until("banner_clear");
  ASSERT_TRUE(cleared);
  EXPECT_EQ((*cleared)["kind"], "support_request");
  auto second = ask_for("acme-us");
  EXPECT_EQ(post("/v1/support/requests/" + second + "/cancel", nullptr, token("sara")).status, 404u);
  EXPECT_EQ(post("/v1/support/requests/" + second + "/cancel", nullptr, token("sam")).body["request"]["state"], "cancelled");
  EXPECT_EQ(post("/v1/support/requests/" + second + "/cancel", nullptr, token("sam")).status, 409u);
  auto inbox = get("/v1/notifications", token("sam"));
  EXPECT_EQ(inbox.body["notifications"][0]["kind"], "support_denied");
}

TEST_F(policy_http_test, a_template_with_an_unknown_placeholder_is_refused) {
  auto r = send("PATCH", "/v1/portals/acme/settings",
                {{"notifications", {{"impersonation_started", {{"body", "Hello {nickname}"}}}}}}, token("sara"));
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.text.find("notifications.impersonation_started.body"), std::string::npos) << r.text;
  auto ok = send("PATCH", "/v1/portals/acme/settings",
                 {{"notifications", {{"impersonation_started", {{"title", "{actor_name} is helping you"}}}}}}, token("sara"));
  ASSERT_EQ(ok.status, 200u) << ok.text;
  start(token("adam"), "ann");
  EXPECT_EQ(get("/v1/notifications", token("ann")).body["notifications"][0]["title"], "Adam Admin is helping you");
}

} // namespace
} // namespace actas::testing

namespace actas::testing {
namespace {

// SPEC §9 forward auth over the API itself (the nginx run is tests/app/forward_auth_test.cpp): each answer
// a proxy can get, with the headers it copies.
class forward_http_test : public server_fixture {
protected:
  net::server_options options() const override {
    auto o = server_fixture::options();
    o.forward_rules = {{"*", "/admin/**", "admin.console"}};
    return o;
  }
  http_result ask(const std::string& method, const std::string& uri, const std::string& bearer) {
    return http(port_, "GET", "/v1/auth/forward", {}, bearer, {{"X-Original-Method", method}, {"X-Original-URI", uri}});
  }
};

TEST_F(forward_http_test, allowed_denied_and_unauthenticated_answers_carry_what_a_proxy_needs) {
  auto own = ask("GET", "/courses/7", token("ann"));
  ASSERT_EQ(own.status, 200u) << own.text;
  EXPECT_EQ(own.headers["x-actas-subject"], "ann");
  EXPECT_EQ(own.headers["x-actas-actor"], "");
  EXPECT_EQ(own.body["allowed"], true);

  auto started = start(token("adam"), "ann");
  ASSERT_EQ(started.status, 201u) << started.text;
  const auto imp = started.body["token"].get<std::string>();
  auto viewing = ask("GET", "/courses/7", imp);
  ASSERT_EQ(viewing.status, 200u) << viewing.text;
  EXPECT_EQ(viewing.headers["x-actas-actor"], "adam");
  EXPECT_EQ(viewing.headers["x-actas-session"], started.body["session"]["id"]);
  auto refused = ask("DELETE", "/admin/%2e%2e/admin/users", imp);
  EXPECT_EQ(refused.status, 403u) << refused.text;
  EXPECT_EQ(refused.headers["x-actas-code"], "restricted_while_impersonating");
  EXPECT_EQ(refused.body["code"], "restricted_while_impersonating");

  auto anonymous = ask("GET", "/courses/7", "");
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_EQ(anonymous.headers["www-authenticate"], "Bearer");
  EXPECT_EQ(ask("get", "/courses/7", imp).status, 400u);
  EXPECT_EQ(ask("GET", "courses", imp).status, 400u);
  // Two URIs: a proxy and actas could read different requests.
  const auto twice = raw_exchange(port_, "GET /v1/auth/forward HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                             imp + "\r\nX-Original-Method: GET\r\nX-Original-URI: /a\r\n"
                                             "X-Original-URI: /admin\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(twice.rfind("HTTP/1.1 400", 0), 0u) << twice;
}

} // namespace
} // namespace actas::testing
