#include "domain/token.hpp"

namespace actas::domain {

std::string_view to_string(token_kind k) {
  switch (k) {
    case token_kind::user: return "user";
    case token_kind::impersonation: return "impersonation";
    case token_kind::grant: return "grant";
  }
  return "user";
}

std::optional<token_kind> token_kind_from_string(std::string_view name) {
  for (auto k : {token_kind::user, token_kind::impersonation, token_kind::grant})
    if (to_string(k) == name) return k;
  return std::nullopt;
}

} // namespace actas::domain
