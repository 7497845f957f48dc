// SPEC §6 Retries: which keys are valid, and what a request with a key gets.
#include <gtest/gtest.h>

#include "domain/idempotency.hpp"

namespace actas::domain {
namespace {

const timestamp first_seen = from_micros(1'700'000'000'000'000);

TEST(idempotency_key, is_one_to_255_printable_ascii_characters) {
  EXPECT_TRUE(valid_idempotency_key("a"));
  EXPECT_TRUE(valid_idempotency_key("retry 7f3a-22"));
  EXPECT_TRUE(valid_idempotency_key(std::string(255, 'k')));
  EXPECT_FALSE(valid_idempotency_key(""));
  EXPECT_FALSE(valid_idempotency_key(std::string(256, 'k')));
  EXPECT_FALSE(valid_idempotency_key("tab\there"));
  EXPECT_FALSE(valid_idempotency_key("del\x7f"));
  EXPECT_FALSE(valid_idempotency_key("caf\xc3\xa9"));
}

TEST(idempotency_rule, a_first_request_proceeds_and_a_second_waits_for_it) {
  EXPECT_EQ(judge_idempotent_request(std::nullopt, false, "f", first_seen), idempotency_verdict::proceed);
  EXPECT_EQ(judge_idempotent_request(std::nullopt, true, "f", first_seen), idempotency_verdict::in_progress);
}

TEST(idempotency_rule, an_answer_within_24_hours_is_replayed_for_the_same_request_only) {
  const idempotent_answer kept{"f", 201, "{}", first_seen};
  const auto just_before = first_seen + idempotency_window - std::chrono::microseconds(1);
  EXPECT_EQ(judge_idempotent_request(kept, false, "f", just_before), idempotency_verdict::replay);
  EXPECT_EQ(judge_idempotent_request(kept, false, "g", just_before), idempotency_verdict::key_reused);
}

TEST(idempotency_rule, after_24_hours_the_key_is_free_again) {
  const idempotent_answer kept{"f", 201, "{}", first_seen};
  EXPECT_EQ(judge_idempotent_request(kept, false, "g", first_seen + idempotency_window), idempotency_verdict::proceed);
  EXPECT_EQ(judge_idempotent_request(kept, true, "f", first_seen + idempotency_window), idempotency_verdict::in_progress);
}

TEST(idempotency_rule, server_errors_are_not_outcomes) {
  EXPECT_TRUE(answer_is_kept(200));
  EXPECT_TRUE(answer_is_kept(201));
  EXPECT_TRUE(answer_is_kept(409));
  EXPECT_TRUE(answer_is_kept(422));
  EXPECT_FALSE(answer_is_kept(500));
  EXPECT_FALSE(answer_is_kept(503));
}

} // namespace
} // namespace actas::domain
