#include "sim/run.h"

#include <algorithm>

#include "engine/session.h"
#include "sim/explore.h"
#include "sim/oracles/availability.h"
#include "sim/oracles/clock.h"
#include "sim/oracles/lineage.h"
#include "sim/oracles/no_collateral_damage.h"
#include "sim/oracles/no_lockout.h"
#include "sim/oracles/no_secret_leak.h"
#include "sim/oracles/no_self_inflicted_reuse.h"
#include "sim/oracles/refresh_storm.h"
#include "sim/policies/registry.h"
#include "sim/probes.h"

namespace credsim::sim {

int64_t LockoutBoundMs(const WorldConfig& config) {
  const engine::SessionConfig defaults;
  return defaults.backoff_ms_max + defaults.lock_timeout_ms + 4 * config.net_latency_ms_max;
}

int64_t QuietFromMs(const WorldConfig& config) {
  int64_t quiet = config.faults_until_ms;
  bool keychain_locked = false, server_down = false, api_rejecting = false;
  std::vector<ScriptedEvent> events = config.events;
  std::stable_sort(
      events.begin(), events.end(),
      [](const ScriptedEvent& a, const ScriptedEvent& b) { return a.at_ms < b.at_ms; });
  for (const ScriptedEvent& e : events) {
    quiet = std::max(quiet, e.at_ms);
    if (e.kind == EventKind::kKeychainLock) keychain_locked = true;
    if (e.kind == EventKind::kKeychainUnlock) keychain_locked = false;
    if (e.kind == EventKind::kServerDown) server_down = true;
    if (e.kind == EventKind::kServerUp) server_down = false;
    if (e.kind == EventKind::kApiRejectStart) api_rejecting = true;
    if (e.kind == EventKind::kApiRejectEnd) api_rejecting = false;
  }
  return keychain_locked || server_down || api_rejecting ? config.duration_ms : quiet;
}

bool ForkedByLayout(const WorldConfig& config) {
  const auto& stores = config.stores;
  for (size_t i = 0; i < stores.size(); ++i) {
    const InitialStore& a = stores[i];
    if (a.link_home || a.content == InitialContent::kAbsent) continue;
    for (size_t j = i + 1; j < stores.size(); ++j) {
      const InitialStore& b = stores[j];
      if (b.id == a.id && b.home != a.home && !b.link_home && b.content != InitialContent::kAbsent)
        return true;
    }
  }
  return std::any_of(config.events.begin(), config.events.end(), [&](const ScriptedEvent& e) {
    return e.kind == EventKind::kReplaceSymlink &&
           std::any_of(stores.begin(), stores.end(), [&](const InitialStore& s) {
             return s.link_home && s.home == e.home && e.store && s.id == *e.store;
           });
  });
}

RunResult RunWorld(const WorldConfig& config, ChoiceSource& choices, const RunOptions& options) {
  RunResult result;
  result.reference_only =
      std::all_of(config.consumers.begin(), config.consumers.end(),
                  [](const ConsumerSpec& c) { return IsJudgedPolicy(c.policy); }) &&
      !ForkedByLayout(config);
  Trace trace;
  trace.set_output(options.trace_out);
  trace.set_keep_index(options.keep_index);
  NoSecretLeak leak;
  trace.set_listener(&leak);
  NoSelfInflictedReuse reuse(result.reference_only);
  Lineage lineage(result.reference_only);
  NoLockout lockout(LockoutBoundMs(config), QuietFromMs(config));
  NoCollateralDamage collateral;
  Clock clock;
  Availability availability;
  RefreshStorm storm(config.access_ttl_ms, RefreshStorm::kDefaultMaxRequests);
  World world(config, choices, trace);
  if (options.picker != nullptr) {
    options.picker->Attach(world.scheduler(), trace, choices,
                           [&world](ActorId actor) { return world.ActorName(actor); });
    world.scheduler().set_picker(options.picker, options.pick_window_ms);
  }
  Oracle* oracles[] = {&lockout, &reuse, &lineage,      &collateral,
                       &clock,   &leak,  &availability, &storm};
  for (Oracle* o : oracles) world.AddOracle(o);
  ProbeWatcher probes;  // never fires: counts what the run reached (sim/probes.h)
  world.AddOracle(&probes);
  result.summary = world.Run();
  for (Oracle* o : oracles) {
    result.violations.insert(result.violations.end(), o->violations().begin(),
                             o->violations().end());
  }
  result.lost_response_replays = lineage.lost_response_replays();
  result.real_reuses = lineage.real_reuses();
  result.refused_after_tool_rotation = reuse.refused_after_tool_rotation();
  result.refused_nothing_live_in_reach = reuse.refused_nothing_live_in_reach();
  result.expiry_decisions = clock.decisions();
  result.outages = availability.outages();
  result.outages_dropped = availability.outages_dropped();
  result.availability = availability.consumers();
  if (options.keep_index) result.index = trace.index();
  return result;
}

RunResult RunWorld(const WorldConfig& config, const RunOptions& options) {
  PrngChoices choices(config.seed);
  return RunWorld(config, choices, options);
}

std::string FormatDuration(int64_t ms) {
  const int64_t d = ms / kDayMs, h = ms % kDayMs / kHourMs, m = ms % kHourMs / kMinuteMs;
  const int64_t s = ms % kMinuteMs / kSecondMs, rest = ms % kSecondMs;
  char buf[64];
  if (d > 0) {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh%02lldm%02lld.%03llds", (long long)d, (long long)h,
                  (long long)m, (long long)s, (long long)rest);
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm%02lld.%03llds", (long long)h, (long long)m,
                  (long long)s, (long long)rest);
  }
  return buf;
}

std::string FormatViolation(const Violation& v, bool with_events) {
  std::string out = v.oracle + " consumer=" + (v.consumer.empty() ? "-" : v.consumer) +
                    " t=" + FormatDuration(v.t_ms) + ": " + v.message;
  if (with_events) {
    for (const std::string& line : v.recent_events) out += "\n    " + line;
  }
  return out;
}

}  // namespace credsim::sim
