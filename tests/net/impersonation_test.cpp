// The impersonation story over real sockets (SPEC §2, §4): start, live notification and banners, /v1/me,
// end with a message, afterwards; the denials the demo realm can reach; who may end; list, read, audit.
#include "server_fixture.hpp"

namespace actas::testing {
namespace {

using impersonation_test = server_fixture;

void expect_code(const http_result& r, unsigned status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.text << r.error;
  EXPECT_EQ(r.body["error"]["code"], code) << r.text;
}

std::chrono::seconds between(const json& from, const json& to) {
  const auto a = domain::parse_utc(from.get<std::string>()), b = domain::parse_utc(to.get<std::string>());
  return std::chrono::duration_cast<std::chrono::seconds>(*b - *a);
}

TEST_F(impersonation_test, the_whole_story_from_start_to_end) {
  const auto adam = token("adam"), ann = token("ann");
  auto ann_tab = tab(ann);

  // Start.
  auto started = post("/v1/impersonations", {{"target", "ann"}, {"reason", a_reason}, {"return_to", "/admin/users/ann"}},
                      adam);
  ASSERT_EQ(started.status, 201u) << started.text;
  const auto session = started.body["session"];
  const auto id = session["id"].get<std::string>();
  const auto imp = started.body["token"].get<std::string>();
  EXPECT_EQ(session["actor"], "adam");
  EXPECT_EQ(session["target"], "ann");
  EXPECT_EQ(session["portal"], "acme-eu");
  EXPECT_EQ(session["realm"], "acme");
  EXPECT_EQ(session["reason"], a_reason);
  EXPECT_EQ(session["state"], "active");
  EXPECT_EQ(session["return_to"], "/admin/users/ann");
  EXPECT_TRUE(session["ended_at"].is_null());
  EXPECT_EQ(between(session["started_at"], session["expires_at"]), std::chrono::seconds{1800});
  EXPECT_NE(imp, adam);

  // The learner is told live, and her own tab shows who is in her account.
  auto frames = read_frames(ann_tab, 2);
  auto note = find_frame(frames, "notification", "impersonation_started");
  ASSERT_FALSE(note.is_null()) << dump_all(frames);
  EXPECT_GE(note["unread"].get<int>(), 1);
  EXPECT_FALSE(note["notification"]["title"].get<std::string>().empty());
  EXPECT_EQ(note["notification"]["read"], false);
  auto viewed = find_frame(frames, "banner", "being_viewed");
  ASSERT_FALSE(viewed.is_null()) << dump_all(frames);
  EXPECT_EQ(viewed["session"], id);
  EXPECT_EQ(viewed["text"], "Adam Admin is signed in to your account to help you.");
  EXPECT_EQ(viewed["expires_at"], session["expires_at"]);
  EXPECT_GT(viewed["seconds_left"].get<int>(), 1700);
  // Frames are numbered per connection: hello was 1.
  EXPECT_EQ(frames[0]["seq"], 2);
  EXPECT_EQ(frames[1]["seq"], 3);

  // The impersonation tab: hello names both, then the `impersonating` banner.
  ws_client imp_tab;
  ASSERT_EQ(imp_tab.connect(port_, "/v1/ws?ticket=" + ticket(imp), origin()), 101u);
  auto hello = imp_tab.read();
  ASSERT_TRUE(hello);
  EXPECT_EQ((*hello)["type"], "hello");
  EXPECT_EQ((*hello)["seq"], 1);
  EXPECT_EQ((*hello)["user"]["id"], "ann");
  EXPECT_EQ((*hello)["actor"]["id"], "adam");
  EXPECT_EQ((*hello)["impersonation"], id);
  auto banner = imp_tab.read_until("banner");
  ASSERT_TRUE(banner);
  EXPECT_EQ((*banner)["kind"], "impersonating");
  EXPECT_EQ((*banner)["text"], "You are logged in as Ann Lee. Switch back when you are done.");
  EXPECT_EQ((*banner)["actor_name"], "Adam Admin");
  EXPECT_EQ((*banner)["target_name"], "Ann Lee");

  // /v1/me under the impersonation token: acting as ann, adam really acts.
  auto me = get("/v1/me", imp);
  ASSERT_EQ(me.status, 200u) << me.text;
  EXPECT_EQ(me.body["user"]["id"], "ann");
  EXPECT_EQ(me.body["actor"]["id"], "adam");
  EXPECT_EQ(me.body["impersonation"]["id"], id);

  // End with a message, from the impersonation tab's token.
  auto ended = post("/v1/impersonations/" + id + "/end", {{"message", "All fixed, the player works again."}}, imp);
  ASSERT_EQ(ended.status, 200u) << ended.text;
  EXPECT_EQ(ended.body["session"]["state"], "ended");
  EXPECT_EQ(ended.body["session"]["end_reason"], "ended_by_actor");
  EXPECT_FALSE(ended.body["session"]["ended_at"].is_null());
  EXPECT_EQ(ended.body["return_to"], "/admin/users/ann");
  EXPECT_FALSE(ended.body.contains("token"));

  // The impersonation tab is told and closed.
  auto closing = imp_tab.read_until("session_ended");
  ASSERT_TRUE(closing);
  EXPECT_EQ((*closing)["reason"], "ended_by_actor");
  EXPECT_EQ((*closing)["return_to"], "/admin/users/ann");
  EXPECT_EQ((*closing)["session"]["id"], id);
  EXPECT_EQ(imp_tab.expect_close(), std::optional<std::uint16_t>{1000});

  // The learner: ended and message notifications, banner cleared.
  frames = read_frames(ann_tab, 3);
  EXPECT_FALSE(find_frame(frames, "notification", "impersonation_ended").is_null()) << dump_all(frames);
  auto message = find_frame(frames, "notification", "impersonation_message");
  ASSERT_FALSE(message.is_null()) << dump_all(frames);
  EXPECT_NE(message["notification"]["body"].get<std::string>().find("All fixed"), std::string::npos) << message;
  auto cleared = find_frame(frames, "banner_clear", "being_viewed");
  ASSERT_FALSE(cleared.is_null()) << dump_all(frames);
  EXPECT_EQ(cleared["session"], id);

  // The impersonation token is dead; a second end is 409; a new start is a new session.
  expect_code(get("/v1/me", imp), 401, "unauthenticated");
  expect_code(post("/v1/impersonations/" + id + "/end", nullptr, adam), 409, "session_ended");
  auto again = start(adam, "ann");
  ASSERT_EQ(again.status, 201u) << again.text;
  EXPECT_NE(again.body["session"]["id"], id);
  EXPECT_NE(again.body["token"], imp);
}

TEST_F(impersonation_test, every_start_rule_the_demo_realm_can_reach_refuses_with_its_code) {
  const auto adam = token("adam");
  auto running = start(adam, "ann");
  ASSERT_EQ(running.status, 201u) << running.text;
  const auto imp = running.body["token"].get<std::string>();

  expect_code(start(imp, "bob"), 403, "nested_impersonation");
  expect_code(start(token("ann"), "bob"), 403, "permission_missing");
  expect_code(start(token("sara"), "gwen"), 404, "target_not_found");
  expect_code(start(token("sara"), "nobody"), 404, "target_not_found");
  expect_code(start(token("gary"), "gwen"), 403, "feature_disabled");
  expect_code(start(adam, "noel"), 409, "actor_busy");
  expect_code(start(token("sara"), "sara"), 403, "self_impersonation");
  expect_code(start(token("sara"), "ines"), 403, "target_inactive");
  expect_code(start(token("sara"), "pete"), 403, "target_inactive");
  expect_code(start(token("pia"), "sara"), 403, "target_protected");
  expect_code(start(token("pia"), "bob"), 403, "target_out_of_scope");
  expect_code(start(token("sara"), "noel"), 403, "consent_missing");
  expect_code(start(token("sara"), "ann"), 409, "target_busy");

  // The same rules again from an idle admin.
  ASSERT_EQ(post("/v1/impersonations/" + running.body["session"]["id"].get<std::string>() + "/end", nullptr, adam).status,
            200u);
  expect_code(start(adam, "sara"), 403, "target_protected");
  expect_code(start(adam, "bob"), 403, "target_out_of_scope");
  expect_code(start(adam, "ivan"), 403, "target_role_not_allowed");
  expect_code(start(adam, "noel"), 403, "consent_missing");
  expect_code(start(adam, "ann", "too short"), 400, "reason_required");
  expect_code(start(adam, "ann", nullptr), 400, "reason_required");
  expect_code(start(adam, "ann", "Line one\nline two of the reason"), 400, "reason_required");
  expect_code(start(adam, "ann", std::string(501, 'x')), 400, "reason_required");
  expect_code(start(token("sam"), "ann"), 403, "permission_missing");
  expect_code(start(token("root"), "ann"), 403, "permission_missing");
  // Nothing was started by any of these: ann is free.
  EXPECT_EQ(start(token("pia"), "ann").status, 201u);
}

TEST_F(impersonation_test, who_may_end_a_session) {
  const auto adam = token("adam"), sara = token("sara");
  auto s1 = start(adam, "ann");
  ASSERT_EQ(s1.status, 201u) << s1.text;
  const auto id1 = s1.body["session"]["id"].get<std::string>();
  auto s2 = start(sara, "bob");
  ASSERT_EQ(s2.status, 201u) << s2.text;
  const auto id2 = s2.body["session"]["id"].get<std::string>();
  const auto end1 = "/v1/impersonations/" + id1 + "/end";

  // Another session's impersonation token, a stranger: not found; the target (target_can_end off): forbidden.
  expect_code(post("/v1/impersonations/" + id2 + "/end", nullptr, s1.body["token"].get<std::string>()), 404,
              "not_found");
  expect_code(post(end1, nullptr, token("bob")), 404, "not_found");
  expect_code(post(end1, nullptr, token("ann")), 403, "forbidden");
  expect_code(post("/v1/impersonations/ses_nope/end", nullptr, adam), 404, "not_found");
  expect_code(post(end1, nullptr), 401, "unauthenticated");
  // A bad message is refused and changes nothing.
  expect_code(post(end1, {{"message", std::string(501, 'm')}}, adam), 400, "invalid_request");
  expect_code(post(end1, {{"message", 7}}, adam), 400, "invalid_request");
  EXPECT_EQ(get("/v1/impersonations/" + id1, adam).body["session"]["state"], "active");

  // The superadmin's kill switch.
  auto killed = post(end1, nullptr, sara);
  ASSERT_EQ(killed.status, 200u) << killed.text;
  EXPECT_EQ(killed.body["session"]["end_reason"], "terminated");
  EXPECT_TRUE(killed.body["return_to"].is_null());
  // The actor's own user token, with an empty body.
  auto own = post_text("/v1/impersonations/" + id2 + "/end", "", sara);
  ASSERT_EQ(own.status, 200u) << own.text;
  EXPECT_EQ(own.body["session"]["end_reason"], "ended_by_actor");
}

TEST_F(impersonation_test, logout_under_an_impersonation_token_ends_the_session) {
  const auto adam = token("adam");
  auto s = start(adam, "ann");
  ASSERT_EQ(s.status, 201u) << s.text;
  const auto id = s.body["session"]["id"].get<std::string>();
  ASSERT_EQ(post("/v1/logout", nullptr, s.body["token"].get<std::string>()).status, 200u);
  auto read = get("/v1/impersonations/" + id, adam);
  EXPECT_EQ(read.body["session"]["state"], "ended") << read.text;
  EXPECT_EQ(read.body["session"]["end_reason"], "ended_by_actor");
  // The actor's own token lives on.
  EXPECT_EQ(get("/v1/me", adam).status, 200u);
}

TEST_F(impersonation_test, the_actors_logout_ends_its_impersonation_and_closes_its_tab) {
  const auto adam = token("adam");
  auto s = start(adam, "ann");
  ASSERT_EQ(s.status, 201u) << s.text;
  const auto id = s.body["session"]["id"].get<std::string>();
  const auto imp = s.body["token"].get<std::string>();
  auto imp_tab = tab(imp);
  ASSERT_EQ(post("/v1/logout", nullptr, adam).status, 200u);
  auto closing = imp_tab.read_until("session_ended");
  ASSERT_TRUE(closing);
  EXPECT_EQ((*closing)["reason"], "actor_logged_out");
  EXPECT_TRUE(imp_tab.expect_close());
  expect_code(get("/v1/me", imp), 401, "unauthenticated");
  EXPECT_EQ(get("/v1/impersonations/" + id, token("sara")).body["session"]["end_reason"], "actor_logged_out");
}

TEST_F(impersonation_test, sessions_are_listed_and_read_within_the_callers_view) {
  const auto adam = token("adam");
  auto s = start(adam, "ann");
  ASSERT_EQ(s.status, 201u) << s.text;
  const auto id = s.body["session"]["id"].get<std::string>();

  auto list = get("/v1/impersonations?state=active", adam);
  ASSERT_EQ(list.status, 200u) << list.text;
  ASSERT_EQ(list.body["sessions"].size(), 1u) << list.text;
  EXPECT_EQ(list.body["sessions"][0]["id"], id);
  EXPECT_EQ(get("/v1/impersonations?state=ended", adam).body["sessions"].size(), 0u);
  EXPECT_EQ(get("/v1/impersonations?limit=1", token("sara")).body["sessions"].size(), 1u);
  expect_code(get("/v1/impersonations?state=paused", adam), 400, "invalid_request");
  expect_code(get("/v1/impersonations?limit=0", adam), 400, "invalid_request");
  expect_code(get("/v1/impersonations?limit=ten", adam), 400, "invalid_request");
  expect_code(get("/v1/impersonations?colour=red", adam), 400, "invalid_request");
  expect_code(get("/v1/impersonations"), 401, "unauthenticated");

  EXPECT_EQ(get("/v1/impersonations/" + id, adam).body["session"]["id"], id);
  EXPECT_EQ(get("/v1/impersonations/" + id, token("ann")).status, 200u);
  EXPECT_EQ(get("/v1/impersonations/" + id, token("sara")).status, 200u);
  expect_code(get("/v1/impersonations/" + id, token("bob")), 404, "not_found");
  expect_code(get("/v1/impersonations/" + id, token("gary")), 404, "not_found");
  expect_code(get("/v1/impersonations/ses_unknown", adam), 404, "not_found");
}

TEST_F(impersonation_test, the_audit_names_the_real_person_and_the_chain_verifies) {
  const auto adam = token("adam"), sara = token("sara");
  auto s = start(adam, "ann");
  ASSERT_EQ(s.status, 201u) << s.text;
  const auto id = s.body["session"]["id"].get<std::string>();
  expect_code(start(adam, "ivan"), 409, "actor_busy");
  ASSERT_EQ(post("/v1/impersonations/" + id + "/end", nullptr, adam).status, 200u);

  auto events = get("/v1/audit?session=" + id, sara);
  ASSERT_EQ(events.status, 200u) << events.text;
  ASSERT_GE(events.body["events"].size(), 2u) << events.text;
  const auto& first = events.body["events"][0];
  EXPECT_EQ(first["event"], "impersonation.start");
  EXPECT_EQ(first["performed_by"], "adam");
  EXPECT_EQ(first["active_account"], "ann");
  EXPECT_EQ(first["chain"], "acme");
  EXPECT_EQ(first["session"], id);
  EXPECT_EQ(first["hash"].get<std::string>().size(), 64u);

  auto all = get("/v1/audit?performed_by=adam", sara);
  ASSERT_EQ(all.status, 200u) << all.text;
  bool denial = false;
  for (const auto& e : all.body["events"])
    denial |= e["outcome"] == "denied" && e["code"] == "actor_busy";
  EXPECT_TRUE(denial) << all.text;
  EXPECT_EQ(get("/v1/audit?limit=1", sara).body["events"].size(), 1u);
  auto after = get("/v1/audit?after_seq=1&limit=1", sara);
  ASSERT_EQ(after.body["events"].size(), 1u) << after.text;
  EXPECT_EQ(after.body["events"][0]["seq"], 2);
  expect_code(get("/v1/audit?after_seq=-1", sara), 400, "invalid_request");
  expect_code(get("/v1/audit?limit=100000", sara), 400, "invalid_request");
  expect_code(get("/v1/audit?shoe=1", sara), 400, "invalid_request");

  auto verify = get("/v1/audit/verify", sara);
  ASSERT_EQ(verify.status, 200u) << verify.text;
  EXPECT_EQ(verify.body["ok"], true);
  EXPECT_EQ(verify.body["chain"], "acme");
  EXPECT_GE(verify.body["events"].get<int>(), 3);
  EXPECT_EQ(verify.body["head"].get<std::string>().size(), 64u);
  EXPECT_FALSE(verify.body.contains("first_bad_seq"));

  // Admins below superadmin read no audit; the operator reads the system chain.
  expect_code(get("/v1/audit", adam), 403, "forbidden");
  expect_code(get("/v1/audit/verify", adam), 403, "forbidden");
  auto system = get("/v1/audit/verify?chain=system", token("root"));
  ASSERT_EQ(system.status, 200u) << system.text;
  EXPECT_EQ(system.body["ok"], true);
  EXPECT_EQ(system.body["chain"], "system");
}

} // namespace
} // namespace actas::testing
