// Refresh-token rotation and reuse detection: the rules that make refresh tokens single-use.
//
// A presented refresh token is, in this order of checks:
//   not ours / malformed                       -> unknown
//   of a revoked family                        -> revoked_family
//   of a family past its absolute lifetime     -> expired
//   sealed generation above the family's, or
//     sealed expiry not the family's           -> unknown (family untouched; see below)
//   issued to another client                   -> client_mismatch
//   the family's current generation            -> rotate: generation + 1, old one retired
//     (asking for a scope not granted          -> invalid_scope, nothing rotated)
//   the generation just retired, within grace  -> grace_replay (the same successor again)
//   the generation just retired, by a request
//     in flight during that rotation           -> race_loser (lenient: family kept;
//                                                 strict: handled as reuse below)
//   any other retired generation               -> reused_retired_token (reject, or revoke family)
// Exactly one request can rotate a given generation, because rotation and the check above run
// under the caller's mutual exclusion and the generation is compared, then incremented.

#include "base/assert.h"
#include "fake_oauth_server/authority.h"

namespace credsim::oauth {

TokenReply TokenAuthority::RefreshRejected(Outcome outcome, const TokenHandle* handle) const {
  TokenReply r = Error(400, outcome, "invalid_grant", personality_.invalid_refresh_description);
  if (handle != nullptr) {
    r.family_id = handle->family_id;
    r.presented_generation = handle->generation;
    r.presented_label = LabelOf(*handle);
    if (const TokenFamily* f = families_.Find(handle->family_id)) r.generation = f->generation;
  } else {
    r.presented_label = "unknown";
  }
  if (personality_.refresh_error_shape != ErrorShape::kOpenAiNested) return r;
  // OpenAI: permanent refresh failures are 401 with a nested error.code
  // (docs/REAL_CLIENTS.md#codex-what-a-fake-server-needs).
  std::string_view code;
  std::string_view message;
  if (outcome == Outcome::kReusedRetired || outcome == Outcome::kRaceLoser) {
    code = kOpenAiReusedCode;
    message =
        "Your refresh token has already been used to generate a new access token. Please try "
        "signing in again.";
  } else if (outcome == Outcome::kExpired) {
    code = kOpenAiExpiredCode;
    message = "Your refresh token has expired. Please try signing in again.";
  } else if (outcome == Outcome::kRevokedFamily) {
    code = kOpenAiInvalidatedCode;
    message = "Your refresh token has been invalidated. Please try signing in again.";
  } else {
    return r;  // unknown tokens, client mismatch: plain RFC 6749 invalid_grant, 400
  }
  r.status = 401;
  r.error.shape = ErrorShape::kOpenAiNested;
  r.error.nested_code = code;
  r.error.description = message;
  return r;
}

TokenReply TokenAuthority::Rotate(TokenFamily& f, std::string_view requested_scope,
                                  int64_t now_ms) {
  CREDSIM_ASSERT(f.generation < UINT32_MAX);
  const uint32_t before = f.generation;
  ++f.generation;
  f.rotated_ms = now_ms;
  f.rotated_seq = ++commit_seq_;
  if (config_.revoke_access_on_refresh) f.access_floor = f.generation;
  // RFC 6749 §6: the requested scope (already checked to be within the grant) is echoed back, so a
  // client that asks for its full list gets it (Claude Code refuses to save a response whose scope
  // lacks user:inference); an omitted scope means the scope the login issued.
  f.issued_scope = requested_scope;
  TokenReply r;
  r.status = 200;
  r.outcome = Outcome::kIssued;
  r.tokens = Mint(f, now_ms);
  r.family_id = f.id;
  r.presented_generation = before;
  r.generation = f.generation;
  CREDSIM_ASSERT(r.generation == before + 1);
  return r;
}

// The checks of the file comment, in their order: the request, the family, then the generation.
TokenReply TokenAuthority::HandleRefresh(const TokenRequest& q, int64_t now_ms) {
  if (std::optional<TokenReply> malformed = MalformedRefresh(q)) return *std::move(malformed);
  const std::optional<TokenHandle> h = ParseToken(q.refresh_token, key_);
  if (!h || h->kind != TokenKind::kRefresh) return RefreshRejected(Outcome::kUnknown, nullptr);
  TokenFamily* f = nullptr;
  if (std::optional<TokenReply> refused = FamilyOf(*h, q, now_ms, &f)) {
    return *std::move(refused);
  }
  CREDSIM_ASSERT(f != nullptr && f->id == h->family_id && h->generation <= f->generation);
  if (h->generation == f->generation) return RotateCurrent(*f, *h, q.scope, now_ms);
  return AnswerRetired(*f, *h, q, now_ms);
}

std::optional<TokenReply> TokenAuthority::MalformedRefresh(const TokenRequest& q) const {
  if (q.refresh_token.empty()) {
    return Error(400, Outcome::kInvalidRequest, "invalid_request", "refresh_token is required");
  }
  if (q.client_id.empty() && personality_.refresh_requires_client_id) {
    return Error(400, Outcome::kInvalidRequest, "invalid_request", "client_id is required");
  }
  if (!q.scope.empty() && !IsValidScope(q.scope)) {
    return Error(400, Outcome::kInvalidScope, "invalid_scope", "scope is malformed");
  }
  return std::nullopt;
}

// The live family a genuine refresh token belongs to (*family), or the refusal: a family never
// issued, revoked or past its lifetime, a token from another instance, or another client's.
std::optional<TokenReply> TokenAuthority::FamilyOf(const TokenHandle& h, const TokenRequest& q,
                                                   int64_t now_ms, TokenFamily** family) {
  const FamilyFate fate = families_.Fate(h.family_id);
  if (fate == FamilyFate::kNever) return RefreshRejected(Outcome::kUnknown, nullptr);
  if (fate == FamilyFate::kRevoked) return RefreshRejected(Outcome::kRevokedFamily, &h);
  TokenFamily* f = families_.Find(h.family_id);
  if (fate == FamilyFate::kExpired || f == nullptr || now_ms >= f->expires_ms) {
    return RefreshRejected(Outcome::kExpired, &h);
  }
  // A genuine handle passes the MAC yet may still not be this family's: a server restarted with
  // the same --seed derives the same key, so an older instance's token names a family id that
  // now belongs to another login. Its generation can be above the current one, and its sealed
  // expiry (created + refresh TTL, fixed for a family's life) differs. That is input, not an
  // invariant: answer "unknown" and leave the family alone (treating it as reuse would let a stale
  // token revoke somebody else's session).
  if (h.generation > f->generation || h.expires_ms != f->expires_ms) {
    return RefreshRejected(Outcome::kUnknown, nullptr);
  }
  if (!q.client_id.empty() && !f->client_id.empty() && q.client_id != f->client_id) {
    return RefreshRejected(Outcome::kClientMismatch, &h);
  }
  *family = f;
  return std::nullopt;
}

// The family's current refresh token: rotated, unless the scope asked for was never granted.
TokenReply TokenAuthority::RotateCurrent(TokenFamily& f, const TokenHandle& h,
                                         std::string_view requested_scope, int64_t now_ms) {
  CREDSIM_ASSERT(h.generation == f.generation);
  if (f.generation == UINT32_MAX) {  // ~4e9 rotations of one family: refuse, never wrap
    return Error(503, Outcome::kCapacity, "temporarily_unavailable", "generation limit reached");
  }
  if (!requested_scope.empty() && !IsScopeWithin(requested_scope, f.granted_scope)) {
    // RFC 6749 §6: a refresh cannot add a scope the resource owner did not grant.
    TokenReply r = Error(400, Outcome::kInvalidScope, "invalid_scope",
                         "The requested scope exceeds the scope originally granted");
    r.family_id = f.id;
    r.presented_generation = h.generation;
    r.generation = f.generation;
    r.presented_label = LabelOf(h);
    return r;
  }
  TokenReply r = Rotate(f, requested_scope, now_ms);
  r.presented_label = LabelOf(h);
  return r;
}

// A retired refresh token: the same successor again inside a grace window, a race loser, or
// reuse (rejected, or the whole family revoked).
TokenReply TokenAuthority::AnswerRetired(TokenFamily& f, const TokenHandle& h,
                                         const TokenRequest& q, int64_t now_ms) {
  CREDSIM_ASSERT(h.generation < f.generation);
  const bool just_retired = h.generation + 1 == f.generation;
  const bool in_flight = just_retired && q.seen_commit_seq != TokenRequest::kSequential &&
                         q.seen_commit_seq < f.rotated_seq;
  const ReusePolicy& reuse = config_.reuse;
  if (just_retired && reuse.kind == ReuseKind::kGrace && now_ms - f.rotated_ms <= reuse.grace_ms) {
    TokenReply r;
    r.status = 200;
    r.outcome = Outcome::kGraceReplay;
    r.tokens = Mint(f, now_ms);  // derived from (family, generation): the same successor again
    r.family_id = f.id;
    r.presented_generation = h.generation;
    r.generation = f.generation;
    r.presented_label = LabelOf(h);
    return r;
  }
  if (in_flight && config_.race == RacePolicy::kLenient) {
    return RefreshRejected(Outcome::kRaceLoser, &h);
  }
  TokenReply r = RefreshRejected(in_flight ? Outcome::kRaceLoser : Outcome::kReusedRetired, &h);
  r.counted_as_reuse = true;
  const bool revoke = reuse.kind == ReuseKind::kRevokeFamily ||
                      (reuse.kind == ReuseKind::kGrace && reuse.revoke_after_grace);
  if (revoke) {
    // RFC 9700 §4.14.2: the server cannot tell attacker from victim, so the whole family dies,
    // including the newest tokens.
    const bool revoked = families_.Revoke(f.id);
    CREDSIM_ASSERT(revoked);
    ++commit_seq_;
    r.family_revoked = true;
  }
  return r;
}

}  // namespace credsim::oauth
