// HTTP over real sockets: framing, limits, errors, login, logout, tokens.
#include <algorithm>
#include <sstream>

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
  expect_error(http(port_, "DELETE", "/v1/nothing"), 404, "not_found");
  expect_error(get("/assets/nothing.js"), 404, "not_found");
  expect_error(http(port_, "OPTIONS", "/assets/nothing.js"), 404, "not_found");
}

TEST_F(http_test, a_known_path_asked_with_another_method_is_405_naming_the_methods_it_answers) {
  auto r = http(port_, "DELETE", "/v1/me");
  expect_error(r, 405, "method_not_allowed");
  EXPECT_EQ(r.headers["allow"], "GET, HEAD");
  for (const std::string method : {"OPTIONS", "TRACE", "PUT", "GET", "BREW"}) {
    r = http(port_, method, "/v1/login");
    expect_error(r, 405, "method_not_allowed");
    EXPECT_EQ(r.headers["allow"], "POST") << method;
  }
  r = http(port_, "POST", "/v1/impersonations/s_1/end/", "{}");
  expect_error(r, 404, "not_found");  // another path (a trailing slash), not another method
  r = http(port_, "GET", "/v1/impersonations/s_1/end");
  expect_error(r, 405, "method_not_allowed");
  EXPECT_EQ(r.headers["allow"], "POST");
  r = http(port_, "DELETE", "/v1/me/preferences");
  expect_error(r, 405, "method_not_allowed");
  EXPECT_EQ(r.headers["allow"], "GET, PUT, HEAD");
  r = http(port_, "POST", "/", "{}");  // the console's page and files are read-only
  expect_error(r, 405, "method_not_allowed");
  EXPECT_EQ(r.headers["allow"], "GET, HEAD");
  r = http(port_, "OPTIONS", "/assets/app.js");
  expect_error(r, 405, "method_not_allowed");
  EXPECT_EQ(r.headers["allow"], "GET, HEAD");
}

/// The status line, the headers (lowercase names) and whatever followed the blank line.
struct raw_answer {
  std::string status_line;
  std::map<std::string, std::string> headers;
  std::string after_headers;
};

raw_answer split_raw(const std::string& raw) {
  raw_answer a;
  const auto end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return a;
  a.after_headers = raw.substr(end + 4);
  std::istringstream lines(raw.substr(0, end));
  std::getline(lines, a.status_line);
  if (!a.status_line.empty() && a.status_line.back() == '\r') a.status_line.pop_back();
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    a.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
  }
  return a;
}

TEST_F(http_test, head_answers_as_get_would_without_the_body) {
  const auto token = this->token("ann");
  for (const std::string target : {"/", "/assets/app.js", "/healthz", "/v1/me", "/v1/nothing"}) {
    const auto got = http(port_, "GET", target, {}, target == "/v1/me" ? token : std::string{});
    ASSERT_NE(got.status, 0u) << got.error;
    std::string request = "HEAD " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (target == "/v1/me") request += "Authorization: Bearer " + token + "\r\n";
    const auto head = split_raw(raw_exchange(port_, request + "\r\n"));
    EXPECT_EQ(head.status_line, "HTTP/1.1 " + std::to_string(got.status) + " " +
                                    (got.status == 200 ? "OK" : "Not Found")) << target;
    EXPECT_EQ(head.headers.at("content-length"), std::to_string(got.text.size())) << target;
    EXPECT_EQ(head.headers.at("content-type"), got.headers.at("content-type")) << target;
    EXPECT_EQ(head.after_headers, "") << target << ": a HEAD answer carried a body";
  }
  // A HEAD of a path that only answers POST is refused like any other method.
  const auto head = split_raw(raw_exchange(port_, "HEAD /v1/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(head.status_line, "HTTP/1.1 405 Method Not Allowed");
  EXPECT_EQ(head.headers.at("allow"), "POST");
  EXPECT_EQ(head.after_headers, "");
}

TEST_F(http_test, the_console_and_every_answer_carry_the_security_headers) {
  const auto page = get("/");
  ASSERT_EQ(page.status, 200u);
  for (const std::string target : {"/", "/assets/app.js", "/assets/app.css", "/healthz", "/v1/me", "/v1/nothing"}) {
    auto r = get(target);
    ASSERT_NE(r.status, 0u) << r.error;
    const auto& csp = r.headers["content-security-policy"];
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << target << ": " << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << target << ": " << csp;
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << target << ": " << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << target << ": " << csp;
    EXPECT_EQ(csp.find("http"), std::string::npos) << target << ": no foreign origin: " << csp;
    EXPECT_EQ(r.headers["x-frame-options"], "DENY") << target;
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff") << target;
    EXPECT_EQ(r.headers["referrer-policy"], "no-referrer") << target;
  }
  // The page obeys its own policy: every script is a file of the console, no inline script or handler.
  for (std::size_t at = page.text.find("<script"); at != std::string::npos; at = page.text.find("<script", at + 1)) {
    const auto tag = page.text.substr(at, page.text.find('>', at) - at);
    EXPECT_NE(tag.find("src=\"/assets/"), std::string::npos) << tag;
  }
  EXPECT_EQ(page.text.find(" onclick="), std::string::npos);
  EXPECT_EQ(page.text.find(" style="), std::string::npos);
  // A refused, unreadable request is answered with them too.
  auto refused = split_raw(raw_exchange(port_, "GARBAGE\r\n\r\n"));
  EXPECT_EQ(refused.headers["x-content-type-options"], "nosniff") << refused.status_line;
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
