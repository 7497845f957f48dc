// SPEC §10 "a route that is not in it does not exist": docs/openapi.json (as embedded in the binary) against
// the router and the error codes. Whether the document is valid OpenAPI 3.1, and whether the answers the net
// suites receive fit its schemas, is tests/openapi/validate.mjs's to check.
#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "net/errors.hpp"
#include "net/handlers.hpp"
#include "server_fixture.hpp"

namespace actas::testing {
namespace {

using route_key = net::router::route_key;

json document() { return json::parse(net::openapi_document()); }

/// The operations a path item names (OpenAPI 3.1 §4.8.9), as the router spells methods.
std::set<route_key> documented_operations(const json& doc) {
  static const std::vector<std::string> methods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  std::set<route_key> out;
  for (const auto& [path, item] : doc.at("paths").items())
    for (const auto& m : methods)
      if (item.contains(m)) {
        std::string upper = m;
        for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        out.insert({upper, path});
      }
  return out;
}

std::string listed(const std::set<route_key>& routes) {
  std::ostringstream s;
  for (const auto& r : routes) s << "\n  " << r.method << ' ' << r.pattern;
  return s.str();
}

TEST(openapi_document_test, documents_every_route_the_router_knows_and_nothing_else) {
  std::set<route_key> known;
  for (auto& r : net::api_routes().routes()) known.insert(r);
  const auto documented = documented_operations(document());

  std::set<route_key> undocumented, unknown;
  for (const auto& r : known)
    if (!documented.contains(r)) undocumented.insert(r);
  for (const auto& r : documented)
    if (!known.contains(r)) unknown.insert(r);
  EXPECT_TRUE(undocumented.empty()) << "routes missing from docs/openapi.json:" << listed(undocumented);
  EXPECT_TRUE(unknown.empty()) << "documented but no route answers them:" << listed(unknown);
  EXPECT_GE(known.size(), 30u);  // the whole API, not an empty table compared with an empty document
}

TEST(openapi_document_test, every_path_parameter_is_declared_by_each_of_its_operations) {
  const auto doc = document();
  for (const auto& [path, item] : doc.at("paths").items()) {
    std::set<std::string> in_path;
    for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1))
      in_path.insert(path.substr(open + 1, path.find('}', open) - open - 1));
    for (const auto& [method, operation] : item.items()) {
      std::set<std::string> declared;
      for (const auto& p : operation.value("parameters", json::array()))
        if (p.value("in", "") == "path") declared.insert(p.at("name").get<std::string>());
      EXPECT_EQ(declared, in_path) << method << ' ' << path;
    }
  }
}

TEST(openapi_document_test, names_every_error_code_under_the_status_it_is_answered_with) {
  const auto schemas = document().at("components").at("schemas");
  int checked = 0;
  for (int i = 0;; ++i) {
    const auto code = static_cast<domain::errc>(i);
    const auto name = std::string(domain::to_string(code));
    if (name == "unknown") break;  // past the last enumerator
    const auto status = net::http_status(code);
    const auto schema = "error_" + std::to_string(status);
    ASSERT_TRUE(schemas.contains(schema)) << name << " is answered " << status << " but " << schema << " is missing";
    const auto& codes = schemas[schema]["properties"]["error"]["properties"]["code"]["enum"];
    EXPECT_TRUE(std::find(codes.begin(), codes.end(), name) != codes.end()) << name << " is missing from " << schema;
    ++checked;
  }
  EXPECT_GE(checked, 28);
}

using openapi_served_test = server_fixture;

TEST_F(openapi_served_test, get_v1_openapi_json_answers_the_embedded_document_to_anyone) {
  auto r = get("/v1/openapi.json");
  EXPECT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.text, net::openapi_document());
  EXPECT_EQ(r.body.value("openapi", ""), "3.1.0");
}

} // namespace
} // namespace actas::testing
