// The pure parts of net/: the status map, strict decoding, encoding and routing.
#include <gtest/gtest.h>

#include "net/codec.hpp"
#include "net/content_type.hpp"
#include "net/errors.hpp"
#include "net/router.hpp"

namespace actas::net {
namespace {

using domain::errc;

template <class T>
std::string refusal(const decoded<T>& d) {
  auto* e = std::get_if<decode_error>(&d);
  return e ? e->message : "";
}

TEST(errors_test, every_code_has_the_status_of_the_spec) {
  EXPECT_EQ(http_status(errc::nested_impersonation), 403u);
  EXPECT_EQ(http_status(errc::permission_missing), 403u);
  EXPECT_EQ(http_status(errc::target_not_found), 404u);
  EXPECT_EQ(http_status(errc::feature_disabled), 403u);
  EXPECT_EQ(http_status(errc::actor_busy), 409u);
  EXPECT_EQ(http_status(errc::self_impersonation), 403u);
  EXPECT_EQ(http_status(errc::target_inactive), 403u);
  EXPECT_EQ(http_status(errc::target_protected), 403u);
  EXPECT_EQ(http_status(errc::target_out_of_scope), 403u);
  EXPECT_EQ(http_status(errc::target_role_not_allowed), 403u);
  EXPECT_EQ(http_status(errc::consent_missing), 403u);
  EXPECT_EQ(http_status(errc::reason_required), 400u);
  EXPECT_EQ(http_status(errc::target_busy), 409u);
  EXPECT_EQ(http_status(errc::actor_inactive), 403u);
  EXPECT_EQ(http_status(errc::invalid_request), 400u);
  EXPECT_EQ(http_status(errc::unauthenticated), 401u);
  EXPECT_EQ(http_status(errc::forbidden), 403u);
  EXPECT_EQ(http_status(errc::not_found), 404u);
  EXPECT_EQ(http_status(errc::too_large), 413u);
  EXPECT_EQ(http_status(errc::rate_limited), 429u);
  EXPECT_EQ(http_status(errc::audit_unavailable), 503u);
  EXPECT_EQ(http_status(errc::session_ended), 409u);
  EXPECT_EQ(http_status(errc::restricted_while_impersonating), 403u);
}

TEST(errors_test, error_body_has_code_message_and_request_id) {
  auto j = json::parse(error_body(errc::target_busy, "", "req_1"));
  EXPECT_EQ(j["error"]["code"], "target_busy");
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  EXPECT_EQ(j["error"]["request_id"], "req_1");
  EXPECT_EQ(j.size(), 1u);
}

// Also found by fuzz/http_request (fuzz/regressions/http_request/invalid_utf8_path_in_error_body).
TEST(errors_test, an_error_body_quoting_bytes_that_are_not_utf8_is_still_json) {
  std::string body;
  ASSERT_NO_THROW(body = error_body(errc::not_found, "no route for GET /\xff\xc3", "req_1"));
  auto j = json::parse(body);
  EXPECT_EQ(j["error"]["message"], "no route for GET /\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(codec_test, unknown_field_names_are_quoted_cut_between_characters) {
  // 63 ASCII letters then "é" (2 bytes): a cut at 64 bytes would split it.
  const std::string name = std::string(63, 'a') + "\xc3\xa9" + "bbb";
  const auto message = refusal(decode_login("{\"" + name + "\":1}"));
  EXPECT_EQ(message, "unknown field '" + std::string(63, 'a') + "\xc3\xa9…'");
  EXPECT_NO_THROW((void)json(message).dump());
}

TEST(codec_test, decoders_refuse_non_objects_bad_json_unknown_fields_and_wrong_types) {
  EXPECT_EQ(refusal(decode_login("nope")), "the body is not valid JSON");
  EXPECT_EQ(refusal(decode_login("[1]")), "the body must be a JSON object");
  EXPECT_EQ(refusal(decode_login(R"({"username":"a","password":"b","x":1})")), "unknown field 'x'");
  EXPECT_EQ(refusal(decode_login(R"({"username":1,"password":"b"})")), "'username' must be a string");
  EXPECT_EQ(refusal(decode_login(R"({"password":"b"})")), "'username' is required");
  EXPECT_EQ(refusal(decode_start(R"({"target":"ann","reason":5})")), "'reason' must be a string");
  EXPECT_EQ(refusal(decode_start(R"({"target":"ann","return_to":[]})")), "'return_to' must be a string");
  EXPECT_EQ(refusal(decode_end(R"({"message":"bye","extra":true})")), "unknown field 'extra'");
  EXPECT_EQ(refusal(decode_empty(R"({"a":1})")), "unknown field 'a'");
}

TEST(codec_test, optional_fields_may_be_absent_or_null_and_end_bodies_may_be_empty) {
  auto s = decode_start(R"({"target":"ann","reason":null})");
  ASSERT_TRUE(std::holds_alternative<start_body>(s));
  EXPECT_EQ(std::get<start_body>(s).target, "ann");
  EXPECT_FALSE(std::get<start_body>(s).reason);
  auto e = decode_end("");
  ASSERT_TRUE(std::holds_alternative<end_body>(e));
  EXPECT_FALSE(std::get<end_body>(e).message);
  EXPECT_TRUE(std::holds_alternative<empty_body>(decode_empty(" \r\n")));
  EXPECT_TRUE(std::holds_alternative<empty_body>(decode_empty("{}")));
}

TEST(codec_test, client_frames) {
  EXPECT_TRUE(std::holds_alternative<ping_frame>(std::get<client_frame>(decode_client_frame(R"({"type":"ping"})"))));
  auto sub = decode_client_frame(R"({"type":"subscribe","topic":"dashboard"})");
  EXPECT_EQ(std::get<subscribe_frame>(std::get<client_frame>(sub)).topic, "dashboard");
  EXPECT_EQ(refusal(decode_client_frame(R"({"type":"dance"})")), "unknown frame type 'dance'");
  EXPECT_EQ(refusal(decode_client_frame(R"({"type":"ping","topic":"x"})")), "unknown field 'topic'");
  EXPECT_EQ(refusal(decode_client_frame("ping")), "the frame is not valid JSON");
}

domain::impersonation_session a_session() {
  domain::impersonation_session s;
  s.session_id = "ses_1";
  s.actor = "adam";
  s.target = "ann";
  s.portal = "acme-eu";
  s.realm_id = "acme";
  s.reason = "checking";
  s.started_at = domain::from_micros(1'700'000'000'000'000);
  s.expires_at = domain::seconds_after(s.started_at, 1800);
  return s;
}

TEST(codec_test, sessions_encode_every_field_with_nulls_for_absent_ones) {
  auto j = encode(a_session());
  for (const char* k : {"id", "actor", "target", "portal", "realm", "reason", "return_to", "state", "started_at",
                        "expires_at", "ended_at", "end_reason", "via", "grant"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["state"], "active");
  EXPECT_TRUE(j["ended_at"].is_null());
  EXPECT_EQ(j["expires_at"], "2023-11-14T22:43:20.000000Z");
}

TEST(codec_test, banners_carry_text_and_seconds_left_clamped_at_zero) {
  actors::banner_set b{"impersonating", a_session(), "Adam Admin", "Ann Lee", std::nullopt};
  auto j = *encode_frame(actors::live_event{b}, domain::seconds_after(b.session.started_at, 60));
  EXPECT_EQ(j["type"], "banner");
  EXPECT_EQ(j["text"], "You are logged in as Ann Lee. Switch back when you are done.");
  EXPECT_EQ(j["seconds_left"], 1740);
  EXPECT_EQ(j["session"], "ses_1");
  b.kind = "being_viewed";
  j = *encode_frame(actors::live_event{b}, domain::seconds_after(b.session.expires_at, 5));
  EXPECT_EQ(j["text"], "Adam Admin is signed in to your account to help you.");
  EXPECT_EQ(j["seconds_left"], 0);
  EXPECT_FALSE(encode_frame(actors::live_event{actors::socket_close{1008, "x"}}, {}));
}

TEST(codec_test, audit_detail_is_embedded_as_json) {
  domain::audit_event e;
  e.chain = "acme";
  e.seq = 3;
  e.event = "impersonation.start";
  e.detail_json = R"({"target":"gwen"})";
  auto j = encode(e);
  EXPECT_EQ(j["detail"]["target"], "gwen");
  EXPECT_EQ(j["outcome"], "done");
  EXPECT_TRUE(j["ip"].is_null());
}

TEST(router_test, routes_methods_paths_and_parameters) {
  router r;
  int hit = 0;
  r.add("GET", "/v1/impersonations", [&](call_ptr) { hit = 1; });
  r.add("POST", "/v1/impersonations/{id}/end", [&](call_ptr) { hit = 2; });
  auto m = r.find("POST", "/v1/impersonations/ses%5F1/end");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->params.at("id"), "ses_1");
  (*m->h)(nullptr);
  EXPECT_EQ(hit, 2);
  EXPECT_FALSE(r.find("DELETE", "/v1/impersonations"));
  EXPECT_FALSE(r.find("GET", "/v1/impersonations/"));
  EXPECT_FALSE(r.find("POST", "/v1/impersonations//end"));
  EXPECT_FALSE(r.find("GET", "/v1/nothing"));
}

TEST(router_test, query_strings_are_percent_decoded_and_strict) {
  auto t = std::get<target>(parse_target("/v1/audit?performed_by=a%20b&x=1+2&flag"));
  EXPECT_EQ(t.path, "/v1/audit");
  EXPECT_EQ(t.query.at("performed_by"), "a b");
  EXPECT_EQ(t.query.at("x"), "1 2");
  EXPECT_EQ(t.query.at("flag"), "");
  EXPECT_TRUE(std::holds_alternative<decode_error>(parse_target("/a?x=%zz")));
  EXPECT_TRUE(std::holds_alternative<decode_error>(parse_target("/a?x=%4")));
  EXPECT_TRUE(std::holds_alternative<decode_error>(parse_target("/a?x=%ff")));  // not UTF-8
  EXPECT_TRUE(std::holds_alternative<decode_error>(parse_target("/a?x=1&x=2")));
}

TEST(content_type, json_with_an_optional_utf8_charset_is_the_only_body_type) {
  for (const char* ok : {"application/json", "APPLICATION/JSON", " application/json ", "application/json;charset=utf-8",
                         "application/json; charset=UTF-8", "application/json ; charset=\"utf-8\""})
    EXPECT_TRUE(net::is_json_content_type(ok)) << ok;
  for (const char* no : {"", "text/plain", "text/json", "application/jsonp", "application/json; charset=latin1",
                         "application/json; boundary=x", "application/json; charset=utf-8; x=y",
                         "application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "application/json;"})
    EXPECT_FALSE(net::is_json_content_type(no)) << no;
}

} // namespace
} // namespace actas::net
