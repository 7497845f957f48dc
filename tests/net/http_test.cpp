// HTTP over real sockets: framing, limits, errors, login, logout, tokens.
#include "server_fixture.hpp"

namespace actas::testing {
namespace {

using http_test = server_fixture;

void expect_error(const http_result& r, unsigned status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.text << r.error;
  ASSERT_TRUE(r.body.is_object()) << r.text;
  EXPECT_EQ(r.body["error"]["code"], code) << r.text;
  EXPECT_FALSE(r.body["error"]["message"].get<std::string>().empty());
  const auto id = r.body["error"]["request_id"].get<std::string>();
  EXPECT_EQ(id.rfind("req_", 0), 0u) << id;
  EXPECT_EQ(r.headers.at("x-request-id"), id);
}

TEST_F(http_test, healthz_answers_json_that_no_cache_keeps_and_no_cookie_or_cors) {
  auto r = get("/healthz");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, json({{"ok", true}}));
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers["cache-control"], "no-store");
  EXPECT_FALSE(r.headers["x-request-id"].empty());
  EXPECT_FALSE(r.headers.contains("set-cookie"));
  EXPECT_FALSE(r.headers.contains("access-control-allow-origin"));
}

TEST_F(http_test, unknown_routes_are_404_not_found) {
  expect_error(get("/v1/nothing"), 404, "not_found");
  expect_error(http(port_, "DELETE", "/v1/me"), 404, "not_found");
  expect_error(get("/assets/nothing.js"), 404, "not_found");
}

TEST_F(http_test, the_web_console_is_served_at_the_root) {
  auto page = get("/");
  EXPECT_EQ(page.status, 200u);
  EXPECT_NE(page.text.find("<html"), std::string::npos);
}

TEST_F(http_test, login_answers_a_token_and_the_user) {
  auto r = post("/v1/login", {{"username", "adam"}, {"password", "demo"}});
  ASSERT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.body["token"].get<std::string>().size(), 43u);
  EXPECT_EQ(r.body["user"]["id"], "adam");
  EXPECT_EQ(r.body["user"]["name"], "Adam Admin");
  EXPECT_EQ(r.body["user"]["role"], "admin");
  EXPECT_EQ(r.body["user"]["portal"], "acme-eu");
  EXPECT_EQ(r.body["user"]["realm"], "acme");
  EXPECT_EQ(r.body["user"]["consents"], json({{"terms", true}, {"privacy", true}}));
  EXPECT_EQ(r.body["user"]["temporary"], false);
  EXPECT_FALSE(r.body["user"].contains("password"));
}

TEST_F(http_test, wrong_passwords_are_401_and_repeated_ones_429) {
  expect_error(post("/v1/login", {{"username", "ann"}, {"password", "nope"}}), 401, "unauthenticated");
  expect_error(post("/v1/login", {{"username", "nobody"}, {"password", "demo"}}), 401, "unauthenticated");
  expect_error(post("/v1/login", {{"username", "ines"}, {"password", "demo"}}), 401, "unauthenticated");
  http_result last;
  for (int i = 0; i < 20 && last.status != 429; ++i) last = post("/v1/login", {{"username", "ann"}, {"password", "nope"}});
  expect_error(last, 429, "rate_limited");
  // Even the right password waits now.
  expect_error(post("/v1/login", {{"username", "ann"}, {"password", "demo"}}), 429, "rate_limited");
}

TEST_F(http_test, malformed_bodies_are_400_naming_the_field) {
  auto r = post_text("/v1/login", "{\"username\": \"adam\",");
  expect_error(r, 400, "invalid_request");
  r = post_text("/v1/login", "just text");
  expect_error(r, 400, "invalid_request");
  r = post_text("/v1/login", "[\"adam\", \"demo\"]");
  expect_error(r, 400, "invalid_request");
  r = post("/v1/login", {{"username", "adam"}, {"password", "demo"}, {"remember", true}});
  expect_error(r, 400, "invalid_request");
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("remember"), std::string::npos);
  r = post("/v1/impersonations", {{"target", 42}, {"reason", a_reason}}, token("adam"));
  expect_error(r, 400, "invalid_request");
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("target"), std::string::npos);
  r = post("/v1/impersonations", {{"target", "ann"}, {"reason", a_reason}, {"return_to", "//evil.example"}},
           token("adam"));
  expect_error(r, 400, "invalid_request");
}

TEST_F(http_test, bodies_over_64_kib_are_413_too_large) {
  const std::string big = "{\"username\":\"" + std::string(65 * 1024, 'a') + "\",\"password\":\"demo\"}";
  expect_error(post_text("/v1/login", big), 413, "too_large");
  // Exactly at the limit is read (and refused for what it says, not for its size).
  std::string at_limit = "{\"username\":\"";
  at_limit += std::string(64 * 1024 - at_limit.size() - 2, 'a') + "\"}";
  ASSERT_EQ(at_limit.size(), 64u * 1024);
  expect_error(post_text("/v1/login", at_limit), 400, "invalid_request");
  // The server is fine afterwards.
  EXPECT_EQ(get("/healthz").status, 200u);
}

TEST_F(http_test, malformed_http_is_400_and_closed) {
  auto out = raw_exchange(port_, "GARBAGE\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
  EXPECT_NE(out.find("invalid_request"), std::string::npos) << out;
}

TEST_F(http_test, missing_malformed_and_unknown_bearer_tokens_are_401) {
  expect_error(get("/v1/me"), 401, "unauthenticated");
  expect_error(http(port_, "GET", "/v1/me", {}, {}, {{"Authorization", "Basic YWRhbTpkZW1v"}}), 401,
               "unauthenticated");
  expect_error(http(port_, "GET", "/v1/me", {}, {}, {{"Authorization", "Bearer"}}), 401, "unauthenticated");
  expect_error(http(port_, "GET", "/v1/me", {}, {}, {{"Authorization", "Bearer a b"}}), 401, "unauthenticated");
  expect_error(get("/v1/me", "not-a-token-anybody-was-given"), 401, "unauthenticated");
}

TEST_F(http_test, me_names_the_user_and_no_actor_for_a_user_token) {
  auto r = get("/v1/me", token("ann"));
  ASSERT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.body["user"]["id"], "ann");
  EXPECT_TRUE(r.body["actor"].is_null());
  EXPECT_TRUE(r.body["impersonation"].is_null());
  EXPECT_TRUE(r.body["grant"].is_null());
}

TEST_F(http_test, logout_ends_the_token) {
  const auto t = token("adam");
  ASSERT_EQ(get("/v1/me", t).status, 200u);
  auto r = post("/v1/logout", nullptr, t);
  EXPECT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.body, json::object());
  expect_error(get("/v1/me", t), 401, "unauthenticated");
  expect_error(post("/v1/logout", nullptr, t), 401, "unauthenticated");
}

TEST_F(http_test, service_keys_mint_user_tokens_and_every_configured_key_works) {
  auto r = post("/v1/tokens", {{"user", "ann"}}, service_key_a);
  ASSERT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.body["user"]["id"], "ann");
  EXPECT_EQ(get("/v1/me", r.body["token"].get<std::string>()).body["user"]["id"], "ann");
  // Rotation: the second key is as good as the first.
  EXPECT_EQ(post("/v1/tokens", {{"user", "bob"}}, service_key_b).status, 200u);
  expect_error(post("/v1/tokens", {{"user", "ann"}}, service_key_a + "x"), 401, "unauthenticated");
  expect_error(post("/v1/tokens", {{"user", "ann"}}, token("sara")), 401, "unauthenticated");
  expect_error(post("/v1/tokens", {{"user", "ann"}}), 401, "unauthenticated");
  expect_error(post("/v1/tokens", {{"user", "nobody"}}, service_key_a), 404, "not_found");
  expect_error(post("/v1/tokens", {{"user", "ann"}, {"ttl", 5}}, service_key_a), 400, "invalid_request");
}

TEST_F(http_test, a_kept_alive_connection_serves_several_requests) {
  http_connection c(port_);
  for (int i = 0; i < 3; ++i) {
    auto r = c.request("GET", "/healthz");
    EXPECT_EQ(r.status, 200u) << r.error;
  }
  EXPECT_EQ(c.request("GET", "/v1/me").status, 401u);
  EXPECT_EQ(c.request("GET", "/healthz").status, 200u);
}

TEST_F(http_test, connections_per_address_are_capped) {
  auto o = options();
  o.max_connections_per_ip = 2;
  auto& capped = extra_server(o);
  http_connection a(capped.port()), b(capped.port());
  ASSERT_EQ(a.request("GET", "/healthz").status, 200u);
  ASSERT_EQ(b.request("GET", "/healthz").status, 200u);
  // A third one is closed at once.
  auto third = http(capped.port(), "GET", "/healthz");
  EXPECT_EQ(third.status, 0u);
  // The others are unaffected.
  EXPECT_EQ(a.request("GET", "/healthz").status, 200u);
}

} // namespace
} // namespace actas::testing
