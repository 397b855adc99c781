#include "live/store_mutator.h"

#include <algorithm>

#include "base/assert.h"
#include "base/json_string.h"
#include "base/replace_all.h"
#include "engine/formats/time_units.h"
#include "fake_oauth_server/rng.h"

namespace credsim::live {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kNineDaysMs = 9 * 24 * kHourMs;

// Claude Code's file as it writes it (docs/REAL_CLIENTS.md#claude-code-write-back): the OAuth
// object with scopes and plan, an MCP server's own OAuth state beside it.
constexpr const char* kClaudeFull = R"({
  "claudeAiOauth": {
    "accessToken": "@AT@",
    "refreshToken": "@RT@",
    "expiresAt": @EXP_MS@,
    "scopes": [
      "user:inference",
      "user:profile",
      "user:sessions:claude_code"
    ],
    "subscriptionType": "max",
    "rateLimitTier": "default_claude_max_5x"
  },
  "mcpOAuth": {
    "example-server|0a1b2c": {
      "serverName": "example-server",
      "serverUrl": "https://mcp.example.invalid/mcp",
      "expiresAt": 0
    }
  }
}
)";
// The compact shape other writers leave (no scopes, one line).
constexpr const char* kClaudeCompact =
    R"({"claudeAiOauth": {"accessToken": "@AT@", "refreshToken": "@RT@", "expiresAt": @EXP_MS@}})";

// An agent's auth.json (Hermes' shape): a provider block for another provider, the session in the
// Anthropic credential pool (expiry in ms, status times in s).
constexpr const char* kAgentPool = R"({
  "version": 1,
  "updated_at": "@NOW_RFC3339@",
  "active_provider": "anthropic",
  "credential_pool": {
    "anthropic": [
      {
        "id": "7be210",
        "label": "claude-code",
        "auth_type": "oauth",
        "priority": 0,
        "source": "claude_code",
        "access_token": "@AT@",
        "refresh_token": "@RT@",
        "expires_at_ms": @EXP_MS@,
        "last_status": null,
        "last_status_at": @PAST_S@,
        "request_count": 412
      }
    ]
  },
  "suppressed_sources": {}
}
)";

// Codex's auth.json (docs/REAL_CLIENTS.md#codex-write-back); the expiry is the access JWT's own.
constexpr const char* kCodex = R"({
  "auth_mode": "chatgpt",
  "OPENAI_API_KEY": null,
  "tokens": {
    "id_token": "@ID@",
    "access_token": "@AT@",
    "refresh_token": "@RT@",
    "account_id": "acc-EXAMPLE"
  },
  "last_refresh": "@NOW_RFC3339@"
}
)";

using Rewrite = bool (*)(FuzzedStore, std::string*);

bool ReplaceAll(std::string* text, std::string_view from, std::string_view to) {
  return base::ReplaceAll(text, from, to) > 0;
}

// Inserts `member` ("\"k\": v") as the first member of the object that opens at `brace`.
bool InsertMember(std::string* text, size_t brace, const std::string& member) {
  if (brace == std::string::npos || (*text)[brace] != '{') return false;
  const size_t next = text->find_first_not_of(" \t\r\n", brace + 1);
  const bool empty = next != std::string::npos && (*text)[next] == '}';
  text->insert(brace + 1, empty ? member : member + ", ");
  return true;
}

bool InsertTopLevel(std::string* text, const std::string& member) {
  return InsertMember(text, text->find('{'), member);
}

// The '{' of the object holding the refresh token (templates hold no braces inside strings).
size_t SessionObject(const std::string& text) {
  const size_t rt = text.find("\"@RT@\"");
  if (rt == std::string::npos) return std::string::npos;
  int depth = 0;
  for (size_t i = rt; i-- > 0;) {
    if (text[i] == '}') ++depth;
    if (text[i] == '{' && depth-- == 0) return i;
  }
  return std::string::npos;
}

// The key whose value is `value` ("\"accessToken\"" for "\"@AT@\""), or "".
std::string KeyOf(const std::string& text, std::string_view value) {
  const size_t at = text.find(value);
  if (at == std::string::npos) return "";
  const size_t colon = text.rfind(':', at);
  const size_t close = colon == std::string::npos ? colon : text.rfind('"', colon);
  const size_t open = close == std::string::npos || close == 0 ? close : text.rfind('"', close - 1);
  if (open == std::string::npos || close == std::string::npos) return "";
  return text.substr(open, close - open + 1);
}

bool Expired(FuzzedStore, std::string* text) {
  bool any = ReplaceAll(text, "@EXP_MS@", "@PAST_MS@");
  any |= ReplaceAll(text, "@EXP_S@", "@PAST_S@");
  // Codex refreshes by last_refresh's age; the agent's updated_at is only a stamp.
  const size_t last_refresh = text->find("\"last_refresh\"");
  if (last_refresh != std::string::npos) {
    const size_t now = text->find("@NOW_RFC3339@", last_refresh);
    if (now != std::string::npos) text->replace(now, 13, "@OLD_RFC3339@"), any = true;
  }
  return any;
}

bool ExpiryInSeconds(FuzzedStore, std::string* text) {
  return ReplaceAll(text, "@EXP_MS@", "@EXP_S@");
}

bool ExpiryDropped(FuzzedStore, std::string* text) {
  const size_t value = text->find("@EXP_MS@");
  if (value == std::string::npos) return false;
  const size_t colon = text->rfind(':', value);
  const size_t close = colon == std::string::npos ? colon : text->rfind('"', colon);
  const size_t open =
      close == std::string::npos || close == 0 ? close : text->rfind('"', close - 1);
  const size_t comma = text->find_first_not_of(" \t\r\n", value + 8);
  // The last member of its object would leave its predecessor's comma dangling; no template has
  // the expiry last.
  if (open == std::string::npos || comma == std::string::npos || (*text)[comma] != ',')
    return false;
  const size_t next = text->find_first_not_of(" \t\r\n", comma + 1);
  text->erase(open, next - open);
  return true;
}

bool UnknownMembers(FuzzedStore, std::string* text) {
  const bool inner =
      InsertMember(text, SessionObject(*text), "\"credsimUnknownInner\": {\"kept\": 7}");
  const bool top = InsertTopLevel(
      text,
      R"("credsimUnknown": {"kept": [1, 2.50, "x", null, true], "nested": {"deeper": "value"}})");
  return inner || top;
}

// Stale values of the session's own keys earlier in the same object: every owner keeps the last.
bool DuplicateKeys(FuzzedStore, std::string* text) {
  const std::string at_key = KeyOf(*text, "\"@AT@\"");
  const std::string rt_key = KeyOf(*text, "\"@RT@\"");
  if (at_key.empty() || rt_key.empty()) return false;
  return InsertMember(text, SessionObject(*text),
                      at_key + ": \"\", " + rt_key + ": \"stale-refresh-0\"");
}

bool HugeNumbers(FuzzedStore, std::string* text) {
  return InsertTopLevel(text, R"("stats": {"big": 1e400, "wide": 123456789012345678901234567890, )"
                              R"("tiny": 1e-400, "negzero": -0})");
}

bool DeepNesting(FuzzedStore store, std::string* text) {
  // Codex's serde_json stops at 128 levels for the whole document, unknown members included.
  const size_t depth = store == FuzzedStore::kCodex ? 100 : 200;
  return InsertTopLevel(text, "\"deep\": " + std::string(depth, '[') + std::string(depth, ']'));
}

bool LongString(FuzzedStore, std::string* text) {
  return InsertTopLevel(text, "\"note\": \"" + std::string(64 * 1024, 'x') + "\"");
}

bool EscapedTokens(FuzzedStore, std::string* text) {
  const bool access = ReplaceAll(text, "\"@AT@\"", "\"@AT_ESCAPED@\"");
  const bool refresh = ReplaceAll(text, "\"@RT@\"", "\"@RT_ESCAPED@\"");
  return access || refresh;
}

bool Crlf(FuzzedStore, std::string* text) { return ReplaceAll(text, "\n", "\r\n"); }

bool Padded(FuzzedStore, std::string* text) {
  *text = "\n\t " + *text + " \n\n";
  return true;
}

// From here on the owners refuse the document; a reader must report it and leave it alone.
bool Bom(FuzzedStore, std::string* text) {
  text->insert(0, "\xEF\xBB\xBF");
  return true;
}

bool TrailingBytes(FuzzedStore, std::string* text) {
  *text += "\n{}\n";
  return true;
}

bool NullDocument(FuzzedStore, std::string* text) {
  *text = "null";
  return true;
}

struct Mutation {
  const char* name;
  Rewrite rewrite;
  bool terminal;  // leaves a document the owner refuses; applied last, at most one
};

constexpr Mutation kMutations[] = {
    {"expired", Expired, false},
    {"expiry-in-seconds", ExpiryInSeconds, false},
    {"expiry-dropped", ExpiryDropped, false},
    {"unknown-members", UnknownMembers, false},
    {"duplicate-keys", DuplicateKeys, false},
    {"huge-numbers", HugeNumbers, false},
    {"deep-nesting", DeepNesting, false},
    {"long-string", LongString, false},
    {"escaped-tokens", EscapedTokens, false},
    {"crlf", Crlf, false},
    {"padded", Padded, false},
    {"bom", Bom, true},
    {"trailing-bytes", TrailingBytes, true},
    {"truncated", nullptr, true},  // needs the seed: see Mutate
    {"null-document", NullDocument, true},
};

bool Applies(FuzzedStore store, const Mutation& m, const std::string& text) {
  if (m.rewrite == nullptr) return text.size() > 2;
  std::string copy = text;
  return m.rewrite(store, &copy);
}

std::string EscapeHead(const std::string& token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (i < 4) {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto c = static_cast<unsigned char>(token[i]);
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += token[i];
    }
  }
  return out;
}

// `value` as it goes between the quotes of a JSON string.
std::string Escaped(std::string_view value) {
  std::string quoted;
  base::AppendJsonString(quoted, value);
  CREDSIM_ASSERT(quoted.size() >= 2 && quoted.front() == '"' && quoted.back() == '"');
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

bool ParseFuzzedStore(std::string_view name, FuzzedStore* out) {
  if (name == "claude") return *out = FuzzedStore::kClaude, true;
  if (name == "agent") return *out = FuzzedStore::kAgent, true;
  if (name == "codex") return *out = FuzzedStore::kCodex, true;
  return false;
}

const char* FuzzedStoreName(FuzzedStore store) {
  switch (store) {
    case FuzzedStore::kClaude:
      return "claude";
    case FuzzedStore::kAgent:
      return "agent";
    case FuzzedStore::kCodex:
      return "codex";
  }
  return "?";
}

engine::Provider ProviderOf(FuzzedStore store) {
  return store == FuzzedStore::kCodex ? engine::Provider::kOpenAiCodex
                                      : engine::Provider::kAnthropic;
}

engine::StoreId StoreIdOf(FuzzedStore store) {
  switch (store) {
    case FuzzedStore::kClaude:
      return {engine::StoreKind::kClaudeFile, ""};
    case FuzzedStore::kAgent:
      return {engine::StoreKind::kAgentAuth, ""};
    case FuzzedStore::kCodex:
      return {engine::StoreKind::kCodexAuth, ""};
  }
  CREDSIM_ASSERT(false, "every fuzzed store has a store id");
}

std::vector<std::string> BuiltInTemplates(FuzzedStore store) {
  switch (store) {
    case FuzzedStore::kClaude:
      return {kClaudeFull, kClaudeCompact};
    case FuzzedStore::kAgent:
      return {kAgentPool};
    case FuzzedStore::kCodex:
      return {kCodex};
  }
  return {};
}

std::vector<std::string> MutationNames(FuzzedStore) {
  std::vector<std::string> names;
  for (const Mutation& m : kMutations) names.emplace_back(m.name);
  return names;
}

bool ApplyMutation(FuzzedStore store, std::string_view name, std::string* text) {
  for (const Mutation& m : kMutations) {
    if (name != m.name) continue;
    if (m.rewrite != nullptr) return m.rewrite(store, text);
    if (text->size() <= 2) return false;
    text->resize(text->size() / 2);  // by name alone: the middle; Mutate picks the cut by seed
    return true;
  }
  return false;
}

MutatedInput Mutate(FuzzedStore store, const std::string& template_text, uint64_t seed) {
  oauth::Xoshiro256 rng(seed);
  std::vector<const Mutation*> shaping, terminal;
  for (const Mutation& m : kMutations) {
    if (!Applies(store, m, template_text)) continue;
    (m.terminal ? terminal : shaping).push_back(&m);
  }
  MutatedInput out{template_text, {}};
  // One to three shaping mutations, in the table's order; a quarter of the cases end refused.
  const size_t count = 1 + rng.Below(3);
  std::vector<const Mutation*> chosen;
  while (chosen.size() < std::min(count, shaping.size())) {
    const Mutation* m = shaping[rng.Below(shaping.size())];
    if (std::find(chosen.begin(), chosen.end(), m) == chosen.end()) chosen.push_back(m);
  }
  std::sort(chosen.begin(), chosen.end());
  if (!terminal.empty() && rng.Below(4) == 0)
    chosen.push_back(terminal[rng.Below(terminal.size())]);
  for (const Mutation* m : chosen) {
    if (m->rewrite == nullptr) {
      out.text.resize(1 + rng.Below(out.text.size() - 1));
    } else if (!m->rewrite(store, &out.text)) {
      continue;  // an earlier mutation took what this one needs
    }
    out.mutations.emplace_back(m->name);
  }
  CREDSIM_ASSERT(out.mutations.size() <= 4);
  return out;
}

std::string Instantiate(const std::string& text, const LiveValues& v) {
  CREDSIM_ASSERT(v.now_ms > 0, "instantiated against a real clock");
  std::string out = text;
  const std::pair<std::string, std::string> values[] = {
      {"@AT_ESCAPED@", EscapeHead(Escaped(v.access_token))},
      {"@RT_ESCAPED@", EscapeHead(Escaped(v.refresh_token))},
      {"@AT@", Escaped(v.access_token)},
      {"@RT@", Escaped(v.refresh_token)},
      {"@ID@", Escaped(v.id_token)},
      {"@EXP_MS@", std::to_string(v.expires_at_ms)},
      {"@EXP_S@", std::to_string(v.expires_at_ms / 1000)},
      {"@PAST_MS@", std::to_string(v.now_ms - kHourMs)},
      {"@PAST_S@", std::to_string((v.now_ms - kHourMs) / 1000)},
      {"@NOW_RFC3339@", formats::FormatRfc3339Ms(v.now_ms)},
      {"@OLD_RFC3339@", formats::FormatRfc3339Ms(v.now_ms - kNineDaysMs)},
  };
  for (const auto& [placeholder, value] : values) ReplaceAll(&out, placeholder, value);
  return out;
}

std::string Placeholders(std::string text, const LiveValues& v) {
  const std::pair<std::string, std::string> tokens[] = {
      {v.access_token, "@AT@"}, {v.refresh_token, "@RT@"}, {v.id_token, "@ID@"}};
  for (const auto& [token, placeholder] : tokens) {
    if (!token.empty()) ReplaceAll(&text, token, placeholder);
  }
  return text;
}

}  // namespace credsim::live
