#pragma once
/// The demo data of `actas --demo` (SPEC §7): realms acme (impersonation on) and globex, every role and
/// status worth trying, all passwords "demo". Written once; later starts keep whatever is there.
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "domain/settings.hpp"
#include "domain/time.hpp"

namespace actas::store { class database; }

namespace actas::app {

/// The password of every demo user.
inline constexpr const char* demo_password = "demo";

/// The meta key set by the seed; its value is the seeding time (format_utc).
inline constexpr const char* demo_seeded_key = "demo_seeded";

/// One row of the logins table printed at start.
struct demo_login {
  std::string username;
  std::string display_name;
  std::string role;    ///< e.g. "superadmin", "learner (inactive)"
  std::string portal;  ///< home portal, "-" for realmless users
  std::string note;    ///< what the user is good for in the demo
};

/// The demo data as values (no I/O), for the seed and its tests.
struct demo_data {
  std::vector<domain::realm> realms;
  std::vector<domain::portal> portals;  ///< parents before children
  std::vector<domain::user> users;
  std::vector<std::pair<domain::id, domain::settings_patch>> settings;
};

demo_data make_demo_data();

/// The logins table, in the order of make_demo_data().users.
std::vector<demo_login> demo_logins();

struct seed_result {
  bool seeded_now = false;  ///< false when an earlier start had seeded already
  std::vector<demo_login> logins;
};

/// Seeds the demo data in one transaction (realms, portals, users, passwords, settings, the meta key and
/// one "demo.seed" event on the system audit chain) unless the meta key is already set, in which case
/// nothing changes. Throws std::runtime_error when the database refuses.
seed_result seed_demo(store::database& db, domain::timestamp now);

/// Prints the logins table and the URL to open, for the startup output.
std::string format_logins(const std::vector<demo_login>& logins, const std::string& url);

} // namespace actas::app
