// The audit log outside the server (SPEC §10, issue 15 item 7), on the real binary: a story's chain is
// exported and verifies offline with its signed head; a row whose reason is edited in the database is
// named by its seq; five rows cut from the end (with the head row moved back, as whoever can write the
// file would) are caught against a head saved before; a GET /v1/audit/verify answer carries a head whose
// signature checks with the node's public key.
#include <gtest/gtest.h>

#include <signal.h>
#include <sqlite3.h>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/crypto.hpp"
#include "crypto/signing.hpp"
#include "domain/audit_export.hpp"
#include "codec/audit_head_json.hpp"
#include "tests/net/client.hpp"
#include "tests/net/demo_login.hpp"
#include "tests/net/process.hpp"
#include "tests/store/temp_dir.hpp"

namespace actas::testing {
namespace {

namespace fs = std::filesystem;
const std::string seed = "9f1c3b7a5e2d4c6b8a0f1e3d5c7b9a2f4e6d8c0b1a3f5e7d9c2b4a6f8e0d1c3b";

/// Runs the binary to its end; {exit code, stdout, stderr}.
struct ran {
  int code = -1;
  std::string out, err;
};
ran actas_run(const std::vector<std::string>& args) {
  process p(args);
  const auto status = p.wait_exit();
  return {status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, p.out_text, p.err_text};
}

void sql(const fs::path& db, const std::string& statements) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(h, statements.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(h);
}

class audit_cli_test : public ::testing::Test {
protected:
  void SetUp() override {
    crypto::init();
    std::ofstream(dir_.path() / "sign.key") << seed << "\n";
    std::ofstream(config_) << "data = \"data\"\naudit_signing_key_file = \"sign.key\"\n";
    // A story: adam logs in as ann and back, four times: eight events on chain acme.
    process actas({"--demo", "--config", config_.string(), "--listen", "127.0.0.1:0"});
    const auto port = listening_port(actas);
    ASSERT_TRUE(port) << actas.err_text;
    const auto adam = login(*port, "adam");
    for (int i = 0; i < 4; ++i) {
      auto s = http(*port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(), adam);
      ASSERT_EQ(s.status, 201u) << s.text;
      auto e = http(*port, "POST", "/v1/impersonations/" + s.body["session"].value("id", "") + "/end", "{}", adam);
      ASSERT_EQ(e.status, 200u) << e.text;
    }
    auto v = http(*port, "GET", "/v1/audit/verify?chain=acme", {}, login(*port, "sara"));
    ASSERT_EQ(v.status, 200u) << v.text;
    verify_answer_ = v.body;
    actas.signal(SIGTERM);
    ASSERT_TRUE(actas.wait_exit());
    public_key_ = crypto::signing_key::from_seed_hex(seed)->public_key_hex();
  }

  ran export_to(const fs::path& file) {
    auto r = actas_run({"audit", "export", "--chain", "acme", "--config", config_.string()});
    std::ofstream(file) << r.out;
    return r;
  }
  ran verify(const fs::path& file, const std::vector<std::string>& more = {}) {
    std::vector<std::string> args{"audit", "verify", file.string(), "--public-key", public_key_};
    args.insert(args.end(), more.begin(), more.end());
    return actas_run(args);
  }

  temp_dir dir_;
  fs::path config_ = dir_.path() / "actas.toml";
  fs::path db_ = dir_.path() / "data" / "actas.db";
  json verify_answer_;
  std::string public_key_;
};

TEST_F(audit_cli_test, an_export_verifies_offline_with_its_signed_head) {
  const auto file = dir_.path() / "acme.jsonl";
  const auto exported = export_to(file);
  ASSERT_EQ(exported.code, 0) << exported.err;
  const auto v = verify(file);
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("ok: chain acme, "), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("signed head valid"), std::string::npos) << v.out;
  // Another key does not vouch for it.
  const auto other = crypto::signing_key::from_seed_hex(std::string(64, 'a'))->public_key_hex();
  const auto forged = actas_run({"audit", "verify", file.string(), "--public-key", other});
  EXPECT_EQ(forged.code, 1) << forged.out;
  EXPECT_NE(forged.out.find("signature is not valid"), std::string::npos) << forged.out;
}

TEST_F(audit_cli_test, the_verify_answer_carries_a_head_signed_by_the_nodes_key) {
  const auto head = codec::decode_signed_head(verify_answer_);
  ASSERT_TRUE(head) << verify_answer_.dump();
  EXPECT_EQ(head->chain, "acme");
  EXPECT_EQ(head->seq, verify_answer_["events"].get<std::int64_t>());
  EXPECT_EQ(head->hash, verify_answer_["head"]);
  EXPECT_EQ(head->key_id, crypto::signing_key::from_seed_hex(seed)->key_id());
  EXPECT_TRUE(crypto::verify_signature_hex(public_key_, domain::head_message(head->chain, head->seq, head->hash, head->at),
                                           head->signature));
  EXPECT_FALSE(crypto::verify_signature_hex(public_key_, domain::head_message(head->chain, head->seq + 1, head->hash, head->at),
                                            head->signature));
}

TEST_F(audit_cli_test, a_reason_edited_in_the_database_is_named_by_its_seq) {
  // Whoever can write the file can drop the append-only triggers too.
  sql(db_, "DROP TRIGGER audit_no_update; UPDATE audit SET reason = 'nothing to see' WHERE chain = 'acme' AND seq = 3;");
  const auto file = dir_.path() / "edited.jsonl";
  const auto exported = export_to(file);
  EXPECT_EQ(exported.code, 1) << "the database's own check fails: no signed head";
  EXPECT_NE(exported.err.find("seq 3"), std::string::npos) << exported.err;
  const auto v = verify(file);
  EXPECT_EQ(v.code, 1) << v.out;
  EXPECT_NE(v.out.find("seq 3: its hash does not match its content"), std::string::npos) << v.out;
}

TEST_F(audit_cli_test, five_rows_cut_from_the_end_are_caught_against_a_head_saved_before) {
  const auto before = dir_.path() / "before.jsonl";
  ASSERT_EQ(export_to(before).code, 0);
  std::ifstream in(before);
  std::string line, last;
  std::int64_t events = 0;
  while (std::getline(in, line))
    if (!line.empty()) last = line, ++events;
  --events;  // the head line
  ASSERT_GE(events, 8);
  const auto saved = dir_.path() / "head.json";
  std::ofstream(saved) << last << "\n";

  // The tail goes, and the head row is moved back to the new last row: the database sees nothing wrong.
  const auto keep = std::to_string(events - 5);
  sql(db_, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE chain = 'acme' AND seq > " + keep +
               "; UPDATE audit_heads SET seq = " + keep + ", hash = (SELECT hash FROM audit WHERE chain = 'acme' AND seq = " +
               keep + ") WHERE chain = 'acme';");
  const auto after = dir_.path() / "after.jsonl";
  const auto exported = export_to(after);
  ASSERT_EQ(exported.code, 0) << exported.err;
  EXPECT_EQ(verify(after).code, 0) << "on its own the cut log links perfectly";
  const auto v = verify(after, {"--head", saved.string()});
  EXPECT_EQ(v.code, 1) << v.out;
  EXPECT_NE(v.out.find("the log ends at seq " + keep + ", before the saved head at seq " + std::to_string(events)),
            std::string::npos)
    << v.out;
}

TEST_F(audit_cli_test, a_line_edited_in_the_file_is_named_and_usage_errors_are_exit_2) {
  const auto file = dir_.path() / "acme.jsonl";
  ASSERT_EQ(export_to(file).code, 0);
  std::stringstream text;
  text << std::ifstream(file).rdbuf();
  auto edited = text.str();
  const auto at = edited.find(demo_reason);
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, demo_reason.size(), "Routine check, nothing special");
  std::ofstream(file) << edited;
  const auto v = verify(file);
  EXPECT_EQ(v.code, 1) << v.out;
  EXPECT_NE(v.out.find("seq 1: its hash does not match its content"), std::string::npos) << v.out;
  EXPECT_EQ(actas_run({"audit", "verify", (dir_.path() / "absent").string()}).code, 2);
  EXPECT_EQ(actas_run({"audit", "export"}).code, 2);
  EXPECT_EQ(actas_run({"audit", "frobnicate"}).code, 2);
}

} // namespace
} // namespace actas::testing
