// Vocabulary shared by the authority, its event log and the HTTP front: grant types, what happened
// to a request (the ground truth an oracle reads), and policies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace credsim::oauth {

enum class GrantType : uint8_t { kNone, kAuthorizationCode, kRefreshToken, kDeviceCode, kOther };

GrantType ParseGrantType(std::string_view text);  // "" -> kNone; anything unknown -> kOther
std::string_view ToString(GrantType grant);       // the wire name ("refresh_token", ...)

// What the authority did with one request. Distinct values for distinct truths: an oracle must be
// able to tell a lost response (kRaceLoser, kGraceReplay) from a real reuse (kReusedRetired).
enum class Outcome : uint8_t {
  kIssued,          // a login or rotation minted a new generation
  kGraceReplay,     // retired token inside the grace window: the same successor again
  kReusedRetired,   // a retired refresh token presented again, not concurrently
  kRaceLoser,       // presented concurrently with the rotation that retired it
  kRevokedFamily,   // the token's family was revoked earlier
  kExpired,         // past its absolute lifetime (refresh token, code, device code)
  kUnknown,         // never issued by this authority, or malformed
  kClientMismatch,  // issued to another client_id
  kCodeInvalid,     // authorization code unknown, or verifier / redirect_uri mismatch
  kCodeReused,      // authorization code presented a second time
  kAuthorizationPending,
  kSlowDown,
  kAccessDenied,
  kInvalidRequest,
  kInvalidScope,
  kUnsupportedGrant,
  kCapacity,  // a documented limit was reached (see AuthorityConfig)
  kAccepted,
  kInvalidClient,  // client_id not in the allowed list  // the protected resource accepted a live
                   // access token
  kCount_,
};
inline constexpr int kOutcomeCount = static_cast<int>(Outcome::kCount_);

std::string_view ToString(Outcome outcome);  // stable snake_case names, used in logs and traces

enum class ReuseKind : uint8_t { kReject, kRevokeFamily, kGrace };

struct ReusePolicy {
  ReuseKind kind = ReuseKind::kReject;
  // kGrace: a retired token presented within grace_ms of its retirement gets the same successor.
  int64_t grace_ms = 0;
  // kGrace: after the window, revoke the family (Auth0-style reuse detection) instead of rejecting.
  bool revoke_after_grace = false;
};

// "reject" | "revoke-family" | "grace:MS" | "grace:MS+revoke-family"  (MS: a duration, e.g. 2s).
std::optional<ReusePolicy> ParseReusePolicy(std::string_view text);
std::string ToString(const ReusePolicy& policy);

// What the losers of a concurrent refresh race get. Exactly one request wins either way.
//  kStrict:  a loser counts as reuse (under revoke-family the winner's new tokens die too;
//            panva/oidc-provider behaves like this).
//  kLenient: a loser gets invalid_grant and the family survives.
enum class RacePolicy : uint8_t { kStrict, kLenient };
std::optional<RacePolicy> ParseRacePolicy(std::string_view text);
std::string_view ToString(RacePolicy policy);

}  // namespace credsim::oauth
