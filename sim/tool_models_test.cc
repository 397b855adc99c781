// The tool models do what docs/REAL_CLIENTS.md says the real tools do, each in a small world
// built to show one fact (each test cites its section). Expected values come from that page, not
// from recorded output.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/formats/claude_credentials.h"
#include "engine/formats/json_tree.h"
#include "sim/labels.h"
#include "sim/policies/tool_codex.h"
#include "sim/run.h"
#include "sim/world.h"

namespace credsim::sim {
namespace {

using engine::StoreId;
using engine::StoreKind;

const StoreId kFile{StoreKind::kClaudeFile, ""};
const StoreId kKeychain{StoreKind::kClaudeKeychain, ""};
const StoreId kCodex{StoreKind::kCodexAuth, ""};

// Collects what oracles see, so a test can look at statuses, writes and trace lines.
class Recorder final : public Oracle {
 public:
  const char* name() const override { return "recorder"; }
  void OnDemand(const DemandObserved& d) override { demands.push_back(d); }
  void OnRefresh(const RefreshObserved& r) override { refreshes.push_back(r); }
  void OnTraceLine(std::string_view line) override {
    if (line.find("\"tool.") != std::string_view::npos) tool_lines.emplace_back(line);
  }
  size_t ToolEvents(const std::string& event) const {
    return std::count_if(tool_lines.begin(), tool_lines.end(), [&](const std::string& l) {
      return l.find("\"ev\":\"" + event + "\"") != std::string::npos;
    });
  }
  size_t Issued() const {
    return std::count_if(refreshes.begin(), refreshes.end(),
                         [](const RefreshObserved& r) { return r.outcome == "issued"; });
  }
  std::vector<DemandObserved> demands;
  std::vector<RefreshObserved> refreshes;
  std::vector<std::string> tool_lines;
};

struct Ran {
  RunSummary summary;
  Recorder recorder;
  std::string file, keychain, codex;  // final store bytes ("" if absent)
  uint32_t family_generation = 0;     // of family 1, from the authority
};

void RunRecorded(const WorldConfig& config, Ran& out) {
  PrngChoices choices(config.seed);
  Trace trace;
  trace.set_listener(&out.recorder);
  World world(config, choices, trace);
  world.AddOracle(&out.recorder);
  out.summary = world.Run();
  auto bytes = [&](const StoreId& id) {
    const StoreState* s = world.store(id);
    return s && s->exists ? s->bytes : std::string();
  };
  out.file = bytes(kFile);
  out.keychain = bytes(kKeychain);
  out.codex = bytes(kCodex);
  out.family_generation = world.authority().Family(1).generation;
}

ConsumerSpec Tool(const std::string& name, const std::string& policy, int64_t every_ms) {
  ConsumerSpec s;
  s.name = name;
  s.policy = policy;
  s.need_every_ms_min = s.need_every_ms_max = every_ms;
  return s;
}

WorldConfig Small(int64_t duration_ms) {
  WorldConfig c;
  c.seed = 7;
  c.duration_ms = duration_ms;
  c.access_ttl_ms = kHourMs;
  c.net_latency_ms_min = 5;
  c.net_latency_ms_max = 50;
  return c;
}

formats::ClaudeOauth OauthOf(const std::string& bytes) {
  formats::Result<formats::ClaudeCredentials> parsed = formats::ParseClaudeCredentials(bytes);
  EXPECT_TRUE(parsed.ok()) << bytes;
  return parsed.ok() && parsed.value().oauth ? *parsed.value().oauth : formats::ClaudeOauth{};
}

// --- Claude Code ------------------------------------------------------------------------------

TEST(ClaudeCodeModel, WipesTheFileOnInvalidGrantWhenItStillHoldsTheSentToken) {
  // The file holds a spent pair, expired: the CLI refreshes, gets invalid_grant and wipes the
  // file's tokens, keeping every other field (docs/REAL_CLIENTS.md#claude-code-refused-refresh).
  WorldConfig c = Small(10 * kMinuteMs);
  c.stores = {{kFile, InitialContent::kPrevious, /*expired=*/true}};
  c.consumers = {Tool("cc", "claude-code-cli", kHourMs)};
  Ran r;
  RunRecorded(c, r);
  EXPECT_EQ(r.recorder.ToolEvents("tool.wipe"), 1u);
  const formats::ClaudeOauth o = OauthOf(r.file);
  EXPECT_EQ(o.access_token, "");
  EXPECT_EQ(o.refresh_token, "");
  EXPECT_EQ(o.expires_at_ms, 0);
  EXPECT_TRUE(o.scopes.has_value()) << "other fields kept";
  EXPECT_TRUE(o.subscription_type.has_value()) << "other fields kept";
  EXPECT_NE(r.file.find("mcpOAuth"), std::string::npos);
}

TEST(ClaudeCodeModel, DoesNotWipeWhenTheFileHoldsAnotherToken) {
  // The keychain build reads the spent keychain copy and sends it; the file holds the live pair,
  // not the token sent, so nothing is wiped (docs/REAL_CLIENTS.md#claude-code-refused-refresh).
  WorldConfig c = Small(10 * kMinuteMs);
  c.stores = {{kKeychain, InitialContent::kPrevious, /*expired=*/true},
              {kFile, InitialContent::kCurrent, /*expired=*/false}};
  c.consumers = {Tool("cc", "claude-code-cli-keychain", kHourMs)};
  Ran r;
  RunRecorded(c, r);
  EXPECT_EQ(r.recorder.ToolEvents("tool.wipe"), 0u);
  EXPECT_EQ(r.recorder.ToolEvents("tool.wipe_skipped"), 1u);
  EXPECT_NE(OauthOf(r.file).refresh_token, "");
}

TEST(ClaudeCodeModel, DoesNotSaveAGrantWhoseScopeLacksInference) {
  // With a clientId the stored scopes are sent (docs/REAL_CLIENTS.md#claude-code-refresh-request)
  // and the server echoes them; a scope without user:inference is not saved, and the old access
  // token stays in use (docs/REAL_CLIENTS.md#claude-code-required-answer-fields).
  WorldConfig c = Small(10 * kMinuteMs);
  InitialStore file{kFile, InitialContent::kCurrent, /*expired=*/true};
  file.claude_client_id = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";
  file.claude_scopes = {"user:profile"};
  c.stores = {file};
  c.consumers = {Tool("cc", "claude-code-cli", kHourMs)};
  Ran r;
  RunRecorded(c, r);
  EXPECT_EQ(r.recorder.Issued(), 1u);
  EXPECT_EQ(r.recorder.ToolEvents("tool.grant_not_saved"), 1u);
  EXPECT_EQ(r.family_generation, 2u);
  EXPECT_EQ(ParseLabel("fam1/rt1").generation, 1u);
  EXPECT_EQ(OauthOf(r.file).scopes, std::vector<std::string>{"user:profile"});
}

TEST(ClaudeCodeModel, SavesWithResponseScopesDroppingInnerUnknownKeysOnly) {
  // Without a clientId it sends its fixed scope list
  // (docs/REAL_CLIENTS.md#claude-code-refresh-request); the grant is saved with the response's
  // scopes, claudeAiOauth is rebuilt (inner unknown keys dropped), top-level kept
  // (docs/REAL_CLIENTS.md#claude-code-write-back).
  WorldConfig c = Small(10 * kMinuteMs);
  c.stores = {{kFile, InitialContent::kCurrent, /*expired=*/true}};
  c.consumers = {Tool("cc", "claude-code-cli", kHourMs)};
  Ran r;
  RunRecorded(c, r);
  EXPECT_EQ(r.recorder.Issued(), 1u);
  const formats::ClaudeOauth o = OauthOf(r.file);
  EXPECT_EQ(o.scopes,
            (std::vector<std::string>{"user:profile", "user:inference", "user:sessions:claude_code",
                                      "user:mcp_servers", "user:file_upload"}));
  formats::Result<formats::JsonValue> tree = formats::ParseJsonTree(r.file);
  ASSERT_TRUE(tree.ok());
  EXPECT_NE(tree.value().Find("credsimMarker"), nullptr) << "top-level unknown key kept";
  EXPECT_NE(tree.value().Find("mcpOAuth"), nullptr);
  EXPECT_EQ(tree.value().Find("claudeAiOauth")->Find("credsimMarker"), nullptr)
      << "unknown key inside claudeAiOauth dropped";
  EXPECT_TRUE(r.recorder.demands.at(0).served);
}

TEST(ClaudeCodeModel, ConcurrentRunsMakeExactlyOneRefresh) {
  // 3-6 concurrent `claude -p` make exactly one refresh: the directory lock serialises them
  // (docs/REAL_CLIENTS.md#claude-code-concurrency). Six runs start together on an expired file.
  WorldConfig c = Small(5 * kMinuteMs);
  c.stores = {{kFile, InitialContent::kCurrent, /*expired=*/true}};
  for (int i = 0; i < 6; ++i)
    c.consumers.push_back(Tool("cc" + std::to_string(i), "claude-code-cli", kHourMs));
  Ran r;
  RunRecorded(c, r);
  EXPECT_EQ(r.recorder.refreshes.size(), 1u);
  EXPECT_EQ(r.recorder.Issued(), 1u);
  for (const DemandObserved& d : r.recorder.demands) EXPECT_TRUE(d.served) << d.consumer;
}

TEST(ClaudeCodeModel, SlowEndpointMakesWaitersGiveUpTheLock) {
  // A 12 s token endpoint: waiters retry the lock every 1-2 s up to 5 times, then go on with the
  // stale token (docs/REAL_CLIENTS.md#claude-code-lock-protocol,
  // docs/REAL_CLIENTS.md#claude-code-concurrency).
  WorldConfig c = Small(5 * kMinuteMs);
  c.token_grant_delay_ms = 12 * kSecondMs;
  c.stores = {{kFile, InitialContent::kCurrent, /*expired=*/true}};
  for (int i = 0; i < 3; ++i)
    c.consumers.push_back(Tool("cc" + std::to_string(i), "claude-code-cli", kHourMs));
  Ran r;
  RunRecorded(c, r);
  EXPECT_GE(r.recorder.ToolEvents("tool.lock_gave_up"), 2u);
  EXPECT_EQ(r.recorder.Issued(), 1u);
}

// --- Codex CLI ----------------------------------------------------------------------------------

WorldConfig CodexWorld(int processes, int64_t duration_ms) {
  WorldConfig c = Small(duration_ms);
  c.provider = engine::Provider::kOpenAiCodex;
  // The pair is minted 2 min before the start: a 4 min access token has < 5 min left at t=0, so
  // every process refreshes proactively at once (docs/REAL_CLIENTS.md#codex-when-it-refreshes).
  c.access_ttl_ms = 4 * kMinuteMs;
  c.stores = {{kCodex}};
  for (int i = 0; i < processes; ++i) {
    c.consumers.push_back(Tool("codex" + std::to_string(i), "codex-cli", kHourMs));
  }
  return c;
}

size_t DemandsWithStatus(const Ran& r, const std::string& status) {
  return std::count_if(r.recorder.demands.begin(), r.recorder.demands.end(),
                       [&](const DemandObserved& d) { return d.status == status; });
}

TEST(CodexModel, DiscardsItsResultWhenAuthJsonChangedMeanwhile) {
  // Two processes refresh the same token outside any lock; under a grace window both get the
  // successor. The first to take auth.lock writes; the second re-reads, sees auth.json changed
  // and discards its own result (docs/REAL_CLIENTS.md#codex-write-back).
  WorldConfig c = CodexWorld(2, 2 * kMinuteMs);
  c.reuse = {.kind = oauth::ReuseKind::kGrace, .grace_ms = 10 * kSecondMs};
  Ran r;
  RunRecorded(c, r);
  EXPECT_EQ(r.recorder.refreshes.size(), 2u);
  EXPECT_EQ(r.recorder.ToolEvents("tool.result_discarded"), 1u);
  EXPECT_EQ(DemandsWithStatus(r, "ok"), 2u);
  EXPECT_EQ(r.codex.find("credsimMarker"), std::string::npos) << "unknown top-level dropped";
}

TEST(CodexModel, SlowEndpointReproducesAlreadyUsedForTheLosers) {
  // openai/codex #6498 (docs/REAL_CLIENTS.md#codex-concurrency): four processes, single-use
  // tokens, an endpoint that takes >= 1 s: three exit with "refresh token was already used".
  WorldConfig c = CodexWorld(4, 2 * kMinuteMs);
  c.token_grant_delay_ms = 1500;
  Ran r;
  RunRecorded(c, r);
  EXPECT_EQ(r.recorder.Issued(), 1u);
  EXPECT_EQ(DemandsWithStatus(r, kCodexAlreadyUsed), 3u);
  EXPECT_EQ(DemandsWithStatus(r, "ok"), 1u);
}

TEST(CodexModel, FastEndpointLetsTheLosersRecover) {
  // The same race with a fast endpoint: the winner's answer lands within ~0.5 s, the losers
  // reload auth.json and go on (docs/REAL_CLIENTS.md#codex-concurrency).
  WorldConfig c = CodexWorld(4, 2 * kMinuteMs);
  Ran r;
  RunRecorded(c, r);
  EXPECT_EQ(r.recorder.Issued(), 1u);
  EXPECT_EQ(DemandsWithStatus(r, kCodexAlreadyUsed), 0u);
  EXPECT_EQ(DemandsWithStatus(r, "ok"), 4u);
}

TEST(CodexModel, InPlaceRewriteIsSeenTornByAConcurrentReader) {
  // Codex was reported to rewrite auth.json in place (docs/REPORTS.md 27): between truncate and
  // write a reader finds it torn. The world records the torn window.
  WorldConfig c = CodexWorld(1, 2 * kMinuteMs);
  c.codex_in_place_rewrite = true;
  c.trace_io = true;
  Ran r;
  RunRecorded(c, r);
  EXPECT_EQ(r.recorder.Issued(), 1u);
  formats::Result<formats::JsonValue> tree = formats::ParseJsonTree(r.codex);
  EXPECT_TRUE(tree.ok()) << "the rewrite completes";
}

// --- the reference among the tools -------------------------------------------------------------

TEST(ToolModels, ReferenceConsumersSurviveEveryClaudeSideTool) {
  WorldConfig c = Small(kDayMs);
  c.stores = {{kKeychain}, {kFile}, {{StoreKind::kAgentAuth, ""}}};
  for (int i = 0; i < 2; ++i) {
    c.consumers.push_back(Tool("ref" + std::to_string(i), "reference", 0));
    c.consumers.back().need_every_ms_min = 30 * kSecondMs;
    c.consumers.back().need_every_ms_max = 3 * kMinuteMs;
  }
  c.consumers.push_back(Tool("cli", "claude-code-cli", 7 * kMinuteMs));
  c.consumers.push_back(Tool("kc", "claude-code-cli-keychain", 11 * kMinuteMs));
  c.consumers.push_back(Tool("ide", "claude-code-ide", 13 * kMinuteMs));
  c.consumers.push_back(Tool("gw", "agent-gateway", 5 * kMinuteMs));
  c.consumers.back().profile = "work";
  RunResult r = RunWorld(c, {});
  std::string why;
  for (const Violation& v : r.violations) why += FormatViolation(v, true) + "\n";
  EXPECT_TRUE(r.ok()) << why;
  EXPECT_GT(r.expiry_decisions, 100u);
}

TEST(ToolModels, ReferenceConsumersSurviveCodexAndGateway) {
  WorldConfig c = Small(kDayMs);
  c.provider = engine::Provider::kOpenAiCodex;
  c.stores = {{kCodex}, {{StoreKind::kAgentAuth, ""}}};
  c.consumers.push_back(Tool("ref", "reference", 2 * kMinuteMs));
  c.consumers.push_back(Tool("codex0", "codex-cli", 9 * kMinuteMs));
  c.consumers.push_back(Tool("codex1", "codex-cli", 10 * kMinuteMs));
  c.consumers.push_back(Tool("gw", "agent-gateway", 5 * kMinuteMs));
  RunResult r = RunWorld(c, {});
  std::string why;
  for (const Violation& v : r.violations) why += FormatViolation(v, true) + "\n";
  EXPECT_TRUE(r.ok()) << why;
}

}  // namespace
}  // namespace credsim::sim
