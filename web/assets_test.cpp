/// actas::web::find: the embedded console (web/CMakeLists.txt). To build it, tests/ adds
///   actas_test(web_test ${PROJECT_SOURCE_DIR}/web/assets_test.cpp)
///   target_link_libraries(web_test PRIVATE actas_web)
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "web/assets.hpp"

namespace {

using actas::web::find;

TEST(web_assets, root_is_index_html) {
  const auto* root = find("/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root, find("/index.html"));
  EXPECT_EQ(root->content_type, "text/html; charset=utf-8");
  EXPECT_NE(root->body.find("<!doctype html>"), std::string_view::npos);
}

TEST(web_assets, scripts_and_styles_have_their_types) {
  const auto* js = find("/assets/app.js");
  ASSERT_NE(js, nullptr);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  const auto* css = find("/assets/app.css");
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
}

TEST(web_assets, etags_are_strong_quoted_and_differ_per_file) {
  std::set<std::string> seen;
  for (const char* path : {"/", "/assets/app.js", "/assets/app.css", "/assets/api.js"}) {
    const auto* a = find(path);
    ASSERT_NE(a, nullptr) << path;
    ASSERT_EQ(a->etag.size(), 34u) << path;
    EXPECT_EQ(a->etag.front(), '"');
    EXPECT_EQ(a->etag.back(), '"');
    EXPECT_FALSE(a->etag.starts_with("W/"));
    seen.emplace(a->etag);
  }
  EXPECT_EQ(seen.size(), 4u);
}

TEST(web_assets, unknown_and_escaping_paths_are_not_found) {
  EXPECT_EQ(find(""), nullptr);
  EXPECT_EQ(find("/assets/"), nullptr);
  EXPECT_EQ(find("/assets/../index.html"), nullptr);
  EXPECT_EQ(find("/assets/app.js?v=1"), nullptr);
  EXPECT_EQ(find("/v1/me"), nullptr);
  EXPECT_EQ(find("index.html"), nullptr);
}

} // namespace
