#pragma once
/// `log_format = "json"` (SPEC §10 Logs): one JSON object a line, `{"time", "level", "msg", "request_id"}`
/// (`request_id` when the line is about a request: net/ names the id, `req_` and 32 hex digits, in the
/// message). An spdlog formatter, so every logger and sink of the process writes the same shape.
#include <memory>

#include <spdlog/formatter.h>

namespace actas::app {

class json_log_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

} // namespace actas::app
