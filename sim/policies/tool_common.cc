#include "sim/policies/tool_common.h"

#include <algorithm>

#include "base/assert.h"
#include "engine/session.h"
#include "sim/world.h"

namespace credsim::sim {

engine::HttpRequest JsonTokenRequest(engine::Provider provider, std::string body) {
  engine::HttpRequest r;
  r.url = engine::DefaultSession(provider, "").token_url;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

bool ApiAccepts(World& world, const std::string& access_token) {
  if (access_token.empty()) return false;
  if (world.api_rejecting()) return false;
  return world.authority().ValidateAccessToken(access_token, world.server_ms()).state ==
         oauth::AccessState::kLive;
}

int64_t MaxDemands(const World& world, const ConsumerSpec& spec) {
  return world.config().duration_ms / std::max<int64_t>(spec.need_every_ms_min, 1) + 2;
}

Task<void> WaitForDemand(World& world, const ConsumerSpec& spec, int64_t demand_number) {
  CREDSIM_ASSERT(demand_number >= 0);
  if (demand_number == 0) {
    if (spec.start_ms > world.now_ms())
      co_await world.scheduler().Delay(spec.start_ms - world.now_ms());
    co_return;
  }
  co_await world.scheduler().Delay(
      world.choices().RangeInclusive(spec.need_every_ms_min, spec.need_every_ms_max));
}

void ReportToolDemand(World& world, size_t index, int64_t t_ms, bool usable, bool served,
                      const std::string& status, const std::string& access_token) {
  World::Consumer& c = world.consumer(index);
  CREDSIM_ASSERT(!c.reference, "tool models are never judged as reference consumers");
  world.ReportDemand(DemandObserved{.t_ms = t_ms,
                                    .consumer = c.spec.name,
                                    .reference = c.reference,
                                    .served = served,
                                    .status = status,
                                    .token_label = served && !world.config().trace_io
                                                       ? std::string()
                                                       : world.LabelOf(access_token),
                                    .usable_credential_existed = usable,
                                    .local_now_ms = 0});
}

Task<engine::StoreWrite> RenameOver(World& world, engine::StoreId id, std::string bytes,
                                    Owner owner) {
  co_await world.scheduler().Delay(world.StoreLatencyMs());
  co_return world.ReplaceStore(id, std::move(bytes), owner);
}

Task<engine::StoreWrite> RewriteInPlace(World& world, engine::StoreId id, std::string bytes,
                                        Owner owner) {
  co_await world.scheduler().Delay(world.StoreLatencyMs());
  world.BeginInPlaceWrite(id, bytes, owner);
  // The torn window lasts at least 1 ms, so a concurrent reader can land inside it.
  co_await world.scheduler().Delay(1 + world.StoreLatencyMs());
  co_return world.FinishInPlaceWrite(id, std::move(bytes), owner);
}

Task<void> RunToolDemands(World& world, size_t index, ToolAttempt attempt) {
  const ConsumerSpec spec = world.consumer(index).spec;
  for (int64_t i = 0; i < MaxDemands(world, spec); ++i) {
    co_await WaitForDemand(world, spec, i);
    const bool usable = world.UsableCredentialFor(index);
    const int64_t t_ms = world.now_ms();
    bool served = false;
    std::string used;
    const char* status = co_await attempt(&served, &used);
    ReportToolDemand(world, index, t_ms, usable, served, status, used);
  }
}

}  // namespace credsim::sim
