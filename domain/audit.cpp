#include "domain/audit.hpp"

#include <algorithm>

namespace actas::domain {

namespace {

void put_key(std::string& out, std::string_view key) {
  if (out.size() > 1) out += ',';
  out += '"';
  out += key;
  out += "\":";
}

void put_optional(std::string& out, std::string_view key, const std::optional<std::string>& value) {
  put_key(out, key);
  out += value ? json_quote(*value) : "null";
}

void put(std::string& out, std::string_view key, std::string_view value) {
  put_key(out, key);
  out += json_quote(value);
}

} // namespace

std::string_view to_string(outcome o) {
  switch (o) {
    case outcome::allowed: return "allowed";
    case outcome::denied: return "denied";
    case outcome::done: return "done";
  }
  return "unknown";
}

std::string json_quote(std::string_view s) {
  // RFC 8785 (JCS) string form: short escapes where JSON has them, \u00xx in lowercase for the other
  // C0 controls, everything else (DEL, C1, all of UTF-8) as is. nlohmann's dump writes the same.
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += hex[(c >> 4) & 0xF];
          out += hex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string canonical_json(const audit_event& e) {
  // Keys in byte order, written by hand so the hashed text never depends on a JSON library's choices.
  std::string out = "{";
  put_optional(out, "action", e.action);
  put_optional(out, "active_account", e.active_account);
  put(out, "at", format_utc(e.at));
  put(out, "chain", e.chain);
  put_optional(out, "code", e.code);
  put_key(out, "detail");
  out += e.detail_json.empty() ? "null" : e.detail_json;
  put(out, "event", e.event);
  put_optional(out, "grant", e.grant);
  put_optional(out, "ip", e.ip);
  put(out, "outcome", to_string(e.result));
  put_optional(out, "performed_by", e.performed_by);
  put_optional(out, "portal", e.portal);
  put(out, "prev_hash", e.prev_hash);
  put_optional(out, "reason", e.reason);
  put_key(out, "seq");
  out += std::to_string(e.seq);
  put_optional(out, "session", e.session);
  put_optional(out, "via", e.via);
  out += '}';
  return out;
}

void link(audit_event& e, std::int64_t prev_seq, const std::string& prev_hash, const hash_function& sha256) {
  e.seq = prev_seq + 1;
  e.prev_hash = prev_hash;
  e.hash = sha256(e.prev_hash + canonical_json(e));
}

verify_result verify_chain(const std::vector<audit_event>& events, const hash_function& sha256,
                           const chain_point& from) {
  // `events` and `head` describe the verified prefix, so a broken chain still says how far it holds.
  verify_result r;
  r.head = from.hash;
  const auto fail = [&](std::int64_t seq, std::string problem) {
    r.ok = false;
    r.first_bad_seq = seq;
    r.problem = std::move(problem);
    return r;
  };
  for (const audit_event& e : events) {
    const std::int64_t expected = from.seq + r.events + 1;
    if (e.seq != expected)
      return fail(expected, "expected seq " + std::to_string(expected) + ", found " + std::to_string(e.seq));
    if (e.prev_hash != r.head) return fail(e.seq, "prev_hash does not match the previous event's hash");
    if (e.hash != sha256(e.prev_hash + canonical_json(e)))
      return fail(e.seq, "hash does not match the event's content");
    r.head = e.hash;
    ++r.events;
  }
  return r;
}

void check_head(verify_result& r, const chain_point& walked_to, const std::optional<chain_point>& head) {
  if (!r.ok) return;
  if (!head) {
    // Every event writes its head row; events without one mean the head row itself was removed.
    if (walked_to.seq > 0) {
      r.ok = false;
      r.first_bad_seq = walked_to.seq;
      r.problem = "the chain has events but no head row";
    }
    return;
  }
  if (head->seq == walked_to.seq && head->hash == walked_to.hash) return;
  r.ok = false;
  if (head->seq > walked_to.seq) {
    r.first_bad_seq = walked_to.seq + 1;
    r.problem = "the chain ends at seq " + std::to_string(walked_to.seq) + " but its head is seq " +
                std::to_string(head->seq) + ": events were removed from its end";
  } else {
    r.first_bad_seq = std::min(head->seq + 1, walked_to.seq);
    r.problem = "the chain does not end at its head (seq " + std::to_string(head->seq) + ")";
  }
}

} // namespace actas::domain
