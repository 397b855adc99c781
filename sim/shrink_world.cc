#include "sim/shrink_world.h"

#include <algorithm>
#include <string>
#include <vector>

#include "base/assert.h"

namespace credsim::sim {
namespace {

using Edit = std::function<bool(WorldConfig&)>;  // false: nothing to change

// One scripted event, or a consumer's events with it, or a store's.
void DropEventsNaming(WorldConfig& w, const std::string& consumer) {
  std::erase_if(w.events, [&](const ScriptedEvent& e) { return e.consumer == consumer; });
}

void DropEventsOfStore(WorldConfig& w, const engine::StoreId& id, const std::string& home) {
  std::erase_if(w.events, [&](const ScriptedEvent& e) {
    return e.store && *e.store == id && e.home == home;
  });
}

// Candidates in the order that shrinks most first: whole consumers, events and stores, then the
// faults and the run's length, then the values that make a world hard to read.
std::vector<Edit> Candidates(const WorldConfig& w, int64_t fail_at_ms) {
  std::vector<Edit> edits;
  edits.push_back([fail_at_ms](WorldConfig& c) {
    const int64_t cut = std::max<int64_t>(fail_at_ms + kMinuteMs, kMinuteMs);
    if (cut >= c.duration_ms) return false;
    c.duration_ms = cut;
    std::erase_if(c.events, [&](const ScriptedEvent& e) { return e.at_ms >= cut; });
    return true;
  });
  for (size_t i = w.consumers.size(); i-- > 0;) {
    edits.push_back([i](WorldConfig& c) {
      if (c.consumers.size() <= 1 || i >= c.consumers.size()) return false;
      DropEventsNaming(c, c.consumers[i].name);
      c.consumers.erase(c.consumers.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    });
  }
  for (size_t i = w.events.size(); i-- > 0;) {
    edits.push_back([i](WorldConfig& c) {
      if (i >= c.events.size()) return false;
      c.events.erase(c.events.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    });
  }
  for (size_t i = w.stores.size(); i-- > 0;) {
    edits.push_back([i](WorldConfig& c) {
      if (c.stores.size() <= 1 || i >= c.stores.size()) return false;
      DropEventsOfStore(c, c.stores[i].id, c.stores[i].home);
      c.stores.erase(c.stores.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    });
  }
  const auto set = [&](auto field, auto plain) {
    edits.push_back([field, plain](WorldConfig& c) {
      if (c.*field == plain) return false;
      c.*field = plain;
      return true;
    });
  };
  set(&WorldConfig::faults_until_ms, int64_t{0});
  set(&WorldConfig::revoke_siblings_on_refresh, false);
  set(&WorldConfig::codex_in_place_rewrite, false);
  set(&WorldConfig::token_grant_delay_ms, int64_t{0});
  set(&WorldConfig::shuffle_ties, false);
  set(&WorldConfig::store_latency_ms_max, int64_t{2});
  set(&WorldConfig::net_latency_ms_max, w.net_latency_ms_min);
  // Shorter tokens make a refresh, and so most failures, come sooner (the run is then cut).
  for (const int64_t ttl : {5 * kMinuteMs, 30 * kMinuteMs}) {
    edits.push_back([ttl](WorldConfig& c) {
      if (c.access_ttl_ms <= ttl) return false;
      c.access_ttl_ms = ttl;
      return true;
    });
  }
  edits.push_back([](WorldConfig& c) {
    if (c.reuse.kind == oauth::ReuseKind::kReject) return false;
    c.reuse = oauth::ReusePolicy{};
    return true;
  });
  edits.push_back([](WorldConfig& c) {
    const NetworkFaults none{.retry_after_ms = c.faults.retry_after_ms};
    if (c.faults.drop_before_per_million == 0 && c.faults.drop_after_per_million == 0 &&
        c.faults.error_5xx_per_million == 0 && c.faults.rate_limit_per_million == 0 &&
        c.faults.store_write_fail_per_million == 0) {
      return false;
    }
    c.faults = none;
    return true;
  });
  edits.push_back([](WorldConfig& c) {
    if (c.faults.retry_after_ms == NetworkFaults{}.retry_after_ms) return false;
    c.faults.retry_after_ms = NetworkFaults{}.retry_after_ms;
    return true;
  });
  for (size_t i = 0; i < w.consumers.size(); ++i) {
    edits.push_back([i](WorldConfig& c) {
      if (i >= c.consumers.size()) return false;
      ConsumerSpec& s = c.consumers[i];
      if (s.skew_ms == 0 && s.drift_ppm == 0 && s.start_ms == 0) return false;
      s.skew_ms = 0, s.drift_ppm = 0, s.start_ms = 0;
      return true;
    });
    edits.push_back([i](WorldConfig& c) {  // one pause between demands, not a range
      if (i >= c.consumers.size()) return false;
      ConsumerSpec& s = c.consumers[i];
      if (s.need_every_ms_max == s.need_every_ms_min) return false;
      s.need_every_ms_max = s.need_every_ms_min;
      return true;
    });
    edits.push_back([i](WorldConfig& c) {
      if (i >= c.consumers.size() || c.consumers[i].profile.empty()) return false;
      c.consumers[i].profile.clear();
      return true;
    });
  }
  for (size_t i = 0; i < w.stores.size(); ++i) {
    edits.push_back([i](WorldConfig& c) {
      if (i >= c.stores.size()) return false;
      InitialStore& s = c.stores[i];
      const bool plain = !s.expired && !s.corrupt && !s.symlink && s.claude_scopes.empty() &&
                         s.pool_status.empty() && s.pool_reset_in_ms == 0;
      if (plain) return false;
      s.expired = s.corrupt = s.symlink = false;
      s.claude_scopes.clear();
      s.pool_status.clear();
      s.pool_reset_in_ms = 0;
      return true;
    });
  }
  return edits;
}

}  // namespace

WorldConfig ShrinkWorld(WorldConfig world, int64_t fail_at_ms, const FailsAt& fails_at,
                        int max_runs, WorldShrinkStats* stats) {
  CREDSIM_ASSERT(stats != nullptr && max_runs >= 0);
  CREDSIM_ASSERT(fail_at_ms >= 0 && fail_at_ms <= world.duration_ms);
  // Bounded: every kept edit removes something or sets a value to its plain one, so a pass that
  // keeps nothing ends the loop; the budget of runs bounds it too.
  for (bool changed = true; changed && stats->runs < max_runs;) {
    changed = false;
    ++stats->passes;
    for (const Edit& edit : Candidates(world, fail_at_ms)) {
      if (stats->runs >= max_runs) break;
      WorldConfig candidate = world;
      if (!edit(candidate)) continue;
      ++stats->runs;
      const std::optional<int64_t> at = fails_at(candidate);
      if (!at) continue;
      world = std::move(candidate);
      fail_at_ms = *at;
      ++stats->kept;
      changed = true;
    }
  }
  return world;
}

}  // namespace credsim::sim
