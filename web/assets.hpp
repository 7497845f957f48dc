#pragma once
/// The browser console's static files, embedded into the binary at build time (web/CMakeLists.txt).
#include <string_view>

namespace actas::web {

/// One embedded file.
struct asset {
  std::string_view content_type;  ///< e.g. "text/javascript; charset=utf-8"
  std::string_view body;          ///< the file's bytes
  std::string_view etag;          ///< strong ETag, quoted: "\"<32 hex digits of SHA-256>\""
};

/// The file served at a URL path ("/" is "/index.html"; assets are "/assets/…"), or nullptr. The path is
/// compared as is: no query string, no percent-decoding, no "..": nothing outside the table is ever found.
const asset* find(std::string_view path);

} // namespace actas::web
