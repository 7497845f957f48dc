#include "web/assets.hpp"

#include "web/assets_table.hpp"

namespace actas::web {

const asset* find(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (std::size_t i = 0; i < detail::entry_count; ++i)
    if (detail::entries[i].path == path) return &detail::entries[i].file;
  return nullptr;
}

} // namespace actas::web
