#pragma once
/// Which Content-Type a request body may come with. The API speaks JSON (SPEC §6): a body is
/// accepted as `application/json`, in any letter case, optionally with `charset=utf-8` (quoted or not)
/// and nothing else. A request without a body needs no Content-Type. Refusing every other type keeps
/// form posts and `text/plain` (what a cross-site page can send without a CORS preflight) out, and a body
/// is never guessed at.
#include <string_view>

namespace actas::net {

/// True when `value` (a Content-Type header) names JSON as above.
bool is_json_content_type(std::string_view value);
/// True for `application/x-www-form-urlencoded` (optionally charset=utf-8): accepted only where a standard
/// says so, on a route that also demands a service key (POST /v1/introspect, RFC 7662 §2.1), so a
/// cross-site form still reaches nothing.
bool is_form_content_type(std::string_view value);

} // namespace actas::net
