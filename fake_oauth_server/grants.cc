// The two grants that start a family: authorization code with PKCE (RFC 7636) and the device
// authorization grant (RFC 8628).

#include "base/assert.h"
#include "fake_oauth_server/authority.h"
#include "fake_oauth_server/pkce.h"
#include "fake_oauth_server/sha256.h"

namespace credsim::oauth {

TokenReply TokenAuthority::HandleAuthorizationCode(const TokenRequest& q, int64_t now_ms) {
  if (q.code.empty() || q.code_verifier.empty() || q.redirect_uri.empty() || q.client_id.empty()) {
    return Error(400, Outcome::kInvalidRequest, "invalid_request",
                 "code, code_verifier, redirect_uri and client_id are required");
  }
  AuthCode* c = codes_.Find(q.code);
  if (c == nullptr) {
    return Error(400, Outcome::kCodeInvalid, "invalid_grant", "Invalid authorization code");
  }
  if (c->redeemed_family != 0) {
    // RFC 6749 §4.1.2: a code used twice is denied, and what it issued is revoked.
    TokenReply r =
        Error(400, Outcome::kCodeReused, "invalid_grant", "Authorization code already used");
    r.family_id = c->redeemed_family;
    if (families_.Revoke(c->redeemed_family)) {
      ++commit_seq_;
      r.family_revoked = true;
    }
    return r;
  }
  if (now_ms >= c->expires_ms) {
    codes_.Erase(q.code);
    return Error(400, Outcome::kExpired, "invalid_grant", "Authorization code expired");
  }
  // A failed redemption burns the code: RFC 6749 §4.1.2 makes a code single-use, and RFC 6819
  // (§5.1.5.4 one-time usage, §5.2.1.1 acting on detected abuse) advises spending it on misuse.
  // A presenter with the wrong verifier, client or redirect URI is guessing or holds a stolen
  // code, and gets no second try. Nothing was issued from it, so nothing is revoked; a later
  // attempt reads "Invalid authorization code". The price: whoever intercepted a code can spoil
  // that one login attempt (the user authorizes again), never obtain tokens.
  const char* mismatch = nullptr;
  if (q.client_id != c->client_id || q.redirect_uri != c->redirect_uri) {
    mismatch = "client_id or redirect_uri does not match the authorization request";
  } else if (!VerifyS256(q.code_verifier, c->code_challenge)) {
    mismatch = "Invalid code_verifier";
  }
  if (mismatch != nullptr) {
    codes_.Erase(q.code);
    return Error(400, Outcome::kCodeInvalid, "invalid_grant", mismatch);
  }
  TokenReply r = StartFamily(c->client_id, c->scope, now_ms);
  if (r.ok()) c->redeemed_family = r.family_id;
  return r;
}

DeviceStartReply TokenAuthority::StartDeviceAuthorization(std::string_view client_id,
                                                          std::string_view scope_in,
                                                          int64_t now_ms) {
  const int64_t now = Advance(now_ms);
  ReclaimSome(now);
  DeviceStartReply r;
  const std::string scope(scope_in.empty() ? std::string_view(config_.default_scope) : scope_in);
  if (client_id.empty() || client_id.size() > 256) {
    r.status = 400;
    r.error = "invalid_request";
  } else if (!IsValidScope(scope)) {
    r.status = 400;
    r.error = "invalid_scope";
  } else if (devices_.Full()) {
    r.status = 503;
    r.error = "temporarily_unavailable";
  } else {
    r.device_code = DeriveOpaque(key_, "device_code", ++device_counter_, 32);
    // User codes are short, so they can collide with a pending one: draw again, a bounded number
    // of times (20^8 codes, at most max_pending_devices taken).
    for (int attempt = 0; attempt < 16; ++attempt) {
      const Sha256Digest d = HmacSha256(
          std::string_view(reinterpret_cast<const char*>(key_.data()), key_.size()),
          "user_code:" + std::to_string(device_counter_) + ":" + std::to_string(attempt));
      uint64_t entropy = 0;
      for (int i = 0; i < 8; ++i) entropy |= uint64_t{d[i]} << (8 * i);
      r.user_code = FormatUserCode(entropy);
      if (devices_.FindByUserCode(r.user_code) == nullptr) break;
    }
    r.expires_in_s = config_.device_code_ttl_ms / 1000;
    r.interval_s = config_.device_interval_ms / 1000;
    devices_.Put(r.device_code, DeviceGrant{.user_code = r.user_code,
                                            .client_id = std::string(client_id),
                                            .scope = scope,
                                            .expires_ms = now + config_.device_code_ttl_ms,
                                            .interval_ms = config_.device_interval_ms});
  }
  TokenReply event;
  event.outcome = r.status == 200 ? Outcome::kIssued : Outcome::kInvalidRequest;
  event.presented_label = "none";
  Record(EventKind::kDeviceStart, GrantType::kDeviceCode, event, now);
  return r;
}

TokenReply TokenAuthority::HandleDeviceCode(const TokenRequest& q, int64_t now_ms) {
  if (q.device_code.empty()) {
    return Error(400, Outcome::kInvalidRequest, "invalid_request", "device_code is required");
  }
  DeviceGrant* g = devices_.FindByDeviceCode(q.device_code);
  if (g == nullptr) return Error(400, Outcome::kUnknown, "invalid_grant", "Invalid device code");
  if (!q.client_id.empty() && q.client_id != g->client_id) {
    return Error(400, Outcome::kClientMismatch, "invalid_grant", "device code of another client");
  }
  if (now_ms >= g->expires_ms) {
    return Error(400, Outcome::kExpired, "expired_token", "The device code has expired");
  }
  if (g->decision == DeviceDecision::kDenied) {
    devices_.Erase(q.device_code);
    return Error(400, Outcome::kAccessDenied, "access_denied", "The user denied the request");
  }
  if (g->decision == DeviceDecision::kPending) {
    // RFC 8628 §3.5: polling faster than the interval earns slow_down and a 5 s longer interval.
    const bool too_soon = g->last_poll_ms >= 0 && now_ms - g->last_poll_ms < g->interval_ms;
    g->last_poll_ms = now_ms;
    if (too_soon) {
      g->interval_ms += 5000;
      return Error(400, Outcome::kSlowDown, "slow_down", "Polling too fast");
    }
    return Error(400, Outcome::kAuthorizationPending, "authorization_pending",
                 "The user has not yet approved the request");
  }
  CREDSIM_ASSERT(g->decision == DeviceDecision::kApproved);
  TokenReply r = StartFamily(g->client_id, g->scope, now_ms);
  if (r.ok()) devices_.Erase(q.device_code);
  return r;
}

bool TokenAuthority::ApproveDevice(std::string_view user_code, int64_t now_ms) {
  const int64_t now = Advance(now_ms);
  DeviceGrant* g = devices_.FindByUserCode(std::string(user_code));
  const bool ok = g != nullptr && now < g->expires_ms && g->decision == DeviceDecision::kPending;
  if (ok) g->decision = DeviceDecision::kApproved;
  TokenReply event;
  event.outcome = ok ? Outcome::kIssued : Outcome::kUnknown;
  event.presented_label = "none";
  Record(EventKind::kDeviceDecision, GrantType::kDeviceCode, event, now);
  return ok;
}

bool TokenAuthority::DenyDevice(std::string_view user_code, int64_t now_ms) {
  const int64_t now = Advance(now_ms);
  DeviceGrant* g = devices_.FindByUserCode(std::string(user_code));
  const bool ok = g != nullptr && now < g->expires_ms && g->decision == DeviceDecision::kPending;
  if (ok) g->decision = DeviceDecision::kDenied;
  TokenReply event;
  event.outcome = ok ? Outcome::kAccessDenied : Outcome::kUnknown;
  event.presented_label = "none";
  Record(EventKind::kDeviceDecision, GrantType::kDeviceCode, event, now);
  return ok;
}

}  // namespace credsim::oauth
