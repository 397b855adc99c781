// The token authority: the whole OAuth 2 server as pure logic.
//
// No I/O, no clock reads, no global state. The caller passes `now_ms` (virtual time, epoch ms) into
// every call; randomness comes from the seed given at construction (or, in the HTTP binary, a key
// read from the OS). Same config, same seed, same calls => same replies, byte for byte.
//
// Not thread-safe: one caller at a time (the HTTP front holds a mutex; the simulator is
// single-threaded). Time must not go backwards; if it does, the authority keeps its latest time.
//
// Typical use from the simulator:
//   TokenAuthority auth(config, seed);
//   TokenReply login = auth.Login({.client_id = "c"}, now);          // family 1, generation 1
//   TokenRequest r{.grant_type = GrantType::kRefreshToken,
//                  .refresh_token = login.tokens.refresh_token,
//                  .client_id = "c",                                  // anthropic requires it
//                  .seen_commit_seq = auth.commit_seq()};             // sampled when "sent"
//   TokenReply rotated = auth.Handle(r, now + 5);                     // outcome kIssued, gen 2
//   auth.Label(rotated.tokens.refresh_token) == "fam1/rt2"
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake_oauth_server/auth_codes.h"
#include "fake_oauth_server/device_flow.h"
#include "fake_oauth_server/event_log.h"
#include "fake_oauth_server/families.h"
#include "fake_oauth_server/outcome.h"
#include "fake_oauth_server/personality.h"
#include "fake_oauth_server/token_codec.h"

namespace credsim::oauth {

struct AuthorityConfig {
  Provider provider = Provider::kAnthropic;
  int64_t access_ttl_ms = int64_t{8} * 3600 * 1000;
  int64_t refresh_ttl_ms = int64_t{30} * 24 * 3600 * 1000;  // absolute, from login
  ReusePolicy reuse;
  RacePolicy race = RacePolicy::kStrict;
  bool revoke_access_on_refresh = false;
  int64_t code_ttl_ms = 10 * 60 * 1000;
  int64_t device_code_ttl_ms = 15 * 60 * 1000;
  int64_t device_interval_ms = 5000;
  std::string default_scope;  // empty: the personality's default
  // If not empty, a token request naming another client_id is 401 invalid_client.
  std::vector<std::string> allowed_client_ids;
  // Limits (explicit, documented in README.md "Limits").
  uint32_t max_live_families = 1u << 16;
  uint32_t max_families_total = 1u << 24;
  uint32_t max_pending_codes = 4096;
  uint32_t max_pending_devices = 1024;
  uint32_t event_log_capacity = 4096;
};

// A token request as decoded from the wire (JSON or form): fields, not HTTP.
struct TokenRequest {
  // A request that was not concurrent with anything (the default).
  static constexpr uint64_t kSequential = UINT64_MAX;

  GrantType grant_type = GrantType::kNone;
  std::string refresh_token;
  std::string code;
  std::string code_verifier;
  std::string redirect_uri;
  std::string client_id;
  std::string device_code;
  std::string scope;
  // The authority's commit_seq() the client had observed when it sent this request. A refresh
  // presenting a token that was retired by a commit *after* this point was in flight during that
  // rotation: a race loser, not a reuse. The HTTP front samples it when the request arrives.
  uint64_t seen_commit_seq = kSequential;
};

struct IssuedTokens {
  std::string access_token;
  std::string refresh_token;
  std::string id_token;  // openai personality only
  int64_t expires_in_s = 0;
  int64_t access_expires_ms = 0;
  int64_t refresh_expires_ms = 0;
  std::string scope;
  std::string account_uuid;
  std::string organization_uuid;
};

struct RevocationReply {
  int status = 200;
  std::string error;  // "invalid_client" when refused
  uint32_t family_id = 0;
  bool revoked = false;  // a live family was ended by this call
  std::string label;     // of the presented token
};

struct AccountIds {
  std::string account_uuid;
  std::string organization_uuid;
};

struct OAuthError {
  std::string error;        // RFC 6749 §5.2 / RFC 8628 §3.5 code, e.g. "invalid_grant"
  std::string description;  // error_description (flat) or message (nested)
  ErrorShape shape = ErrorShape::kOAuthFlat;
  std::string nested_code;  // kOpenAiNested: error.code, e.g. "refresh_token_reused"
};

struct TokenReply {
  int status = 200;
  Outcome outcome = Outcome::kUnknown;
  IssuedTokens tokens;  // status == 200
  OAuthError error;     // status != 200
  // Ground truth for oracles.
  uint32_t family_id = 0;             // 0 if the request named no known family
  uint32_t presented_generation = 0;  // generation of the refresh token presented
  uint32_t generation = 0;            // the family's current generation after this call
  bool family_revoked = false;        // this call revoked the family
  bool counted_as_reuse = false;      // kReusedRetired, or kRaceLoser under the strict race policy
  std::string presented_label;        // e.g. "fam1/rt3", "unknown"
  uint64_t commit_seq = 0;            // the authority's commit_seq() after this call
  bool ok() const { return status == 200; }
};

struct LoginRequest {
  std::string client_id;
  std::string scope;  // empty: default scope
};

struct AuthorizeRequest {
  std::string response_type;
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;
  std::string code_challenge_method;
  std::string scope;
};

struct AuthorizeReply {
  // RFC 6749 §4.1.2.1: without a usable client_id/redirect_uri the error is shown, not redirected.
  bool may_redirect = false;
  std::string code;   // set on success
  std::string error;  // set on failure
  std::string description;
  bool ok() const { return !code.empty(); }
};

struct DeviceStartReply {
  int status = 200;
  std::string error;
  std::string device_code;
  std::string user_code;
  int64_t expires_in_s = 0;
  int64_t interval_s = 0;
};

enum class AccessState : uint8_t { kLive, kExpired, kRevoked, kUnknown };
std::string_view ToString(AccessState state);

struct AccessCheck {
  AccessState state = AccessState::kUnknown;
  uint32_t family_id = 0;
  uint32_t generation = 0;
  std::string label;
};

struct FamilyView {
  uint32_t id = 0;
  FamilyFate fate = FamilyFate::kNever;
  uint32_t generation = 0;  // 0 once the record is reclaimed
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  int64_t rotated_ms = 0;
  std::string client_id;
  std::string scope;
};

struct AuthorityState {
  int64_t now_ms = 0;
  uint64_t commit_seq = 0;
  size_t live_families = 0;
  uint32_t families_created = 0;
  uint64_t families_revoked = 0;
  uint64_t families_expired = 0;
  size_t pending_codes = 0;
  size_t pending_devices = 0;
  std::array<uint64_t, kOutcomeCount> outcomes{};  // count of token-endpoint replies per outcome
  std::vector<FamilyView> families;                // live ones, id order, at most the asked limit
};

class TokenAuthority {
 public:
  // Key and all derived material come from `seed` (deterministic; for tests and the simulator).
  TokenAuthority(AuthorityConfig config, uint64_t seed);
  // Key supplied by the caller (the HTTP binary reads it from getrandom).
  TokenAuthority(AuthorityConfig config, const MasterKey& key);

  // POST /token for any grant type.
  TokenReply Handle(const TokenRequest& request, int64_t now_ms);
  // Mint a fresh family directly (what a completed login does), for tests and the simulator.
  TokenReply Login(const LoginRequest& request, int64_t now_ms);

  AuthorizeReply Authorize(const AuthorizeRequest& request, int64_t now_ms);

  DeviceStartReply StartDeviceAuthorization(std::string_view client_id, std::string_view scope,
                                            int64_t now_ms);
  // Admin decisions on a pending device grant; false if the user code is unknown or expired.
  bool ApproveDevice(std::string_view user_code, int64_t now_ms);
  bool DenyDevice(std::string_view user_code, int64_t now_ms);

  // The protected resource's check.
  AccessCheck ValidateAccessToken(std::string_view token, int64_t now_ms);

  bool RevokeFamily(uint32_t family_id, int64_t now_ms);
  // RFC 7009 token revocation. Any token of a family (refresh, access or id) revokes the whole
  // grant: §2.1 says a refresh token SHOULD take its access tokens along and an access token MAY
  // take its refresh token; this server does both, so a client that logs out ends its session.
  // An unknown, expired or already revoked token is a success (§2.2); a token issued to another
  // client is refused with invalid_client and revokes nothing.
  RevocationReply Revoke(std::string_view token, std::string_view client_id, int64_t now_ms);
  // The made-up account and organization a family belongs to (what a profile endpoint shows).
  AccountIds Account(uint32_t family_id) const;

  // Redacted label for logs: "fam1/rt3", "fam1/at3", "fam1/id3", or "unknown". Never token text.
  std::string Label(std::string_view token) const;
  // What a token text stands for (kind, family, generation, expiry), if this authority sealed it.
  // Ground truth for the simulator's own reading of stores; never shown to a client.
  std::optional<TokenHandle> Inspect(std::string_view token) const { return ParseMemo(token); }
  std::optional<uint32_t> CurrentGeneration(uint32_t family_id) const;
  FamilyView Family(uint32_t family_id) const;
  // Family(id).fate == kLive && Family(id).generation == generation, without copying the view
  // (the simulator asks this on every demand).
  bool IsLiveGeneration(uint32_t family_id, uint32_t generation) const;
  AuthorityState State(size_t max_families_listed) const;
  const EventLog& events() const { return events_; }
  const AuthorityConfig& config() const { return config_; }
  const Personality& personality() const { return personality_; }
  // Incremented by every state change (login, rotation, revocation).
  uint64_t commit_seq() const { return commit_seq_; }

  // Ends expired families, codes and device grants now (Handle also does this a little at a time).
  void Reclaim(int64_t now_ms);

 private:
  int64_t Advance(int64_t now_ms);
  void ReclaimSome(int64_t now_ms);
  TokenReply HandleRefresh(const TokenRequest& request, int64_t now_ms);
  // HandleRefresh's steps (rotation.cc): the request's own checks, the presented token's family,
  // then its generation: the current one rotates, a retired one is answered as grace, race or
  // reuse.
  std::optional<TokenReply> MalformedRefresh(const TokenRequest& request) const;
  std::optional<TokenReply> FamilyOf(const TokenHandle& handle, const TokenRequest& request,
                                     int64_t now_ms, TokenFamily** family);
  TokenReply RotateCurrent(TokenFamily& family, const TokenHandle& handle,
                           std::string_view requested_scope, int64_t now_ms);
  TokenReply AnswerRetired(TokenFamily& family, const TokenHandle& handle,
                           const TokenRequest& request, int64_t now_ms);
  TokenReply HandleAuthorizationCode(const TokenRequest& request, int64_t now_ms);
  TokenReply HandleDeviceCode(const TokenRequest& request, int64_t now_ms);
  TokenReply StartFamily(std::string client_id, std::string scope, int64_t now_ms);
  TokenReply Rotate(TokenFamily& family, std::string_view requested_scope, int64_t now_ms);
  IssuedTokens Mint(const TokenFamily& family, int64_t now_ms) const;
  TokenReply Error(int status, Outcome outcome, std::string_view error,
                   std::string_view description) const;
  TokenReply RefreshRejected(Outcome outcome, const TokenHandle* handle) const;
  bool MaybeAccessTokenOf(const TokenFamily& family, const TokenHandle& access) const;
  void Record(EventKind kind, GrantType grant, const TokenReply& reply, int64_t now_ms);

  AuthorityConfig config_;
  const Personality& personality_;
  std::string default_grant_;  // default_scope + the personality's default_grant_extra
  MasterKey key_;
  // Opening a token costs a SHA-256 MAC; the simulator checks the same few access tokens on every
  // demand. A small direct-mapped memo of (token text -> handle): same answers, bounded memory.
  struct ParsedToken {
    std::string text;
    std::optional<TokenHandle> handle;
  };
  static constexpr size_t kParseMemoSlots = 64;
  mutable std::array<ParsedToken, kParseMemoSlots> parse_memo_{};
  std::optional<TokenHandle> ParseMemo(std::string_view token) const;
  FamilyStore families_;
  AuthCodeStore codes_;
  DeviceGrantStore devices_;
  EventLog events_;
  uint64_t commit_seq_ = 0;
  uint64_t code_counter_ = 0;
  uint64_t device_counter_ = 0;
  int64_t now_ms_ = 0;
  std::array<uint64_t, kOutcomeCount> outcome_counts_{};
};

// The key a seed stands for (what TokenAuthority(config, seed) uses).
MasterKey KeyFromSeed(uint64_t seed);

// RFC 6749 §3.3 scope syntax: space-separated tokens of %x21 / %x23-5B / %x5D-7E.
bool IsValidScope(std::string_view scope);
// Every scope token of `requested` is one of `granted`'s (order and repeats do not matter).
bool IsScopeWithin(std::string_view requested, std::string_view granted);

}  // namespace credsim::oauth
