// Two creates of one user racing each other (issue 13, SPEC §6 "Concurrency"): ids and usernames are
// unique, so of two POST /v1/users naming the same id, or the same username, exactly one makes a user and
// the other is refused as in use. Before the create was decided in its transaction both were answered
// 201 and the second silently replaced the first (same id). Many rounds on one server.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <thread>

#include "tests/race/race_server.hpp"

namespace actas::testing {
namespace {

constexpr int create_rounds = 15;

json learner(const std::string& user_id, const std::string& username) {
  return {{"id", user_id}, {"username", username}, {"name", "New " + username}, {"role", "learner"}, {"portal", "acme-eu"}};
}

/// sara sends both bodies at once; their answers, in the order of `bodies`.
std::array<http_result, 2> create_both(std::uint16_t port, const std::string& sara, const std::array<json, 2>& bodies) {
  std::array<http_result, 2> answers;
  std::thread other([&] { answers[1] = http(port, "POST", "/v1/users", bodies[1].dump(), sara); });
  answers[0] = http(port, "POST", "/v1/users", bodies[0].dump(), sara);
  other.join();
  return answers;
}

/// The one answered 201 (its index), the other refused 400 naming the field in use; -1 otherwise.
int the_one_created(const std::array<http_result, 2>& answers, const std::string& field) {
  int made = -1;
  for (int i = 0; i < 2; ++i) {
    if (answers[i].status == 201) {
      if (made != -1)
        return -1;
      made = i;
    } else {
      EXPECT_EQ(answers[i].status, 400u) << answers[i].text;
      EXPECT_EQ(answers[i].body["error"]["code"], "invalid_request") << answers[i].text;
      EXPECT_EQ(answers[i].body["error"]["message"], field + ": is already in use") << answers[i].text;
    }
  }
  return made;
}

/// One server for all rounds; sara (a superadmin) creates.
class create_race_test : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_NE(d.port, 0) << d.server.err_text; }
  demo_server d;
  const std::string sara = login(d.port, "sara");
};

TEST_F(create_race_test, two_creates_of_one_id_make_one_user_and_refuse_the_other) {
  for (int round = 0; round < create_rounds; ++round) {
    const auto user_id = "twin-" + std::to_string(round);
    const std::array<json, 2> bodies{learner(user_id, user_id + "-a"), learner(user_id, user_id + "-b")};
    auto answers = create_both(d.port, sara, bodies);
    const int made = the_one_created(answers, "id");
    ASSERT_NE(made, -1) << "round " << round << ": " << answers[0].text << " / " << answers[1].text;
    // What was answered is what is stored, and audited once.
    const auto username = bodies[made]["username"].get<std::string>();
    EXPECT_EQ(file_query(d.db(), "SELECT username FROM users WHERE user_id = '" + user_id + "'"), username);
    EXPECT_EQ(file_query(d.db(), "SELECT count(*) FROM audit WHERE event = 'user.create' AND outcome = 'done' AND "
                                 "detail LIKE '%\"" + user_id + "\"%'"),
              "1")
      << "round " << round;
  }
}

TEST_F(create_race_test, two_creates_of_one_username_make_one_user_and_refuse_the_other) {
  for (int round = 0; round < create_rounds; ++round) {
    const auto username = "same-name-" + std::to_string(round);
    const std::array<json, 2> bodies{learner(username + "-1", username), learner(username + "-2", username)};
    auto answers = create_both(d.port, sara, bodies);
    const int made = the_one_created(answers, "username");
    ASSERT_NE(made, -1) << "round " << round << ": " << answers[0].text << " / " << answers[1].text;
    EXPECT_EQ(file_query(d.db(), "SELECT user_id FROM users WHERE username = '" + username + "'"),
              bodies[made]["id"].get<std::string>())
      << "round " << round;
  }
}

} // namespace
} // namespace actas::testing
