#include "domain/role.hpp"

#include <array>
#include <utility>

namespace actas::domain {

namespace {

// One table per enum keeps each name next to its value, so to_string and the parser cannot drift apart.
constexpr std::array<std::pair<role, std::string_view>, 8> role_names{{
  {role::learner, "learner"},
  {role::instructor, "instructor"},
  {role::manager, "manager"},
  {role::power_user, "power_user"},
  {role::admin, "admin"},
  {role::superadmin, "superadmin"},
  {role::sysadmin, "sysadmin"},
  {role::support, "support"},
}};

constexpr std::array<std::pair<user_status, std::string_view>, 4> status_names{{
  {user_status::active, "active"},
  {user_status::inactive, "inactive"},
  {user_status::pending, "pending"},
  {user_status::deleted, "deleted"},
}};

constexpr std::array<std::pair<consent, std::string_view>, 2> consent_names{{
  {consent::terms, "terms"},
  {consent::privacy, "privacy"},
}};

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "unknown";
}

template <typename E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view name) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return std::nullopt;
}

} // namespace

int rank(role r) {
  switch (r) {
    case role::learner: return 1;
    case role::instructor: return 2;
    case role::manager: return 2;
    case role::power_user: return 3;
    case role::admin: return 4;
    case role::superadmin: return 5;
    case role::sysadmin: return 6;
    case role::support: return 0;
  }
  return 0;
}

bool may_impersonate(role r) {
  return r == role::power_user || r == role::admin || r == role::superadmin;
}

bool is_realmless(role r) { return r == role::sysadmin || r == role::support; }

std::string_view to_string(role r) { return name_of(role_names, r); }
std::optional<role> role_from_string(std::string_view name) { return value_of(role_names, name); }

std::string_view to_string(user_status s) { return name_of(status_names, s); }
std::optional<user_status> user_status_from_string(std::string_view name) {
  return value_of(status_names, name);
}

std::string_view to_string(consent c) { return name_of(consent_names, c); }
std::optional<consent> consent_from_string(std::string_view name) { return value_of(consent_names, name); }

} // namespace actas::domain
