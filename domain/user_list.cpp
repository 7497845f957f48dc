#include "domain/user_list.hpp"

#include <algorithm>

#include "domain/start_rules.hpp"

namespace actas::domain {

namespace {

char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool contains_folded(std::string_view text, std::string_view part) {
  const auto it = std::search(text.begin(), text.end(), part.begin(), part.end(),
                              [](char a, char b) { return fold(a) == fold(b); });
  return it != text.end() || part.empty();
}

bool sees(const directory& dir, const user& caller, const user& u) {
  if (u.user_id == caller.user_id || caller.user_role == role::sysadmin) return true;
  if (!caller.realm_id || u.realm_id != caller.realm_id || !u.home_portal) return false;  // never across realms
  switch (caller.user_role) {
    case role::superadmin:
    case role::admin: return dir.administers(caller, *u.home_portal);
    case role::power_user: return dir.in_scope(caller, u);
    default: return false;
  }
}

bool matches(const directory& dir, const user& u, const user_filter& f) {
  if (f.status ? u.status != *f.status : u.status == user_status::deleted) return false;
  if (f.user_role && u.user_role != *f.user_role) return false;
  if (f.portal && !(u.home_portal && dir.within(*u.home_portal, *f.portal))) return false;
  if (f.q && !contains_folded(u.username, *f.q) && !contains_folded(u.display_name, *f.q)) return false;
  return true;
}

} // namespace

std::vector<const user*> visible_users(const directory& dir, const user& caller, const user_filter& filter,
                                       std::size_t limit) {
  std::vector<const user*> rows;
  for (const auto& [uid, u] : dir.users())
    if (sees(dir, caller, u) && matches(dir, u, filter)) rows.push_back(&u);
  std::sort(rows.begin(), rows.end(), [](const user* a, const user* b) {
    return a->username != b->username ? a->username < b->username : a->user_id < b->user_id;
  });
  if (rows.size() > limit) rows.resize(limit);
  return rows;
}

impersonation_hint hint_for(const directory& dir, const user& caller, const user& row,
                            bool token_is_impersonation) {
  const auto blocker = token_is_impersonation ? std::optional<errc>{errc::nested_impersonation}
                                              : impersonation_blocker(dir, caller, row);
  return {!blocker, blocker};
}

} // namespace actas::domain
