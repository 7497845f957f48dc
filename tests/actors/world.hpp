#pragma once
// A small realm written straight into a fresh database, for actor tests: acme (impersonation on) with
// acme-eu and acme-us; globex. Every password-less user is active with both consents unless noted.
#include <filesystem>
#include <string>

#include "crypto/crypto.hpp"
#include "domain/model.hpp"
#include "store/writer.hpp"
#include "tests/store/test_database.hpp"

namespace actas::test {

inline domain::user person(std::string id, domain::role r, std::optional<std::string> portal,
                           std::optional<std::string> realm) {
  domain::user u;
  u.user_id = id;
  u.username = id;
  u.display_name = id == "ann" ? "Ann Lee" : id;
  u.user_role = r;
  u.home_portal = std::move(portal);
  u.realm_id = std::move(realm);
  u.accepted = {true, true};
  return u;
}

inline void seed_world(store::writer& w) {
  using domain::role;
  w.submit(
    [](store::transaction& tx) {
      tx.put_realm({"acme", "Acme", "acme"});
      tx.put_portal({"acme", "acme", std::nullopt, "Acme"});
      tx.put_portal({"acme-eu", "acme", "acme", "Acme EU"});
      tx.put_portal({"acme-us", "acme", "acme", "Acme US"});
      tx.put_realm({"globex", "Globex", "globex"});
      tx.put_portal({"globex", "globex", std::nullopt, "Globex"});
      domain::settings_patch on;
      on.impersonation.enabled = true;
      tx.put_settings("acme", on);
      auto sara = person("sara", role::superadmin, "acme", "acme");
      auto adam = person("adam", role::admin, "acme-eu", "acme");
      adam.admin_portals = {"acme-eu"};
      auto alex = person("alex", role::admin, "acme", "acme");
      alex.admin_portals = {"acme"};
      auto uma = person("uma", role::admin, "acme-us", "acme");
      uma.admin_portals = {"acme-us"};
      auto root = person("root", role::sysadmin, std::nullopt, std::nullopt);
      auto sam = person("sam", role::support, std::nullopt, std::nullopt);
      for (const auto& u : {sara, adam, alex, uma, root, sam, person("ann", role::learner, "acme-eu", "acme"),
                            person("bob", role::learner, "acme-us", "acme"),
                            person("gwen", role::learner, "globex", "globex"),
                            person("gary", role::superadmin, "globex", "globex")})
        tx.put_user(u);
      // One password for everybody, hashed once: Argon2 is slow on purpose.
      static const std::string hash = crypto::hash_password("demo");
      for (const char* name : {"sara", "adam", "ann", "root"})
        tx.put_password(name, hash);
    },
    [](bool ok) {
      if (!ok)
        throw std::runtime_error("seeding the test world failed");
    });
}

/// A fresh folder under the system temp dir, removed at destruction.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    path = std::filesystem::temp_directory_path() /
           ("actas-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

} // namespace actas::test
