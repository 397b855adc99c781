#include "engine/session.h"

namespace credsim::engine {

SessionConfig DefaultSession(Provider provider, const std::string& agent_profile) {
  SessionConfig config;
  config.provider = provider;
  if (provider == Provider::kAnthropic) {
    config.stores.push_back({StoreKind::kClaudeKeychain, ""});
    config.stores.push_back({StoreKind::kClaudeFile, ""});
    config.token_url = "https://platform.claude.com/v1/oauth/token";
    config.client_id = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";
  } else {
    config.stores.push_back({StoreKind::kCodexAuth, ""});
    config.token_url = "https://auth.openai.com/oauth/token";
    config.client_id = "app_EMoamEEZ73f0CkXaXp7hrann";
    // Codex CLI refreshes outside any lock once less than ~5 minutes remain
    // (docs/REAL_CLIENTS.md#codex-when-it-refreshes, #codex-write-back): an engine refreshing in
    // the same window races it on the wire, and the loser's refresh is refused (a reuse signal to a
    // strict server) before it adopts the winner's pair
    // (docs/REAL_CLIENTS.md#fake-server-interoperability-with-credsim-engine). Leaving Codex the
    // first four minutes of that window lets its refresh land first and the engine adopt it; one
    // minute is still far more than any clock skew, since the expiry is the JWT's own exp.
    config.refresh_leeway_ms = 60 * 1000;
  }
  if (!agent_profile.empty()) config.stores.push_back({StoreKind::kAgentAuth, agent_profile});
  config.stores.push_back({StoreKind::kAgentAuth, ""});
  config.rescue_store = StoreId{StoreKind::kEngineRescue, ProviderName(provider)};
  return config;
}

}  // namespace credsim::engine
