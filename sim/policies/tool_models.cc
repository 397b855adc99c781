#include "sim/policies/tool_models.h"

#include <algorithm>
#include <string>

#include "base/assert.h"
#include "engine/store_codec.h"
#include "engine/token_client.h"
#include "sim/policies/tool_agent_gateway.h"
#include "sim/policies/tool_claude_code.h"
#include "sim/policies/tool_codex.h"
#include "sim/sim_io.h"
#include "sim/world.h"

namespace credsim::sim {
namespace {

// Report 9 (hermes 15099): a user's cron health check reads every store of the session and POSTs
// each refresh token it finds to the token endpoint, then throws the answer away. Every POST
// spends the token (or, if already spent, trips reuse detection).
Task<void> HealthCheck(World& world, size_t index) {
  World::Consumer& c = world.consumer(index);
  engine::Io& io = *c.io;
  const int64_t max_rounds =
      world.config().duration_ms / std::max<int64_t>(c.spec.need_every_ms_min, 1) + 2;
  for (int64_t round = 0; round < max_rounds; ++round) {
    co_await world.scheduler().Delay(
        world.choices().RangeInclusive(c.spec.need_every_ms_min, c.spec.need_every_ms_max));
    for (const engine::StoreId& id : c.session.stores) {
      engine::StoreRead read = co_await io.Read(id);
      engine::StoreView view = engine::DecodeStore(c.session.provider, id, read);
      for (const engine::Candidate& slot : view.slots) {
        if (slot.credential.refresh_token.empty()) continue;
        (void)co_await io.PostToken(engine::BuildRefreshRequest(c.session, slot.credential));
      }
    }
  }
}

}  // namespace

Task<void> RunToolModel(World& world, size_t index) {
  const std::string& policy = world.consumer(index).spec.policy;
  if (policy.starts_with("claude-code-")) {
    return RunClaudeCode(world, index, ClaudeCodeFlavorFor(policy.c_str()));
  }
  if (policy == "agent-gateway") return RunAgentGateway(world, index);
  if (policy == "codex-cli") return RunCodexCli(world, index);
  CREDSIM_ASSERT(policy == "health-check");
  return HealthCheck(world, index);
}

}  // namespace credsim::sim
