// The demand loop of a consumer that runs the reference engine (directly, or over a legacy
// policy's Io wrapper): every so often it needs a token, asks its engine, and "uses" the token at
// the API; a 401 there goes through the engine's OnUnauthorized, once.

#include "base/assert.h"
#include "sim/policies/legacy_refresh.h"
#include "sim/policies/registry.h"
#include "sim/policies/tool_common.h"
#include "sim/policies/tool_models.h"
#include "sim/sim_io.h"
#include "sim/world.h"

namespace credsim::sim {
namespace {

bool AcceptedByApi(World& world, const engine::TokenResult& r) {
  return r.status == engine::TokenStatus::kOk && ApiAccepts(world, r.credential.access_token);
}

Task<void> EngineConsumer(World& world, size_t index) {
  World::Consumer& c = world.consumer(index);
  const ConsumerSpec spec = c.spec;  // copied: this frame may outlive a restart of the record
  engine::Engine& engine = *c.engine;
  const int64_t max_demands = MaxDemands(world, spec);
  const UnauthorizedRetry retry = UnauthorizedRetryOf(spec.policy);
  if (spec.start_ms > world.now_ms())
    co_await world.scheduler().Delay(spec.start_ms - world.now_ms());
  for (int64_t i = 0; i < max_demands; ++i) {
    const bool usable = world.UsableCredentialFor(index);
    const int64_t t_ms = world.now_ms();
    const int64_t local_before_ms = c.io->NowMs();
    engine::TokenResult r = co_await engine.GetToken();
    if (r.status == engine::TokenStatus::kOk && !r.refreshed && r.credential.expires_at_ms > 0) {
      // Served without refreshing: the engine judged the token valid at some moment after t_ms
      // (a valid copy: at least the leeway left; otherwise, after a failed refresh: not expired),
      // so at t_ms it had that much left, give or take the skew.
      world.ReportExpiryDecision(index, t_ms, r.credential.expires_at_ms, local_before_ms,
                                 r.valid_copy ? engine.effective_leeway_ms() : 0, false);
    }
    bool served = AcceptedByApi(world, r);
    if (!served && r.status == engine::TokenStatus::kOk && retry.max_rotations == 0) {
      r = co_await engine.OnUnauthorized(r.credential.access_token);
      served = AcceptedByApi(world, r);
    }
    // A legacy loop around the 401 (Unbounded401Retry): force a rotation, try again, repeat.
    for (int k = 0; !served && r.status == engine::TokenStatus::kOk && k < retry.max_rotations;
         ++k) {
      co_await world.scheduler().Delay(retry.pause_ms);
      r = co_await engine.Refresh(/*only_if_needed=*/false);
      served = AcceptedByApi(world, r);
    }
    world.ReportDemand(DemandObserved{
        .t_ms = t_ms,
        .consumer = spec.name,
        .reference = c.reference,
        .served = served,
        .status = engine::TokenStatusName(r.status),
        // A label costs the authority a MAC; only traced
        // demands (failed ones, or all with trace_io) need it.
        .token_label = served && !world.config().trace_io
                           ? std::string()
                           : world.LabelOf(r.credential.access_token),
        // Usable when the demand began AND when it ended: a
        // family revoked meanwhile by another actor's reuse (a
        // tool refreshing outside every lock) leaves nothing any
        // policy could serve; that reuse is judged on its own.
        // (Only a failed demand is judged: a served one skips the
        // second look.)
        .usable_credential_existed = usable && (served || world.UsableCredentialFor(index)),
        .local_now_ms = local_before_ms});
    co_await world.scheduler().Delay(
        world.choices().RangeInclusive(spec.need_every_ms_min, spec.need_every_ms_max));
  }
}

}  // namespace

Task<void> RunConsumer(World& world, size_t index) {
  const PolicyInfo* info = FindPolicy(world.consumer(index).spec.policy);
  CREDSIM_ASSERT(info, "policy names are validated before a world is built");
  if (info->kind == PolicyKind::kToolModel) return RunToolModel(world, index);
  return EngineConsumer(world, index);
}

}  // namespace credsim::sim
