// An exception costs at most its own request (actors/guarded.hpp). CAF 0.17 ends an actor whose handler
// throws, and the registry's end takes every actor linked to it along: before the guard, one store read
// that failed left the node answering 503 to everything until it was restarted.
#include <gtest/gtest.h>

#include "tests/actors/virtual_runtime.hpp"
#include "tests/store/store_fixture.hpp"

namespace actas::test {
namespace {

using fault_isolation_test = registry_fixture;

TEST_F(fault_isolation_test, a_read_that_throws_costs_its_own_request_and_the_registry_goes_on) {
  const auto adam = rt->token_for("adam");
  const auto ann = rt->token_for("ann");
  auto started = rt->start(adam, "ann");  // a live session: its actor is linked to the registry
  ASSERT_FALSE(started.error);
  auto ann_tab = rt->open_tab(ann);
  ann_tab->clear();

  // The notifications cannot be read for a moment (a table gone: what a failed read looks like from here).
  testing::raw_db raw{db};
  ASSERT_EQ(raw.exec("ALTER TABLE notifications RENAME TO notifications_away"), std::nullopt);
  try {
    rt->ask<actors::inbox_reply>(actors::inbox_atom::value, crypto::token_hash(ann), false, 10);
    ADD_FAILURE() << "an inbox read against a missing table was answered";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("runtime_error"), std::string::npos) << e.what();
  }
  ASSERT_EQ(raw.exec("ALTER TABLE notifications_away RENAME TO notifications"), std::nullopt);

  // Everything else is as it was: tokens, the running session, the tab, and the read itself once it can be.
  EXPECT_FALSE(rt->auth(adam).error);
  auto inbox = rt->ask<actors::inbox_reply>(actors::inbox_atom::value, crypto::token_hash(ann), false, 10);
  ASSERT_FALSE(inbox.error);
  EXPECT_EQ(inbox.unread, 1);  // impersonation_started
  auto ended = rt->end(adam, started.session.session_id);
  ASSERT_FALSE(ended.error);
  EXPECT_EQ(kinds(ann_tab), (std::vector<std::string>{"clear:being_viewed", "notification:impersonation_ended"}));
  EXPECT_FALSE(rt->start(adam, "ann").error);
}

} // namespace
} // namespace actas::test
