// Internal: patch-on-serialize. A store file is rewritten by loading its original bytes as an
// ordered tree and changing only the typed values that differ from what was parsed from those same
// bytes (the "baseline"); everything else is written back as it was read.
//
// Absent typed values: a key the typed view says is absent is left alone when the tree does not
// hold it, and otherwise removed (Claude Code's JSON.stringify style) or set to null (Hermes/Codex
// style), as the format chooses.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/formats/json_tree.h"

namespace credsim::formats::internal {

// The tree to patch: `original` when it is a JSON object, else {} (a new document, or bytes that
// are not an object: serialization is total and starts over rather than fail).
JsonValue LoadPatchBase(std::string_view original);

// The member `key` of `object` as an object (or array), created empty when absent or replaced when
// it holds another kind of value.
JsonValue& EnsureObjectMember(JsonValue& object, std::string_view key);
JsonValue& EnsureArrayMember(JsonValue& object, std::string_view key);

enum class AbsentAs { kRemoveKey, kNull };

JsonValue ToJson(const std::string& value);
JsonValue ToJson(int64_t value);
JsonValue ToJson(bool value);
JsonValue ToJson(const std::vector<std::string>& values);

// Writes `typed` into object[key] unless `baseline` (the value parsed from the original, nullptr
// when there is none) equals it.
template <class T>
void PatchRequired(JsonValue& object, std::string_view key, const T& typed, const T* baseline) {
  if (baseline != nullptr && *baseline == typed) return;
  object.Set(key, ToJson(typed));
}

template <class T>
void PatchOptional(JsonValue& object, std::string_view key, const std::optional<T>& typed,
                   const std::optional<T>* baseline, AbsentAs absent) {
  if (baseline != nullptr && *baseline == typed) return;
  if (typed.has_value()) {
    object.Set(key, ToJson(*typed));
    return;
  }
  if (object.Find(key) == nullptr) return;
  if (absent == AbsentAs::kRemoveKey) {
    object.Remove(key);
  } else {
    object.Set(key, JsonValue::Null());
  }
}

}  // namespace credsim::formats::internal
