// Free-text rules: reasons, messages and templates are checked in code points, strictly.
#include <gtest/gtest.h>

#include "domain/text.hpp"
#include "tests/domain/repeat.hpp"

namespace {

using namespace actas::domain;

using actas::testing::repeat;

TEST(utf8, accepts_well_formed_text) {
  for (const char* ok : {"", "plain", "caf\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC", "\xF0\x9F\x98\x80",
                         "\xF4\x8F\xBF\xBF" /* U+10FFFF */, "\xEF\xBB\xBF"})
    EXPECT_TRUE(is_valid_utf8(ok)) << ok;
}

TEST(utf8, refuses_ill_formed_text) {
  const std::string nul_overlong = "\xC0\x80";
  const std::vector<std::string> ill_formed{
    "\x80", "\xC3", "\xE6\x97", "\xF0\x9F\x98", "ok\xC3(",                      // stray or truncated
    nul_overlong, "\xC1\xBF", "\xE0\x80\xAF", "\xF0\x80\x80\xAF",                  // overlong
    "\xED\xA0\x80", "\xED\xBF\xBF",                                              // surrogates
    "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\xFF"};                          // above U+10FFFF
  for (const std::string& bad : ill_formed)
    EXPECT_FALSE(is_valid_utf8(bad));
}

TEST(utf8, counts_code_points_not_bytes) {
  EXPECT_EQ(code_points(""), 0u);
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points(repeat("\xC3\xA9", 10)), 10u);
  EXPECT_EQ(code_points(repeat("\xE6\x97\xA5", 10)), 10u);
  EXPECT_EQ(code_points(repeat("\xF0\x9F\x98\x80", 10)), 10u);
}

TEST(control, every_class_is_found) {
  const std::string nul(1, '\0');
  for (const std::string& bad : {nul, std::string{"a\tb"}, std::string{"a\nb"}, std::string{"\r"},
                                 std::string{"\x1F"}, std::string{"\x7F"}, std::string{"\xC2\x80"},
                                 std::string{"x\xC2\x9F"}})
    EXPECT_TRUE(has_control_character(bad));
  for (const char* fine : {"plain text", "\xC2\xA0", "\xC2\xA0x", "\xE2\x80\x83", "caf\xC3\xA9"})
    EXPECT_FALSE(has_control_character(fine)) << fine;
}

TEST(trim, removes_ascii_and_unicode_spaces_only) {
  EXPECT_EQ(trim("  a b  "), "a b");
  EXPECT_EQ(trim("\xC2\xA0" "a" "\xE3\x80\x80"), "a");  // NBSP, ideographic space
  EXPECT_EQ(trim("\xE2\x80\x80\xE2\x80\x8A" "a" "\xE2\x80\xAF\xE2\x81\x9F\xE1\x9A\x80"), "a");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("\xE2\x80\x8B" "a"), "\xE2\x80\x8B" "a");  // U+200B zero width space is not Zs
  EXPECT_EQ(trim("\xC3\xA9"), "\xC3\xA9");
}

TEST(accept_text, counts_after_trimming) {
  EXPECT_EQ(accept_text("  0123456789  ", 10, 500), "0123456789");
  EXPECT_FALSE(accept_text("  012345678  ", 10, 500));
  EXPECT_FALSE(accept_text(repeat(" ", 20), 1, 500));
  EXPECT_EQ(accept_text("", 0, 5), "");
}

TEST(accept_text, boundaries_in_code_points) {
  for (const std::string unit : {"a", "\xC3\xA9", "\xE6\x97\xA5", "\xF0\x9F\x98\x80"}) {
    EXPECT_FALSE(accept_text(repeat(unit, 9), 10, 500)) << unit;
    EXPECT_EQ(accept_text(repeat(unit, 10), 10, 500), repeat(unit, 10)) << unit;
    EXPECT_TRUE(accept_text(repeat(unit, 500), 10, 500)) << unit;
    EXPECT_FALSE(accept_text(repeat(unit, 501), 10, 500)) << unit;
  }
}

TEST(accept_text, refuses_control_characters_and_bad_utf8) {
  const std::string base = "a long enough reason";
  for (const std::string& ctl : {std::string(1, '\0'), std::string{"\t"}, std::string{"\n"},
                                 std::string{"\x1F"}, std::string{"\x7F"}, std::string{"\xC2\x80"},
                                 std::string{"\xC2\x9F"}}) {
    EXPECT_FALSE(accept_text(base + ctl, 10, 500));
    EXPECT_FALSE(accept_text(ctl + base, 10, 500));  // also where trimming would otherwise drop it
  }
  EXPECT_FALSE(accept_text(base + "\xC3", 10, 500));
  EXPECT_FALSE(accept_text(base + "\xED\xA0\x80", 10, 500));
}

TEST(accept_text, refuses_invisible_formatting_characters) {
  // SPEC §1 and §2 rule 12: bidi controls U+202A–202E and U+2066–2069, zero-width U+200B–200F, U+2060 and
  // U+FEFF make what one person reads differ from what the other wrote (issue 12: they passed).
  const std::string base = "a long enough reason";
  for (const std::string& hidden :
       {std::string{"\xE2\x80\xAA"}, std::string{"\xE2\x80\xAE"}, std::string{"\xE2\x81\xA6"},
        std::string{"\xE2\x81\xA9"}, std::string{"\xE2\x80\x8B"}, std::string{"\xE2\x80\x8F"},
        std::string{"\xE2\x81\xA0"}, std::string{"\xEF\xBB\xBF"}}) {
    EXPECT_TRUE(has_invisible_formatting(hidden));
    EXPECT_FALSE(accept_text(base + hidden, 10, 500));
    EXPECT_FALSE(accept_text(hidden + base, 10, 500));
    EXPECT_FALSE(accept_text("a" + hidden + "b", 1, 500));
  }
  // Their visible neighbours stay allowed: U+2010 hyphen, U+202F and U+200A spaces, U+2070 superscript 0.
  for (const std::string& visible : {std::string{"\xE2\x80\x90"}, std::string{"\xE2\x80\xAF"},
                                     std::string{"\xE2\x80\x8A"}, std::string{"\xE2\x81\xB0"}})
    EXPECT_TRUE(accept_text("a" + visible + "b", 1, 500)) << visible;
}

} // namespace

namespace {

using actas::domain::truncate_code_points;

TEST(truncate_code_points, keeps_short_text_and_cuts_long_text_between_characters) {
  EXPECT_EQ(truncate_code_points("abc", 5), "abc");
  EXPECT_EQ(truncate_code_points("abc", 3, "…"), "abc");
  EXPECT_EQ(truncate_code_points("abcdef", 3, "…"), "abc…");
  // "é" is two bytes, "€" three, "😀" four: a cut counts characters, never bytes.
  EXPECT_EQ(truncate_code_points("é€😀x", 3), "é€😀");
  EXPECT_EQ(truncate_code_points("é€😀x", 2, "…"), "é€…");
  EXPECT_EQ(truncate_code_points("😀😀", 1), "😀");
  EXPECT_EQ(truncate_code_points("abc", 0, "…"), "…");
  EXPECT_EQ(truncate_code_points("", 0, "…"), "");
}

TEST(truncate_code_points, always_answers_well_formed_utf8) {
  const std::string fffd = "\xEF\xBF\xBD";
  // A lone byte, a truncated sequence, an overlong form and a surrogate: each bad byte becomes U+FFFD.
  EXPECT_EQ(truncate_code_points("/\xff", 10), "/" + fffd);
  EXPECT_EQ(truncate_code_points("a\xE2\x82", 10), "a" + fffd + fffd);
  EXPECT_EQ(truncate_code_points("\xC0\xAF", 10), fffd + fffd);
  EXPECT_EQ(truncate_code_points("\xED\xA0\x80", 1, "…"), fffd + "…");
  // Cutting what was a 64-byte prefix in the middle of "é" no longer splits it.
  const std::string name = std::string(63, 'a') + "é";
  EXPECT_EQ(truncate_code_points(name, 64), name);
  for (const std::string& s : {std::string("\xff\xfe\xfd"), std::string("x\xC3"), name + "\xF0\x9F"})
    for (std::size_t n = 0; n < 70; ++n)
      EXPECT_TRUE(actas::domain::is_valid_utf8(truncate_code_points(s, n, "…"))) << n;
}

} // namespace
