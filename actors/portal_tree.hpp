#pragma once
/// Realms and their portals as a decision copied them from the cache (actors/decision_view.hpp says why a
/// copy is enough: realms and portals only ever grow).
#include <vector>

#include "domain/model.hpp"

namespace actas::actors {

/// Realms and their portals, parents before children.
struct portal_tree {
  std::vector<domain::realm> realms;
  std::vector<domain::portal> portals;
};

} // namespace actas::actors
