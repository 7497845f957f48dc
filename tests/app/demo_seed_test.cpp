#include "app/demo_seed.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "crypto/crypto.hpp"
#include "domain/audit.hpp"
#include "store/database.hpp"
#include "store/writer.hpp"

namespace fs = std::filesystem;
using namespace actas;
using domain::role;
using domain::user_status;

namespace {

const domain::timestamp t0 = domain::from_micros(1'790'000'000'000'000);

class demo_seed_test : public ::testing::Test {
protected:
  void SetUp() override {
    crypto::init();
    std::string tmpl = (fs::temp_directory_path() / "actas_seed_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "actas.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::map<std::string, domain::user> users(store::database& db) {
    std::map<std::string, domain::user> out;
    for (auto& u : db.load_snapshot(t0).users) out[u.user_id] = u;
    return out;
  }

  fs::path dir_;
  std::string path_;
};

struct expected_user {
  role r;
  std::optional<std::string> home, realm;
  user_status status = user_status::active;
  bool terms = true;
};

const std::map<std::string, expected_user> expected{
    {"root", {role::sysadmin, std::nullopt, std::nullopt}},
    {"sara", {role::superadmin, "acme", "acme"}},
    {"adam", {role::admin, "acme-eu", "acme"}},
    {"pia", {role::power_user, "acme", "acme"}},
    {"ann", {role::learner, "acme-eu", "acme"}},
    {"bob", {role::learner, "acme-us", "acme"}},
    {"ivan", {role::instructor, "acme-eu", "acme"}},
    {"mia", {role::manager, "acme-eu", "acme"}},
    {"ines", {role::learner, "acme-eu", "acme", user_status::inactive}},
    {"pete", {role::learner, "acme-eu", "acme", user_status::pending}},
    {"noel", {role::learner, "acme-eu", "acme", user_status::active, false}},
    {"gary", {role::superadmin, "globex", "globex"}},
    {"gwen", {role::learner, "globex", "globex"}},
    {"sam", {role::support, std::nullopt, std::nullopt}},
};

TEST_F(demo_seed_test, seeds_realms_portals_users_and_settings) {
  store::database db(path_);
  const auto result = app::seed_demo(db, t0);
  EXPECT_TRUE(result.seeded_now);
  EXPECT_EQ(result.logins.size(), expected.size());

  const auto snap = db.load_snapshot(t0);
  ASSERT_EQ(snap.realms.size(), 2u);
  std::map<std::string, domain::portal> portals;
  for (const auto& p : snap.portals) portals[p.portal_id] = p;
  ASSERT_EQ(portals.size(), 4u);
  EXPECT_EQ(portals.at("acme").parent, std::nullopt);
  EXPECT_EQ(portals.at("acme-eu").parent, "acme");
  EXPECT_EQ(portals.at("acme-us").parent, "acme");
  EXPECT_EQ(portals.at("globex").realm_id, "globex");

  // Impersonation on for acme (on its top-level portal), no override at all for globex.
  ASSERT_TRUE(snap.settings.count("acme"));
  EXPECT_EQ(snap.settings.at("acme").impersonation.enabled, true);
  EXPECT_TRUE(!snap.settings.count("globex") || snap.settings.at("globex").empty());

  const auto all = users(db);
  ASSERT_EQ(all.size(), expected.size());
  for (const auto& [id, want] : expected) {
    SCOPED_TRACE(id);
    const auto& u = all.at(id);
    EXPECT_EQ(u.username, id);
    EXPECT_FALSE(u.display_name.empty());
    EXPECT_EQ(u.user_role, want.r);
    EXPECT_EQ(u.home_portal, want.home);
    EXPECT_EQ(u.realm_id, want.realm);
    EXPECT_EQ(u.status, want.status);
    EXPECT_EQ(u.accepted.terms, want.terms);
    EXPECT_TRUE(u.accepted.privacy);
    EXPECT_FALSE(u.is_temporary());
  }
  EXPECT_EQ(all.at("ann").display_name, "Ann Lee");
  EXPECT_EQ(all.at("adam").admin_portals, std::vector<std::string>{"acme-eu"});
  EXPECT_EQ(all.at("pia").assigned_users, std::vector<std::string>{"ann"});
  EXPECT_TRUE(all.at("pia").assigned_portals.empty());

  EXPECT_TRUE(db.meta(app::demo_seeded_key).has_value());
}

TEST_F(demo_seed_test, every_password_is_demo_with_its_own_salt) {
  store::database db(path_);
  app::seed_demo(db, t0);
  std::set<std::string> hashes;
  for (const auto& [id, want] : expected) {
    const auto hash = db.password_hash(id);
    ASSERT_TRUE(hash) << id;
    EXPECT_TRUE(crypto::verify_password("demo", *hash)) << id;
    EXPECT_FALSE(crypto::verify_password("Demo", *hash)) << id;
    hashes.insert(*hash);
  }
  EXPECT_EQ(hashes.size(), expected.size());
}

TEST_F(demo_seed_test, seed_is_one_event_on_the_system_chain) {
  store::database db(path_);
  app::seed_demo(db, t0);
  const auto chain = db.audit_chain(std::string(domain::system_chain));
  ASSERT_EQ(chain.size(), 1u);
  EXPECT_EQ(chain[0].event, "demo.seed");
  EXPECT_EQ(chain[0].seq, 1);
  EXPECT_EQ(chain[0].at, t0);
  const auto verdict = domain::verify_chain(chain, [](std::string_view b) { return crypto::sha256_hex(b); });
  EXPECT_TRUE(verdict.ok) << verdict.problem;
}

TEST_F(demo_seed_test, second_start_keeps_existing_data) {
  {
    store::database db(path_);
    ASSERT_TRUE(app::seed_demo(db, t0).seeded_now);
  }
  // Someone renames ann and deactivates bob between two starts.
  auto renamed = [&] {
    store::database db(path_);
    return users(db);
  }();
  renamed.at("ann").display_name = "Ann Lee-Smith";
  renamed.at("bob").status = user_status::inactive;
  auto writer = store::make_inline_writer(path_);
  bool committed = false;
  writer->submit(
      [&](store::transaction& tx) {
        tx.put_user(renamed.at("ann"));
        tx.put_user(renamed.at("bob"));
      },
      [&](bool ok) { committed = ok; });
  writer->stop();
  ASSERT_TRUE(committed);

  store::database db(path_);
  const auto ann_hash = db.password_hash("ann");
  const auto again = app::seed_demo(db, t0 + std::chrono::hours(1));
  EXPECT_FALSE(again.seeded_now);
  EXPECT_EQ(again.logins.size(), expected.size());
  const auto all = users(db);
  EXPECT_EQ(all.at("ann").display_name, "Ann Lee-Smith");
  EXPECT_EQ(all.at("bob").status, user_status::inactive);
  EXPECT_EQ(db.password_hash("ann"), ann_hash);
  EXPECT_EQ(db.meta(app::demo_seeded_key), domain::format_utc(t0));
  EXPECT_EQ(db.audit_chain(std::string(domain::system_chain)).size(), 1u);
}

TEST(demo_data_test, users_live_in_portals_of_their_realm) {
  const auto d = app::make_demo_data();
  std::map<std::string, std::string> realm_of;
  for (const auto& p : d.portals) realm_of[p.portal_id] = p.realm_id;
  for (const auto& r : d.realms) EXPECT_EQ(realm_of.at(r.top_portal), r.realm_id);
  for (const auto& u : d.users) {
    SCOPED_TRACE(u.user_id);
    if (domain::is_realmless(u.user_role)) {
      EXPECT_FALSE(u.home_portal);
      continue;
    }
    ASSERT_TRUE(u.home_portal);
    EXPECT_EQ(realm_of.at(*u.home_portal), u.realm_id);
    for (const auto& p : u.admin_portals) EXPECT_EQ(realm_of.at(p), u.realm_id);
  }
}

TEST(demo_data_test, logins_table_names_everyone_and_the_url) {
  const auto text = app::format_logins(app::demo_logins(), "http://127.0.0.1:8080");
  for (const auto& [id, want] : expected) EXPECT_NE(text.find("\n  " + id + " "), std::string::npos) << id;
  EXPECT_NE(text.find("learner (inactive)"), std::string::npos);
  EXPECT_NE(text.find("learner (no terms)"), std::string::npos);
  EXPECT_NE(text.find("Open http://127.0.0.1:8080/"), std::string::npos);
}

} // namespace
