#include "engine/formats/json_patch.h"

#include "base/assert.h"

namespace credsim::formats::internal {

JsonValue LoadPatchBase(std::string_view original) {
  if (original.empty()) return JsonValue::Object();
  Result<JsonValue> tree = ParseJsonTree(original);
  if (!tree.ok() || !tree.value().is_object()) return JsonValue::Object();
  return std::move(tree).value();
}

JsonValue& EnsureObjectMember(JsonValue& object, std::string_view key) {
  CREDSIM_ASSERT(object.is_object());
  JsonValue* member = object.Find(key);
  if (member == nullptr || !member->is_object()) {
    object.Set(key, JsonValue::Object());
    member = object.Find(key);
  }
  CREDSIM_ASSERT(member != nullptr && member->is_object());
  return *member;
}

JsonValue& EnsureArrayMember(JsonValue& object, std::string_view key) {
  CREDSIM_ASSERT(object.is_object());
  JsonValue* member = object.Find(key);
  if (member == nullptr || !member->is_array()) {
    object.Set(key, JsonValue::Array());
    member = object.Find(key);
  }
  CREDSIM_ASSERT(member != nullptr && member->is_array());
  return *member;
}

JsonValue ToJson(const std::string& value) { return JsonValue::String(value); }
JsonValue ToJson(int64_t value) { return JsonValue::Int(value); }
JsonValue ToJson(bool value) { return JsonValue::Bool(value); }

JsonValue ToJson(const std::vector<std::string>& values) {
  JsonValue array = JsonValue::Array();
  array.array.reserve(values.size());
  for (const std::string& v : values) array.array.push_back(JsonValue::String(v));
  return array;
}

}  // namespace credsim::formats::internal
