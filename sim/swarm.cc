#include "sim/swarm.h"

#include <algorithm>

#include "base/assert.h"
#include "sim/choice.h"
#include "sim/policies/registry.h"
#include "sim/run.h"

namespace credsim::sim {
namespace {

ConsumerSpec ToolSpec(ChoiceSource& pick, std::string name, std::string policy) {
  ConsumerSpec s;
  s.name = std::move(name);
  s.policy = std::move(policy);
  s.skew_ms = pick.Chance(300'000) ? pick.RangeInclusive(-60, 60) * kSecondMs : 0;
  s.need_every_ms_min = pick.RangeInclusive(1, 30) * kMinuteMs;
  s.need_every_ms_max = s.need_every_ms_min + pick.RangeInclusive(0, 30) * kMinuteMs;
  s.start_ms = pick.RangeInclusive(0, 120) * kSecondMs;
  return s;
}

// Tool models join about half the worlds; each kind is on or off per world (swarm-style). A
// quarter of the tool worlds are openai-codex worlds: the Codex file and the agent root store,
// Codex CLI processes instead of Claude Code ones.
void AddToolConsumers(ChoiceSource& pick, WorldConfig& c) {
  if (!pick.Chance(500'000)) return;
  const bool codex = pick.Chance(250'000);
  const bool keychain_first = pick.Chance(300'000);
  if (codex) {
    c.provider = engine::Provider::kOpenAiCodex;
    c.stores = {{{engine::StoreKind::kCodexAuth, ""}}, {{engine::StoreKind::kAgentAuth, ""}}};
    c.stores[1].content = pick.Chance(300'000) ? InitialContent::kAbsent : InitialContent::kCurrent;
    c.codex_in_place_rewrite = pick.Chance(200'000);
  }
  int n = 0;
  auto add = [&](const char* policy, uint32_t per_million) {
    if (!pick.Chance(per_million)) return;
    c.consumers.push_back(ToolSpec(pick, "t" + std::to_string(n++), policy));
  };
  if (codex) {
    add("codex-cli", 800'000);
    add("codex-cli", 500'000);
  } else {
    add("claude-code-cli", 600'000);
    add(keychain_first ? "claude-code-cli-keychain" : "claude-code-cli", 400'000);
    add("claude-code-ide", 400'000);
  }
  add("agent-gateway", 400'000);
  if (pick.Chance(300'000)) {
    ConsumerSpec g = ToolSpec(pick, "t" + std::to_string(n++), "agent-gateway");
    g.profile = "p" + std::to_string(pick.BelowU64(2));
    c.consumers.push_back(g);
  }
}

// The scenario language's own disturbances, each in some worlds, so the swarm searches what the
// library can state: an answer lost with the process alive, a process that dies between grant and
// write, an API that refuses every token for a while, server and consumer clock jumps, and a server
// that revokes sibling access tokens on every rotation. Drawn after everything else (see above).
void AddScenarioLanguageEvents(ChoiceSource& pick, WorldConfig& c) {
  const auto at = [&]() { return pick.RangeInclusive(0, c.duration_ms - 1); };
  if (pick.Chance(200'000)) {
    c.events.push_back({at(), EventKind::kLoseNextResponse, pick.Chance(500'000) ? "c0" : ""});
  }
  if (pick.Chance(150'000)) c.events.push_back({at(), EventKind::kFailAfterGrant, "c0"});
  if (pick.Chance(150'000)) {
    const int64_t from = pick.RangeInclusive(0, c.duration_ms / 2);
    c.events.push_back({from, EventKind::kApiRejectStart});
    c.events.push_back({from + pick.RangeInclusive(1, 30) * kMinuteMs, EventKind::kApiRejectEnd});
  }
  if (pick.Chance(100'000)) {
    c.events.push_back({at(), EventKind::kServerClockJump, "", std::nullopt,
                        pick.RangeInclusive(1, 60) * kMinuteMs});
  }
  if (pick.Chance(100'000)) {
    c.events.push_back({at(), EventKind::kClockJump, "c0", std::nullopt,
                        pick.RangeInclusive(-10, 10) * kMinuteMs});
  }
  c.revoke_siblings_on_refresh = pick.Chance(200'000);
}

// Situations the draws above never produced, found by the probe table (sim/probes.h,
// engine/probes.h: `credsim swarm --probes`), each in a few worlds: answers lost with the process
// alive, a grace-window server, a Retry-After beyond the engine's bound, every store refusing
// writes for a while (a rotation only the rescue store can hold), slow stores (compare-and-swap
// races with tools), a corrupt or torn store, a symlinked credentials file, stored scopes the
// server will not grant, a re-login, a server outage, a pool cooldown, an agent profile, a write
// storm, a tool without a lock. Drawn
// after everything else, so the worlds the earlier draws name stay what they were.
void AddSearchBreadth(ChoiceSource& pick, WorldConfig& c) {
  const auto at = [&]() { return pick.RangeInclusive(0, c.duration_ms - 1); };
  // A window's end inside the run (a scenario cannot state an event after its end).
  const auto until = [&](int64_t from, int64_t length) {
    return std::min(from + length, c.duration_ms - 1);
  };
  if (c.faults_until_ms > 0 && pick.Chance(300'000)) {
    c.faults.drop_after_per_million = static_cast<uint32_t>(pick.RangeInclusive(1, 100'000));
  }
  if (c.reuse.kind == oauth::ReuseKind::kReject && pick.Chance(150'000)) {
    c.reuse.kind = oauth::ReuseKind::kGrace;
    c.reuse.grace_ms = pick.RangeInclusive(1, 10) * kSecondMs;
    c.reuse.revoke_after_grace = pick.Chance(500'000);
  }
  if (c.faults.rate_limit_per_million > 0 && pick.Chance(300'000)) {
    c.faults.retry_after_ms = pick.RangeInclusive(61, 600) * kSecondMs;
  }
  if (pick.Chance(100'000)) {
    const int64_t from = at();
    const int64_t to = until(from, pick.RangeInclusive(1, 30) * kMinuteMs);
    for (const InitialStore& s : c.stores) {
      c.events.push_back({from, EventKind::kDiskFull, "", s.id});
      c.events.push_back({to, EventKind::kDiskOk, "", s.id});
    }
  }
  if (pick.Chance(200'000)) c.store_latency_ms_max = pick.RangeInclusive(20, 200);
  if (pick.Chance(150'000)) {
    c.stores[pick.BelowU64(c.stores.size())].corrupt = true;
  }
  if (pick.Chance(150'000)) {
    c.events.push_back(
        {at(), EventKind::kTearStore, "", c.stores[pick.BelowU64(c.stores.size())].id});
  }
  for (InitialStore& s : c.stores) {
    if (s.id.kind == engine::StoreKind::kClaudeFile && pick.Chance(150'000)) s.symlink = true;
    if (s.id.kind == engine::StoreKind::kClaudeFile && pick.Chance(100'000)) {
      s.claude_scopes = {"user:inference", "user:profile", "user:unheard-of"};
    }
  }
  if (pick.Chance(150'000)) c.events.push_back({at(), EventKind::kRelogin, "c0"});
  for (InitialStore& s : c.stores) {
    if (s.id.kind == engine::StoreKind::kAgentAuth && pick.Chance(200'000)) {
      s.pool_status = "exhausted";  // a cooldown left by an earlier 429, over or still running
      s.pool_reset_in_ms = pick.RangeInclusive(-30, 120) * kMinuteMs;
    }
  }
  // An agent profile's engine: it also reads and writes a profile store of the agent's auth.json.
  for (ConsumerSpec& consumer : c.consumers) {
    if (IsJudgedPolicy(consumer.policy) && pick.Chance(150'000)) consumer.profile = "p0";
  }
  // A write storm: most writes fail, the engine's rescue store's too, while faults last (a rotation
  // that no store, not even the rescue store, takes).
  if (c.faults_until_ms > 0 && c.faults.store_write_fail_per_million > 0 && pick.Chance(150'000)) {
    c.faults.store_write_fail_per_million =
        static_cast<uint32_t>(pick.RangeInclusive(500'000, 950'000));
  }
  if (pick.Chance(100'000)) {
    const int64_t from = at();
    c.events.push_back({from, EventKind::kServerDown});
    c.events.push_back({until(from, pick.RangeInclusive(1, 30) * kMinuteMs), EventKind::kServerUp});
  }
  // A tool that takes no cross-process lock: its writes land between the engine's read and its
  // compare-and-swap, and its rotations race the engine's (the merge after a lost swap, a copy
  // adopted after a refusal or a lost answer).
  for (ConsumerSpec& consumer : c.consumers) {
    if (!IsJudgedPolicy(consumer.policy) && pick.Chance(200'000)) {
      consumer.lock = LockTopology::kProcess;
    }
  }
}

}  // namespace

WorldConfig SwarmWorld(uint64_t seed, const SwarmOptions& options) {
  // The world's shape comes from its own stream, apart from the run's choices, so that changing
  // how a run draws latencies never changes which world a seed names.
  PrngChoices pick(SwarmShapeSeed(seed));
  return SwarmWorldFrom(pick, seed, options);
}

uint64_t SwarmShapeSeed(uint64_t seed) {
  uint64_t state = seed ^ 0x5eed5eed5eed5eedull;
  return SplitMix64(state);
}

WorldConfig SwarmWorldFrom(ChoiceSource& pick, uint64_t seed, const SwarmOptions& options) {
  CREDSIM_ASSERT(options.minutes > 0 && options.consumers_max >= 1 && options.consumers_max <= 64);
  WorldConfig c;
  c.seed = seed;
  c.duration_ms = options.minutes * kMinuteMs;
  static constexpr int64_t kTtls[] = {5 * kMinuteMs, 30 * kMinuteMs, kHourMs, 8 * kHourMs};
  c.access_ttl_ms = kTtls[pick.BelowU64(4)];
  c.net_latency_ms_min = pick.RangeInclusive(1, 50);
  c.net_latency_ms_max = c.net_latency_ms_min + pick.RangeInclusive(0, 1500);
  c.shuffle_ties = pick.Chance(800'000);
  if (pick.Chance(300'000)) c.reuse.kind = oauth::ReuseKind::kRevokeFamily;
  // Swarm-style: each fault kind is on in about half the worlds, at a rate drawn per world.
  if (pick.Chance(600'000)) {
    c.faults_until_ms = pick.RangeInclusive(0, c.duration_ms / 2);
    auto rate = [&]() -> uint32_t {
      return pick.Chance(500'000) ? static_cast<uint32_t>(pick.RangeInclusive(1, 200'000)) : 0;
    };
    c.faults.drop_before_per_million = rate();
    c.faults.error_5xx_per_million = rate();
    c.faults.rate_limit_per_million = rate();
    c.faults.store_write_fail_per_million = rate();
    if (!options.store_write_faults) c.faults.store_write_fail_per_million = 0;
    c.faults.retry_after_ms = pick.RangeInclusive(0, 30) * kSecondMs;
  }
  // Stores: the Claude file always; the keychain and the agent root store each in some worlds;
  // each holds the live pair, a spent one, or nothing, and may be marked expired.
  const engine::StoreId all[] = {{engine::StoreKind::kClaudeKeychain, ""},
                                 {engine::StoreKind::kClaudeFile, ""},
                                 {engine::StoreKind::kAgentAuth, ""}};
  bool any_current = false;
  for (const engine::StoreId& id : all) {
    if (id.kind != engine::StoreKind::kClaudeFile && pick.Chance(300'000)) continue;
    InitialStore s{id};
    s.content = static_cast<InitialContent>(pick.BelowU64(3));
    s.expired = pick.Chance(300'000);
    any_current |= s.content == InitialContent::kCurrent;
    c.stores.push_back(s);
  }
  if (!any_current) c.stores.front().content = InitialContent::kCurrent;
  const int consumers = static_cast<int>(pick.RangeInclusive(1, options.consumers_max));
  for (int i = 0; i < consumers; ++i) {
    ConsumerSpec s;
    s.name = "c" + std::to_string(i);
    s.policy = options.policy;
    s.skew_ms = pick.Chance(400'000) ? pick.RangeInclusive(-90, 90) * kSecondMs : 0;
    s.drift_ppm = pick.Chance(200'000) ? static_cast<int32_t>(pick.RangeInclusive(-200, 200)) : 0;
    s.need_every_ms_min = pick.RangeInclusive(10, 120) * kSecondMs;
    s.need_every_ms_max = s.need_every_ms_min + pick.RangeInclusive(0, 10) * kMinuteMs;
    s.start_ms = pick.RangeInclusive(0, 60) * kSecondMs;
    c.consumers.push_back(s);
  }
  if (pick.Chance(300'000)) {
    c.events.push_back({pick.RangeInclusive(0, c.duration_ms - 1), EventKind::kRestart, "c0"});
  }
  if (pick.Chance(200'000)) {
    c.events.push_back(
        {pick.RangeInclusive(0, c.duration_ms - 1), EventKind::kKillDuringRefresh, "c0"});
  }
  if (pick.Chance(200'000)) {
    const int64_t at = pick.RangeInclusive(0, c.duration_ms / 2);
    c.events.push_back({at, EventKind::kKeychainLock, ""});
    c.events.push_back(
        {at + pick.RangeInclusive(1, 60) * kMinuteMs, EventKind::kKeychainUnlock, ""});
  }
  // Drawn last, so the shape above stays what it was for every seed.
  if (options.tools) AddToolConsumers(pick, c);
  if (options.language_events) AddScenarioLanguageEvents(pick, c);
  if (options.breadth) AddSearchBreadth(pick, c);
  return c;
}

std::string DescribeWorld(const WorldConfig& c) {
  std::string out;
  auto line = [&](const std::string& key, const std::string& value) {
    out += "  " + key + " = " + value + "\n";
  };
  line("seed", std::to_string(c.seed));
  line("duration", FormatDuration(c.duration_ms));
  line("access_ttl", FormatDuration(c.access_ttl_ms));
  line("provider", engine::ProviderName(c.provider));
  line("reuse", oauth::ToString(c.reuse));
  line("net_latency_ms",
       std::to_string(c.net_latency_ms_min) + ".." + std::to_string(c.net_latency_ms_max));
  line("store_latency_ms",
       std::to_string(c.store_latency_ms_min) + ".." + std::to_string(c.store_latency_ms_max));
  line("shuffle_ties", c.shuffle_ties ? "on" : "off");
  line("revoke_siblings_on_refresh", c.revoke_siblings_on_refresh ? "on" : "off");
  line("faults_until", FormatDuration(c.faults_until_ms));
  line("faults_per_million",
       "drop_before=" + std::to_string(c.faults.drop_before_per_million) +
           " drop_after=" + std::to_string(c.faults.drop_after_per_million) +
           " 5xx=" + std::to_string(c.faults.error_5xx_per_million) +
           " 429=" + std::to_string(c.faults.rate_limit_per_million) +
           " write_fail=" + std::to_string(c.faults.store_write_fail_per_million) +
           " retry_after=" + std::to_string(c.faults.retry_after_ms) + "ms");
  for (const InitialStore& s : c.stores) {
    static constexpr const char* kContent[] = {"current", "previous", "absent"};
    std::string scopes;
    for (const std::string& scope : s.claude_scopes) scopes += (scopes.empty() ? "" : ",") + scope;
    line("store " + s.id.Name(),
         std::string(kContent[static_cast<int>(s.content)]) + (s.expired ? " expired" : "") +
             (s.corrupt ? " corrupt" : "") + (s.symlink ? " symlink" : "") +
             (scopes.empty() ? "" : " scopes=" + scopes) +
             (s.pool_status.empty() ? "" : " pool=" + s.pool_status) +
             (s.pool_reset_in_ms == 0 ? ""
                                      : " reset_in=" + std::to_string(s.pool_reset_in_ms) + "ms"));
  }
  for (const ConsumerSpec& s : c.consumers) {
    line("consumer " + s.name, s.policy + " skew=" + std::to_string(s.skew_ms) +
                                   "ms drift=" + std::to_string(s.drift_ppm) +
                                   "ppm every=" + std::to_string(s.need_every_ms_min) + ".." +
                                   std::to_string(s.need_every_ms_max) + "ms" +
                                   (s.profile.empty() ? "" : " profile=" + s.profile) +
                                   (s.lock == LockTopology::kProcess ? " lock=process" : ""));
  }
  for (const ScriptedEvent& e : c.events) {
    line("event", FormatDuration(e.at_ms) + " " + EventKindName(e.kind) +
                      (e.consumer.empty() ? "" : " " + e.consumer) +
                      (e.store ? " " + e.store->Name() : "") +
                      (e.by_ms != 0 ? " by " + std::to_string(e.by_ms) + "ms" : ""));
  }
  return out;
}

}  // namespace credsim::sim
