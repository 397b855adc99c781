#include "sim/swarm.h"

#include <cassert>

#include "sim/choice.h"
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
  assert(options.minutes > 0 && options.consumers_max >= 1 && options.consumers_max <= 64);
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
  line("shuffle_ties", c.shuffle_ties ? "on" : "off");
  line("revoke_siblings_on_refresh", c.revoke_siblings_on_refresh ? "on" : "off");
  line("faults_until", FormatDuration(c.faults_until_ms));
  line("faults_per_million",
       "drop_before=" + std::to_string(c.faults.drop_before_per_million) +
           " 5xx=" + std::to_string(c.faults.error_5xx_per_million) +
           " 429=" + std::to_string(c.faults.rate_limit_per_million) +
           " write_fail=" + std::to_string(c.faults.store_write_fail_per_million));
  for (const InitialStore& s : c.stores) {
    static constexpr const char* kContent[] = {"current", "previous", "absent"};
    line("store " + s.id.Name(),
         std::string(kContent[static_cast<int>(s.content)]) + (s.expired ? " expired" : ""));
  }
  for (const ConsumerSpec& s : c.consumers) {
    line("consumer " + s.name, s.policy + " skew=" + std::to_string(s.skew_ms) +
                                   "ms drift=" + std::to_string(s.drift_ppm) +
                                   "ppm every=" + std::to_string(s.need_every_ms_min) + ".." +
                                   std::to_string(s.need_every_ms_max) + "ms");
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
