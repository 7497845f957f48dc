// The JSON log line itself (app/json_log.hpp): shape, the request id lifted out of the message, and bytes
// a client sent that are not UTF-8.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <spdlog/details/log_msg.h>

#include "app/json_log.hpp"

namespace actas::app {
namespace {

nlohmann::json line_of(std::string_view text, spdlog::level::level_enum level = spdlog::level::warn) {
  spdlog::details::log_msg msg(spdlog::source_loc{}, "actas", level, spdlog::string_view_t(text.data(), text.size()));
  msg.time = std::chrono::system_clock::time_point(std::chrono::microseconds(1'780'000'000'123'456));
  spdlog::memory_buf_t out;
  json_log_formatter().format(msg, out);
  const std::string s(out.data(), out.size());
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(s.find('\n'), s.size() - 1) << "one line: " << s;
  return nlohmann::json::parse(s);
}

TEST(json_log_formatter_test, a_line_has_time_level_and_message) {
  const auto j = line_of("stopped", spdlog::level::info);
  EXPECT_EQ(j["time"], "2026-05-28T20:26:40.123456Z");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["msg"], "stopped");
  EXPECT_FALSE(j.contains("request_id"));
}

TEST(json_log_formatter_test, a_line_about_a_request_carries_its_id) {
  const std::string id = "req_0123456789abcdef0123456789abcdef";
  EXPECT_EQ(line_of("request " + id + ": handling it failed: boom")["request_id"], id);
  // Not an id: too short, or longer than one.
  EXPECT_FALSE(line_of("request req_0123: x").contains("request_id"));
  EXPECT_FALSE(line_of("request " + id + "0: x").contains("request_id"));
}

TEST(json_log_formatter_test, bytes_that_are_not_utf8_and_quotes_and_newlines_keep_one_valid_line) {
  const auto j = line_of("no route for /\xff\xfe \"quoted\"\nsecond line");
  EXPECT_EQ(j["msg"], "no route for /\xEF\xBF\xBD\xEF\xBF\xBD \"quoted\"\nsecond line");
}

} // namespace
} // namespace actas::app
