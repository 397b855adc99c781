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
  }
  if (!agent_profile.empty()) config.stores.push_back({StoreKind::kAgentAuth, agent_profile});
  config.stores.push_back({StoreKind::kAgentAuth, ""});
  config.rescue_store = StoreId{StoreKind::kEngineRescue, ProviderName(provider)};
  return config;
}

}  // namespace credsim::engine
