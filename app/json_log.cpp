#include "app/json_log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace actas::app {

namespace {

/// RFC 3339 in UTC with microseconds: what log shippers parse without a format of their own.
std::string utc_time(std::chrono::system_clock::time_point t) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char out[96];  // room for any int the compiler can imagine in each field
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(micros % 1'000'000));
  return out;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

/// The first request id (`req_` and 32 lowercase hex digits, crypto::random_id) the message names.
std::string_view request_id_in(std::string_view msg) {
  constexpr std::size_t digits = 32;
  for (auto at = msg.find("req_"); at != std::string_view::npos; at = msg.find("req_", at + 1)) {
    const auto id = msg.substr(at, 4 + digits);
    if (id.size() < 4 + digits) return {};
    bool ok = true;
    for (char c : id.substr(4)) ok = ok && is_hex(c);
    const bool ends = at + id.size() == msg.size() || !is_hex(msg[at + id.size()]);
    if (ok && ends) return id;
  }
  return {};
}

} // namespace

void json_log_formatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const std::string_view text(msg.payload.data(), msg.payload.size());
  nlohmann::json line{{"time", utc_time(msg.time)},
                      {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                            spdlog::level::to_string_view(msg.level).size())},
                      {"msg", text}};
  if (const auto id = request_id_in(text); !id.empty()) line["request_id"] = id;
  // A message may quote bytes a client sent: invalid UTF-8 becomes U+FFFD instead of breaking the line.
  const auto out = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  dest.append(out.data(), out.data() + out.size());
}

std::unique_ptr<spdlog::formatter> json_log_formatter::clone() const { return std::make_unique<json_log_formatter>(); }

} // namespace actas::app
