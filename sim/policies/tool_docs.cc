#include "sim/policies/tool_docs.h"

#include "engine/formats/json_tree.h"

namespace credsim::sim {
namespace {

using formats::JsonValue;

JsonValue RootOf(const std::string& bytes) {
  formats::Result<JsonValue> tree = formats::ParseJsonTree(bytes);
  if (tree.ok() && tree.value().is_object()) return std::move(tree).value();
  return JsonValue::Object();
}

JsonValue OptionalString(const std::optional<std::string>& s) {
  return s ? JsonValue::String(*s) : JsonValue::Null();
}

}  // namespace

std::string RebuildClaudeDoc(const std::string& old_bytes, const formats::ClaudeOauth& o) {
  JsonValue root = RootOf(old_bytes);
  JsonValue oauth = JsonValue::Object();
  oauth.Set("accessToken", JsonValue::String(o.access_token));
  oauth.Set("refreshToken", JsonValue::String(o.refresh_token));
  oauth.Set("expiresAt", JsonValue::Int(o.expires_at_ms));
  JsonValue scopes = JsonValue::Array();
  for (const std::string& s : o.scopes.value_or(std::vector<std::string>{})) {
    scopes.array.push_back(JsonValue::String(s));
  }
  oauth.Set("scopes", std::move(scopes));
  oauth.Set("subscriptionType", OptionalString(o.subscription_type));
  oauth.Set("rateLimitTier", OptionalString(o.rate_limit_tier));
  if (o.client_id) oauth.Set("clientId", JsonValue::String(*o.client_id));
  root.Set("claudeAiOauth", std::move(oauth));
  return formats::WriteJsonTree(root);
}

std::string WipeClaudeTokens(const std::string& old_bytes) {
  JsonValue root = RootOf(old_bytes);
  JsonValue* oauth = root.Find("claudeAiOauth");
  if (!oauth || !oauth->is_object()) return formats::WriteJsonTree(root);
  oauth->Set("accessToken", JsonValue::String(""));
  oauth->Set("refreshToken", JsonValue::String(""));
  oauth->Set("expiresAt", JsonValue::Int(0));
  return formats::WriteJsonTree(root);
}

std::string RebuildCodexDoc(const formats::CodexAuth& a) {
  JsonValue root = JsonValue::Object();
  root.Set("auth_mode", OptionalString(a.auth_mode));
  root.Set("OPENAI_API_KEY", OptionalString(a.openai_api_key));
  if (a.tokens) {
    JsonValue t = JsonValue::Object();
    t.Set("id_token", OptionalString(a.tokens->id_token));
    t.Set("access_token", OptionalString(a.tokens->access_token));
    t.Set("refresh_token", OptionalString(a.tokens->refresh_token));
    t.Set("account_id", OptionalString(a.tokens->account_id));
    root.Set("tokens", std::move(t));
  }
  root.Set("last_refresh", OptionalString(a.last_refresh));
  return formats::WriteJsonTree(root);
}

std::vector<std::string> SplitScope(const std::string& scope) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < scope.size() && out.size() < 64) {  // bounded: scopes are a handful of words
    const size_t end = std::min(scope.find(' ', start), scope.size());
    if (end > start) out.push_back(scope.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace credsim::sim
