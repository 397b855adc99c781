// Claude Code credentials: typed extraction straight from simdjson's DOM (Parse) and patching of
// the original document (Serialize). Absent optional fields are removed rather than written as
// null, because that is what Claude Code's own JSON.stringify writer does.
#include "engine/formats/claude_credentials.h"

#include <algorithm>

#include "base/assert.h"
#include "engine/formats/json_dom.h"
#include "engine/formats/json_patch.h"

namespace credsim::formats {
namespace {

using internal::Element;
using internal::JsonPath;

constexpr std::string_view kOauthKey = "claudeAiOauth";

enum OauthKey : int {
  kAccessToken,
  kRefreshToken,
  kExpiresAt,
  kScopes,
  kSubscriptionType,
  kRateLimitTier,
  kRefreshTokenExpiresAt,
  kClientId,
  kOauthKeyCount
};
constexpr std::string_view kOauthKeys[kOauthKeyCount] = {
    "accessToken",   "refreshToken",          "expiresAt", "scopes", "subscriptionType",
    "rateLimitTier", "refreshTokenExpiresAt", "clientId"};

std::optional<ParseError> ReadScopes(Element e, const JsonPath& path,
                                     std::optional<std::vector<std::string>>* out) {
  if (e.is_null()) {
    out->reset();
    return std::nullopt;
  }
  simdjson::dom::array array;
  if (e.get_array().get(array) != simdjson::SUCCESS) {
    return internal::Mismatch(path, "an array of strings or null", e);
  }
  std::vector<std::string> scopes;
  scopes.reserve(array.size());
  size_t index = 0;
  for (Element item : array) {  // bounded by the document size
    scopes.emplace_back();
    if (auto error = internal::ReadString(item, path.Index(index), &scopes.back())) return error;
    ++index;
  }
  *out = std::move(scopes);
  return std::nullopt;
}

std::optional<ParseError> ReadOauthField(int key, Element value, const JsonPath& path,
                                         ClaudeOauth* oauth, std::vector<UnitNote>* notes) {
  switch (key) {
    case kAccessToken:
      return internal::ReadString(value, path, &oauth->access_token);
    case kRefreshToken:
      return internal::ReadString(value, path, &oauth->refresh_token);
    case kExpiresAt:
      return internal::ReadEpochMs(value, path, &oauth->expires_at_ms, notes);
    case kScopes:
      return ReadScopes(value, path, &oauth->scopes);
    case kSubscriptionType:
      return internal::ReadOptionalString(value, path, &oauth->subscription_type);
    case kRateLimitTier:
      return internal::ReadOptionalString(value, path, &oauth->rate_limit_tier);
    case kRefreshTokenExpiresAt:
      return internal::ReadOptionalEpochMs(value, path, &oauth->refresh_token_expires_at_ms, notes);
    case kClientId:
      return internal::ReadOptionalString(value, path, &oauth->client_id);
  }
  CREDSIM_ASSERT(false, "unknown typed key");
  return std::nullopt;
}

std::optional<ParseError> ReadOauth(Element e, const JsonPath& path, ClaudeOauth* oauth,
                                    std::vector<UnitNote>* notes) {
  simdjson::dom::object object;
  if (auto error = internal::ReadObject(e, path, &object)) return error;
  internal::TypedKeySet seen;
  for (simdjson::dom::key_value_pair field :
       internal::LastOfEachKey(object)) {  // bounded by the document size
    const int key = internal::TypedKeySet::IndexOf(field.key, kOauthKeys, kOauthKeyCount);
    if (key < 0) continue;  // unknown: kept by Serialize, not interpreted
    const JsonPath field_path = path.Member(kOauthKeys[key]);
    if (!seen.MarkSeen(key)) return internal::DuplicateKey(field_path);
    if (auto error = ReadOauthField(key, field.value, field_path, oauth, notes)) return error;
  }
  for (int required : {kAccessToken, kRefreshToken, kExpiresAt}) {
    if (seen.MarkSeen(required)) {
      return internal::Invalid(path.Member(kOauthKeys[required]),
                               "expected this required key; found it missing");
    }
  }
  return std::nullopt;
}

void PatchOauth(const ClaudeOauth& typed, const ClaudeOauth* baseline, JsonValue& object) {
  using internal::AbsentAs;
  using internal::PatchOptional;
  using internal::PatchRequired;
  const auto base = [&](auto member) { return baseline ? &(baseline->*member) : nullptr; };
  PatchRequired(object, "accessToken", typed.access_token, base(&ClaudeOauth::access_token));
  PatchRequired(object, "refreshToken", typed.refresh_token, base(&ClaudeOauth::refresh_token));
  PatchRequired(object, "expiresAt", typed.expires_at_ms, base(&ClaudeOauth::expires_at_ms));
  const AbsentAs remove = AbsentAs::kRemoveKey;
  PatchOptional(object, "scopes", typed.scopes, base(&ClaudeOauth::scopes), remove);
  PatchOptional(object, "subscriptionType", typed.subscription_type,
                base(&ClaudeOauth::subscription_type), remove);
  PatchOptional(object, "rateLimitTier", typed.rate_limit_tier, base(&ClaudeOauth::rate_limit_tier),
                remove);
  PatchOptional(object, "refreshTokenExpiresAt", typed.refresh_token_expires_at_ms,
                base(&ClaudeOauth::refresh_token_expires_at_ms), remove);
  PatchOptional(object, "clientId", typed.client_id, base(&ClaudeOauth::client_id), remove);
}

}  // namespace

Result<ClaudeCredentials> ParseClaudeCredentials(std::string_view bytes) {
  Result<Element> root = internal::ParseDom(bytes, internal::Overflow::kReadAsZero);
  if (!root.ok()) return root.error();
  const JsonPath top;
  simdjson::dom::object object;
  if (auto error = internal::ReadObject(root.value(), top, &object)) return *error;

  ClaudeCredentials creds;
  bool seen_oauth = false;
  for (simdjson::dom::key_value_pair field :
       internal::LastOfEachKey(object)) {  // bounded by the document size
    if (field.key != kOauthKey) continue;
    const JsonPath path = top.Member(kOauthKey);
    if (seen_oauth) return internal::DuplicateKey(path);
    seen_oauth = true;
    if (field.value.is_null()) continue;  // "claudeAiOauth": null reads as logged out
    creds.oauth.emplace();
    if (auto error = ReadOauth(field.value, path, &*creds.oauth, &creds.notes)) return *error;
  }
  creds.original.assign(bytes.data(), bytes.size());
  return creds;
}

std::string SerializeClaudeCredentials(const ClaudeCredentials& creds) {
  JsonValue root = internal::LoadPatchBase(creds.original);
  std::optional<ClaudeOauth> baseline;
  bool baseline_known = false;
  if (!creds.original.empty()) {
    Result<ClaudeCredentials> parsed = ParseClaudeCredentials(creds.original);
    if (parsed.ok()) {
      baseline = std::move(parsed.value().oauth);
      baseline_known = true;
    }
  }
  if (!creds.oauth.has_value()) {
    // Logged out: no claudeAiOauth key (its unknown members go with it, as the caller asked).
    if (!baseline_known || baseline.has_value()) root.Remove(kOauthKey);
  } else {
    const bool had_object = baseline_known && baseline.has_value();
    JsonValue& oauth = internal::EnsureObjectMember(root, kOauthKey);
    PatchOauth(*creds.oauth, had_object ? &*baseline : nullptr, oauth);
  }
  return WriteJsonTree(root);
}

bool HasInferenceScope(const ClaudeOauth& oauth) {
  if (!oauth.scopes.has_value()) return false;
  const std::vector<std::string>& scopes = *oauth.scopes;
  return std::find(scopes.begin(), scopes.end(), "user:inference") != scopes.end();
}

}  // namespace credsim::formats
