// Small helpers shared by the legacy Io wrappers (legacy_*.cc): each wrapper edits a store's JSON
// the way the buggy tool did, so these keep that editing short and uniform.
#pragma once

#include <optional>
#include <string>

#include "engine/formats/json_tree.h"
#include "engine/io.h"

namespace credsim::sim::legacy {

inline bool IsClaudeStore(const engine::StoreId& id) { return engine::IsClaudeKind(id.kind); }
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

// An agent store read as the buggy tool sees it: `edit` changes the parsed document, and the
// read then returns the edited document instead. Other stores, failed reads, bytes that are not a
// JSON object, and reads for which `edit` returns false come back as they are.
template <typename Edit>
engine::StoreRead EditAgentRead(const engine::StoreId& store, engine::StoreRead real, Edit edit) {
  if (store.kind != engine::StoreKind::kAgentAuth || real.status != engine::IoStatus::kOk) {
    return real;
  }
  auto doc = ObjectOf(real.bytes);
  if (!doc || !edit(*doc)) return real;
  return ReadOf(std::move(real), formats::WriteJsonTree(*doc));
}

// Calls `fn` on every entry (an object) of every provider's list in credential_pool.
template <typename Fn>
void ForEachPoolEntry(formats::JsonValue& doc, Fn fn) {
  formats::JsonValue* pool = doc.Find("credential_pool");
  if (!pool || !pool->is_object()) return;
  for (auto& provider : pool->members) {
    if (!provider.value.is_array()) continue;
    for (formats::JsonValue& entry : provider.value.array) {
      if (entry.is_object()) fn(entry);
    }
  }
}

// A write the buggy tool believed done without doing it.
inline engine::StoreWrite PretendWritten(const std::string& bytes) {
  return engine::StoreWrite{engine::IoStatus::kOk, engine::VersionOf(bytes), {}};
}

}  // namespace credsim::sim::legacy
