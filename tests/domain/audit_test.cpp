// Audit events: canonical JSON byte for byte, and a hash chain that exposes any edit.
#include <gtest/gtest.h>

#include "domain/audit.hpp"
#include "sha256_for_tests.hpp"

namespace {

using namespace actas::domain;
using actas::testing::sha256_for_tests;

const hash_function sha256 = [](std::string_view s) { return sha256_for_tests(s); };

TEST(sha256_for_tests, known_vectors) {
  EXPECT_EQ(sha256_for_tests("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_for_tests(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_for_tests("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

audit_event sample() {
  audit_event e;
  e.chain = "acme";
  e.seq = 3;
  e.at = *parse_utc("2026-11-21T08:24:17.123456Z");
  e.event = "impersonation.start";
  e.performed_by = "u-adam";
  e.active_account = "u-ann";
  e.session = "s-1";
  e.portal = "acme-eu";
  e.result = outcome::allowed;
  e.reason = "ticket \"42\"\\x\n";
  e.ip = "127.0.0.1";
  e.detail_json = R"({"max_duration_s":1800})";
  e.prev_hash = genesis_hash;
  e.hash = "not part of the canonical form";
  return e;
}

TEST(audit, canonical_json_is_exact) {
  const std::string expected =
    R"({"action":null,"active_account":"u-ann","at":"2026-11-21T08:24:17.123456Z","chain":"acme",)"
    R"("code":null,"detail":{"max_duration_s":1800},"event":"impersonation.start","grant":null,)"
    R"("ip":"127.0.0.1","outcome":"allowed","performed_by":"u-adam","portal":"acme-eu","prev_hash":")" +
    genesis_hash +
    R"(","reason":"ticket \"42\"\\x\n","seq":3,"session":"s-1","via":null})";
  EXPECT_EQ(canonical_json(sample()), expected);
}

TEST(audit, canonical_json_writes_every_key_and_null_for_absent_values) {
  audit_event e;
  e.chain = std::string{system_chain};
  e.event = "realm.create";
  e.code = "forbidden";
  e.result = outcome::denied;
  e.action = "realms.create";
  e.grant = "g-1";
  e.via = "u-sam";
  const std::string json = canonical_json(e);
  EXPECT_EQ(json,
            R"({"action":"realms.create","active_account":null,"at":"1970-01-01T00:00:00.000000Z",)"
            R"("chain":"system","code":"forbidden","detail":null,"event":"realm.create","grant":"g-1",)"
            R"("ip":null,"outcome":"denied","performed_by":null,"portal":null,"prev_hash":"","reason":null,)"
            R"("seq":0,"session":null,"via":"u-sam"})");
  EXPECT_EQ(to_string(outcome::done), "done");
}

TEST(audit, json_quote_escapes_only_what_json_requires) {
  EXPECT_EQ(json_quote(""), R"("")");
  EXPECT_EQ(json_quote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json_quote("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json_quote(std::string{"\x00\x01\x1f", 3}), R"("\u0000\u0001\u001f")");
  const std::string passed_through = "\x7F caf\xC3\xA9 \xC2\x85 \xF0\x9F\x98\x80 /";
  EXPECT_EQ(json_quote(passed_through), "\"" + passed_through + "\"");
}

std::vector<audit_event> chain_of(int n) {
  std::vector<audit_event> events;
  std::int64_t seq = 0;
  std::string prev = genesis_hash;
  for (int i = 0; i < n; ++i) {
    audit_event e = sample();
    e.event = "event." + std::to_string(i);
    e.at += std::chrono::seconds{i};
    link(e, seq, prev, sha256);
    seq = e.seq;
    prev = e.hash;
    events.push_back(e);
  }
  return events;
}

TEST(audit, link_fills_seq_prev_hash_and_hash) {
  audit_event e = sample();
  link(e, 0, genesis_hash, sha256);
  EXPECT_EQ(e.seq, 1);
  EXPECT_EQ(e.prev_hash, genesis_hash);
  EXPECT_EQ(e.hash, sha256_for_tests(genesis_hash + canonical_json(e)));
  EXPECT_EQ(e.hash.size(), 64u);
  audit_event next = sample();
  link(next, e.seq, e.hash, sha256);
  EXPECT_EQ(next.seq, 2);
  EXPECT_EQ(next.prev_hash, e.hash);
}

TEST(audit, intact_chain_verifies) {
  const auto events = chain_of(4);
  const auto r = verify_chain(events, sha256);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.events, 4);
  EXPECT_EQ(r.head, events.back().hash);
  EXPECT_FALSE(r.first_bad_seq);
  EXPECT_TRUE(r.problem.empty());
}

TEST(audit, empty_chain_verifies_with_genesis_head) {
  const auto r = verify_chain({}, sha256);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.events, 0);
  EXPECT_EQ(r.head, genesis_hash);
}

void expect_broken_at(const std::vector<audit_event>& events, std::int64_t seq) {
  const auto r = verify_chain(events, sha256);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, seq);
  EXPECT_FALSE(r.problem.empty());
  EXPECT_EQ(r.events, seq - 1);  // the verified prefix
}

TEST(audit, changed_field_is_detected) {
  auto events = chain_of(4);
  events[1].reason = "something else";
  expect_broken_at(events, 2);
  events = chain_of(4);
  events[2].result = outcome::denied;
  expect_broken_at(events, 3);
  events = chain_of(4);
  events[3].detail_json = R"({"max_duration_s":60})";
  expect_broken_at(events, 4);
}

TEST(audit, rehashed_edit_breaks_the_next_link) {
  auto events = chain_of(4);
  events[1].reason = "rewritten";
  events[1].hash = sha256_for_tests(events[1].prev_hash + canonical_json(events[1]));
  expect_broken_at(events, 3);
}

TEST(audit, deleted_event_is_detected) {
  auto events = chain_of(4);
  events.erase(events.begin() + 1);
  expect_broken_at(events, 2);
  events = chain_of(4);
  events.erase(events.begin());
  expect_broken_at(events, 1);
}

TEST(audit, reordered_events_are_detected) {
  auto events = chain_of(4);
  std::swap(events[1], events[2]);
  expect_broken_at(events, 2);
}

TEST(audit, renumbered_events_are_detected) {
  auto events = chain_of(3);
  events[2].seq = 4;
  expect_broken_at(events, 3);
}

} // namespace
