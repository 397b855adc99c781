// ParseAgentAuth: typed extraction of an agent auth.json straight from simdjson's DOM. Unknown keys
// at every level are skipped here and kept by SerializeAgentAuth (agent_auth_serialize.cc).
#include <array>
#include <set>

#include "base/assert.h"
#include "engine/formats/agent_auth.h"
#include "engine/formats/agent_auth_fields.h"
#include "engine/formats/json_dom.h"

namespace credsim::formats {
namespace {

using internal::Element;
using internal::EntryFieldType;
using internal::JsonPath;
using internal::TypedKeySet;
using Notes = std::vector<UnitNote>;

std::optional<ParseError> ReadStatus(Element e, const JsonPath& path, PoolStatus* out) {
  if (e.is_null()) {
    *out = PoolStatus::kUnset;
    return std::nullopt;
  }
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) {
    return internal::Mismatch(path, "null, \"ok\", \"exhausted\" or \"dead\"", e);
  }
  if (text == "ok") {
    *out = PoolStatus::kOk;
  } else if (text == "exhausted") {
    *out = PoolStatus::kExhausted;
  } else if (text == "dead") {
    *out = PoolStatus::kDead;
  } else {
    return internal::Invalid(path,
                             "expected null, \"ok\", \"exhausted\" or \"dead\"; found another "
                             "string");
  }
  return std::nullopt;
}

std::optional<ParseError> ReadEntryField(const internal::EntryField& field, Element value,
                                         const JsonPath& path, PoolEntry* entry, Notes* notes) {
  switch (field.type) {
    case EntryFieldType::kId:
      return internal::ReadString(value, path, &entry->id);
    case EntryFieldType::kText:
      return internal::ReadOptionalString(value, path, &(entry->*field.text));
    case EntryFieldType::kRfc3339Text:
      if (auto error = internal::ReadOptionalString(value, path, &(entry->*field.text))) {
        return error;
      }
      internal::NoteIfNotRfc3339(entry->*field.text, path, notes);
      return std::nullopt;
    case EntryFieldType::kInteger:
      return internal::ReadOptionalInteger(value, path, &(entry->*field.number));
    case EntryFieldType::kEpochMs:
      return internal::ReadOptionalEpochMs(value, path, &(entry->*field.number), notes);
    case EntryFieldType::kEpochSeconds:
      return internal::ReadOptionalEpochSeconds(value, path, &(entry->*field.number), notes);
    case EntryFieldType::kStatus:
      return ReadStatus(value, path, &entry->last_status);
  }
  CREDSIM_ASSERT(false, "unknown entry field type");
  return std::nullopt;
}

std::optional<ParseError> ReadPoolEntry(Element e, const JsonPath& path, PoolEntry* entry,
                                        Notes* notes) {
  simdjson::dom::object object;
  if (auto error = internal::ReadObject(e, path, &object)) return error;
  static constexpr auto kKeys = [] {
    std::array<std::string_view, internal::kEntryFieldCount> keys{};
    for (int i = 0; i < internal::kEntryFieldCount; ++i) keys[i] = internal::kEntryFields[i].key;
    return keys;
  }();
  TypedKeySet seen;
  for (simdjson::dom::key_value_pair member :
       internal::LastOfEachKey(object)) {  // bounded by the document size
    const int key = TypedKeySet::IndexOf(member.key, kKeys.data(), internal::kEntryFieldCount);
    if (key < 0) continue;
    const JsonPath member_path = path.Member(kKeys[key]);
    if (!seen.MarkSeen(key)) return internal::DuplicateKey(member_path);
    if (auto error =
            ReadEntryField(internal::kEntryFields[key], member.value, member_path, entry, notes)) {
      return error;
    }
  }
  if (seen.MarkSeen(0)) {
    return internal::Invalid(path.Member("id"), "expected this required key; found it missing");
  }
  return std::nullopt;
}

std::optional<ParseError> ReadPool(Element e, const JsonPath& path, std::vector<PoolEntry>* out,
                                   Notes* notes) {
  simdjson::dom::array array;
  if (e.get_array().get(array) != simdjson::SUCCESS) {
    return internal::Mismatch(path, "an array of entries", e);
  }
  std::set<std::string> ids;  // entries are matched by id: a repeat would be ambiguous
  size_t index = 0;
  for (Element item : array) {  // bounded by the document size
    const JsonPath entry_path = path.Index(index++);
    out->emplace_back();
    if (auto error = ReadPoolEntry(item, entry_path, &out->back(), notes)) return error;
    if (!ids.insert(out->back().id).second) {
      return internal::Invalid(entry_path.Member("id"),
                               "expected ids unique within one provider's pool; found a repeat");
    }
  }
  return std::nullopt;
}

template <int kCount, class Record>
std::optional<ParseError> ReadTextRecord(
    simdjson::dom::object object, const JsonPath& path, const std::string_view (&keys)[kCount],
    std::optional<std::string> Record::*const (&members)[kCount], Record* record,
    TypedKeySet* seen) {
  for (simdjson::dom::key_value_pair member :
       internal::LastOfEachKey(object)) {  // bounded by the document size
    const int key = TypedKeySet::IndexOf(member.key, keys, kCount);
    if (key < 0) continue;
    const JsonPath member_path = path.Member(keys[key]);
    if (!seen->MarkSeen(key)) return internal::DuplicateKey(member_path);
    if (auto error =
            internal::ReadOptionalString(member.value, member_path, &(record->*members[key]))) {
      return error;
    }
  }
  return std::nullopt;
}

std::optional<ParseError> ReadAuthError(Element e, const JsonPath& path,
                                        std::optional<AuthErrorRecord>* out) {
  if (e.is_null()) return std::nullopt;
  simdjson::dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    return internal::Mismatch(path, "an object or null", e);
  }
  AuthErrorRecord record;
  TypedKeySet seen;
  if (auto error = ReadTextRecord(object, path, internal::kAuthErrorTextKeys,
                                  internal::kAuthErrorTextMembers, &record, &seen)) {
    return error;
  }
  bool seen_relogin = false;
  for (simdjson::dom::key_value_pair member :
       internal::LastOfEachKey(object)) {  // bounded by the document size
    if (member.key != internal::kReloginRequiredKey) continue;
    const JsonPath member_path = path.Member(internal::kReloginRequiredKey);
    if (seen_relogin) return internal::DuplicateKey(member_path);
    seen_relogin = true;
    if (auto error =
            internal::ReadOptionalBool(member.value, member_path, &record.relogin_required)) {
      return error;
    }
  }
  *out = std::move(record);
  return std::nullopt;
}

std::optional<ParseError> ReadTokens(Element e, const JsonPath& path,
                                     std::optional<ProviderTokens>* out) {
  if (e.is_null()) return std::nullopt;
  simdjson::dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    return internal::Mismatch(path, "an object or null", e);
  }
  ProviderTokens tokens;
  TypedKeySet seen;
  if (auto error = ReadTextRecord(object, path, internal::kProviderTokenKeys,
                                  internal::kProviderTokenMembers, &tokens, &seen)) {
    return error;
  }
  *out = std::move(tokens);
  return std::nullopt;
}

std::optional<ParseError> ReadProviderBlock(Element e, const JsonPath& path, ProviderBlock* block,
                                            Notes* notes) {
  static constexpr std::string_view kKeys[] = {"tokens", "last_refresh", "auth_mode",
                                               "last_auth_error"};
  simdjson::dom::object object;
  if (auto error = internal::ReadObject(e, path, &object)) return error;
  TypedKeySet seen;
  for (simdjson::dom::key_value_pair member :
       internal::LastOfEachKey(object)) {  // bounded by the document size
    const int key = TypedKeySet::IndexOf(member.key, kKeys, 4);
    if (key < 0) continue;
    const JsonPath member_path = path.Member(kKeys[key]);
    if (!seen.MarkSeen(key)) return internal::DuplicateKey(member_path);
    std::optional<ParseError> error;
    if (key == 0) error = ReadTokens(member.value, member_path, &block->tokens);
    if (key == 1) {
      error = internal::ReadOptionalString(member.value, member_path, &block->last_refresh);
      if (!error) internal::NoteIfNotRfc3339(block->last_refresh, member_path, notes);
    }
    if (key == 2)
      error = internal::ReadOptionalString(member.value, member_path, &block->auth_mode);
    if (key == 3) error = ReadAuthError(member.value, member_path, &block->last_auth_error);
    if (error) return error;
  }
  return std::nullopt;
}

// "providers" and "credential_pool": objects keyed by provider name; null reads as empty.
template <class Value, class ReadFn>
std::optional<ParseError> ReadProviderMap(Element e, const JsonPath& path,
                                          std::map<std::string, Value>* out, ReadFn read) {
  if (e.is_null()) return std::nullopt;
  simdjson::dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    return internal::Mismatch(path, "an object keyed by provider, or null", e);
  }
  std::set<std::string_view> names;
  for (simdjson::dom::key_value_pair member :
       internal::LastOfEachKey(object)) {  // bounded by the document size
    const JsonPath member_path = path.Member(member.key);
    if (!names.insert(member.key).second) return internal::DuplicateKey(member_path);
    Value value{};
    if (auto error = read(member.value, member_path, &value)) return error;
    out->emplace(std::string(member.key), std::move(value));
  }
  return std::nullopt;
}

}  // namespace

const char* PoolStatusName(PoolStatus status) {
  switch (status) {
    case PoolStatus::kUnset:
      return "null";
    case PoolStatus::kOk:
      return "ok";
    case PoolStatus::kExhausted:
      return "exhausted";
    case PoolStatus::kDead:
      return "dead";
  }
  return "null";
}

namespace internal {
std::optional<std::string> StatusText(PoolStatus status) {
  if (status == PoolStatus::kUnset) return std::nullopt;
  return std::string(PoolStatusName(status));
}
}  // namespace internal

Result<AgentAuth> ParseAgentAuth(std::string_view bytes) {
  Result<Element> root = internal::ParseDom(bytes, internal::Overflow::kReadAsZero);
  if (!root.ok()) return root.error();
  const JsonPath top;
  simdjson::dom::object object;
  if (auto error = internal::ReadObject(root.value(), top, &object)) return *error;
  static constexpr std::string_view kKeys[] = {"version", "providers", "credential_pool"};
  AgentAuth auth;
  Notes* notes = &auth.notes;
  TypedKeySet seen;
  for (simdjson::dom::key_value_pair member :
       internal::LastOfEachKey(object)) {  // bounded by the document size
    const int key = TypedKeySet::IndexOf(member.key, kKeys, 3);
    if (key < 0) continue;  // updated_at, active_provider, suppressed_sources, ...
    const JsonPath path = top.Member(kKeys[key]);
    if (!seen.MarkSeen(key)) return internal::DuplicateKey(path);
    std::optional<ParseError> error;
    if (key == 0) error = internal::ReadOptionalInteger(member.value, path, &auth.version);
    if (key == 1) {
      error = ReadProviderMap(member.value, path, &auth.providers,
                              [notes](Element e, const JsonPath& p, ProviderBlock* block) {
                                return ReadProviderBlock(e, p, block, notes);
                              });
    }
    if (key == 2) {
      error = ReadProviderMap(member.value, path, &auth.pool,
                              [notes](Element e, const JsonPath& p, std::vector<PoolEntry>* pool) {
                                return ReadPool(e, p, pool, notes);
                              });
    }
    if (error) return *error;
  }
  auth.original.assign(bytes.data(), bytes.size());
  return auth;
}

}  // namespace credsim::formats
