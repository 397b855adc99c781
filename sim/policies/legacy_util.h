// Small helpers shared by the legacy Io wrappers (legacy_*.cc): each wrapper edits a store's JSON
// the way the buggy tool did, so these keep that editing short and uniform.
#pragma once

#include <optional>
#include <string>

#include "engine/formats/json_tree.h"
#include "engine/io.h"

namespace credsim::sim::legacy {

inline bool IsClaudeStore(const engine::StoreId& id) {
  return id.kind == engine::StoreKind::kClaudeFile || id.kind == engine::StoreKind::kClaudeKeychain;
}
inline bool IsAgentRoot(const engine::StoreId& id) {
  return id.kind == engine::StoreKind::kAgentAuth && id.profile.empty();
}

// The tree of a store's bytes when they are a JSON object.
inline std::optional<formats::JsonValue> ObjectOf(const std::string& bytes) {
  auto tree = formats::ParseJsonTree(bytes);
  if (!tree.ok() || !tree.value().is_object()) return std::nullopt;
  return std::move(tree).value();
}

// A read that returns `bytes` as if the store held them (the wrapper's view of the store).
inline engine::StoreRead ReadOf(engine::StoreRead real, std::string bytes) {
  real.version = engine::VersionOf(bytes);
  real.bytes = std::move(bytes);
  return real;
}

// A write the buggy tool believed done without doing it.
inline engine::StoreWrite PretendWritten(const std::string& bytes) {
  return engine::StoreWrite{engine::IoStatus::kOk, engine::VersionOf(bytes), {}};
}

}  // namespace credsim::sim::legacy
