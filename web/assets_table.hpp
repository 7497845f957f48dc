#pragma once
/// The table that web/embed.cmake generates (web_assets.cpp in the build folder).
#include <cstddef>
#include <string_view>

#include "web/assets.hpp"

namespace actas::web::detail {

struct entry {
  std::string_view path;
  asset file;
};

extern const entry entries[];
extern const std::size_t entry_count;

} // namespace actas::web::detail
