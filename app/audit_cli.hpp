#pragma once
/// `actas audit export` and `actas audit verify` (SPEC §10 "Audit outside the server"):
///   actas audit export --chain C [--after-seq N] [--config FILE] [--data DIR]
///       writes the chain's events after N as JSON lines (domain::export_line) to stdout, then, when the
///       configuration names audit_signing_key_file and the database's own check of the chain passes, a
///       last line {"head": {chain, seq, hash, at, key_id, signature}}.
///   actas audit verify FILE [--head SAVED] [--public-key HEX]
///       checks FILE offline: every line's hash, each prev_hash against the line before, seqs without gaps;
///       the signed head against the last line (and its signature with --public-key); with --head, that
///       the file still holds the head saved earlier, unchanged (a cut tail or a rewrite is named).
///   actas audit public-key [--config FILE]
///       prints the public key and key id of audit_signing_key_file, for whoever verifies.
#include <ostream>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace actas::app {

/// Runs `actas audit …` with `args` (after the word "audit"). Returns the exit code: 0 done and verified,
/// 1 the chain (or the file) did not verify, 2 wrong usage or unreadable input.
int run_audit(const std::vector<std::string>& args, const env_lookup& env, std::ostream& out, std::ostream& err);

} // namespace actas::app
