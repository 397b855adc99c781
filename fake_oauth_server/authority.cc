#include "fake_oauth_server/authority.h"

#include <algorithm>
#include <cstdio>

#include "base/assert.h"
#include "fake_oauth_server/pkce.h"
#include "fake_oauth_server/rng.h"
#include "fake_oauth_server/sha256.h"

namespace credsim::oauth {
namespace {

// Expired device codes linger this long so a late poll still reads "expired_token", not "unknown".
constexpr int64_t kDeviceLingerMs = 10 * 60 * 1000;
// Entries ended per call by the incremental reclaim: more than any call can create, so the stores
// never grow beyond what is alive.
constexpr size_t kReclaimBudgetPerCall = 8;

// A stable, made-up UUID (version 4 layout) for the account behind a family.
std::string DerivedUuid(const MasterKey& key, std::string_view purpose, uint32_t id) {
  std::string msg(purpose);
  msg += ':';
  msg += std::to_string(id);
  Sha256Digest d =
      HmacSha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), msg);
  d[6] = static_cast<uint8_t>((d[6] & 0x0f) | 0x40);
  d[8] = static_cast<uint8_t>((d[8] & 0x3f) | 0x80);
  char buf[40];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", d[0], d[1],
                d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14],
                d[15]);
  return buf;
}

}  // namespace

MasterKey KeyFromSeed(uint64_t seed) {
  Xoshiro256 rng(seed);
  MasterKey key;
  for (size_t i = 0; i < key.size(); i += 8) {
    const uint64_t word = rng.Next();
    for (size_t b = 0; b < 8; ++b) key[i + b] = static_cast<uint8_t>(word >> (8 * b));
  }
  return key;
}

std::string_view ToString(AccessState state) {
  switch (state) {
    case AccessState::kLive:
      return "live";
    case AccessState::kExpired:
      return "expired";
    case AccessState::kRevoked:
      return "revoked";
    case AccessState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

bool IsValidScope(std::string_view scope) {
  if (scope.empty() || scope.size() > 1024) return false;
  bool token_started = false;
  for (char ch : scope) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ') {
      if (!token_started) return false;  // leading or doubled space
      token_started = false;
      continue;
    }
    if (c < 0x21 || c == 0x22 || c == 0x5c || c > 0x7e) return false;
    token_started = true;
  }
  return token_started;  // no trailing space
}

bool IsScopeWithin(std::string_view requested, std::string_view granted) {
  // Both are bounded by IsValidScope's 1024 bytes, so the quadratic scan stays small.
  const auto contains = [&](std::string_view token) {
    for (size_t pos = 0; pos <= granted.size();) {
      const size_t end = std::min(granted.find(' ', pos), granted.size());
      if (granted.substr(pos, end - pos) == token) return true;
      pos = end + 1;
    }
    return false;
  };
  for (size_t pos = 0; pos < requested.size();) {
    const size_t end = std::min(requested.find(' ', pos), requested.size());
    if (end > pos && !contains(requested.substr(pos, end - pos))) return false;
    pos = end + 1;
  }
  return true;
}

TokenAuthority::TokenAuthority(AuthorityConfig config, uint64_t seed)
    : TokenAuthority(std::move(config), KeyFromSeed(seed)) {}

TokenAuthority::TokenAuthority(AuthorityConfig config, const MasterKey& key)
    : config_(std::move(config)),
      personality_(PersonalityFor(config_.provider)),
      key_(key),
      families_(config_.max_live_families, config_.max_families_total),
      codes_(config_.max_pending_codes),
      devices_(config_.max_pending_devices),
      events_(config_.event_log_capacity) {
  if (config_.default_scope.empty()) config_.default_scope = personality_.default_scope;
  CREDSIM_ASSERT(IsValidScope(config_.default_scope));
  default_grant_ = config_.default_scope;
  if (!personality_.default_grant_extra.empty()) {
    default_grant_ += ' ';
    default_grant_ += personality_.default_grant_extra;
  }
  CREDSIM_ASSERT(IsValidScope(default_grant_) &&
                 IsScopeWithin(config_.default_scope, default_grant_));
  CREDSIM_ASSERT(config_.access_ttl_ms >= 0 && config_.refresh_ttl_ms > 0);
  CREDSIM_ASSERT(config_.reuse.kind != ReuseKind::kGrace || config_.reuse.grace_ms >= 0);
}

int64_t TokenAuthority::Advance(int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  return now_ms_;
}

void TokenAuthority::ReclaimSome(int64_t now_ms) {
  families_.ReclaimExpired(now_ms, kReclaimBudgetPerCall);
  codes_.Reclaim(now_ms, kReclaimBudgetPerCall);
  devices_.Reclaim(now_ms - kDeviceLingerMs, kReclaimBudgetPerCall);
}

void TokenAuthority::Reclaim(int64_t now_ms) {
  const int64_t now = Advance(now_ms);
  // Each store is bounded by its limit, so these loops are too.
  while (families_.ReclaimExpired(now, 1024) > 0) {
  }
  while (codes_.Reclaim(now, 1024) > 0) {
  }
  while (devices_.Reclaim(now - kDeviceLingerMs, 1024) > 0) {
  }
}

TokenReply TokenAuthority::Error(int status, Outcome outcome, std::string_view error,
                                 std::string_view description) const {
  CREDSIM_ASSERT(status >= 400 && status <= 599);
  TokenReply r;
  r.status = status;
  r.outcome = outcome;
  r.error.error = error;
  r.error.description = description;
  r.presented_label = "none";
  return r;
}

void TokenAuthority::Record(EventKind kind, GrantType grant, const TokenReply& reply,
                            int64_t now_ms) {
  AuthorityEvent e;
  e.now_ms = now_ms;
  e.kind = kind;
  e.grant = grant;
  e.outcome = reply.outcome;
  e.family_id = reply.family_id;
  e.presented_generation = reply.presented_generation;
  e.generation = reply.generation;
  e.family_revoked = reply.family_revoked;
  e.label = reply.presented_label;
  events_.Append(std::move(e));
}

IssuedTokens TokenAuthority::Mint(const TokenFamily& f, int64_t now_ms) const {
  CREDSIM_ASSERT(f.generation > 0 && f.rotated_ms <= now_ms);
  IssuedTokens t;
  t.access_expires_ms = std::min(f.rotated_ms + config_.access_ttl_ms, f.expires_ms);
  t.refresh_expires_ms = f.expires_ms;
  t.expires_in_s = std::max<int64_t>(0, (t.access_expires_ms - now_ms) / 1000);
  t.scope = f.issued_scope.empty() ? f.scope : f.issued_scope;
  AccountIds ids = Account(f.id);
  t.account_uuid = std::move(ids.account_uuid);
  t.organization_uuid = std::move(ids.organization_uuid);
  const std::string account_id = "acc-" + t.account_uuid;
  const std::string user_id = "user-" + DerivedUuid(key_, "user", f.id);
  JwtClaims claims{.client_id = f.client_id,
                   .account_id = account_id,
                   .user_id = user_id,
                   .plan_type = "plus",
                   .email = "user@example.invalid",
                   .issued_ms = f.rotated_ms};
  const TokenHandle access{TokenKind::kAccess, f.id, f.generation, t.access_expires_ms};
  const TokenHandle refresh{TokenKind::kRefresh, f.id, f.generation, f.expires_ms};
  t.access_token = FormatToken(personality_, access, key_, claims);
  t.refresh_token = FormatToken(personality_, refresh, key_, claims);
  if (personality_.jwt_tokens) {
    const TokenHandle id{TokenKind::kId, f.id, f.generation, t.access_expires_ms};
    t.id_token = FormatToken(personality_, id, key_, claims);
  }
  return t;
}

TokenReply TokenAuthority::StartFamily(std::string client_id, std::string scope, int64_t now_ms) {
  TokenFamily* f =
      families_.Create(now_ms, config_.refresh_ttl_ms, std::move(client_id), std::move(scope));
  if (f == nullptr) {
    return Error(503, Outcome::kCapacity, "temporarily_unavailable", "token family limit reached");
  }
  f->rotated_seq = ++commit_seq_;
  f->granted_scope = f->scope == config_.default_scope ? default_grant_ : f->scope;
  TokenReply r;
  r.status = 200;
  r.outcome = Outcome::kIssued;
  r.tokens = Mint(*f, now_ms);
  r.family_id = f->id;
  r.generation = f->generation;
  r.presented_label = "none";
  CREDSIM_ASSERT(r.generation == 1);
  return r;
}

TokenReply TokenAuthority::Login(const LoginRequest& request, int64_t now_ms) {
  const int64_t now = Advance(now_ms);
  ReclaimSome(now);
  TokenReply r;
  if (!request.scope.empty() && !IsValidScope(request.scope)) {
    r = Error(400, Outcome::kInvalidScope, "invalid_scope", "scope is malformed");
  } else {
    r = StartFamily(request.client_id,
                    request.scope.empty() ? config_.default_scope : request.scope, now);
  }
  r.commit_seq = commit_seq_;
  Record(EventKind::kLogin, GrantType::kNone, r, now);
  return r;
}

TokenReply TokenAuthority::Handle(const TokenRequest& request, int64_t now_ms) {
  const int64_t now = Advance(now_ms);
  ReclaimSome(now);
  TokenReply r;
  const auto& allowed = config_.allowed_client_ids;
  if (!allowed.empty() && !request.client_id.empty() &&
      std::find(allowed.begin(), allowed.end(), request.client_id) == allowed.end()) {
    r = Error(401, Outcome::kInvalidClient, "invalid_client", "Unknown client_id");
  } else {
    switch (request.grant_type) {
      case GrantType::kRefreshToken:
        r = HandleRefresh(request, now);
        break;
      case GrantType::kAuthorizationCode:
        r = HandleAuthorizationCode(request, now);
        break;
      case GrantType::kDeviceCode:
        r = HandleDeviceCode(request, now);
        break;
      case GrantType::kNone:
        r = Error(400, Outcome::kInvalidRequest, "invalid_request", "grant_type is required");
        break;
      case GrantType::kOther:
        r = Error(400, Outcome::kUnsupportedGrant, "unsupported_grant_type",
                  "grant_type is not supported");
        break;
    }
  }
  r.commit_seq = commit_seq_;
  CREDSIM_ASSERT((r.status == 200) ==
                 (r.outcome == Outcome::kIssued || r.outcome == Outcome::kGraceReplay));
  ++outcome_counts_[static_cast<size_t>(r.outcome)];
  Record(EventKind::kToken, request.grant_type, r, now);
  return r;
}

AuthorizeReply TokenAuthority::Authorize(const AuthorizeRequest& q, int64_t now_ms) {
  const int64_t now = Advance(now_ms);
  ReclaimSome(now);
  AuthorizeReply r;
  const auto fail = [&](std::string_view error, std::string_view description) {
    r.error = error;
    r.description = description;
  };
  r.may_redirect = !q.client_id.empty() && !q.redirect_uri.empty() && q.redirect_uri.size() <= 2048;
  const std::string scope = q.scope.empty() ? config_.default_scope : q.scope;
  if (!r.may_redirect) {
    fail("invalid_request", "client_id and redirect_uri are required");
  } else if (q.response_type != "code") {
    fail("unsupported_response_type", "response_type must be code");
  } else if (q.code_challenge_method != "S256") {
    fail("invalid_request", "code_challenge_method must be S256");
  } else if (!IsWellFormedS256Challenge(q.code_challenge)) {
    fail("invalid_request", "code_challenge must be 43 base64url characters");
  } else if (!IsValidScope(scope)) {
    fail("invalid_scope", "scope is malformed");
  } else if (codes_.Full()) {
    fail("temporarily_unavailable", "pending authorization code limit reached");
  } else {
    r.code = DeriveOpaque(key_, "authorization_code", ++code_counter_, 32);
    codes_.Put(r.code, AuthCode{.client_id = q.client_id,
                                .redirect_uri = q.redirect_uri,
                                .code_challenge = q.code_challenge,
                                .scope = scope,
                                .expires_ms = now + config_.code_ttl_ms});
  }
  TokenReply event;
  event.outcome = r.ok() ? Outcome::kIssued : Outcome::kInvalidRequest;
  event.presented_label = "none";
  Record(EventKind::kAuthorize, GrantType::kAuthorizationCode, event, now);
  return r;
}

bool TokenAuthority::MaybeAccessTokenOf(const TokenFamily& f, const TokenHandle& h) const {
  // Mint seals min(issue time + access TTL, family expiry), and no generation of this family was
  // issued before the family was created. A token minted by an earlier instance under the same
  // key (a restart with the same --seed) falls below that bound, or above the current generation.
  const int64_t earliest_ms = std::min(f.created_ms + config_.access_ttl_ms, f.expires_ms);
  return h.generation <= f.generation && h.expires_ms >= earliest_ms &&
         h.expires_ms <= f.expires_ms;
}

std::optional<TokenHandle> TokenAuthority::ParseMemo(std::string_view token) const {
  // FNV-1a over the length and the last 32 characters (sealed bytes or a JWT signature: as random
  // as the whole token, at a fraction of the cost). It only picks the slot; the text is compared.
  uint64_t hash = (0xcbf29ce484222325ull ^ token.size()) * 0x100000001b3ull;
  for (unsigned char ch : token.substr(token.size() > 32 ? token.size() - 32 : 0)) {
    hash = (hash ^ ch) * 0x100000001b3ull;
  }
  ParsedToken& slot = parse_memo_[hash % kParseMemoSlots];
  if (slot.text != token) {
    slot.text = std::string(token);
    slot.handle = ParseToken(token, key_);
  }
  return slot.handle;
}

AccessCheck TokenAuthority::ValidateAccessToken(std::string_view token, int64_t now_ms) {
  const int64_t now = Advance(now_ms);
  AccessCheck c;
  const std::optional<TokenHandle> h = ParseMemo(token);
  if (!h || h->kind != TokenKind::kAccess) {
    c.label = "unknown";
  } else {
    c.label = LabelOf(*h);
    c.family_id = h->family_id;
    c.generation = h->generation;
    const FamilyFate fate = families_.Fate(h->family_id);
    const TokenFamily* f = families_.Find(h->family_id);
    if (fate == FamilyFate::kRevoked) {
      c.state = AccessState::kRevoked;
    } else if (fate == FamilyFate::kNever) {
      c.state = AccessState::kUnknown;  // sealed by the same key but another authority's family
    } else if (f != nullptr && !MaybeAccessTokenOf(*f, *h)) {
      c.state = AccessState::kUnknown;  // same key, another instance's family (see rotation.cc)
    } else if (now >= h->expires_ms || fate == FamilyFate::kExpired) {
      c.state = AccessState::kExpired;
    } else if (f != nullptr && h->generation < f->access_floor) {
      c.state = AccessState::kRevoked;  // revoke-access-on-refresh
    } else {
      c.state = AccessState::kLive;
    }
  }
  // Recorded directly (not through a TokenReply): the simulator validates on every demand.
  AuthorityEvent e;
  e.now_ms = now;
  e.kind = EventKind::kAccessCheck;
  e.outcome = c.state == AccessState::kLive      ? Outcome::kAccepted
              : c.state == AccessState::kExpired ? Outcome::kExpired
              : c.state == AccessState::kRevoked ? Outcome::kRevokedFamily
                                                 : Outcome::kUnknown;
  e.family_id = c.family_id;
  e.presented_generation = c.generation;
  e.label = c.label;
  events_.Append(std::move(e));
  return c;
}

bool TokenAuthority::RevokeFamily(uint32_t family_id, int64_t now_ms) {
  const int64_t now = Advance(now_ms);
  const bool revoked = families_.Revoke(family_id);
  if (revoked) ++commit_seq_;
  TokenReply event;
  event.outcome = revoked ? Outcome::kRevokedFamily : Outcome::kUnknown;
  event.family_id = family_id;
  event.family_revoked = revoked;
  event.presented_label = "none";
  Record(EventKind::kRevoke, GrantType::kNone, event, now);
  CREDSIM_ASSERT(families_.Fate(family_id) != FamilyFate::kLive);
  return revoked;
}

RevocationReply TokenAuthority::Revoke(std::string_view token, std::string_view client_id,
                                       int64_t now_ms) {
  RevocationReply reply;
  const std::optional<TokenHandle> h = ParseMemo(token);
  reply.label = h ? LabelOf(*h) : "unknown";
  if (!h) return reply;
  reply.family_id = h->family_id;
  const TokenFamily* f = families_.Find(h->family_id);
  if (f == nullptr) return reply;  // already ended: nothing left to revoke
  if (!client_id.empty() && client_id != f->client_id) {
    reply.status = 401;
    reply.error = "invalid_client";
    return reply;
  }
  reply.revoked = RevokeFamily(h->family_id, now_ms);
  return reply;
}

AccountIds TokenAuthority::Account(uint32_t family_id) const {
  CREDSIM_ASSERT(family_id > 0);
  return {DerivedUuid(key_, "account", family_id), DerivedUuid(key_, "organization", family_id)};
}

std::string TokenAuthority::Label(std::string_view token) const {
  const std::optional<TokenHandle> h = ParseMemo(token);
  return h ? LabelOf(*h) : "unknown";
}

std::optional<uint32_t> TokenAuthority::CurrentGeneration(uint32_t family_id) const {
  const TokenFamily* f = families_.Find(family_id);
  if (f == nullptr) return std::nullopt;
  return f->generation;
}

FamilyView TokenAuthority::Family(uint32_t family_id) const {
  FamilyView v;
  v.id = family_id;
  v.fate = families_.Fate(family_id);
  if (const TokenFamily* f = families_.Find(family_id)) {
    v.generation = f->generation;
    v.created_ms = f->created_ms;
    v.expires_ms = f->expires_ms;
    v.rotated_ms = f->rotated_ms;
    v.client_id = f->client_id;
    v.scope = f->scope;
  }
  return v;
}

bool TokenAuthority::IsLiveGeneration(uint32_t family_id, uint32_t generation) const {
  if (families_.Fate(family_id) != FamilyFate::kLive) return false;
  const TokenFamily* f = families_.Find(family_id);
  return f != nullptr && f->generation == generation;
}

AuthorityState TokenAuthority::State(size_t max_families_listed) const {
  AuthorityState s;
  s.now_ms = now_ms_;
  s.commit_seq = commit_seq_;
  s.live_families = families_.live();
  s.families_created = families_.created();
  s.families_revoked = families_.revoked_total();
  s.families_expired = families_.expired_total();
  s.pending_codes = codes_.size();
  s.pending_devices = devices_.size();
  s.outcomes = outcome_counts_;
  for (const TokenFamily* f : families_.List(max_families_listed)) {
    s.families.push_back(Family(f->id));
  }
  return s;
}

}  // namespace credsim::oauth
