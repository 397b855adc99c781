#include "fake_oauth_server/outcome.h"

#include <array>

#include "fake_oauth_server/duration.h"

namespace credsim::oauth {

GrantType ParseGrantType(std::string_view text) {
  if (text.empty()) return GrantType::kNone;
  if (text == "authorization_code") return GrantType::kAuthorizationCode;
  if (text == "refresh_token") return GrantType::kRefreshToken;
  if (text == "urn:ietf:params:oauth:grant-type:device_code") return GrantType::kDeviceCode;
  return GrantType::kOther;
}

std::string_view ToString(GrantType grant) {
  switch (grant) {
    case GrantType::kNone:
      return "";
    case GrantType::kAuthorizationCode:
      return "authorization_code";
    case GrantType::kRefreshToken:
      return "refresh_token";
    case GrantType::kDeviceCode:
      return "urn:ietf:params:oauth:grant-type:device_code";
    case GrantType::kOther:
      return "other";
  }
  return "other";
}

std::string_view ToString(Outcome outcome) {
  static constexpr std::array<std::string_view, kOutcomeCount> kNames = {
      "issued",
      "grace_replay",
      "reused_retired_token",
      "race_loser",
      "revoked_family",
      "expired",
      "unknown",
      "client_mismatch",
      "code_invalid",
      "code_reused",
      "authorization_pending",
      "slow_down",
      "access_denied",
      "invalid_request",
      "invalid_scope",
      "unsupported_grant_type",
      "capacity",
      "accepted",
  };
  const auto i = static_cast<size_t>(outcome);
  return i < kNames.size() ? kNames[i] : "invalid";
}

std::optional<ReusePolicy> ParseReusePolicy(std::string_view text) {
  ReusePolicy p;
  if (text == "reject") return p;
  if (text == "revoke-family") {
    p.kind = ReuseKind::kRevokeFamily;
    return p;
  }
  constexpr std::string_view kGrace = "grace:";
  constexpr std::string_view kRevokeSuffix = "+revoke-family";
  if (!text.starts_with(kGrace)) return std::nullopt;
  std::string_view window = text.substr(kGrace.size());
  if (window.ends_with(kRevokeSuffix)) {
    p.revoke_after_grace = true;
    window.remove_suffix(kRevokeSuffix.size());
  }
  // "grace:2000" (bare milliseconds, as --reuse-policy documents it) or "grace:2s".
  std::optional<int64_t> ms = ParseDurationMs(window);
  if (!ms && !window.empty() && window.size() <= 12 &&
      window.find_first_not_of("0123456789") == std::string_view::npos) {
    ms = ParseDurationMs(std::string(window) + "ms");
  }
  if (!ms) return std::nullopt;
  p.kind = ReuseKind::kGrace;
  p.grace_ms = *ms;
  return p;
}

std::string ToString(const ReusePolicy& p) {
  switch (p.kind) {
    case ReuseKind::kReject:
      return "reject";
    case ReuseKind::kRevokeFamily:
      return "revoke-family";
    case ReuseKind::kGrace:
      return "grace:" + std::to_string(p.grace_ms) + (p.revoke_after_grace ? "+revoke-family" : "");
  }
  return "reject";
}

std::optional<RacePolicy> ParseRacePolicy(std::string_view text) {
  if (text == "strict") return RacePolicy::kStrict;
  if (text == "lenient") return RacePolicy::kLenient;
  return std::nullopt;
}

std::string_view ToString(RacePolicy policy) {
  return policy == RacePolicy::kStrict ? "strict" : "lenient";
}

}  // namespace credsim::oauth
