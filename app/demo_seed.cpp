#include "app/demo_seed.hpp"


#include <algorithm>
#include <map>
#include <stdexcept>

#include "crypto/crypto.hpp"
#include "domain/audit.hpp"
#include "store/database.hpp"

namespace actas::app {

namespace {

using domain::role;
using domain::user_status;

struct person {
  const char* id;
  const char* name;
  role r;
  const char* home;  ///< "" for realmless users
  user_status status = user_status::active;
  bool terms = true;
  const char* note = "";
};

// One table: the users, their ids (= usernames) and what each is good for in the demo.
const std::vector<person> people{
    {"root", "Rosa Root", role::sysadmin, "", user_status::active, true,
     "operator: reads every realm's audit, never impersonates"},
    {"sara", "Sara Stone", role::superadmin, "acme", user_status::active, true,
     "top admin of acme: impersonates, settings, support grants, kill switch"},
    {"adam", "Adam Admin", role::admin, "acme-eu", user_status::active, true,
     "admin of acme-eu: impersonates its learners (ann)"},
    {"pia", "Pia Power", role::power_user, "acme", user_status::active, true,
     "power user with ann assigned: impersonates ann only"},
    {"ann", "Ann Lee", role::learner, "acme-eu", user_status::active, true, "learner to impersonate"},
    {"bob", "Bob Brown", role::learner, "acme-us", user_status::active, true, "learner outside adam's scope"},
    {"ivan", "Ivan Ito", role::instructor, "acme-eu", user_status::active, true,
     "instructor: admins may not impersonate him"},
    {"mia", "Mia Moss", role::manager, "acme-eu", user_status::active, true,
     "manager: only superadmins impersonate her"},
    {"ines", "Ines Idle", role::learner, "acme-eu", user_status::inactive, true,
     "inactive: refused as a target"},
    {"pete", "Pete Pending", role::learner, "acme-eu", user_status::pending, true,
     "registration pending: refused as a target"},
    {"noel", "Noel North", role::learner, "acme-eu", user_status::active, false,
     "has not accepted the terms: refused (consent)"},
    {"gary", "Gary Globe", role::superadmin, "globex", user_status::active, true,
     "top admin of globex, where impersonation is off"},
    {"gwen", "Gwen Green", role::learner, "globex", user_status::active, true, "learner of globex"},
    {"sam", "Sam Support", role::support, "", user_status::active, true,
     "vendor support: asks acme or globex for access"},
};

std::string role_label(const person& p) {
  std::string label(domain::to_string(p.r));
  if (p.status != user_status::active) label += " (" + std::string(domain::to_string(p.status)) + ")";
  if (!p.terms) label += " (no terms)";
  return label;
}

} // namespace

demo_data make_demo_data() {
  demo_data d;
  d.realms = {{"acme", "Acme Corporation", "acme"}, {"globex", "Globex", "globex"}};
  d.portals = {{"acme", "acme", std::nullopt, "Acme"},
               {"acme-eu", "acme", "acme", "Acme Europe"},
               {"acme-us", "acme", "acme", "Acme US"},
               {"globex", "globex", std::nullopt, "Globex"}};
  std::map<domain::id, domain::id> realm_of;
  for (const auto& p : d.portals) realm_of[p.portal_id] = p.realm_id;

  for (const auto& p : people) {
    domain::user u;
    u.user_id = p.id;
    u.username = p.id;
    u.display_name = p.name;
    u.user_role = p.r;
    u.status = p.status;
    if (*p.home) {
      u.home_portal = p.home;
      u.realm_id = realm_of.at(p.home);
    }
    u.accepted = {p.terms, true};
    if (p.r == role::admin || p.r == role::superadmin) u.admin_portals = {p.home};
    d.users.push_back(std::move(u));
  }
  auto& pia = *std::find_if(d.users.begin(), d.users.end(), [](const auto& u) { return u.user_id == "pia"; });
  pia.assigned_users = {"ann"};

  domain::settings_patch on;
  on.impersonation.enabled = true;
  d.settings = {{"acme", on}};
  return d;
}

std::vector<demo_login> demo_logins() {
  std::vector<demo_login> out;
  for (const auto& p : people) out.push_back({p.id, p.name, role_label(p), *p.home ? p.home : "-", p.note});
  return out;
}

seed_result seed_demo(store::database& db, domain::timestamp now) {
  seed_result result{false, demo_logins()};
  if (db.meta(demo_seeded_key)) return result;

  // Hash before taking the write lock: Argon2id is deliberately slow. One hash (own salt) per user.
  const auto data = make_demo_data();
  std::vector<std::string> hashes;
  for (std::size_t i = 0; i < data.users.size(); ++i) hashes.push_back(crypto::hash_password(demo_password));

  auto& conn = db.conn();
  conn.begin_write();
  try {
    // SQLite's BEGIN IMMEDIATE already excludes other writers; PostgreSQL needs a lock that two seeding
    // nodes both ask for (SHARE ROW EXCLUSIVE conflicts with itself).
    if (db.kind() == store::engine::postgresql) conn.exec("LOCK TABLE meta IN SHARE ROW EXCLUSIVE MODE");
    if (db.meta(demo_seeded_key)) {  // another process won the race
      conn.rollback_quietly();
      return result;
    }
    auto heads = db.chain_heads();
    const domain::hash_function sha256 = [](std::string_view bytes) { return crypto::sha256_hex(bytes); };
    store::transaction tx(db, heads, sha256);
    for (const auto& r : data.realms) tx.put_realm(r);
    for (const auto& p : data.portals) tx.put_portal(p);
    for (std::size_t i = 0; i < data.users.size(); ++i) {
      tx.put_user(data.users[i]);
      tx.put_password(data.users[i].user_id, hashes[i]);
    }
    for (const auto& [portal, patch] : data.settings) tx.put_settings(portal, patch);
    tx.set_meta(demo_seeded_key, domain::format_utc(now));

    domain::audit_event e;
    e.chain = std::string(domain::system_chain);
    e.at = now;
    e.event = "demo.seed";
    e.result = domain::outcome::done;
    e.detail_json = "{\"portals\":" + std::to_string(data.portals.size()) +
                    ",\"realms\":" + std::to_string(data.realms.size()) +
                    ",\"users\":" + std::to_string(data.users.size()) + "}";
    tx.append_audit(std::move(e));
    conn.commit();
  } catch (const std::exception& e) {
    conn.rollback_quietly();
    throw std::runtime_error("demo seed: writing to " + db.path() + " failed: " + e.what());
  }
  result.seeded_now = true;
  return result;
}

std::string format_logins(const std::vector<demo_login>& logins, const std::string& url) {
  std::size_t w_user = 8, w_name = 4, w_role = 4, w_portal = 6;
  for (const auto& l : logins) {
    w_user = std::max(w_user, l.username.size());
    w_name = std::max(w_name, l.display_name.size());
    w_role = std::max(w_role, l.role.size());
    w_portal = std::max(w_portal, l.portal.size());
  }
  const auto pad = [](const std::string& s, std::size_t w) { return s + std::string(w - s.size() + 2, ' '); };
  std::string out = "Demo logins (every password is \"" + std::string(demo_password) + "\"):\n";
  out += "  " + pad("username", w_user) + pad("name", w_name) + pad("role", w_role) + pad("portal", w_portal) +
         pad("password", 8) + "try\n";
  for (const auto& l : logins)
    out += "  " + pad(l.username, w_user) + pad(l.display_name, w_name) + pad(l.role, w_role) +
           pad(l.portal, w_portal) + pad(demo_password, 8) + l.note + "\n";
  out += "Open " + url + "/\n";
  return out;
}

} // namespace actas::app
