#include "sim/shrink_world.h"

#include <algorithm>
#include <string>
#include <vector>

#include "base/assert.h"

namespace credsim::sim {
namespace {

using Edit = std::function<bool(WorldConfig&)>;  // false: nothing to change

// Every latency, fault, demand gap and tie of a run is drawn from the world's one seed, so nearly
// any edit changes the rest of the run after the moment it takes effect: a failure that needed a
// lucky draw (two refreshes racing, an answer lost at the wrong moment) is lost to an edit that
// did not touch its cause. Such edits are tried again under fresh seeds once the plain passes keep
// nothing: the same world, drawn differently, often fails sooner.
enum class Seeds : uint8_t {
  kSameThenFresh,  // under the world's seed, then (when the plain passes are stuck) fresh ones
  kFreshOnly,      // the failure must be drawn again, sooner: not worth a run under the same seed
};

struct Candidate {
  Edit edit;
  Seeds seeds = Seeds::kSameThenFresh;
};

// Fresh seeds tried per candidate in a pass after one that kept nothing under the world's own
// seed, and how many such passes in a row may keep nothing.
constexpr int kFreshSeedsPerCandidate = 4;
constexpr int kFruitlessFreshSeedPasses = 3;

// One scripted event, or a consumer's events with it, or a store's.
void DropEventsNaming(WorldConfig& w, const std::string& consumer) {
  std::erase_if(w.events, [&](const ScriptedEvent& e) { return e.consumer == consumer; });
}

void DropEventsOfStore(WorldConfig& w, const engine::StoreId& id, const std::string& home) {
  std::erase_if(w.events, [&](const ScriptedEvent& e) {
    return e.store && *e.store == id && e.home == home;
  });
}

// The run ends at `cut`; what was scripted after it is dropped, or held at the end of the run.
// Held, the run before the cut stays the same run: the script still schedules its next wake-up
// when it did, drawing as it did. Dropped, every draw after the last earlier event shifts, and a
// failure that needed them may go.
bool CutAfter(WorldConfig& c, int64_t cut, bool hold_late_events) {
  if (cut >= c.duration_ms || cut <= 0) return false;
  c.duration_ms = cut;
  if (hold_late_events) {
    for (ScriptedEvent& e : c.events) e.at_ms = std::min(e.at_ms, cut);
  } else {
    std::erase_if(c.events, [&](const ScriptedEvent& e) { return e.at_ms >= cut; });
  }
  c.faults_until_ms = std::min(c.faults_until_ms, cut);
  return true;
}

// The first `by` of the run is dropped: what was scripted then, the faults that were active, the
// consumers' start delays. A failure late in a long run often needs only its last hours (a
// re-login and what follows it), which then come `by` sooner.
bool ShiftEarlier(WorldConfig& c, int64_t by) {
  if (by <= 0 || by >= c.duration_ms) return false;
  c.duration_ms -= by;
  std::erase_if(c.events, [&](const ScriptedEvent& e) { return e.at_ms < by; });
  for (ScriptedEvent& e : c.events) e.at_ms -= by;
  c.faults_until_ms = std::max<int64_t>(c.faults_until_ms - by, 0);
  for (ConsumerSpec& s : c.consumers) s.start_ms = std::max<int64_t>(s.start_ms - by, 0);
  return true;
}

// The run ends a minute after the failure, the events after it dropped or held at the end. Under
// fresh seeds only: the run ends at a quarter or half of the time to the failure, or starts that
// much later, and a failure drawn that soon is kept (under the world's seed, a run cut before
// its failure is the same run without it).
void AddCuts(std::vector<Candidate>& out, int64_t fail_at_ms) {
  const int64_t cut = std::max<int64_t>(fail_at_ms + kMinuteMs, kMinuteMs);
  out.push_back({[cut](WorldConfig& c) { return CutAfter(c, cut, false); }});
  out.push_back({[cut](WorldConfig& c) { return CutAfter(c, cut, true); }});
  if (fail_at_ms < 2 * kMinuteMs) return;
  for (const int64_t part : {fail_at_ms / 4, fail_at_ms / 2}) {
    out.push_back({[part](WorldConfig& c) { return CutAfter(c, part, false); }, Seeds::kFreshOnly});
    out.push_back({[part](WorldConfig& c) { return ShiftEarlier(c, part); }, Seeds::kFreshOnly});
  }
}

// Whole consumers, scripted events and stores.
void AddDrops(std::vector<Candidate>& out, const WorldConfig& w) {
  for (size_t i = w.consumers.size(); i-- > 0;) {
    out.push_back({[i](WorldConfig& c) {
      if (c.consumers.size() <= 1 || i >= c.consumers.size()) return false;
      DropEventsNaming(c, c.consumers[i].name);
      c.consumers.erase(c.consumers.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }});
  }
  for (size_t i = w.events.size(); i-- > 0;) {
    out.push_back({[i](WorldConfig& c) {
      if (i >= c.events.size()) return false;
      c.events.erase(c.events.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }});
  }
  for (size_t i = w.stores.size(); i-- > 0;) {
    out.push_back({[i](WorldConfig& c) {
      if (c.stores.size() <= 1 || i >= c.stores.size()) return false;
      DropEventsOfStore(c, c.stores[i].id, c.stores[i].home);
      c.stores.erase(c.stores.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }});
  }
}

// Everything that happens at a time happens at half that time (scripted events, the end of the
// faults, the consumers' starts), and tokens live half as long, so a failure that follows an
// expiry comes sooner with it. The run's end stays: what is fixed (a lockout's bound, a pause
// between demands) does not halve, and the run is cut after the failure once it shows. Tokens
// stay at least as long as the engine's refresh leeway (5 min): a shorter one is refreshed at
// every use, a different world rather than a faster one.
bool HalveTime(WorldConfig& c) {
  if (c.access_ttl_ms / 2 < 5 * kMinuteMs) return false;
  c.access_ttl_ms /= 2;
  c.faults_until_ms /= 2;
  for (ScriptedEvent& e : c.events) e.at_ms /= 2;
  for (ConsumerSpec& s : c.consumers) s.start_ms /= 2;
  return true;
}

// Sooner, not fewer: the whole world at double speed, a fault window half as long, a scripted
// event at half its time. A lockout is judged only once the world has been quiet for a while, so
// its failure follows the last fault.
void AddSooner(std::vector<Candidate>& out, const WorldConfig& w) {
  out.push_back({HalveTime});
  out.push_back({[](WorldConfig& c) {
    if (c.faults_until_ms < 2 * kMinuteMs) return false;
    c.faults_until_ms /= 2;
    return true;
  }});
  for (size_t i = 0; i < w.events.size(); ++i) {
    out.push_back({[i](WorldConfig& c) {
      if (i >= c.events.size() || c.events[i].at_ms < 2 * kMinuteMs) return false;
      c.events[i].at_ms /= 2;
      return true;
    }});
  }
}

// The values that make a world hard to read, each set to its plain one.
void AddPlainWorldValues(std::vector<Candidate>& out, const WorldConfig& w) {
  const auto set = [&](auto field, auto plain) {
    out.push_back({[field, plain](WorldConfig& c) {
      if (c.*field == plain) return false;
      c.*field = plain;
      return true;
    }});
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
    out.push_back({[ttl](WorldConfig& c) {
      if (c.access_ttl_ms <= ttl) return false;
      c.access_ttl_ms = ttl;
      return true;
    }});
  }
  out.push_back({[](WorldConfig& c) {
    if (c.reuse.kind == oauth::ReuseKind::kReject) return false;
    c.reuse = oauth::ReusePolicy{};
    return true;
  }});
  out.push_back({[](WorldConfig& c) {
    const NetworkFaults none{.retry_after_ms = c.faults.retry_after_ms};
    if (c.faults.drop_before_per_million == 0 && c.faults.drop_after_per_million == 0 &&
        c.faults.error_5xx_per_million == 0 && c.faults.rate_limit_per_million == 0 &&
        c.faults.store_write_fail_per_million == 0) {
      return false;
    }
    c.faults = none;
    return true;
  }});
  out.push_back({[](WorldConfig& c) {
    if (c.faults.retry_after_ms == NetworkFaults{}.retry_after_ms) return false;
    c.faults.retry_after_ms = NetworkFaults{}.retry_after_ms;
    return true;
  }});
}

void AddPlainConsumersAndStores(std::vector<Candidate>& out, const WorldConfig& w) {
  for (size_t i = 0; i < w.consumers.size(); ++i) {
    out.push_back({[i](WorldConfig& c) {
      if (i >= c.consumers.size()) return false;
      ConsumerSpec& s = c.consumers[i];
      if (s.skew_ms == 0 && s.drift_ppm == 0 && s.start_ms == 0) return false;
      s.skew_ms = 0, s.drift_ppm = 0, s.start_ms = 0;
      return true;
    }});
    out.push_back({[i](WorldConfig& c) {  // one pause between demands, not a range
      if (i >= c.consumers.size()) return false;
      ConsumerSpec& s = c.consumers[i];
      if (s.need_every_ms_max == s.need_every_ms_min) return false;
      s.need_every_ms_max = s.need_every_ms_min;
      return true;
    }});
    out.push_back({[i](WorldConfig& c) {
      if (i >= c.consumers.size() || c.consumers[i].profile.empty()) return false;
      c.consumers[i].profile.clear();
      return true;
    }});
  }
  for (size_t i = 0; i < w.stores.size(); ++i) {
    out.push_back({[i](WorldConfig& c) {
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
    }});
  }
}

// Candidates in the order that shrinks most first: the run's end, whole consumers, events and
// stores, then what makes the failure come sooner, then the values that make a world hard to read.
std::vector<Candidate> Candidates(const WorldConfig& w, int64_t fail_at_ms) {
  std::vector<Candidate> out;
  AddCuts(out, fail_at_ms);
  AddDrops(out, w);
  AddSooner(out, w);
  AddPlainWorldValues(out, w);
  AddPlainConsumersAndStores(out, w);
  return out;
}

// The world being shrunk, the moment it fails, and the runs spent.
class Shrinker {
 public:
  Shrinker(WorldConfig world, int64_t fail_at_ms, const FailsAt& fails_at, int max_runs,
           WorldShrinkStats* stats)
      : world_(std::move(world)),
        fail_at_ms_(fail_at_ms),
        next_seed_(world_.seed + 1),
        fails_at_(fails_at),
        max_runs_(max_runs),
        stats_(stats) {}

  // Bounded: every edit removes something, moves something sooner, shortens something or sets a
  // value to its plain one, so the edits kept form a finite chain; fresh-seed passes that keep
  // nothing end the loop, and the budget of runs bounds it too.
  WorldConfig Run() && {
    for (bool changed = true; changed && !Spent();) {
      ++stats_->passes;
      changed = SameSeedPass() || FreshSeedPasses();
    }
    return std::move(world_);
  }

 private:
  bool Spent() const { return stats_->runs >= max_runs_; }

  std::optional<ShrinkRun> RunOnce(const WorldConfig& candidate) {
    CREDSIM_ASSERT(!Spent());
    ++stats_->runs;
    if (candidate.seed != world_.seed) ++stats_->fresh_seed_runs;
    return fails_at_(candidate);
  }

  // Keeps `candidate` when it still fails the same way in a run no longer than the kept one's. A
  // failure in a longer run is cut a minute after it, the later events held at the new end: the
  // run up to the cut is the same run, so it shows the failure at the same moment, and once more
  // to make sure.
  bool Try(WorldConfig candidate) {
    std::optional<ShrinkRun> run = RunOnce(candidate);
    if (run && !run->no_longer && !Spent() &&
        CutAfter(candidate, run->at_ms + kMinuteMs, /*hold_late_events=*/true)) {
      run = RunOnce(candidate);
    }
    if (!run || !run->no_longer) return false;
    CREDSIM_ASSERT(run->at_ms >= 0 && run->at_ms <= candidate.duration_ms);
    world_ = std::move(candidate);
    fail_at_ms_ = run->at_ms;
    ++stats_->kept;
    return true;
  }

  // Every candidate once, under the world's seed, each against the world as kept so far.
  bool SameSeedPass() {
    bool changed = false;
    for (const Candidate& c : Candidates(world_, fail_at_ms_)) {
      if (Spent()) break;
      if (c.seeds == Seeds::kFreshOnly) continue;
      WorldConfig candidate = world_;
      if (c.edit(candidate)) changed = Try(std::move(candidate)) || changed;
    }
    return changed;
  }

  // Each candidate under a few seeds never tried before, until one is kept: back to the cheap
  // same-seed passes then, since the world has changed. A few such passes in a row may keep
  // nothing before the shrinker gives up.
  bool FreshSeedPasses() {
    for (int pass = 0; pass < kFruitlessFreshSeedPasses; ++pass) {
      if (pass > 0) ++stats_->passes;
      for (const Candidate& c : Candidates(world_, fail_at_ms_)) {
        WorldConfig candidate = world_;
        if (!c.edit(candidate)) continue;
        for (int k = 0; k < kFreshSeedsPerCandidate; ++k) {
          if (Spent()) return false;
          candidate.seed = next_seed_++;
          if (Try(candidate)) return true;
        }
      }
    }
    return false;
  }

  WorldConfig world_;
  int64_t fail_at_ms_;
  uint64_t next_seed_;  // seeds are never reused, so every fresh-seed run is a new draw
  const FailsAt& fails_at_;
  int max_runs_;
  WorldShrinkStats* stats_;
};

}  // namespace

WorldConfig ShrinkWorld(WorldConfig world, int64_t fail_at_ms, const FailsAt& fails_at,
                        int max_runs, WorldShrinkStats* stats) {
  CREDSIM_ASSERT(stats != nullptr && max_runs >= 0);
  CREDSIM_ASSERT(fail_at_ms >= 0 && fail_at_ms <= world.duration_ms);
  return Shrinker(std::move(world), fail_at_ms, fails_at, max_runs, stats).Run();
}

}  // namespace credsim::sim
