#pragma once
/// Whether this node should receive traffic, as GET /readyz tells load balancers (SPEC §6, §8): not while
/// it drains, cannot write its audit log, or found a broken audit chain. Liveness (GET /livez) is separate:
/// a node that is not ready still lives. Every setter is thread-safe and cheap; call it from any thread
/// when the condition changes (the audit writer on a failed or recovered write, the chain check at start,
/// the server when it starts draining). app/main.cpp creates one and hands it to the server and the core.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace actas::net {

class readiness {
public:
  /// false while the audit log cannot be written (e.g. disk full, failing fsync); true again once it can.
  void set_audit_writable(bool ok) { audit_writable_.store(ok); }
  /// false when an audit chain was found broken; stays until the node is restarted on a good chain.
  void set_chain_ok(bool ok) { chain_ok_.store(ok); }
  /// A question asked on every readiness check instead of a pushed flag ("can the audit log be written
  /// now?"); set once, before the server starts.
  void set_audit_probe(std::function<bool()> probe) { audit_probe_ = std::move(probe); }
  /// A question asked on every readiness check: "is this cluster node behind the others?" (SPEC §8).
  void set_stale_probe(std::function<bool()> probe) { stale_probe_ = std::move(probe); }
  /// Set by server::drain; a draining node never becomes ready again.
  void set_draining() { draining_.store(true); }

  bool draining() const { return draining_.load(); }
  /// Whether the audit log can be written now (the pushed flag and the probe).
  bool audit_writable() const { return audit_writable_.load() && (!audit_probe_ || audit_probe_()); }
  /// What keeps the node from being ready ("draining", "audit_unwritable", "chain_broken"); empty: ready.
  std::vector<std::string> problems() const {
    std::vector<std::string> out;
    if (draining_.load()) out.emplace_back("draining");
    if (!audit_writable()) out.emplace_back("audit_unwritable");
    if (!chain_ok_.load()) out.emplace_back("chain_broken");
    if (stale_probe_ && stale_probe_()) out.emplace_back("stale");
    return out;
  }

private:
  std::atomic<bool> audit_writable_{true};
  std::atomic<bool> chain_ok_{true};
  std::atomic<bool> draining_{false};
  std::function<bool()> audit_probe_;
  std::function<bool()> stale_probe_;
};

} // namespace actas::net
