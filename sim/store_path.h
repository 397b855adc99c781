// StorePath: where a store lives in a world with several homes. The engine names stores by kind
// (engine::StoreId); the world places each consumer's stores in that consumer's home, so the same
// StoreId is a different file in each home (a private copy) unless one path links to another.
#pragma once

#include <compare>
#include <string>

#include "engine/store_id.h"

namespace credsim::sim {

struct StorePath {
  std::string home;  // "" = the default home
  engine::StoreId id;

  // "claude-file" in the default home, "laptop/claude-file" elsewhere: traces and verdicts.
  std::string Name() const { return home.empty() ? id.Name() : home + "/" + id.Name(); }
  friend auto operator<=>(const StorePath&, const StorePath&) = default;
  friend bool operator==(const StorePath&, const StorePath&) = default;
};

}  // namespace credsim::sim
