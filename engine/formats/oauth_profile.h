// GET /api/oauth/profile (Anthropic): what a client learns about the account after a login. Claude
// Code stores `subscriptionType` from it; without that field Claude Code may fall back to API-key
// mode (docs/REAL_CLIENTS.md#claude-code-endpoints, `credsim-engine doctor`).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/formats/result.h"

namespace credsim::formats {

struct OAuthProfile {
  // The stored name of the plan: organization.organization_type "claude_max", "claude_pro",
  // "claude_team" or "claude_enterprise" without its prefix; nullopt for any other type (an API
  // organization has no subscription) or none.
  std::optional<std::string> subscription_type;
  std::optional<std::string> rate_limit_tier;  // organization.rate_limit_tier
};

// Any JSON object is a profile; missing or null members are simply absent. Errors name the path.
Result<OAuthProfile> ParseOAuthProfile(std::string_view body);

}  // namespace credsim::formats
