// Store codec: what a store's bytes say about one provider's shared session, and the bytes that
// write a credential back into it. Pure functions over formats/; no I/O.
//
// Which slots belong to the shared session (the engine writes a refreshed pair into all of them):
//  - anthropic: claudeAiOauth of the Claude Code file and keychain item; in an agent auth.json, the
//    credential_pool.anthropic entries imported from Claude Code (source "claude_code") that hold
//    tokens, and providers.anthropic when present. Other pool entries (e.g. the agent's own PKCE
//    login, source "hermes_pkce") are separate token families and are never touched.
//  - openai-codex: tokens of ~/.codex/auth.json; providers.openai-codex and every oauth entry of
//    credential_pool.openai-codex of an agent auth.json (a login writes both, so they are one
//    session).
// A pool entry that holds only a secret_fingerprint (borrowed, no tokens) is not a slot: there is
// nothing in it to go stale. A slot whose account (Codex: account_id, or the JWT's
// chatgpt_account_id) differs from the incoming credential's is never overwritten, and
// Snapshot::Candidates() keeps only the session's account (that of the first slot that names one).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/credential.h"
#include "engine/io.h"

namespace credsim::engine {

struct StoreView {
  StoreId id;
  IoStatus status = IoStatus::kNotFound;  // of the read
  StoreVersion version;
  StoreFacts facts;
  std::string bytes;
  std::optional<std::string> corrupt;  // parse error ("$.path: message"); the store is skipped
  std::vector<std::string> notes;      // unit assumptions made while parsing
  std::vector<Candidate> slots;        // session slots, in file order (may hold empty credentials)

  bool readable() const { return status == IoStatus::kOk && !corrupt; }
};

StoreView DecodeStore(Provider provider, const StoreId& id, const StoreRead& read);

// The store's bytes with `credential` written into every session slot that holds something older,
// keeping every other field. Slots already holding this pair, and slots holding a *fresher* pair
// (another refresh token with a later expiry), are left alone: never a staler token over a fresher
// one. nullopt when nothing needs to change (or the store is unreadable: never overwrite blindly).
//
// `superseded`: refresh tokens known to be spent by the rotation that produced `credential` (every
// token seen under the locks before a successful rotation: in a single-use family only the one
// presented was live). A slot holding one of them is overwritten whatever expiry it claims: clocks
// are skewed and a family's absolute lifetime caps new expiries, so expiry alone cannot rank them.
std::optional<std::string> EncodeCredential(Provider provider, const StoreView& view,
                                            const Credential& credential, int64_t now_ms,
                                            const std::set<std::string>& superseded = {});

// For a fresh login: like EncodeCredential, but also creates the session's primary slot where it is
// missing (the Claude file's claudeAiOauth; the Codex file's tokens; the agent's providers block
// and, for openai-codex, a pool entry), so that every reader of the session finds the new login. A
// corrupt store is still never overwritten: nullopt.
std::optional<std::string> EncodeLogin(Provider provider, const StoreView& view,
                                       const Credential& credential, int64_t now_ms);

// True when `slot` should receive `incoming` (see EncodeCredential).
bool ShouldOverwrite(const Credential& existing, const Credential& incoming,
                     const std::set<std::string>& superseded = {});

// The rescue store's content for a parked pair (kEngineRescue): a Claude credentials document
// (access, refresh, expiresAt, scopes, subscriptionType) whatever the provider; an OpenAI pair's
// account is read back from its access token's claims. kNothingParked once it is committed.
std::string EncodeParked(const Credential& credential);
inline constexpr std::string_view kNothingParked = "{}\n";

}  // namespace credsim::engine
