// SerializeAgentAuth: patches the original auth.json (see agent_auth.h). What it deliberately
// cannot express: removing a provider block or a pool entry, and reordering pool entries. Both keep
// what the file holds, because losing a credential another tool still uses is worse than keeping a
// stale one.

#include "base/assert.h"
#include "engine/formats/agent_auth.h"
#include "engine/formats/agent_auth_fields.h"
#include "engine/formats/json_patch.h"

namespace credsim::formats {
namespace {

using internal::AbsentAs;
using internal::EntryFieldType;
using internal::PatchOptional;

template <class Map>
const typename Map::mapped_type* FindIn(const Map* map, const std::string& key) {
  if (map == nullptr) return nullptr;
  const auto it = map->find(key);
  return it == map->end() ? nullptr : &it->second;
}

const PoolEntry* FindEntry(const std::vector<PoolEntry>* entries, const std::string& id) {
  if (entries == nullptr) return nullptr;
  for (const PoolEntry& entry : *entries) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

JsonValue* FindEntryObject(JsonValue& array, const std::string& id) {
  CREDSIM_ASSERT(array.is_array());
  for (JsonValue& item : array.array) {
    if (!item.is_object()) continue;
    const JsonValue* item_id = item.Find("id");
    if (item_id != nullptr && item_id->kind == JsonKind::kString && item_id->string == id) {
      return &item;
    }
  }
  return nullptr;
}

void PatchEntry(const PoolEntry& typed, const PoolEntry* baseline, JsonValue& object) {
  for (const internal::EntryField& field : internal::kEntryFields) {
    switch (field.type) {
      case EntryFieldType::kId:
        // Matched by id, so a baseline entry has the same one; a new entry gets it first.
        if (baseline == nullptr) object.Set(field.key, JsonValue::String(typed.id));
        break;
      case EntryFieldType::kText:
      case EntryFieldType::kRfc3339Text:
        PatchOptional(object, field.key, typed.*field.text,
                      baseline ? &(baseline->*field.text) : nullptr, AbsentAs::kNull);
        break;
      case EntryFieldType::kInteger:
      case EntryFieldType::kEpochMs:
      case EntryFieldType::kEpochSeconds:
        // A changed timestamp is written in the field's own unit (ms or s, per the table).
        PatchOptional(object, field.key, typed.*field.number,
                      baseline ? &(baseline->*field.number) : nullptr, AbsentAs::kNull);
        break;
      case EntryFieldType::kStatus: {
        const std::optional<std::string> base_status =
            baseline ? internal::StatusText(baseline->last_status) : std::nullopt;
        PatchOptional(object, field.key, internal::StatusText(typed.last_status),
                      baseline ? &base_status : nullptr, AbsentAs::kNull);
        break;
      }
    }
  }
}

void PatchPool(const std::string& provider, const std::vector<PoolEntry>& entries,
               const std::vector<PoolEntry>* baseline, JsonValue& root) {
  if (baseline != nullptr && *baseline == entries) return;
  JsonValue& array =
      internal::EnsureArrayMember(internal::EnsureObjectMember(root, "credential_pool"), provider);
  for (const PoolEntry& entry : entries) {  // entries x array: both bounded by the document
    JsonValue* object = FindEntryObject(array, entry.id);
    const PoolEntry* base_entry = FindEntry(baseline, entry.id);
    if (object == nullptr) {
      array.array.push_back(JsonValue::Object());
      object = &array.array.back();
      base_entry = nullptr;
    }
    PatchEntry(entry, base_entry, *object);
  }
}

template <int kCount, class Record>
void PatchTextRecord(const Record& typed, const Record* baseline,
                     const std::string_view (&keys)[kCount],
                     std::optional<std::string> Record::*const (&members)[kCount],
                     JsonValue& object) {
  for (int i = 0; i < kCount; ++i) {
    PatchOptional(object, keys[i], typed.*members[i], baseline ? &(baseline->*members[i]) : nullptr,
                  AbsentAs::kNull);
  }
}

// An optional sub-object (tokens, last_auth_error): null when it went away, patched when present.
template <class Record, class PatchFn>
void PatchSubObject(JsonValue& parent, std::string_view key, const std::optional<Record>& typed,
                    const std::optional<Record>* baseline, PatchFn patch) {
  if (baseline != nullptr && *baseline == typed) return;
  if (!typed.has_value()) {
    if (parent.Find(key) != nullptr) parent.Set(key, JsonValue::Null());
    return;
  }
  const Record* base = baseline != nullptr && baseline->has_value() ? &**baseline : nullptr;
  patch(*typed, base, internal::EnsureObjectMember(parent, key));
}

void PatchProviderBlock(const ProviderBlock& typed, const ProviderBlock* baseline,
                        JsonValue& object) {
  PatchSubObject(object, "tokens", typed.tokens, baseline ? &baseline->tokens : nullptr,
                 [](const ProviderTokens& t, const ProviderTokens* b, JsonValue& o) {
                   PatchTextRecord(t, b, internal::kProviderTokenKeys,
                                   internal::kProviderTokenMembers, o);
                 });
  PatchOptional(object, "last_refresh", typed.last_refresh,
                baseline ? &baseline->last_refresh : nullptr, AbsentAs::kNull);
  PatchOptional(object, "auth_mode", typed.auth_mode, baseline ? &baseline->auth_mode : nullptr,
                AbsentAs::kNull);
  PatchSubObject(object, "last_auth_error", typed.last_auth_error,
                 baseline ? &baseline->last_auth_error : nullptr,
                 [](const AuthErrorRecord& t, const AuthErrorRecord* b, JsonValue& o) {
                   PatchTextRecord(t, b, internal::kAuthErrorTextKeys,
                                   internal::kAuthErrorTextMembers, o);
                   PatchOptional(o, internal::kReloginRequiredKey, t.relogin_required,
                                 b ? &b->relogin_required : nullptr, AbsentAs::kNull);
                 });
}

}  // namespace

std::string SerializeAgentAuth(const AgentAuth& auth) {
  JsonValue root = internal::LoadPatchBase(auth.original);
  std::optional<AgentAuth> baseline;
  if (!auth.original.empty()) {
    Result<AgentAuth> parsed = ParseAgentAuth(auth.original);
    if (parsed.ok()) baseline = std::move(parsed).value();
  }
  const AgentAuth* base = baseline ? &*baseline : nullptr;
  PatchOptional(root, "version", auth.version, base ? &base->version : nullptr, AbsentAs::kNull);
  for (const auto& [name, block] : auth.providers) {
    const ProviderBlock* base_block = FindIn(base ? &base->providers : nullptr, name);
    if (base_block != nullptr && *base_block == block) continue;
    JsonValue& providers = internal::EnsureObjectMember(root, "providers");
    PatchProviderBlock(block, base_block, internal::EnsureObjectMember(providers, name));
  }
  for (const auto& [provider, entries] : auth.pool) {
    PatchPool(provider, entries, FindIn(base ? &base->pool : nullptr, provider), root);
  }
  return WriteJsonTree(root);
}

}  // namespace credsim::formats
