// The live dashboard in virtual time: snapshot then live rows within scope, learners refused, many tabs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/actors/virtual_runtime.hpp"
#include "tests/actors/world.hpp"

namespace actas::test {
namespace {

using ::testing::ElementsAre;

/// The dashboard frames of a tab (which also carries its user's notifications and banners).
std::vector<std::string> board(const event_log& log) {
  std::vector<std::string> out;
  for (auto& k : kinds(log))
    if (k.starts_with("upsert:") || k.starts_with("remove:") || k.starts_with("error:"))
      out.push_back(k);
  return out;
}

struct dashboard_test : registry_fixture {
};

TEST_F(dashboard_test, admins_see_sessions_in_their_scope_live_and_learners_get_an_error) {
  auto adam = rt->token_for("adam");
  auto earlier = rt->start(rt->token_for("alex"), "bob");  // acme-us, before anyone subscribed
  auto sara_board = rt->open_dashboard(rt->token_for("sara"));
  auto adam_board = rt->open_dashboard(adam);
  auto uma_board = rt->open_dashboard(rt->token_for("uma"));
  auto ann_board = rt->open_dashboard(rt->token_for("ann"));
  EXPECT_THAT(board(sara_board), ElementsAre("upsert:session"));  // the snapshot
  EXPECT_TRUE(board(adam_board).empty());
  EXPECT_THAT(board(uma_board), ElementsAre("upsert:session"));
  EXPECT_THAT(board(ann_board), ElementsAre("error:forbidden"));
  auto started = rt->start(adam, "ann");
  rt->end(rt->token_for("sara"), started.session.session_id);  // the kill switch
  EXPECT_THAT(board(sara_board), ElementsAre("upsert:session", "upsert:session", "remove:session"));
  EXPECT_THAT(board(adam_board), ElementsAre("upsert:session", "remove:session"));
  EXPECT_THAT(board(uma_board), ElementsAre("upsert:session"));  // acme-eu is not uma's
  EXPECT_THAT(board(ann_board), ElementsAre("error:forbidden"));
}

TEST_F(dashboard_test, requests_reach_superadmins_and_grants_the_admins_of_their_portal) {
  auto sara_board = rt->open_dashboard(rt->token_for("sara"));
  auto adam_board = rt->open_dashboard(rt->token_for("adam"));
  auto request = rt->ask<actors::request_reply>(
    actors::request_atom::value,
    actors::request_command{crypto::token_hash(rt->token_for("sam")), {"acme-eu"}, "Broken enrolments", "T-1", ""});
  auto granted = rt->ask<actors::grants_reply>(
    actors::grant_atom::value,
    actors::grant_command{crypto::token_hash(rt->token_for("sara")), request.request.request_id, {"acme-eu"}, std::nullopt, ""});
  ASSERT_FALSE(granted.refused.error);
  EXPECT_THAT(board(sara_board), ElementsAre("upsert:request", "remove:request", "upsert:grant"));
  EXPECT_THAT(board(adam_board), ElementsAre("upsert:grant"));
}

TEST_F(dashboard_test, a_portal_created_under_an_admins_portal_widens_the_open_dashboard) {
  auto adam = rt->token_for("adam");  // administers acme-eu
  auto adam_board = rt->open_dashboard(adam);
  const actors::caller_ref platform{"", true, "127.0.0.1"};
  auto portal = rt->ask<actors::portal_reply>(actors::portal_atom::value, platform,
                                              domain::new_portal{"acme-eu-lyon", "acme-eu", "Acme Lyon"});
  ASSERT_FALSE(portal.refused.error) << portal.refused.message;
  ASSERT_FALSE(rt->ask<actors::user_reply>(actors::create_atom::value, platform, new_learner("lea", "Lea", "acme-eu-lyon"))
                 .refused.error);
  // A session on a learner of the new portal, started by alex (acme): adam administers it too now.
  auto started = rt->start(rt->token_for("alex"), "lea");
  ASSERT_FALSE(started.error);
  EXPECT_THAT(board(adam_board), ElementsAre("upsert:session"));
  // A tab opened now sees it in its snapshot, as the open one does live.
  EXPECT_THAT(board(rt->open_dashboard(adam)), ElementsAre("upsert:session"));
}

TEST_F(dashboard_test, subscribing_twice_on_one_tab_changes_nothing) {
  auto sara = rt->token_for("sara");
  auto earlier = rt->start(rt->token_for("alex"), "bob");
  auto sara_board = rt->open_dashboard(sara);
  rt->subscribe_again(sara);
  rt->subscribe_again(sara);
  // Issue 12: each repeat added a subscriber (and sent the snapshot again): rows came three times.
  EXPECT_THAT(board(sara_board), ElementsAre("upsert:session"));
  rt->start(rt->token_for("adam"), "ann");
  EXPECT_THAT(board(sara_board), ElementsAre("upsert:session", "upsert:session"));
}

TEST_F(dashboard_test, a_demoted_admin_stops_receiving_rows) {
  auto sara = rt->token_for("sara");
  auto alex = rt->token_for("alex");
  auto earlier = rt->start(rt->token_for("adam"), "ann");
  auto alex_board = rt->open_dashboard(alex);
  EXPECT_THAT(board(alex_board), ElementsAre("upsert:session"));
  domain::user_patch demote;
  demote.user_role = domain::role::learner;
  demote.admin_portals = std::vector<domain::id>{};
  auto changed = rt->ask<actors::user_reply>(actors::update_atom::value,
                                             actors::caller_ref{crypto::token_hash(sara), false, ""}, std::string{"alex"}, demote);
  ASSERT_FALSE(changed.refused.error) << changed.refused.message;
  // The rows alex saw are taken away and the subscription ends; nothing new reaches the tab.
  EXPECT_THAT(board(alex_board), ElementsAre("upsert:session", "remove:session", "error:forbidden"));
  rt->start(rt->token_for("uma"), "bob");
  rt->end(sara, earlier.session.session_id);
  EXPECT_THAT(board(alex_board), ElementsAre("upsert:session", "remove:session", "error:forbidden"));
}

TEST_F(dashboard_test, a_thousand_tabs_each_get_every_change_exactly_once) {
  auto sara = rt->token_for("sara");
  std::vector<event_log> boards;
  for (int i = 0; i < 1000; ++i)
    boards.push_back(rt->open_dashboard(sara));
  auto started = rt->start(rt->token_for("adam"), "ann");
  rt->end(sara, started.session.session_id);
  for (const auto& tab : boards)
    ASSERT_THAT(board(tab), ElementsAre("upsert:session", "remove:session"));
}

} // namespace
} // namespace actas::test
