// SPEC §6 Robustness over real sockets: hostile bytes, repeated identity headers and bodies that are not
// plain JSON each cost at most their own request, and the server goes on serving.
#include "server_fixture.hpp"

namespace actas::testing {
namespace {

using robustness_test = server_fixture;

/// The status and error code of a raw HTTP answer ("HTTP/1.1 400 …" with a JSON error body).
struct raw_answer {
  unsigned status = 0;
  std::string code;
};

raw_answer parse_raw(const std::string& out) {
  raw_answer a;
  if (out.rfind("HTTP/1.1 ", 0) == 0) a.status = static_cast<unsigned>(std::stoi(out.substr(9, 3)));
  const auto body = out.find("\r\n\r\n");
  if (body != std::string::npos) {
    auto j = json::parse(out.substr(body + 4), nullptr, false);
    if (j.is_object() && j.contains("error")) a.code = j["error"].value("code", "");
  }
  return a;
}

std::string request_with(const std::string& head, const std::string& extra_headers) {
  return head + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "Connection: close\r\n\r\n";
}

TEST_F(robustness_test, bytes_that_are_not_utf8_in_the_path_cost_only_their_request) {
  // Twice on fresh sockets: once per I/O thread of the fixture's server.
  for (int i = 0; i < 2; ++i) {
    const auto out = raw_exchange(port_, request_with("GET /\xff", ""), 5s);
    const auto a = parse_raw(out);
    EXPECT_EQ(a.status, 400u) << out;
    EXPECT_EQ(a.code, "invalid_request") << out;
  }
  EXPECT_EQ(http(port_, "GET", "/healthz", {}, {}, {}, 5s).status, 200u);
  // In a path parameter and in the query too.
  EXPECT_EQ(parse_raw(raw_exchange(port_, request_with("GET /v1/impersonations/\xc3", ""), 5s)).status, 400u);
  EXPECT_EQ(parse_raw(raw_exchange(port_, request_with("GET /v1/audit?portal=\xe2\x82", ""), 5s)).status, 400u);
  EXPECT_EQ(http(port_, "GET", "/healthz", {}, {}, {}, 5s).status, 200u);
}

TEST_F(robustness_test, field_names_that_are_not_utf8_are_refused_and_the_server_goes_on) {
  // An unknown field whose name is invalid UTF-8 (and one cut in the middle of a character at 64 bytes).
  const std::string bad_name = "{\"\xff\xfe\":1}";
  const std::string long_name = "{\"" + std::string(63, 'a') + "\xc3\xa9\":1}";
  for (const auto& body : {bad_name, long_name}) {
    auto r = post_text("/v1/login", body);
    EXPECT_EQ(r.status, 400u) << r.text << r.error;
    EXPECT_EQ(r.body["error"]["code"], "invalid_request") << r.text;
  }
  auto r = post("/v1/users", {{"id", "u1"}, {"username", "u1"}, {"name", "U"}, {"role", std::string(63, 'r') + "é"}},
                service_key_a);
  EXPECT_EQ(r.status, 400u) << r.text << r.error;
  EXPECT_TRUE(r.body.is_object()) << r.text;
  EXPECT_EQ(get("/healthz").status, 200u);
}

TEST_F(robustness_test, a_repeated_host_origin_or_authorization_header_is_400_in_either_order) {
  const std::string ok_origin = "Origin: " + origin() + "\r\n";
  const std::string evil_origin = "Origin: http://evil.example\r\n";
  const std::string upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  const std::string ws = "GET /v1/ws?ticket=whatever HTTP/1.1\r\nHost: 127.0.0.1\r\n" + upgrade;
  for (const auto& origins : {ok_origin + evil_origin, evil_origin + ok_origin}) {
    const auto out = raw_exchange(port_, ws + origins + "\r\n", 5s);
    const auto a = parse_raw(out);
    EXPECT_EQ(a.status, 400u) << out;
    EXPECT_EQ(a.code, "invalid_request") << out;
  }
  const std::string good = "Authorization: Bearer " + token("ann") + "\r\n";
  const std::string other = "Authorization: Bearer not-a-token-anybody-was-given\r\n";
  for (const auto& auths : {good + other, other + good}) {
    const auto out = raw_exchange(port_, request_with("GET /v1/me", auths), 5s);
    EXPECT_EQ(parse_raw(out).status, 400u) << out;
    EXPECT_EQ(parse_raw(out).code, "invalid_request") << out;
  }
  const auto out = raw_exchange(port_, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", 5s);
  EXPECT_EQ(parse_raw(out).status, 400u) << out;
  // One of each is fine.
  EXPECT_EQ(parse_raw(raw_exchange(port_, request_with("GET /v1/me", good), 5s)).status, 200u);
}

TEST_F(robustness_test, a_json_body_needs_a_json_content_type_and_no_byte_order_mark) {
  const std::string login = json{{"username", "adam"}, {"password", "demo"}}.dump();
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                                 "application/json; charset=latin1", "multipart/form-data; boundary=x"}) {
    auto r = http(port_, "POST", "/v1/login", login, {}, {{"Content-Type", type}});
    EXPECT_EQ(r.status, 400u) << type << ": " << r.text;
    EXPECT_EQ(r.body["error"]["code"], "invalid_request") << type << ": " << r.text;
  }
  // A byte order mark before the JSON is not JSON (RFC 8259 §8.1: senders must not add one).
  auto r = post_text("/v1/login", "\xEF\xBB\xBF" + login);
  EXPECT_EQ(r.status, 400u) << r.text;
  EXPECT_EQ(r.body["error"]["code"], "invalid_request") << r.text;
  // What is accepted: application/json, any case, with or without charset=utf-8.
  for (const char* type : {"application/json", "Application/JSON", "application/json; charset=utf-8",
                                 "application/json;charset=UTF-8", "application/json ; charset=\"utf-8\""}) {
    auto ok = http(port_, "POST", "/v1/login", login, {}, {{"Content-Type", type}});
    EXPECT_EQ(ok.status, 200u) << type << ": " << ok.text;
  }
  // No body and no Content-Type stays fine (POST /v1/logout, /v1/ws/ticket).
  auto out = post("/v1/logout", nullptr, token("ann"));
  EXPECT_EQ(out.status, 200u) << out.text;
}

TEST_F(robustness_test, duplicate_keys_and_nesting_deeper_than_64_are_400) {
  // Which "username" counts would depend on the parser: neither does.
  auto r = post_text("/v1/login", R"({"username":"nobody","username":"adam","password":"demo"})");
  EXPECT_EQ(r.status, 400u) << r.text;
  EXPECT_EQ(r.body["error"]["code"], "invalid_request") << r.text;
  const auto nested = [](std::size_t levels) {
    std::string s;
    for (std::size_t i = 0; i < levels; ++i) s += "{\"a\":";
    s += "1";
    s += std::string(levels, '}');
    return s;
  };
  const auto& t = token("ann");
  // 64 levels (the body itself is the first) are fine; 65 are not.
  r = http(port_, "PUT", "/v1/me/preferences", nested(64), t);
  EXPECT_EQ(r.status, 200u) << r.text;
  r = http(port_, "PUT", "/v1/me/preferences", nested(65), t);
  EXPECT_EQ(r.status, 400u) << r.text;
  EXPECT_EQ(r.body["error"]["code"], "invalid_request") << r.text;
  r = http(port_, "PUT", "/v1/me/preferences", R"({"a":{"b":1,"b":2}})", t);
  EXPECT_EQ(r.status, 400u) << r.text;
  // A body as deep as 64 KiB allows costs only its request.
  r = post_text("/v1/login", std::string(32 * 1024, '[') + std::string(32 * 1024, ']'));
  EXPECT_EQ(r.status, 400u) << r.text;
  EXPECT_EQ(get("/healthz").status, 200u);
}

} // namespace
} // namespace actas::testing
