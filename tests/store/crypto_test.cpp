#include "crypto/crypto.hpp"

#include <set>

#include <gtest/gtest.h>

namespace actas::crypto {
namespace {

class crypto_test : public ::testing::Test {
protected:
  void SetUp() override { init(); }
};

TEST_F(crypto_test, sha256_matches_the_fips_vectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_F(crypto_test, token_hash_is_the_sha256_of_the_token_text) {
  EXPECT_EQ(token_hash("abc"), sha256_hex("abc"));
}

TEST_F(crypto_test, tokens_are_43_url_safe_characters_and_never_repeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto t = random_token();
    ASSERT_EQ(t.size(), 43u) << t;
    EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
      << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST_F(crypto_test, ids_are_the_prefix_and_32_hex_digits) {
  auto a = random_id("ses_");
  auto b = random_id("ses_");
  ASSERT_EQ(a.size(), 4u + 32u);
  EXPECT_EQ(a.substr(0, 4), "ses_");
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef", 4), std::string::npos) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(random_id("").size(), 32u);
}

TEST_F(crypto_test, a_password_verifies_against_its_own_hash_only) {
  auto hash = hash_password("correct horse battery staple");
  EXPECT_NE(hash.find("argon2id"), std::string::npos) << hash;
  EXPECT_EQ(hash.find("correct horse"), std::string::npos);
  EXPECT_TRUE(verify_password("correct horse battery staple", hash));
  EXPECT_FALSE(verify_password("correct horse battery stapl", hash));
  EXPECT_FALSE(verify_password("", hash));
  EXPECT_FALSE(verify_password("correct horse battery staple", "not a hash"));
  EXPECT_FALSE(verify_password("correct horse battery staple", ""));
  // Two hashes of one password differ (random salt) and both verify.
  auto again = hash_password("correct horse battery staple");
  EXPECT_NE(again, hash);
  EXPECT_TRUE(verify_password("correct horse battery staple", again));
}

TEST_F(crypto_test, constant_time_equality_is_plain_equality) {
  EXPECT_TRUE(equal_constant_time("service-key", "service-key"));
  EXPECT_TRUE(equal_constant_time("", ""));
  EXPECT_FALSE(equal_constant_time("service-key", "service-kez"));
  EXPECT_FALSE(equal_constant_time("service-key", "service-key-longer"));
  EXPECT_FALSE(equal_constant_time("", "x"));
}

} // namespace
} // namespace actas::crypto
