#include "store/connection.hpp"

#include <algorithm>
#include <regex>

#include "store/pg_engine.hpp"
#include "store/sqlite_engine.hpp"

namespace actas::store {

bool is_postgresql_url(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::unique_ptr<connection> open_connection(const std::string& location) {
  if (is_postgresql_url(location)) return std::make_unique<pg_connection>(location);
  return std::make_unique<sqlite_connection>(location);
}

std::string redact(const std::string& location) {
  if (!is_postgresql_url(location)) return location;
  // scheme://user:PASSWORD@host… and ?password=… (or &password=…): both ways libpq takes one.
  static const std::regex in_authority(R"(^(postgres(?:ql)?://[^:/@?]*:)[^@/?]*@)");
  static const std::regex in_query(R"(([?&]password=)[^&]*)");
  std::string shown = std::regex_replace(location, in_authority, "$1***@");
  return std::regex_replace(shown, in_query, "$1***");
}

std::string_view first_line(std::string_view sql) {
  auto start = sql.find_first_not_of(" \n\t");
  if (start == std::string_view::npos) return {};
  sql.remove_prefix(start);
  return sql.substr(0, std::min(sql.find('\n'), std::size_t{80}));
}

std::optional<std::string> query::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

std::optional<std::int64_t> query::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

std::optional<domain::timestamp> query::opt_time(int col) const {
  if (is_null(col)) return std::nullopt;
  return time(col);
}

} // namespace actas::store
