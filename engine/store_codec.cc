#include "engine/store_codec.h"

#include <algorithm>
#include <set>

#include "base/assert.h"
#include "engine/formats/agent_auth.h"
#include "engine/formats/claude_credentials.h"
#include "engine/formats/codex_auth.h"
#include "engine/formats/time_units.h"

namespace credsim::engine {
namespace {

constexpr const char* kClaudeCodeSource = "claude_code";
constexpr const char* kLoginPoolEntryId = "credsim-login";

// Epoch ms of a JWT's exp, clamped to a sane range so that a hostile exp cannot overflow.
int64_t JwtExpiryMs(const std::string& token) {
  constexpr int64_t kMaxEpochS = int64_t{1} << 36;  // year ~4147
  auto exp_s = formats::JwtExpirySeconds(token);
  if (!exp_s || *exp_s <= 0) return 0;
  return std::min(*exp_s, kMaxEpochS) * 1000;
}

// The account a Codex credential belongs to: the access token's own claim (minted by the server,
// so authoritative), else the stored account_id.
std::optional<std::string> AccountOf(const std::optional<std::string>& stored,
                                     const std::string& access_token) {
  if (auto claimed = formats::JwtOpenAiAccountId(access_token)) return claimed;
  if (stored && !stored->empty()) return stored;
  return std::nullopt;
}

void AddNotes(StoreView& view, const std::vector<formats::UnitNote>& notes) {
  for (const auto& n : notes) view.notes.push_back(n.path + ": " + n.note);
}

Credential FromClaude(const formats::ClaudeOauth& oauth) {
  return Credential{.access_token = oauth.access_token,
                    .refresh_token = oauth.refresh_token,
                    .expires_at_ms = oauth.expires_at_ms,
                    .scopes = oauth.scopes,
                    .subscription_type = oauth.subscription_type};
}

Credential FromProviderBlock(const formats::ProviderBlock& block) {
  Credential c;
  if (!block.tokens) return c;
  c.access_token = block.tokens->access_token.value_or("");
  c.refresh_token = block.tokens->refresh_token.value_or("");
  c.id_token = block.tokens->id_token;
  c.account_id = AccountOf(block.tokens->account_id, c.access_token);
  c.expires_at_ms = JwtExpiryMs(c.access_token);
  return c;
}

Credential FromPoolEntry(const formats::PoolEntry& entry) {
  Credential c;
  c.access_token = entry.access_token.value_or("");
  c.refresh_token = entry.refresh_token.value_or("");
  // The server's own exp (a JWT access token) beats expires_at_ms, which some writer computed from
  // its own, possibly skewed, clock: comparing the two kinds ranked a spent pair above a fresh one.
  const int64_t jwt_ms = JwtExpiryMs(c.access_token);
  c.expires_at_ms = jwt_ms > 0 ? jwt_ms : entry.expires_at_ms.value_or(0);
  c.account_id = AccountOf(std::nullopt, c.access_token);
  return c;
}

Credential FromCodex(const formats::CodexTokens& tokens) {
  Credential c;
  c.access_token = tokens.access_token.value_or("");
  c.refresh_token = tokens.refresh_token.value_or("");
  c.id_token = tokens.id_token;
  c.account_id = AccountOf(tokens.account_id, c.access_token);
  c.expires_at_ms = JwtExpiryMs(c.access_token);
  return c;
}

bool IsSessionPoolEntry(Provider provider, const formats::PoolEntry& entry) {
  const bool has_tokens = entry.access_token.has_value() || entry.refresh_token.has_value();
  if (!has_tokens) return false;  // borrowed by fingerprint: nothing in it can go stale
  if (provider == Provider::kAnthropic) return entry.source.value_or("") == kClaudeCodeSource;
  return entry.auth_type.value_or("oauth") == "oauth";
}

struct WritePolicy {
  bool login = false;
  const std::set<std::string>* superseded = nullptr;  // see EncodeCredential
};

// A login replaces whatever the slot holds (of the same account); a refresh only what is older.
bool Takes(const Credential& existing, const Credential& incoming, const WritePolicy& policy) {
  if (!policy.login) {
    static const std::set<std::string> kNone;
    return ShouldOverwrite(existing, incoming, policy.superseded ? *policy.superseded : kNone);
  }
  return !(existing.account_id && incoming.account_id &&
           *existing.account_id != *incoming.account_id);
}

// --- writing one slot -------------------------------------------------------------------------

void WriteClaude(formats::ClaudeOauth& oauth, const Credential& c) {
  oauth.access_token = c.access_token;
  oauth.refresh_token = c.refresh_token;
  oauth.expires_at_ms = c.expires_at_ms;
  if (c.scopes) oauth.scopes = c.scopes;  // never drop scopes: Claude Code gates on user:inference
  if (!oauth.subscription_type && c.subscription_type)
    oauth.subscription_type = c.subscription_type;
}

void WriteProviderBlock(formats::ProviderBlock& block, const Credential& c, int64_t now_ms) {
  if (!block.tokens) block.tokens = formats::ProviderTokens{};
  block.tokens->access_token = c.access_token;
  block.tokens->refresh_token = c.refresh_token;
  if (c.id_token) block.tokens->id_token = c.id_token;
  if (c.account_id) block.tokens->account_id = c.account_id;
  block.last_refresh = formats::FormatRfc3339Ms(now_ms);
  block.last_auth_error.reset();  // the session works again: a stale error would mislead readers
}

void WritePoolEntry(formats::PoolEntry& entry, const Credential& c, int64_t now_ms) {
  entry.access_token = c.access_token;
  entry.refresh_token = c.refresh_token;
  if (c.expires_at_ms > 0) entry.expires_at_ms = c.expires_at_ms;
  if (entry.last_refresh) entry.last_refresh = formats::FormatRfc3339Ms(now_ms);
  // A fresh pair makes any exhausted/dead verdict about the old one obsolete (reports 1, 7, 19).
  if (entry.last_status == formats::PoolStatus::kExhausted ||
      entry.last_status == formats::PoolStatus::kDead) {
    entry.last_status = formats::PoolStatus::kOk;
    entry.last_status_at_s = now_ms / 1000;
  }
  entry.last_error_code.reset();
  entry.last_error_reason.reset();
  entry.last_error_message.reset();
  entry.last_error_reset_at_s.reset();
}

void WriteCodex(formats::CodexTokens& tokens, const Credential& c) {
  tokens.access_token = c.access_token;
  tokens.refresh_token = c.refresh_token;
  if (c.id_token) tokens.id_token = c.id_token;
  if (c.account_id) tokens.account_id = c.account_id;
}

// --- per store kind ---------------------------------------------------------------------------

std::optional<std::string> EncodeClaude(const StoreView& view, const Credential& c,
                                        const WritePolicy& policy) {
  const bool login = policy.login;
  formats::ClaudeCredentials doc;
  if (view.status == IoStatus::kOk) {
    auto parsed = formats::ParseClaudeCredentials(view.bytes);
    if (!parsed) return std::nullopt;
    doc = std::move(parsed).value();
  } else if (!(login && view.id.kind == StoreKind::kClaudeFile)) {
    return std::nullopt;  // never create a keychain item, nor a file outside a login
  }
  if (!doc.oauth) {
    if (!login) return std::nullopt;
    doc.oauth = formats::ClaudeOauth{};
  } else if (!Takes(FromClaude(*doc.oauth), c, policy)) {
    return std::nullopt;
  }
  WriteClaude(*doc.oauth, c);
  return formats::SerializeClaudeCredentials(doc);
}

std::optional<std::string> EncodeCodex(const StoreView& view, const Credential& c, int64_t now_ms,
                                       const WritePolicy& policy) {
  const bool login = policy.login;
  formats::CodexAuth doc;
  if (view.status == IoStatus::kOk) {
    auto parsed = formats::ParseCodexAuth(view.bytes);
    if (!parsed) return std::nullopt;
    doc = std::move(parsed).value();
  } else if (!login) {
    return std::nullopt;
  }
  if (!doc.tokens) {
    if (!login) return std::nullopt;
    doc.tokens = formats::CodexTokens{};
    if (!doc.auth_mode) doc.auth_mode = "chatgpt";
  } else if (!Takes(FromCodex(*doc.tokens), c, policy)) {
    return std::nullopt;
  }
  WriteCodex(*doc.tokens, c);
  doc.last_refresh = formats::FormatRfc3339Ms(now_ms);
  return formats::SerializeCodexAuth(doc);
}

std::optional<std::string> EncodeAgent(Provider provider, const StoreView& view,
                                       const Credential& c, int64_t now_ms,
                                       const WritePolicy& policy) {
  const bool login = policy.login;
  formats::AgentAuth doc;
  if (view.status == IoStatus::kOk) {
    auto parsed = formats::ParseAgentAuth(view.bytes);
    if (!parsed) return std::nullopt;
    doc = std::move(parsed).value();
  } else if (!(login && provider == Provider::kOpenAiCodex && view.id.profile.empty())) {
    return std::nullopt;  // a login creates only the root store; profiles fall back to it
  }
  const std::string name = ProviderName(provider);
  bool changed = false;
  auto block = doc.providers.find(name);
  const bool create_block = login && provider == Provider::kOpenAiCodex;
  if (block != doc.providers.end() && block->second.tokens) {
    if (Takes(FromProviderBlock(block->second), c, policy)) {
      WriteProviderBlock(block->second, c, now_ms);
      changed = true;
    }
  } else if (create_block) {
    WriteProviderBlock(doc.providers[name], c, now_ms);
    changed = true;
  }
  bool pool_has_session_entry = false;
  for (auto& entry : doc.pool[name]) {
    if (!IsSessionPoolEntry(provider, entry)) continue;
    pool_has_session_entry = true;
    if (!Takes(FromPoolEntry(entry), c, policy)) continue;
    WritePoolEntry(entry, c, now_ms);
    changed = true;
  }
  if (create_block && !pool_has_session_entry) {
    formats::PoolEntry entry{.id = kLoginPoolEntryId,
                             .label = std::string("openai-codex-oauth"),
                             .auth_type = std::string("oauth"),
                             .priority = 0,
                             .source = std::string("credsim_login")};
    WritePoolEntry(entry, c, now_ms);
    doc.pool[name].push_back(std::move(entry));
    changed = true;
  }
  if (doc.pool[name].empty()) doc.pool.erase(name);  // do not invent an empty list
  if (!changed) return std::nullopt;
  return formats::SerializeAgentAuth(doc);
}

std::optional<std::string> Encode(Provider provider, const StoreView& view, const Credential& c,
                                  int64_t now_ms, const WritePolicy& policy) {
  CREDSIM_ASSERT(!c.refresh_token.empty() || !c.access_token.empty());
  if (view.corrupt) return std::nullopt;  // a corrupt store is reported and skipped, never replaced
  if (view.status != IoStatus::kOk && view.status != IoStatus::kNotFound) return std::nullopt;
  switch (view.id.kind) {
    case StoreKind::kClaudeKeychain:
    case StoreKind::kClaudeFile:
      if (provider != Provider::kAnthropic) return std::nullopt;
      return EncodeClaude(view, c, policy);
    case StoreKind::kCodexAuth:
      if (provider != Provider::kOpenAiCodex) return std::nullopt;
      return EncodeCodex(view, c, now_ms, policy);
    case StoreKind::kAgentAuth:
      return EncodeAgent(provider, view, c, now_ms, policy);
    case StoreKind::kEngineRescue:
      return std::nullopt;  // not a session store: EncodeParked writes it whole
  }
  return std::nullopt;
}

// The step every store kind starts with: the parsed document, or nullptr with view.corrupt
// saying why (the store is then reported and skipped, never rewritten).
template <class T>
const T* ParsedOrCorrupt(StoreView& view, const formats::Result<T>& parsed) {
  if (!parsed) {
    view.corrupt = parsed.error().ToString();
    return nullptr;
  }
  return &parsed.value();
}

void DecodeClaude(Provider provider, StoreView& view) {
  const auto parsed = formats::ParseClaudeCredentials(view.bytes);
  const formats::ClaudeCredentials* doc = ParsedOrCorrupt(view, parsed);
  if (doc == nullptr) return;
  AddNotes(view, doc->notes);
  if (provider == Provider::kAnthropic && doc->oauth) {
    view.slots.push_back(Candidate{.store = view.id,
                                   .slot = Slot{.kind = Slot::Kind::kClaudeOauth},
                                   .credential = FromClaude(*doc->oauth)});
  }
}

void DecodeCodex(Provider provider, StoreView& view) {
  const auto parsed = formats::ParseCodexAuth(view.bytes);
  const formats::CodexAuth* doc = ParsedOrCorrupt(view, parsed);
  if (doc == nullptr) return;
  AddNotes(view, doc->notes);
  if (provider == Provider::kOpenAiCodex && doc->tokens) {
    view.slots.push_back(Candidate{.store = view.id,
                                   .slot = Slot{.kind = Slot::Kind::kCodexTokens},
                                   .credential = FromCodex(*doc->tokens)});
  }
}

// A Claude credentials document whatever the provider; "{}" when nothing is parked.
void DecodeRescue(Provider provider, StoreView& view) {
  const auto parsed = formats::ParseClaudeCredentials(view.bytes);
  const formats::ClaudeCredentials* doc = ParsedOrCorrupt(view, parsed);
  if (doc == nullptr || !doc->oauth || doc->oauth->refresh_token.empty()) return;
  Credential c = FromClaude(*doc->oauth);
  if (provider == Provider::kOpenAiCodex) c.account_id = AccountOf(std::nullopt, c.access_token);
  view.slots.push_back(Candidate{.store = view.id,
                                 .slot = Slot{.kind = Slot::Kind::kClaudeOauth},
                                 .credential = std::move(c)});
}

// The provider's block, then every pool entry that holds this provider's session.
void DecodeAgent(Provider provider, StoreView& view) {
  const auto parsed = formats::ParseAgentAuth(view.bytes);
  const formats::AgentAuth* doc = ParsedOrCorrupt(view, parsed);
  if (doc == nullptr) return;
  AddNotes(view, doc->notes);
  const std::string name = ProviderName(provider);
  if (auto it = doc->providers.find(name); it != doc->providers.end() && it->second.tokens) {
    view.slots.push_back(Candidate{.store = view.id,
                                   .slot = Slot{.kind = Slot::Kind::kAgentProvider},
                                   .credential = FromProviderBlock(it->second)});
  }
  const auto pool = doc->pool.find(name);
  if (pool == doc->pool.end()) return;
  for (const auto& entry : pool->second) {
    if (!IsSessionPoolEntry(provider, entry)) continue;
    view.slots.push_back(
        Candidate{.store = view.id,
                  .slot = Slot{.kind = Slot::Kind::kAgentPool, .pool_entry_id = entry.id},
                  .credential = FromPoolEntry(entry),
                  .pool_status = entry.last_status});
  }
}

void DecodeSlots(Provider provider, StoreView& view) {
  switch (view.id.kind) {
    case StoreKind::kClaudeKeychain:
    case StoreKind::kClaudeFile:
      return DecodeClaude(provider, view);
    case StoreKind::kCodexAuth:
      return DecodeCodex(provider, view);
    case StoreKind::kEngineRescue:
      return DecodeRescue(provider, view);
    case StoreKind::kAgentAuth:
      return DecodeAgent(provider, view);
  }
}

}  // namespace

bool ShouldOverwrite(const Credential& existing, const Credential& incoming,
                     const std::set<std::string>& superseded) {
  if (existing.account_id && incoming.account_id && *existing.account_id != *incoming.account_id) {
    return false;  // another account's credential (a multi-account pool) is never touched
  }
  const bool same_pair = existing.access_token == incoming.access_token &&
                         existing.refresh_token == incoming.refresh_token &&
                         existing.expires_at_ms == incoming.expires_at_ms;
  if (same_pair) return !existing.scopes && incoming.scopes.has_value();  // only to repair scopes
  if (superseded.count(existing.refresh_token) > 0)
    return true;  // known spent: whatever its expiry
  const bool existing_is_fresher = !existing.empty() &&
                                   existing.refresh_token != incoming.refresh_token &&
                                   existing.expires_at_ms > incoming.expires_at_ms;
  return !existing_is_fresher;
}

StoreView DecodeStore(Provider provider, const StoreId& id, const StoreRead& read) {
  StoreView view;
  view.id = id;
  view.status = read.status;
  view.version = read.version;
  view.facts = read.facts;
  if (read.status != IoStatus::kOk) return view;
  view.bytes = read.bytes;
  DecodeSlots(provider, view);
  return view;
}

std::optional<std::string> EncodeCredential(Provider provider, const StoreView& view,
                                            const Credential& credential, int64_t now_ms,
                                            const std::set<std::string>& superseded) {
  return Encode(provider, view, credential, now_ms,
                WritePolicy{.login = false, .superseded = &superseded});
}

std::optional<std::string> EncodeLogin(Provider provider, const StoreView& view,
                                       const Credential& credential, int64_t now_ms) {
  return Encode(provider, view, credential, now_ms, WritePolicy{.login = true});
}

std::string EncodeParked(const Credential& c) {
  CREDSIM_ASSERT(!c.refresh_token.empty());
  formats::ClaudeCredentials doc;
  doc.oauth = formats::ClaudeOauth{.access_token = c.access_token,
                                   .refresh_token = c.refresh_token,
                                   .expires_at_ms = c.expires_at_ms,
                                   .scopes = c.scopes,
                                   .subscription_type = c.subscription_type};
  return formats::SerializeClaudeCredentials(doc);
}

}  // namespace credsim::engine
