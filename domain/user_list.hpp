#pragma once
/// GET /v1/users?q=&portal=&role=&status=: which users a caller sees, and per row whether it could
/// impersonate them right now (SPEC §1, §6).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "domain/directory.hpp"
#include "domain/errc.hpp"
#include "domain/model.hpp"

namespace actas::domain {

struct user_filter {
  /// Part of the username or display name, ASCII letters compared case-insensitively.
  std::optional<std::string> q;
  /// Users whose home portal is this portal or lies below it.
  std::optional<id> portal;
  std::optional<role> user_role;
  /// Deleted users (tombstones) are listed only when this asks for them.
  std::optional<user_status> status;
};

/// Who a caller sees: a sysadmin everyone; a superadmin its realm; an admin (temporary ones included) the
/// users homed in portals it administers; a power user its assigned users and the users of its assigned
/// portals; everybody itself. Never another realm's users. Filtered, sorted by username, at most `limit`.
std::vector<const user*> visible_users(const directory& dir, const user& caller, const user_filter& filter,
                                       std::size_t limit);

/// `can_impersonate` and `why_not` of one row: start rules 1–4 and 6–11 for (caller, row). The busy
/// rules (5 and 13) are left out: they change by the second.
struct impersonation_hint {
  bool can_impersonate = false;
  std::optional<errc> why_not;
};

/// With `token_is_impersonation` (the list is read under an impersonation token) every row answers
/// nested_impersonation, as a start would.
impersonation_hint hint_for(const directory& dir, const user& caller, const user& row,
                            bool token_is_impersonation = false);

} // namespace actas::domain
