#include "codec/settings_json.hpp"

#include <gtest/gtest.h>

namespace actas::codec {
namespace {

using domain::role;
using nlohmann::json;

domain::settings_patch decoded(const json& j) {
  auto r = decode_settings_patch(j);
  if (auto* e = std::get_if<domain::settings_error>(&r)) ADD_FAILURE() << e->field << ": " << e->message;
  return std::get<domain::settings_patch>(r);
}

domain::settings_error refused(const json& j) {
  auto r = decode_settings_patch(j);
  EXPECT_TRUE(std::holds_alternative<domain::settings_error>(r)) << j.dump();
  if (auto* e = std::get_if<domain::settings_error>(&r)) return *e;
  return {};
}

TEST(settings_json, full_settings_mirror_the_dotted_names_of_the_spec) {
  json j = encode(domain::default_settings());
  EXPECT_EQ(j["impersonation"]["enabled"], false);
  EXPECT_EQ(j["impersonation"]["max_duration_s"], 1800);
  EXPECT_EQ(j["impersonation"]["warn_before_s"], 300);
  EXPECT_EQ(j["impersonation"]["require_consent"], json({"terms", "privacy"}));
  EXPECT_EQ(j["impersonation"]["allowed_targets"]["admin"], json({"learner"}));
  EXPECT_EQ(j["impersonation"]["allowed_targets"]["superadmin"],
            json({"learner", "instructor", "manager", "power_user", "admin"}));
  EXPECT_TRUE(j["impersonation"]["restricted_actions"].is_array());
  EXPECT_EQ(j["support"]["request_ttl_s"], 259200);
  EXPECT_EQ(j["notifications"]["impersonation_started"]["enabled"], true);
  EXPECT_TRUE(j["notifications"]["impersonation_started"]["title"].is_string());
}

TEST(settings_json, full_settings_decode_as_a_patch_that_rebuilds_them) {
  auto s = domain::default_settings();
  s.impersonation.enabled = true;
  s.impersonation.max_duration_s = 600;
  s.notifications[domain::notification_kind::support_denied].enabled = false;
  auto rebuilt = domain::apply(domain::realm_settings{}, decoded(encode(s)));
  EXPECT_EQ(encode(rebuilt), encode(s));
}

TEST(settings_json, a_patch_carries_only_what_it_sets) {
  EXPECT_EQ(encode(domain::settings_patch{}), json::object());
  domain::settings_patch p;
  p.impersonation.enabled = true;
  p.notifications[domain::notification_kind::impersonation_started].title = "Hello";
  EXPECT_EQ(encode(p), json::parse(R"({"impersonation":{"enabled":true},
                                       "notifications":{"impersonation_started":{"title":"Hello"}}})"));
}

TEST(settings_json, every_patch_field_survives_a_round_trip) {
  domain::settings_patch p;
  auto& i = p.impersonation;
  i.enabled = true;
  i.max_duration_s = 900;
  i.warn_before_s = 120;
  i.reason_min_length = 20;
  i.require_consent = std::set{domain::consent::privacy};
  i.exclusive = false;
  i.target_can_end = true;
  i.show_target_live = false;
  i.allowed_targets = std::map<role, std::set<role>>{{role::admin, {}}, {role::superadmin, {role::learner, role::admin}}};
  i.restricted_actions = std::vector<std::string>{"messages.*", "payments.refund"};
  p.support.default_duration_s = 7200;
  p.support.max_duration_s = 86400;
  p.support.warn_before_s = 600;
  p.support.request_ttl_s = 3600;
  p.notifications[domain::notification_kind::support_expired] = {false, "T", "B {actor_name}"};
  p.notifications[domain::notification_kind::impersonation_ended] = {};

  auto back = decoded(encode(p));
  EXPECT_EQ(encode(back), encode(p));
  EXPECT_EQ(back.impersonation.require_consent, std::set{domain::consent::privacy});
  EXPECT_EQ(back.impersonation.allowed_targets->at(role::superadmin), (std::set{role::learner, role::admin}));
  EXPECT_TRUE(back.impersonation.allowed_targets->at(role::admin).empty());
  EXPECT_EQ(back.support.request_ttl_s, 3600);
  EXPECT_EQ(back.notifications.at(domain::notification_kind::support_expired).body, "B {actor_name}");
  EXPECT_EQ(back.notifications.count(domain::notification_kind::impersonation_ended), 1u);
  EXPECT_EQ(back.impersonation.warn_before_s, 120);
}

TEST(settings_json, unknown_keys_are_refused_with_their_dotted_name) {
  EXPECT_EQ(refused(json::parse(R"({"impersonaton":{}})")).field, "impersonaton");
  EXPECT_EQ(refused(json::parse(R"({"impersonation":{"enabeld":true}})")).field, "impersonation.enabeld");
  EXPECT_EQ(refused(json::parse(R"({"support":{"ttl":5}})")).field, "support.ttl");
  EXPECT_EQ(refused(json::parse(R"({"notifications":{"impersonation_started":{"colour":"red"}}})")).field,
            "notifications.impersonation_started.colour");
}

TEST(settings_json, wrong_types_are_refused_with_their_dotted_name) {
  auto e = refused(json::parse(R"({"impersonation":{"enabled":"true"}})"));
  EXPECT_EQ(e.field, "impersonation.enabled");
  EXPECT_EQ(e.message, "must be true or false");
  EXPECT_EQ(refused(json::parse(R"({"impersonation":{"exclusive":1}})")).field, "impersonation.exclusive");
  EXPECT_EQ(refused(json::parse(R"({"impersonation":{"max_duration_s":1800.0}})")).field,
            "impersonation.max_duration_s");
  EXPECT_EQ(refused(json::parse(R"({"impersonation":{"warn_before_s":"300"}})")).field,
            "impersonation.warn_before_s");
  EXPECT_EQ(refused(json::parse(R"({"impersonation":{"reason_min_length":null}})")).field,
            "impersonation.reason_min_length");
  EXPECT_EQ(refused(json::parse(R"({"impersonation":{"restricted_actions":"messages.*"}})")).field,
            "impersonation.restricted_actions");
  EXPECT_EQ(refused(json::parse(R"({"impersonation":{"restricted_actions":["a", 2]}})")).field,
            "impersonation.restricted_actions");
  EXPECT_EQ(refused(json::parse(R"({"notifications":{"support_denied":{"title":7}}})")).field,
            "notifications.support_denied.title");
  EXPECT_EQ(refused(json::parse(R"({"notifications":{"support_denied":true}})")).field,
            "notifications.support_denied");
  EXPECT_EQ(refused(json::parse(R"({"support":[]})")).field, "support");
  EXPECT_EQ(refused(json::parse(R"([1, 2])")).message, "settings must be a JSON object");
}

TEST(settings_json, negative_and_oversized_numbers_are_refused) {
  auto e = refused(json::parse(R"({"support":{"max_duration_s":-5}})"));
  EXPECT_EQ(e.field, "support.max_duration_s");
  EXPECT_EQ(e.message, "must not be negative");
  EXPECT_EQ(refused(json::parse(R"({"support":{"request_ttl_s":18446744073709551615}})")).field,
            "support.request_ttl_s");
  // Range checks are domain::validate's; the codec takes any non-negative whole number.
  EXPECT_EQ(decoded(json::parse(R"({"impersonation":{"max_duration_s":999999}})")).impersonation.max_duration_s,
            999999);
}

TEST(settings_json, unknown_roles_consents_and_kinds_are_refused) {
  auto e = refused(json::parse(R"({"impersonation":{"allowed_targets":{"admin":["learner","wizard"]}}})"));
  EXPECT_EQ(e.field, "impersonation.allowed_targets.admin");
  EXPECT_NE(e.message.find("wizard"), std::string::npos) << e.message;
  EXPECT_EQ(refused(json::parse(R"({"impersonation":{"allowed_targets":{"wizard":["learner"]}}})")).field,
            "impersonation.allowed_targets.wizard");
  EXPECT_EQ(refused(json::parse(R"({"impersonation":{"allowed_targets":{"admin":"learner"}}})")).field,
            "impersonation.allowed_targets.admin");
  e = refused(json::parse(R"({"impersonation":{"require_consent":["terms","cookies"]}})"));
  EXPECT_EQ(e.field, "impersonation.require_consent");
  EXPECT_NE(e.message.find("cookies"), std::string::npos) << e.message;
  EXPECT_EQ(refused(json::parse(R"({"notifications":{"party_started":{"enabled":true}}})")).field,
            "notifications.party_started");
}

} // namespace
} // namespace actas::codec
