#include "app/audit_cli.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <fstream>
#include <map>
#include <optional>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/subcommand.hpp"
#include "codec/audit_head_json.hpp"
#include "crypto/crypto.hpp"
#include "crypto/signing.hpp"
#include "domain/audit_export.hpp"
#include "store/database.hpp"

namespace actas::app {

namespace {

using nlohmann::json;

std::optional<int> parse(CLI::App& cli, const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return parse_subcommand(cli, args, "actas audit", out, err);
}

/// Whether `h` is signed by the holder of `public_key` (hex).
bool signed_by(const domain::signed_head& h, const std::string& public_key) {
  return crypto::verify_signature_hex(public_key, domain::head_message(h.chain, h.seq, h.hash, h.at), h.signature);
}

/// The node's configuration as the server would read it from `config` and `data` (either may be empty).
std::optional<server_config> configuration(const std::string& config, const std::string& data, const env_lookup& env,
                                           std::ostream& err) {
  std::vector<std::string> args;
  if (!config.empty()) args.insert(args.end(), {"--config", config});
  if (!data.empty()) args.insert(args.end(), {"--data", data});
  auto parsed = parse_config(args, env);
  if (!parsed.config) err << "actas: " << parsed.message << "\n";
  return parsed.config;
}

domain::timestamp wall_now() {
  return std::chrono::time_point_cast<domain::duration>(std::chrono::system_clock::now());
}

int run_export(const std::vector<std::string>& args, const env_lookup& env, std::ostream& out, std::ostream& err) {
  std::string chain, config, data;
  std::int64_t after_seq = 0;
  CLI::App cli{"actas audit export: a chain's events as JSON lines, ending in a signed head", "actas audit export"};
  cli.add_option("--chain", chain, "the chain: a realm id, or system")->required();
  cli.add_option("--after-seq", after_seq, "only the events after this seq (default 0: all)")->check(CLI::NonNegativeNumber);
  cli.add_option("--config", config, "the node's TOML configuration (database, audit_signing_key_file)");
  cli.add_option("--data", data, "data folder holding actas.db (overrides the configuration)");
  if (auto done = parse(cli, args, out, err)) return *done;
  const auto cfg = configuration(config, data, env, err);
  if (!cfg) return 2;
  crypto::init();
  store::database db(db_path(*cfg));
  const domain::hash_function sha256 = [](std::string_view b) { return crypto::sha256_hex(b); };
  // The database's own verdict first: a chain that does not verify there is written out for whoever
  // investigates, but never signed.
  const auto verdict = db.verify(chain, sha256);
  std::int64_t last_seq = after_seq;
  std::string last_hash;
  // A running node may append while this reads: a chain that verified is exported up to the head it
  // verified, so the signed head covers only checked events.
  const auto limit = verdict.ok ? std::max<std::int64_t>(0, verdict.events - after_seq)
                                : std::numeric_limits<std::int64_t>::max();
  for (const auto& e : db.audit_after(chain, after_seq, limit)) {
    out << domain::export_line(e) << "\n";
    last_seq = e.seq;
    last_hash = e.hash;
  }
  if (!verdict.ok) {
    err << "actas audit export: chain " << chain << " does not verify in the database at seq "
        << verdict.first_bad_seq.value_or(0) << ": " << verdict.problem << "; the export carries no signed head\n";
    return 1;
  }
  if (cfg->audit_signing_seed.empty()) return 0;
  if (last_hash.empty()) last_hash = verdict.head;  // nothing after --after-seq: vouch for the head as it is
  const auto key = crypto::signing_key::from_seed_hex(cfg->audit_signing_seed);
  domain::signed_head h{chain, last_seq == after_seq ? verdict.events : last_seq, last_hash, wall_now(), key->key_id(), {}};
  h.signature = key->sign_hex(domain::head_message(h.chain, h.seq, h.hash, h.at));
  out << json{{"head", codec::encode(h)}}.dump() << "\n";
  return 0;
}

/// What a verify found, line by line.
struct walk {
  std::string chain;
  std::int64_t first_seq = 0, last_seq = 0, events = 0;
  std::string last_hash;
  std::map<std::int64_t, std::string> hash_at;  ///< every seq's hash, for a saved head
  std::optional<domain::signed_head> head;
};

int run_verify(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string file, head_file, public_key;
  CLI::App cli{"actas audit verify: check an exported chain offline", "actas audit verify"};
  cli.add_option("file", file, "a file written by actas audit export")->required();
  cli.add_option("--head", head_file, "a signed head saved earlier (an export's last line or a verify answer)");
  cli.add_option("--public-key", public_key, "the signer's Ed25519 public key (actas audit public-key)");
  if (auto done = parse(cli, args, out, err)) return *done;
  std::ifstream in(file);
  if (!in) {
    err << "actas audit verify: cannot read " << file << "\n";
    return 2;
  }
  crypto::init();
  const auto bad = [&](std::int64_t line_no, const std::string& what) {
    out << "FAILED: " << file << " line " << line_no << ": " << what << "\n";
    return 1;
  };
  walk w;
  std::int64_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty()) continue;
    if (w.head) return bad(line_no, "a line after the signed head");
    const auto j = json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("head")) {
      w.head = codec::decode_signed_head(j);
      if (!w.head) return bad(line_no, "the head line is not a signed head");
      continue;
    }
    const auto parts = domain::split_export_line(line);
    if (!parts || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_integer() || !j.contains("prev_hash") ||
        !j["prev_hash"].is_string() || !j.contains("chain") || !j["chain"].is_string())
      return bad(line_no, "not an exported audit event");
    const auto seq = j["seq"].get<std::int64_t>();
    const auto prev = j["prev_hash"].get<std::string>();
    if (w.events == 0) {
      w.chain = j["chain"];
      w.first_seq = seq;
    } else {
      if (j["chain"] != w.chain) return bad(line_no, "seq " + std::to_string(seq) + " belongs to another chain");
      if (seq != w.last_seq + 1)
        return bad(line_no, "expected seq " + std::to_string(w.last_seq + 1) + ", found " + std::to_string(seq));
      if (prev != w.last_hash) return bad(line_no, "seq " + std::to_string(seq) + ": prev_hash is not the hash of seq " + std::to_string(w.last_seq));
    }
    if (crypto::sha256_hex(prev + parts->hashed_text) != parts->hash)
      return bad(line_no, "seq " + std::to_string(seq) + ": its hash does not match its content (rewritten)");
    w.last_seq = seq;
    w.last_hash = parts->hash;
    w.hash_at[seq] = parts->hash;
    ++w.events;
  }
  if (w.head) {
    if (w.events > 0 && (w.head->chain != w.chain || w.head->seq != w.last_seq || w.head->hash != w.last_hash))
      return bad(line_no, "the signed head is not the last event (" + w.head->chain + " seq " + std::to_string(w.head->seq) + ")");
    if (!public_key.empty() && !signed_by(*w.head, public_key))
      return bad(line_no, "the head's signature is not valid for the given public key");
  }
  if (!head_file.empty()) {
    std::ifstream saved_in(head_file);
    const auto saved_json = json::parse(saved_in, nullptr, false);
    const auto saved = codec::decode_signed_head(saved_json);
    if (!saved) {
      err << "actas audit verify: " << head_file << " holds no signed head\n";
      return 2;
    }
    if (!public_key.empty() && !signed_by(*saved, public_key)) {
      out << "FAILED: the saved head's signature is not valid for the given public key\n";
      return 1;
    }
    if (w.events > 0 && saved->chain != w.chain) {
      out << "FAILED: the saved head is of chain " << saved->chain << ", the file of " << w.chain << "\n";
      return 1;
    }
    if (saved->seq > w.last_seq) {
      out << "FAILED: the log ends at seq " << w.last_seq << ", before the saved head at seq " << saved->seq
          << ": its tail was cut\n";
      return 1;
    }
    if (auto i = w.hash_at.find(saved->seq); i != w.hash_at.end() && i->second != saved->hash) {
      out << "FAILED: seq " << saved->seq << " is not the event the saved head vouched for: the log was rewritten\n";
      return 1;
    }
  }
  out << "ok: chain " << (w.chain.empty() ? "(empty)" : w.chain) << ", " << w.events << " events";
  if (w.events > 0) out << " (seq " << w.first_seq << " to " << w.last_seq << "), head " << w.last_hash;
  out << (w.head ? (public_key.empty() ? "; signed head present (signature not checked: no --public-key)" : "; signed head valid") : "; no signed head");
  if (!head_file.empty()) out << "; holds the saved head";
  out << "\n";
  return 0;
}

int run_public_key(const std::vector<std::string>& args, const env_lookup& env, std::ostream& out, std::ostream& err) {
  std::string config;
  CLI::App cli{"actas audit public-key: the public half of audit_signing_key_file", "actas audit public-key"};
  cli.add_option("--config", config, "the node's TOML configuration")->required();
  if (auto done = parse(cli, args, out, err)) return *done;
  const auto cfg = configuration(config, "", env, err);
  if (!cfg) return 2;
  if (cfg->audit_signing_seed.empty()) {
    err << "actas audit public-key: " << config << " names no audit_signing_key_file\n";
    return 2;
  }
  crypto::init();
  const auto key = crypto::signing_key::from_seed_hex(cfg->audit_signing_seed);
  out << key->public_key_hex() << " key_id " << key->key_id() << "\n";
  return 0;
}

} // namespace

int run_audit(const std::vector<std::string>& args, const env_lookup& env, std::ostream& out, std::ostream& err) {
  const std::vector<std::string> rest(args.empty() ? args.end() : args.begin() + 1, args.end());
  if (!args.empty() && args.front() == "export") return run_export(rest, env, out, err);
  if (!args.empty() && args.front() == "verify") return run_verify(rest, out, err);
  if (!args.empty() && args.front() == "public-key") return run_public_key(rest, env, out, err);
  err << "actas audit: usage: actas audit export|verify|public-key … (--help after each for its options)\n";
  return 2;
}

} // namespace actas::app
