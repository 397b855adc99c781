// Codex CLI auth.json: typed extraction from simdjson's DOM and patching of the original document.
// Absent values that the file holds are written as null, as Codex's serde writer does.
#include "engine/formats/codex_auth.h"

#include "base/assert.h"
#include "engine/formats/json_dom.h"
#include "engine/formats/json_patch.h"

namespace credsim::formats {
namespace {

using internal::Element;
using internal::JsonPath;

enum TopKey : int { kAuthMode, kApiKey, kTokens, kLastRefresh, kTopKeyCount };
constexpr std::string_view kTopKeys[kTopKeyCount] = {"auth_mode", "OPENAI_API_KEY", "tokens",
                                                     "last_refresh"};

enum TokenKey : int { kIdToken, kAccessToken, kRefreshToken, kAccountId, kTokenKeyCount };
constexpr std::string_view kTokenKeys[kTokenKeyCount] = {"id_token", "access_token",
                                                         "refresh_token", "account_id"};

// The typed member for each key of kTokenKeys, in the same order.
constexpr std::optional<std::string> CodexTokens::*kTokenMembers[kTokenKeyCount] = {
    &CodexTokens::id_token, &CodexTokens::access_token, &CodexTokens::refresh_token,
    &CodexTokens::account_id};

std::optional<ParseError> ReadTokens(Element e, const JsonPath& path,
                                     std::optional<CodexTokens>* out) {
  if (e.is_null()) {
    out->reset();
    return std::nullopt;
  }
  simdjson::dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    return internal::Mismatch(path, "an object or null", e);
  }
  CodexTokens tokens;
  internal::TypedKeySet seen;
  for (simdjson::dom::key_value_pair field : object) {  // bounded by the document size
    const int key = internal::TypedKeySet::IndexOf(field.key, kTokenKeys, kTokenKeyCount);
    if (key < 0) continue;
    const JsonPath field_path = path.Member(kTokenKeys[key]);
    if (!seen.MarkSeen(key)) return internal::DuplicateKey(field_path);
    if (auto error =
            internal::ReadOptionalString(field.value, field_path, &(tokens.*kTokenMembers[key]))) {
      return error;
    }
  }
  *out = std::move(tokens);
  return std::nullopt;
}

std::optional<ParseError> ReadTopField(int key, Element value, const JsonPath& path,
                                       CodexAuth* auth) {
  switch (key) {
    case kAuthMode:
      return internal::ReadOptionalString(value, path, &auth->auth_mode);
    case kApiKey:
      return internal::ReadOptionalString(value, path, &auth->openai_api_key);
    case kTokens:
      return ReadTokens(value, path, &auth->tokens);
    case kLastRefresh:
      if (auto error = internal::ReadOptionalString(value, path, &auth->last_refresh)) return error;
      internal::NoteIfNotRfc3339(auth->last_refresh, path, &auth->notes);
      return std::nullopt;
  }
  CREDSIM_ASSERT(false, "unknown typed key");
  return std::nullopt;
}

void PatchTokens(const CodexTokens& typed, const CodexTokens* baseline, JsonValue& object) {
  for (int key = 0; key < kTokenKeyCount; ++key) {
    const auto member = kTokenMembers[key];
    internal::PatchOptional(object, kTokenKeys[key], typed.*member,
                            baseline ? &(baseline->*member) : nullptr, internal::AbsentAs::kNull);
  }
}

}  // namespace

Result<CodexAuth> ParseCodexAuth(std::string_view bytes) {
  Result<Element> root = internal::ParseDom(bytes);
  if (!root.ok()) return root.error();
  const JsonPath top;
  simdjson::dom::object object;
  if (auto error = internal::ReadObject(root.value(), top, &object)) return *error;
  CodexAuth auth;
  internal::TypedKeySet seen;
  for (simdjson::dom::key_value_pair field : object) {  // bounded by the document size
    const int key = internal::TypedKeySet::IndexOf(field.key, kTopKeys, kTopKeyCount);
    if (key < 0) continue;
    const JsonPath path = top.Member(kTopKeys[key]);
    if (!seen.MarkSeen(key)) return internal::DuplicateKey(path);
    if (auto error = ReadTopField(key, field.value, path, &auth)) return *error;
  }
  auth.original.assign(bytes.data(), bytes.size());
  return auth;
}

std::string SerializeCodexAuth(const CodexAuth& auth) {
  JsonValue root = internal::LoadPatchBase(auth.original);
  std::optional<CodexAuth> baseline;
  if (!auth.original.empty()) {
    Result<CodexAuth> parsed = ParseCodexAuth(auth.original);
    if (parsed.ok()) baseline = std::move(parsed).value();
  }
  const CodexAuth* base = baseline ? &*baseline : nullptr;
  using internal::AbsentAs;
  internal::PatchOptional(root, "auth_mode", auth.auth_mode, base ? &base->auth_mode : nullptr,
                          AbsentAs::kNull);
  internal::PatchOptional(root, "OPENAI_API_KEY", auth.openai_api_key,
                          base ? &base->openai_api_key : nullptr, AbsentAs::kNull);
  const bool tokens_unchanged = base != nullptr && base->tokens == auth.tokens;
  if (!tokens_unchanged) {
    if (!auth.tokens.has_value()) {
      if (root.Find("tokens") != nullptr) root.Set("tokens", JsonValue::Null());
    } else {
      const bool had_object = base != nullptr && base->tokens.has_value();
      PatchTokens(*auth.tokens, had_object ? &*base->tokens : nullptr,
                  internal::EnsureObjectMember(root, "tokens"));
    }
  }
  internal::PatchOptional(root, "last_refresh", auth.last_refresh,
                          base ? &base->last_refresh : nullptr, AbsentAs::kNull);
  return WriteJsonTree(root);
}

}  // namespace credsim::formats
