#include "sim/store_docs.h"

#include <ctime>

#include "base/json_string.h"

namespace credsim::sim {
namespace {

std::string Quoted(const std::string& s) {
  std::string out;
  base::AppendJsonString(out, s);
  return out;
}

// `"key": N` for the stored expiry, or nothing when the field is absent.
std::string ExpiryMember(const DocTokens& t, const char* key, const char* separator) {
  if (t.expiry_absent) return "";
  return separator + std::string("\"") + key +
         "\": " + std::to_string(t.stored_expiry.value_or(t.expires_at_ms));
}

std::string WithExtraMembers(std::string doc, const std::string& extra) {
  if (extra.empty()) return doc;
  const size_t close = doc.rfind('}');
  return doc.substr(0, close) + "  ,\n  " + extra + "\n" + doc.substr(close);
}

}  // namespace

std::string Rfc3339(int64_t epoch_ms) {
  // gmtime_r is a pure function of its argument (no clock is read).
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

std::string ClaudeCredentialsDoc(const DocTokens& t) {
  std::string doc = "{\n  \"claudeAiOauth\": {\n    \"accessToken\": " + Quoted(t.access_token) +
                    ",\n    \"refreshToken\": " + Quoted(t.refresh_token) +
                    ExpiryMember(t, "expiresAt", ",\n    ");
  if (t.refresh_token_expires_at_ms) {
    doc += ",\n    \"refreshTokenExpiresAt\": " + std::to_string(*t.refresh_token_expires_at_ms);
  }
  if (t.scopes && t.scope_list.empty()) {
    doc += ",\n    \"scopes\": [\"user:inference\", \"user:profile\"]";
  } else if (t.scopes) {
    doc += ",\n    \"scopes\": [";
    for (size_t i = 0; i < t.scope_list.size(); ++i)
      doc += (i ? ", " : "") + Quoted(t.scope_list[i]);
    doc += "]";
  }
  if (!t.client_id.empty()) doc += ",\n    \"clientId\": " + Quoted(t.client_id);
  if (t.subscription) doc += ",\n    \"subscriptionType\": \"max\"";
  // An MCP section the scenario supplies replaces the empty default (no key twice).
  const bool own_mcp = t.extra_members.find("\"mcpOAuth\"") == std::string::npos;
  doc += ",\n    \"credsimMarker\": 1\n  },\n";
  if (own_mcp) doc += "  \"mcpOAuth\": {},\n";
  doc += "  \"credsimMarker\": 1\n}\n";
  return WithExtraMembers(std::move(doc), t.extra_members);
}

std::string AgentAuthDoc(const DocTokens& t, bool openai) {
  const std::string provider = openai ? "openai-codex" : "anthropic";
  const std::string source = openai ? "device_code" : "claude_code";
  std::string entry =
      "{\"id\": \"cc1\", \"label\": \"shared\", \"auth_type\": \"oauth\", "
      "\"priority\": 0, \"source\": \"" +
      source + "\", \"access_token\": " + Quoted(t.access_token) +
      ", \"refresh_token\": " + Quoted(t.refresh_token) + ExpiryMember(t, "expires_at_ms", ", ");
  if (!t.pool_status.empty()) {
    entry += ", \"last_status\": \"" + t.pool_status +
             "\", \"last_error_code\": 400, \"last_error_reset_at\": " +
             std::to_string(t.pool_reset_at_s);
  }
  entry += ", \"credsimMarker\": 1}";
  std::string doc = "{\n  \"version\": 1,\n  \"providers\": {";
  if (openai && t.providers_block) {
    doc += "\"openai-codex\": {\"tokens\": {\"access_token\": " + Quoted(t.access_token) +
           ", \"refresh_token\": " + Quoted(t.refresh_token) + "}}";
  }
  doc += "},\n  \"credential_pool\": {\"" + provider + "\": [" + entry + "]},\n";
  doc += "  \"credsimMarker\": 1\n}\n";
  return WithExtraMembers(std::move(doc), t.extra_members);
}

std::string CodexAuthDoc(const DocTokens& t) {
  std::string doc =
      "{\n  \"auth_mode\": \"chatgpt\",\n  \"OPENAI_API_KEY\": null,\n  \"tokens\": {\n"
      "    \"id_token\": " +
      Quoted(t.id_token) + ",\n    \"access_token\": " + Quoted(t.access_token) +
      ",\n    \"refresh_token\": " + Quoted(t.refresh_token) +
      ",\n    \"account_id\": \"acc-sim\"\n  },\n"
      "  \"last_refresh\": " +
      Quoted(t.last_refresh) + ",\n  \"credsimMarker\": 1\n}\n";
  return WithExtraMembers(std::move(doc), t.extra_members);
}

std::string DocFor(engine::StoreKind kind, const DocTokens& tokens, bool openai) {
  switch (kind) {
    case engine::StoreKind::kClaudeKeychain:
    case engine::StoreKind::kClaudeFile:
      return ClaudeCredentialsDoc(tokens);
    case engine::StoreKind::kAgentAuth:
      return AgentAuthDoc(tokens, openai);
    case engine::StoreKind::kCodexAuth:
      return CodexAuthDoc(tokens);
    case engine::StoreKind::kEngineRescue:
      return ClaudeCredentialsDoc(tokens);  // the format the engine parks pairs in
  }
  return {};
}

}  // namespace credsim::sim
