// What the world reports to its oracles: refreshes, demands and their outage causes, expiry
// decisions, and whether a usable credential was within a consumer's reach (sim/world.h).
#include <algorithm>
#include <cstdlib>
#include <utility>

#include "base/assert.h"
#include "sim/labels.h"
#include "sim/probes.h"
#include "sim/world.h"

namespace credsim::sim {

void World::Observe(const RefreshObserved& refresh) {
  for (Oracle* o : oracles_) o->OnRefresh(refresh);
}

const char* World::OutageCause(size_t index) const {
  const Consumer& c = *consumers_[index];
  const bool reads_keychain = std::any_of(
      c.session.stores.begin(), c.session.stores.end(),
      [](const engine::StoreId& id) { return id.kind == engine::StoreKind::kClaudeKeychain; });
  if (disturbances_.server_down()) return "server_down";
  if (disturbances_.api_rejecting()) return "api_rejecting";
  if (disturbances_.keychain_locked() && reads_keychain) return "keychain_locked";
  if (faults_active()) return "injected_faults";
  if (UsableCredentialFor(index)) return "lockout";
  for (const auto& [id, state] : stores_) {
    if (HoldsLiveRefreshToken(state)) return "out_of_reach";
  }
  // A judged engine that rotated still holds the pair (writing, retrying, or parking it); a
  // tool's unwritten grant is unknowable (the health check throws it away), so it is not counted.
  for (const auto& other : consumers_) {
    const auto& g = other->last_granted;
    if (other->reference && g && authority_.IsLiveGeneration(g->family, g->issued)) {
      return "rotation_unwritten";
    }
  }
  return "session_dead";
}

void World::ReportDemand(DemandObserved demand) {
  ++summary_.demands;
  if (!demand.served) {
    ++summary_.demands_failed;
    const std::optional<size_t> index = FindConsumer(demand.consumer);
    CREDSIM_ASSERT(index.has_value(), "demands come from consumers");
    demand.outage_cause = OutageCause(*index);
    trace_.Event(demand.t_ms, "demand.failed", demand.consumer)
        .Str("status", demand.status)
        .Str("cause", demand.outage_cause)
        .Bool("usable_existed", demand.usable_credential_existed);
  } else if (config_.trace_io) {
    trace_.Event(demand.t_ms, "demand.served", demand.consumer).Str("at", demand.token_label);
  }
  for (Oracle* o : oracles_) o->OnDemand(demand);
}

int64_t World::ClockErrorBoundMs(const Consumer& c, int64_t t_ms) {
  // Skew and scripted jumps, plus the drift accumulated by t_ms (rounded up per million ms).
  const int64_t drift_ms = (t_ms / 1'000'000 + 1) * std::abs(c.spec.drift_ppm);
  return std::abs(c.spec.skew_ms + c.clock_jump_ms) + drift_ms;
}

void World::ReportExpiryDecision(size_t index, int64_t t_ms, int64_t expires_at_ms,
                                 int64_t local_now_ms, int64_t leeway_ms, bool decided_expiring) {
  CREDSIM_ASSERT(index < consumers_.size() && t_ms <= now_ms() && leeway_ms >= 0);
  const Consumer& c = *consumers_[index];
  ExpiryDecision d{.t_ms = t_ms,
                   .consumer = c.spec.name,
                   .expires_at_ms = expires_at_ms,
                   .local_now_ms = local_now_ms,
                   .true_now_ms = kEpochMs + t_ms,
                   .leeway_ms = leeway_ms,
                   .skew_bound_ms = ClockErrorBoundMs(c, t_ms),
                   .decided_expiring = decided_expiring};
  // The world's own promise: a consumer's clock is never further off than its skew bound.
  CREDSIM_ASSERT(std::abs(d.local_now_ms - d.true_now_ms) <= d.skew_bound_ms);
  for (Oracle* o : oracles_) o->OnExpiryDecision(d);
}

bool World::HoldsLiveRefreshToken(const StoreState& state) const {
  return std::any_of(state.summary.refresh_tokens.begin(), state.summary.refresh_tokens.end(),
                     [&](const std::pair<uint32_t, uint32_t>& token) {
                       return token.first != 0 &&
                              authority_.IsLiveGeneration(token.first, token.second);
                     });
}

bool World::LivePairUnreadableFor(size_t index) const {
  const Consumer& c = *consumers_[index];
  return std::any_of(c.session.stores.begin(), c.session.stores.end(), [&](const auto& id) {
    const StoreState* s = store(Resolve(PathFor(id, Owner::Consumer(index))));
    return s && s->exists && !s->summary.readable && HoldsLiveRefreshToken(*s);
  });
}

bool World::UsableCredentialFor(size_t index) const {
  CREDSIM_ASSERT(index < consumers_.size(), "a consumer's index");
  const Consumer& c = *consumers_[index];
  return std::any_of(c.session.stores.begin(), c.session.stores.end(), [&](const auto& id) {
    const StoreState* s = store(Resolve(PathFor(id, Owner::Consumer(index))));
    if (!s || !s->summary.readable) return false;
    if (id.kind == engine::StoreKind::kClaudeKeychain && disturbances_.keychain_locked())
      return false;
    return HoldsLiveRefreshToken(*s);
  });
}

}  // namespace credsim::sim
