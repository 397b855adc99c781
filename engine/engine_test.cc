// The reference engine against an in-memory world: one test per reported situation it must handle.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include "engine/doctor.h"
#include "engine/formats/agent_auth.h"
#include "engine/formats/claude_credentials.h"
#include "engine/formats/codex_auth.h"
#include "engine/testing/mem_io.h"
#include "engine/testing/store_docs.h"

namespace credsim::engine {
namespace {

using testing::AgentDocWithClaudeEntry;
using testing::ClaudeDoc;
using testing::JsonResponse;
using testing::kHourMs;
using testing::kNowMs;

const StoreId kKeychain{StoreKind::kClaudeKeychain, ""};
const StoreId kFile{StoreKind::kClaudeFile, ""};
const StoreId kAgent{StoreKind::kAgentAuth, ""};
const StoreId kCodex{StoreKind::kCodexAuth, ""};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    io.SetEndpoint([this](const HttpRequest& r) { return authority.Handle(r); });
  }
  static SessionConfig Anthropic() {
    SessionConfig config = DefaultSession(Provider::kAnthropic, "");
    config.token_url = "http://authority.test/v1/oauth/token";
    return config;
  }
  formats::ClaudeOauth ClaudeIn(const StoreId& id) {
    auto parsed = formats::ParseClaudeCredentials(io.Get(id));
    EXPECT_TRUE(parsed.ok()) << id.Name();
    return parsed.ok() && parsed.value().oauth ? *parsed.value().oauth : formats::ClaudeOauth{};
  }
  formats::ClaudeOauth ClaudeInKeychain() { return ClaudeIn(kKeychain); }
  formats::PoolEntry PoolEntryIn(const std::string& provider, const std::string& id) {
    auto parsed = formats::ParseAgentAuth(io.Get(kAgent));
    EXPECT_TRUE(parsed.ok());
    for (const auto& e : parsed.value().pool[provider]) {
      if (e.id == id) return e;
    }
    ADD_FAILURE() << "no pool entry " << id;
    return {};
  }

  testing::MemIo io;
  testing::TestAuthority authority;
};

// hermes #21107 / PR #40107: an expired keychain copy must not hide a fresh file.
TEST_F(EngineTest, KeychainExpiredFileFreshServesFileAndRepairsKeychain) {
  io.Put(kKeychain, ClaudeDoc(1, kNowMs - kHourMs));
  io.Put(kFile, ClaudeDoc(2, kNowMs + 8 * kHourMs));
  authority.SetLive(2);
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-2");
  EXPECT_EQ(io.token_requests(), 0);  // no refresh: the file's copy is valid
  EXPECT_EQ(ClaudeInKeychain().refresh_token, "rt-2") << "the stale keychain item is repaired";
  EXPECT_FALSE(r.valid_copy) << "a lagging keychain is repaired under the locks first";
  EXPECT_FALSE(io.any_lock_held());
}

// The common case: every store agrees and the token has more than the leeway left. It is served
// as read and flagged as such (the simulator's clock oracle relies on the flag).
TEST_F(EngineTest, ValidCopyIsServedAsReadAndFlagged) {
  io.Put(kFile, ClaudeDoc(1, kNowMs + 8 * kHourMs));
  authority.SetLive(1);
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_TRUE(r.valid_copy);
  EXPECT_FALSE(r.refreshed);
  EXPECT_FALSE(r.adopted);
  EXPECT_EQ(io.token_requests(), 0);
}

// Every call reads every store, conditionally: an unchanged store's bytes are not copied or
// parsed again, yet a change (or new file facts) is seen by the very next call.
TEST_F(EngineTest, ConditionalReadsReuseUnchangedStoresAndSeeChanges) {
  io.Put(kFile, ClaudeDoc(1, kNowMs + 8 * kHourMs));
  authority.SetLive(1);
  Engine engine(io, Anthropic());
  ASSERT_EQ(RunToCompletion(engine.GetToken()).credential.access_token, "at-1");
  EXPECT_EQ(io.unchanged_reads(), 0);
  ASSERT_EQ(RunToCompletion(engine.GetToken()).credential.access_token, "at-1");
  EXPECT_EQ(io.unchanged_reads(), 1);
  io.Put(kFile, ClaudeDoc(2, kNowMs + 8 * kHourMs));  // another process rotated
  authority.SetLive(2);
  const TokenResult r = RunToCompletion(engine.GetToken());
  EXPECT_EQ(r.credential.access_token, "at-2");
  EXPECT_EQ(io.unchanged_reads(), 1);
  io.SetFacts(kFile, StoreFacts{.is_symlink = false, .mode = 0644, .path = "f"});
  const Snapshot snapshot = RunToCompletion(engine.ReadSnapshot());
  EXPECT_EQ(io.unchanged_reads(), 2);
  for (const auto& view : snapshot.stores) {
    if (view->id == kFile) {
      EXPECT_EQ(view->facts.mode, 0644u) << "same bytes, new facts";
    }
  }
  EXPECT_EQ(snapshot.Candidates().at(0).credential.access_token, "at-2");
}

// hermes #4118 and #83338: a write-back must keep scopes, subscriptionType and unknown fields.
TEST_F(EngineTest, RefreshKeepsScopesSubscriptionAndUnknownFields) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  // This server's answer carries no scope key at all.
  io.SetEndpoint([this](const HttpRequest&) {
    authority.SetLive(authority.live() + 1);
    return JsonResponse(200,
                        R"({"access_token":"at-2","refresh_token":"rt-2","expires_in":28800})");
  });
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_TRUE(r.refreshed);
  EXPECT_FALSE(r.valid_copy);
  const auto oauth = ClaudeIn(kFile);
  EXPECT_EQ(oauth.refresh_token, "rt-2");
  EXPECT_EQ(oauth.expires_at_ms, kNowMs + 28800 * 1000);
  ASSERT_TRUE(oauth.scopes.has_value());
  EXPECT_EQ(*oauth.scopes, (std::vector<std::string>{"user:inference", "user:profile"}));
  EXPECT_EQ(oauth.subscription_type, "max");
  EXPECT_NE(io.Get(kFile).find("\"futureField\""), std::string::npos);
  EXPECT_NE(io.Get(kFile).find("mcp-secret"), std::string::npos);
}

// An answer with "scope": "" must not wipe the stored scopes (Claude Code >= 2.1.81 would then
// report "Not logged in").
TEST_F(EngineTest, BlankScopeInTheAnswerKeepsStoredScopes) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  authority.scope = "";
  Engine engine(io, Anthropic());
  ASSERT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kOk);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-2");
  EXPECT_EQ(ClaudeIn(kFile).scopes, (std::vector<std::string>{"user:inference", "user:profile"}));
}

TEST_F(EngineTest, ScopesFromTheAnswerReplaceStoredOnes) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  authority.scope = "user:inference user:profile user:sessions:claude_code";
  Engine engine(io, Anthropic());
  ASSERT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kOk);
  EXPECT_EQ(ClaudeIn(kFile).scopes, (std::vector<std::string>{"user:inference", "user:profile",
                                                              "user:sessions:claude_code"}));
}

// hermes PR #4765: the pool holds a spent refresh token, the file a fresh pair: adopt, don't
// refresh, and clear the pool's stale "exhausted" verdict.
TEST_F(EngineTest, StalePoolFreshFileAdoptsWithoutRefreshing) {
  io.Put(kFile, ClaudeDoc(2, kNowMs + 8 * kHourMs));
  io.Put(kAgent, AgentDocWithClaudeEntry(1, kNowMs - kHourMs, "exhausted"));
  authority.SetLive(2);
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-2");
  EXPECT_EQ(io.token_requests(), 0);
  const auto entry = PoolEntryIn("anthropic", "cc1");
  EXPECT_EQ(entry.refresh_token, "rt-2");
  EXPECT_EQ(entry.last_status, formats::PoolStatus::kOk);
  EXPECT_FALSE(entry.last_error_reset_at_s.has_value());
  const auto own = PoolEntryIn("anthropic", "own1");
  EXPECT_EQ(own.refresh_token, "own-rt") << "another token family is never touched";
  EXPECT_NE(io.Get(kAgent).find("\"custom\": \"kept\""), std::string::npos);
  EXPECT_NE(io.Get(kAgent).find("suppressed_sources"), std::string::npos);
  EXPECT_NE(io.Get(kAgent).find("other-rt"), std::string::npos);
}

// Both copies expired; the one with the later expiry is used, and the new pair reaches both.
TEST_F(EngineTest, RefreshUsesFreshestCopyAndWritesEveryStore) {
  io.Put(kFile, ClaudeDoc(2, kNowMs - kHourMs));
  io.Put(kAgent, AgentDocWithClaudeEntry(1, kNowMs - 2 * kHourMs));
  authority.SetLive(2);
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(authority.grants(), 1);
  EXPECT_EQ(io.token_requests(), 1);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-3");
  EXPECT_EQ(PoolEntryIn("anthropic", "cc1").refresh_token, "rt-3");
}

// The copy picked first holds a spent token (its expiry was recorded wrong); invalid_grant leads to
// a re-read and one retry with the other store's token instead of a lockout.
TEST_F(EngineTest, InvalidGrantRetriesOnceWithAnotherStoresToken) {
  io.Put(kFile, ClaudeDoc(2, kNowMs - 2 * kHourMs));
  io.Put(kAgent, AgentDocWithClaudeEntry(1, kNowMs - kHourMs));
  authority.SetLive(2);
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(io.token_requests(), 2);
  EXPECT_EQ(authority.grants(), 1);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-3");
  EXPECT_EQ(PoolEntryIn("anthropic", "cc1").refresh_token, "rt-3");
}

// openai/codex #6498 from the other side: a tool that refreshes outside every lock (Codex CLI) won
// the race and writes the winner's pair a moment later. The engine watches the stores with its
// locks released instead of calling the session dead, and adopts the pair.
TEST_F(EngineTest, ReuseAnswerWaitsForAForeignRotationToLand) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  authority.SetLive(2);  // rt-1 was just spent by the other tool
  int sleeps = 0;
  io.OnSleep([&] {
    EXPECT_FALSE(io.any_lock_held()) << "the other tool needs the lock to write";
    if (++sleeps == 2) io.Put(kFile, ClaudeDoc(2, kNowMs + 8 * kHourMs));
  });
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-2");
  EXPECT_EQ(io.token_requests(), 1) << "adopted, not refreshed again";
  EXPECT_EQ(sleeps, 2);
}

TEST_F(EngineTest, ReuseAnswerWithNothingLandingIsReloginAfterABoundedWait) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  authority.SetLive(2);
  Engine engine(io, Anthropic());
  EXPECT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kReloginRequired);
  const SessionConfig& c = engine.config();
  EXPECT_EQ(io.slept_ms(), c.foreign_rotation_polls * c.foreign_rotation_poll_ms);
  EXPECT_EQ(io.token_requests(), 1);
}

// No 24 h cooldown: a dead session is not re-asked while nothing changes, and re-probed as soon as
// a store changes (a re-login by another tool).
TEST_F(EngineTest, BlockedSessionIsReprobedWhenAStoreChanges) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  authority.SetLive(7);  // rt-1 was spent long ago
  Engine engine(io, Anthropic());
  EXPECT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kReloginRequired);
  const int after_first = io.token_requests();
  EXPECT_EQ(after_first, 1);
  EXPECT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kReloginRequired);
  EXPECT_EQ(io.token_requests(), after_first) << "nothing changed: no request";
  io.Put(kFile, ClaudeDoc(7, kNowMs - 1));  // the user logged in again with Claude Code
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-8");
  EXPECT_EQ(io.token_requests(), after_first + 1);
}

// A tool that rewrites its file with the same dead refresh token changes the store but not the
// session: the engine does not present a token the server already refused (the refresh_storm
// oracle caught a dead session re-probing every few minutes while a tool kept touching the file).
TEST_F(EngineTest, RefusedRefreshTokenIsNotPresentedAgainWhenAStoreIsRewrittenWithIt) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  authority.SetLive(7);  // rt-1 was spent long ago
  Engine engine(io, Anthropic());
  EXPECT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kReloginRequired);
  ASSERT_EQ(io.token_requests(), 1);
  io.Put(kFile, ClaudeDoc(1, kNowMs - 2 * kHourMs));  // same dead token, other bytes
  EXPECT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kReloginRequired);
  EXPECT_EQ(io.token_requests(), 1) << "the refused token was not presented again";
  io.Put(kFile, ClaudeDoc(7, kNowMs - kHourMs));  // another token: worth one try
  EXPECT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kOk);
  EXPECT_EQ(io.token_requests(), 2);
}

TEST_F(EngineTest, LoginUnblocksAtOnce) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  authority.SetLive(7);
  Engine engine(io, Anthropic());
  EXPECT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kReloginRequired);
  Credential fresh{.access_token = "at-7",
                   .refresh_token = "rt-7",
                   .expires_at_ms = kNowMs + 8 * kHourMs,
                   .scopes = std::vector<std::string>{"user:inference"}};
  ASSERT_EQ(RunToCompletion(engine.Login(fresh)).status, TokenStatus::kOk);
  EXPECT_FALSE(engine.blocked());
  EXPECT_EQ(RunToCompletion(engine.GetToken()).credential.access_token, "at-7");
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-7");
}

// A corrupt auth.json is reported and skipped, never replaced by an empty store.
TEST_F(EngineTest, CorruptAgentStoreLosesNothing) {
  const std::string corrupt = "{\"version\": 1, \"providers\": {\"x\": {\"tokens\": {\"access_";
  io.Put(kAgent, corrupt);
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(io.Get(kAgent), corrupt);
  EXPECT_EQ(io.writes(kAgent), 0);
  EXPECT_FALSE(r.commit_pending) << "a corrupt store is skipped, not retried forever";
  EXPECT_EQ(io.slept_ms(), 0);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-2");
  const auto findings = Diagnose(engine.config(), RunToCompletion(engine.ReadSnapshot()), kNowMs);
  bool reported = false;
  for (const auto& f : findings)
    reported = reported || (f.code == "corrupt-store" && f.store == "agent");
  EXPECT_TRUE(reported);
}

// Report 7: the server rotated but the write failed. The new pair is served, kept, and committed
// on the next call without another refresh.
TEST_F(EngineTest, WriteBackFailureAfterRotationKeepsTheNewPair) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  io.FailWrites(kFile, 9);  // the write and its eight retries under the lock
  Engine engine(io, Anthropic());
  const TokenResult first = RunToCompletion(engine.GetToken());
  ASSERT_EQ(first.status, TokenStatus::kOk) << first.detail;
  EXPECT_EQ(first.credential.access_token, "at-2");
  EXPECT_TRUE(first.commit_pending);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-1") << "the write really failed";
  const TokenResult second = RunToCompletion(engine.GetToken());
  ASSERT_EQ(second.status, TokenStatus::kOk) << second.detail;
  EXPECT_EQ(second.credential.access_token, "at-2");
  EXPECT_FALSE(second.commit_pending);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-2");
  EXPECT_EQ(authority.grants(), 1);
}

// One failed write is retried while the locks are held, so no sibling ever sees the spent pair.
TEST_F(EngineTest, TransientWriteFailureIsRetriedUnderTheLock) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  io.FailWrites(kFile, 2);
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_FALSE(r.commit_pending);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-2");
  EXPECT_EQ(io.slept_ms(), 500 + 1000);
  EXPECT_EQ(authority.grants(), 1);
}

// While no store holds the new pair, the write is retried longer under the locks (a sibling that
// took the locks next would replay the spent token): swarm seeds 1341, 1968, 2806, 3598 of
// `credsim swarm --seeds 4000 --minutes 1440` failed all of four tries. The pauses are capped.
TEST_F(EngineTest, UnwrittenRotationIsRetriedLongerUnderTheLock) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  io.FailWrites(kFile, 6);
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_FALSE(r.commit_pending);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-2");
  EXPECT_EQ(io.slept_ms(), 500 + 1000 + 2000 + 4000 + 4000 + 4000);
  EXPECT_EQ(authority.grants(), 1);
}

// Once some store holds the new pair, a sibling finds it there: the short schedule applies to the
// stores that still lag.
TEST_F(EngineTest, PartlyWrittenRotationKeepsTheShortRetrySchedule) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  io.Put(kKeychain, ClaudeDoc(1, kNowMs - kHourMs));
  io.FailWrites(kKeychain, 100);
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_TRUE(r.commit_pending);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-2");
  EXPECT_EQ(io.slept_ms(), 500 + 1000 + 2000);
}

// Report 7 across processes. Process 1 rotates but no store takes the pair: it parks it in the
// rescue store. Process 2 (a new Engine) finds the expired, spent rt-1 in the file, takes the
// locks, finds the parked pair, and commits it without a refresh; the rescue store is emptied.
const StoreId kRescue{StoreKind::kEngineRescue, "anthropic"};

TEST_F(EngineTest, ParkedPairIsFoundByTheNextProcessInsteadOfReplayingTheSpentToken) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  io.FailWrites(kFile, 100);
  {
    Engine first(io, DefaultSession(Provider::kAnthropic, ""));
    const TokenResult r = RunToCompletion(first.GetToken());
    ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
    ASSERT_TRUE(r.commit_pending);
  }  // the process exits with the pair only in the rescue store
  ASSERT_TRUE(io.Has(kRescue));
  EXPECT_NE(io.Get(kRescue).find("rt-2"), std::string::npos);
  io.FailWrites(kFile, 0);
  Engine second(io, DefaultSession(Provider::kAnthropic, ""));
  const TokenResult r = RunToCompletion(second.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-2");
  EXPECT_TRUE(r.adopted);
  EXPECT_EQ(io.token_requests(), 1) << "no replay of the spent rt-1";
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-2");
  EXPECT_EQ(io.Get(kRescue), kNothingParked) << "emptied once every store has the pair";
  EXPECT_FALSE(io.any_lock_held());
}

// Swarm seed 3598 of `credsim swarm --seeds 4000 --minutes 1440`: a keychain-only session whose
// keychain refused writes for an hour. The rotating process kept the pair in memory, a sibling
// then read the keychain's spent token and replayed it. Parked, the pair reaches the sibling,
// which serves it while the keychain still refuses, and commits it once the keychain takes it.
TEST_F(EngineTest, KeychainOnlySessionSurvivesAKeychainThatRefusesWrites) {
  SessionConfig keychain_only = DefaultSession(Provider::kAnthropic, "");
  keychain_only.stores = {kKeychain};
  io.Put(kKeychain, ClaudeDoc(1, kNowMs - kHourMs));
  io.FailWrites(kKeychain, 1000);
  Engine rotating(io, keychain_only);
  ASSERT_TRUE(RunToCompletion(rotating.GetToken()).commit_pending);
  Engine sibling(io, keychain_only);
  const TokenResult served = RunToCompletion(sibling.GetToken());
  ASSERT_EQ(served.status, TokenStatus::kOk) << served.detail;
  EXPECT_EQ(served.credential.access_token, "at-2");
  EXPECT_EQ(io.token_requests(), 1) << "the sibling did not replay rt-1";
  EXPECT_NE(io.Get(kRescue).find("rt-2"), std::string::npos) << "still parked: not committed";
  io.FailWrites(kKeychain, 0);
  ASSERT_EQ(RunToCompletion(sibling.GetToken()).status, TokenStatus::kOk);
  EXPECT_EQ(ClaudeInKeychain().refresh_token, "rt-2");
  EXPECT_EQ(io.Get(kRescue), kNothingParked);
  EXPECT_EQ(io.token_requests(), 1);
}

// Swarm seed 248 of `credsim swarm --breadth`: every store and the rescue store refused writes.
// The rotated pair then lived in this process alone, and releasing the locks let a sibling replay
// the spent token. The locks stay held until a store takes the pair.
TEST_F(EngineTest, UnsavedRotationKeepsTheLocksUntilAStoreTakesIt) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  io.FailWrites(kFile, 1000);
  io.FailWrites(kRescue, 1000);
  Engine engine(io, DefaultSession(Provider::kAnthropic, ""));
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_TRUE(r.commit_pending);
  EXPECT_TRUE(io.any_lock_held()) << "no sibling may read the spent rt-1 and replay it";
  ASSERT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kOk);
  EXPECT_TRUE(io.any_lock_held()) << "still in no store";
  io.FailWrites(kFile, 0);
  io.FailWrites(kRescue, 0);
  const TokenResult committed = RunToCompletion(engine.GetToken());
  ASSERT_EQ(committed.status, TokenStatus::kOk) << committed.detail;
  EXPECT_FALSE(committed.commit_pending);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-2");
  EXPECT_FALSE(io.any_lock_held()) << "released once the file holds the pair";
  EXPECT_EQ(io.token_requests(), 1);
}

// Swarm seed 283 of `credsim swarm --breadth`: process A parked rt-2 and kept it in memory; its
// sibling B adopted rt-2 from the rescue store and rotated it, parking rt-3 while the stores still
// refused writes. A's kept rt-2 is spent: A must not write it over the stores, nor empty the
// rescue store that holds the only live pair, nor present rt-2 again.
TEST_F(EngineTest, KeptPairASiblingRotatedFromTheRescueStoreIsDropped) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  io.FailWrites(kFile, 1000);
  Engine a(io, DefaultSession(Provider::kAnthropic, ""));
  ASSERT_TRUE(RunToCompletion(a.GetToken()).commit_pending);
  io.SetNowMs(kNowMs + 9 * kHourMs);  // rt-2's access token has expired: B rotates rt-2
  Engine b(io, DefaultSession(Provider::kAnthropic, ""));
  const TokenResult rotated = RunToCompletion(b.GetToken());
  ASSERT_EQ(rotated.status, TokenStatus::kOk) << rotated.detail;
  ASSERT_EQ(rotated.credential.refresh_token, "rt-3");
  ASSERT_NE(io.Get(kRescue).find("rt-3"), std::string::npos);
  ASSERT_EQ(io.token_requests(), 2);
  io.FailWrites(kFile, 0);
  const TokenResult r = RunToCompletion(a.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-3");
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-3");
  EXPECT_EQ(io.token_requests(), 2) << "rt-2 was not presented again";
  EXPECT_FALSE(a.commit_pending());
}

// The rescue store is credsim's own file, but a corrupt one is still reported and left alone:
// never restored, never overwritten.
TEST_F(EngineTest, CorruptRescueStoreIsNeitherRestoredNorOverwritten) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  io.Put(kRescue, "{not json");
  io.FailWrites(kFile, 100);
  Engine engine(io, DefaultSession(Provider::kAnthropic, ""));
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_TRUE(r.refreshed) << "rt-1 was the live token: the corrupt file held nothing usable";
  EXPECT_NE(r.detail.find("could not be parked"), std::string::npos) << r.detail;
  EXPECT_EQ(io.Get(kRescue), "{not json");
}

// A compare-and-swap lost to another writer is re-read and merged, not overwritten.
TEST_F(EngineTest, ConflictingWriterIsMergedNotClobbered) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  std::string interloper = ClaudeDoc(1, kNowMs - kHourMs);
  interloper.replace(interloper.find("\"mcpOAuth\""), 0, "\"addedByOtherTool\": 1,\n  ");
  io.ConflictNextWrite(kFile, interloper);
  Engine engine(io, Anthropic());
  ASSERT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kOk);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-2");
  EXPECT_NE(io.Get(kFile).find("addedByOtherTool"), std::string::npos);
}

// Claude Code wipes its file on invalid_grant; the next refresh from another copy repairs it.
TEST_F(EngineTest, WipedClaudeFileIsRepaired) {
  io.Put(kFile, R"({"claudeAiOauth":{"accessToken":"","refreshToken":"","expiresAt":0,
                    "scopes":["user:inference","user:profile"],"subscriptionType":"pro"}})");
  io.Put(kKeychain, ClaudeDoc(1, kNowMs - kHourMs));
  Engine engine(io, Anthropic());
  ASSERT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kOk);
  const auto oauth = ClaudeIn(kFile);
  EXPECT_EQ(oauth.refresh_token, "rt-2");
  EXPECT_EQ(oauth.subscription_type, "pro");
}

// 401 from the API: drop the rejected token, refresh once, never loop.
TEST_F(EngineTest, UnauthorizedRefreshesOnce) {
  io.Put(kFile, ClaudeDoc(1, kNowMs + 8 * kHourMs));  // looks valid locally, revoked server-side
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.OnUnauthorized("at-1"));
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-2");
  EXPECT_EQ(io.token_requests(), 1);
}

// hermes #70401: the API refuses even the token a 401 just rotated for. Rotating again at once
// only spends refresh tokens; the next 401 rotation waits for the configured gap.
TEST_F(EngineTest, UnauthorizedRotationsAreSpacedWhenTheApiKeepsRefusing) {
  io.Put(kFile, ClaudeDoc(1, kNowMs + 8 * kHourMs));
  Engine engine(io, Anthropic());
  const int64_t gap_ms = engine.config().unauthorized_rotation_gap_ms;
  ASSERT_GT(gap_ms, 0);
  TokenResult r = RunToCompletion(engine.OnUnauthorized("at-1"));
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  ASSERT_EQ(r.credential.access_token, "at-2");
  io.SetNowMs(kNowMs + gap_ms / 2);
  r = RunToCompletion(engine.OnUnauthorized("at-2"));
  EXPECT_EQ(r.status, TokenStatus::kTransient) << r.detail;
  ASSERT_TRUE(r.retry_after_ms.has_value());
  EXPECT_EQ(*r.retry_after_ms, gap_ms - gap_ms / 2);
  EXPECT_EQ(io.token_requests(), 1) << "no second rotation inside the gap";
  io.SetNowMs(kNowMs + gap_ms);
  r = RunToCompletion(engine.OnUnauthorized("at-2"));
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-3");
  EXPECT_EQ(io.token_requests(), 2);
}

// 5-minute tokens and a Codex-like leeway (due only in the last 30 s, by this clock); the session
// starts with a 401 on at-1, rotated to at-2, so the gap between 401 rotations has begun.
class EngineUnauthorized : public ::testing::Test {
 protected:
  EngineUnauthorized() {
    io.SetEndpoint([this](const HttpRequest& r) { return authority.Handle(r); });
    io.Put(kFile, ClaudeDoc(1, kNowMs + kHourMs));
  }
  static SessionConfig ShortTokens() {
    SessionConfig config = DefaultSession(Provider::kAnthropic, "");
    config.token_url = "http://authority.test/v1/oauth/token";
    config.refresh_leeway_ms = 30'000;
    return config;
  }
  void RotateForA401(Engine& engine) {
    ASSERT_GT(engine.config().unauthorized_rotation_gap_ms, 300'000);
    const TokenResult r = RunToCompletion(engine.OnUnauthorized("at-1"));
    ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
    ASSERT_EQ(r.credential.access_token, "at-2");
  }

  testing::MemIo io;
  testing::TestAuthority authority{/*access_ttl_s=*/300};
};

// A clock behind the server's sees a token the API calls expired with time left. In the last half
// of its lifetime that 401 is an expiry, not the API refusing fresh tokens: it is refreshed even
// inside the gap after a 401 rotation (found by world_choices: 5-minute tokens, a clock 75 s slow).
TEST_F(EngineUnauthorized, ATokenInItsLastHalfIsRefreshedInsideTheGap) {
  Engine engine(io, ShortTokens());
  ASSERT_NO_FATAL_FAILURE(RotateForA401(engine));
  io.SetNowMs(kNowMs + 60'000);  // 4 min left by this clock: a fresh token the API refuses
  TokenResult r = RunToCompletion(engine.OnUnauthorized("at-2"));
  EXPECT_EQ(r.status, TokenStatus::kTransient) << "the gap holds for a fresh token";
  EXPECT_EQ(io.token_requests(), 1);
  io.SetNowMs(kNowMs + 225'000);  // 75 s left by this clock, none by the server's
  r = RunToCompletion(engine.OnUnauthorized("at-2"));
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-3");
  EXPECT_EQ(io.token_requests(), 2);
}

// The server's clock jumped ahead: the expiry recorded with a token (a JWT's exp is on the server's
// clock) is far in this clock's future, though the token's stated lifetime is over. The engine's
// own last grant is judged by its age on this clock against `expires_in`, which no clock offset
// enters (credsim replay 300 --breadth --language-events: a 36-minute jump).
TEST_F(EngineUnauthorized, ItsOwnGrantIsJudgedByAgeWhateverTheRecordedExpiry) {
  Engine engine(io, ShortTokens());
  ASSERT_NO_FATAL_FAILURE(RotateForA401(engine));
  io.Put(kFile, ClaudeDoc(2, kNowMs + 40 * 60'000));  // at-2, recorded to expire in 40 minutes
  io.SetNowMs(kNowMs + 225'000);                      // 222 s after the grant of a 300 s token
  const TokenResult r = RunToCompletion(engine.OnUnauthorized("at-2"));
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-3");
  EXPECT_EQ(io.token_requests(), 2);
}

// A tool that rewrites the file in place leaves it half written for a while: with nothing else to
// use, the engine re-reads it (briefly) instead of calling the session empty.
TEST_F(EngineTest, HalfWrittenOnlyStoreIsReadAgainBeforeGivingUp) {
  const std::string whole = ClaudeDoc(1, kNowMs + 8 * kHourMs);
  io.Put(kFile, whole.substr(0, whole.size() / 2));
  int sleeps = 0;
  io.OnSleep([&] {
    if (++sleeps == 2) io.Put(kFile, whole);  // the writer finishes after the second wait
  });
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-1");
  EXPECT_EQ(io.slept_ms(), 300);
}

// A store that stays corrupt costs a bounded wait, and only when the session has nothing else.
TEST_F(EngineTest, CorruptStoreWaitsBoundedAndOnlyWhenNothingElseHoldsACredential) {
  io.Put(kFile, "{\"claudeAiOauth\":");
  Engine engine(io, Anthropic());
  EXPECT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kNoCredential);
  EXPECT_EQ(io.slept_ms(), 700);
  io.Put(kKeychain, ClaudeDoc(1, kNowMs + 8 * kHourMs));
  Engine with_keychain(io, Anthropic());
  EXPECT_EQ(RunToCompletion(with_keychain.GetToken()).status, TokenStatus::kOk);
  EXPECT_EQ(io.slept_ms(), 700) << "a usable store elsewhere: no wait";
}

// A server that revokes the family's other access tokens on each rotation: the API refuses our
// token because a sibling has just rotated. The engine waits (locks released) for the sibling's
// pair to land and adopts it instead of rotating, which would replay the retired refresh token.
TEST_F(EngineTest, UnauthorizedWaitsForASiblingsRotationToLand) {
  io.Put(kFile, ClaudeDoc(1, kNowMs + 8 * kHourMs));
  authority.SetLive(2);  // the sibling's rotation committed; its write is on its way
  io.OnSleep([this] { io.Put(kFile, ClaudeDoc(2, kNowMs + 8 * kHourMs)); });
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.OnUnauthorized("at-1"));
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-2");
  EXPECT_EQ(io.token_requests(), 0) << "adopted, not rotated";
  EXPECT_GT(io.slept_ms(), 0) << "it waited for the sibling";
}

// The gap applies only to rotations a 401 alone asked for: a token that is expiring anyway is
// refreshed at once, 401 or not.
TEST_F(EngineTest, UnauthorizedOnAnExpiringTokenIsNotHeldBackByTheGap) {
  io.Put(kFile, ClaudeDoc(1, kNowMs + 8 * kHourMs));
  Engine engine(io, Anthropic());
  ASSERT_EQ(RunToCompletion(engine.OnUnauthorized("at-1")).status, TokenStatus::kOk);
  io.Put(kFile, ClaudeDoc(2, kNowMs + 60 * 1000));  // inside the 5 min leeway
  const TokenResult r = RunToCompletion(engine.OnUnauthorized("at-2"));
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(io.token_requests(), 2);
}

// A server that grants 5 min tokens, with the 5 min leeway every real client uses: each token
// would be due on arrival and each use would rotate. After one grant the engine knows the lifetime
// and treats a token as due only in its last half.
TEST(EngineLeeway, NeverExceedsHalfTheGrantedLifetime) {
  testing::MemIo io;
  testing::TestAuthority authority(/*access_ttl_s=*/300);
  io.SetEndpoint([&](const HttpRequest& r) { return authority.Handle(r); });
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  SessionConfig config = DefaultSession(Provider::kAnthropic, "");
  config.token_url = "http://authority.test/v1/oauth/token";
  Engine engine(io, config);
  EXPECT_EQ(engine.effective_leeway_ms(), config.refresh_leeway_ms) << "nothing granted yet";
  ASSERT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kOk);
  EXPECT_EQ(engine.effective_leeway_ms(), 150'000);
  io.SetNowMs(kNowMs + 60'000);  // 4 min left: inside the configured leeway, outside the half
  TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_FALSE(r.refreshed);
  EXPECT_EQ(io.token_requests(), 1);
  io.SetNowMs(kNowMs + 200'000);  // 100 s left: due
  r = RunToCompletion(engine.GetToken());
  EXPECT_TRUE(r.refreshed) << r.detail;
  EXPECT_EQ(io.token_requests(), 2);
}

TEST_F(EngineTest, UnauthorizedAdoptsAnotherStoresNewerToken) {
  io.Put(kKeychain, ClaudeDoc(1, kNowMs + 7 * kHourMs));
  io.Put(kFile, ClaudeDoc(2, kNowMs + 8 * kHourMs));
  authority.SetLive(2);
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.OnUnauthorized("at-1"));
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-2");
  EXPECT_EQ(io.token_requests(), 0);
}

TEST_F(EngineTest, TransientErrorsBackOffHonouringRetryAfter) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  HttpResult busy = JsonResponse(429, R"({"error":"rate_limited"})");
  busy.retry_after_ms = 3000;
  authority.Script(busy);
  authority.Script(JsonResponse(503, "upstream unavailable"));
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(io.token_requests(), 3);
  EXPECT_GE(io.slept_ms(), 3000 + 500);  // Retry-After, then at least half the second window
  EXPECT_LE(io.slept_ms(), 3000 + 1000);
}

TEST_F(EngineTest, RetryAfterBeyondBoundGivesUpAndSaysWhen) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  HttpResult busy = JsonResponse(429, "{}");
  busy.retry_after_ms = 3'600'000;
  authority.Script(busy);
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  EXPECT_EQ(r.status, TokenStatus::kTransient);
  EXPECT_EQ(r.retry_after_ms, 3'600'000);
  EXPECT_EQ(io.token_requests(), 1);
  EXPECT_EQ(io.slept_ms(), 0);
}

TEST_F(EngineTest, TransientAttemptsAreBounded) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  for (int i = 0; i < 10; ++i) authority.Script(JsonResponse(500, "oops"));
  Engine engine(io, Anthropic());
  EXPECT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kTransient);
  EXPECT_EQ(io.token_requests(), engine.config().max_transient_attempts);
}

// A lost answer after the server rotated: the engine re-reads, finds no newer pair, retries once,
// and reports re-login (the successor is gone) instead of looping.
TEST_F(EngineTest, LostResponseIsRetriedOnceAfterReRead) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  authority.ScriptLostAfterRotation();
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  EXPECT_EQ(r.status, TokenStatus::kReloginRequired);
  EXPECT_EQ(io.token_requests(), 2);
}

TEST_F(EngineTest, LostResponseWhileAnotherProcessSavedTheRotationAdoptsIt) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  io.SetEndpoint([this](const HttpRequest&) {
    io.Put(kFile, ClaudeDoc(2, kNowMs + 8 * kHourMs));  // someone else's refresh landed
    HttpResult lost;
    lost.transport = HttpResult::Transport::kLostResponse;
    return lost;
  });
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_TRUE(r.adopted);
  EXPECT_EQ(r.credential.access_token, "at-2");
  EXPECT_EQ(io.token_requests(), 1);
}

TEST_F(EngineTest, BusyLockIsTransientAndSendsNothing) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  io.HoldLock(LockId::kClaudeHome, true);
  Engine engine(io, Anthropic());
  EXPECT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kTransient);
  EXPECT_EQ(io.token_requests(), 0);
  EXPECT_FALSE(io.any_lock_held());
}

TEST_F(EngineTest, InvalidRequestIsAConfigurationErrorNotARetryLoop) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  authority.Script(JsonResponse(400, R"({"error":"invalid_request","error_description":"bad"})"));
  Engine engine(io, Anthropic());
  EXPECT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kRejectedRequest);
  EXPECT_EQ(io.token_requests(), 1);
}

TEST_F(EngineTest, LockedKeychainIsSkippedAndTheFileServes) {
  io.Put(kKeychain, ClaudeDoc(1, kNowMs - kHourMs));
  io.SetStoreLocked(kKeychain, true);
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_TRUE(r.commit_pending) << "the keychain still holds the spent pair";
  io.SetStoreLocked(kKeychain, false);
  ASSERT_EQ(RunToCompletion(engine.GetToken()).status, TokenStatus::kOk);
  EXPECT_EQ(ClaudeInKeychain().refresh_token, "rt-2");
}

// A re-login replaces the dead pair even when that pair claimed a later expiry.
TEST_F(EngineTest, LoginOverwritesADeadPairWithALaterExpiry) {
  io.Put(kFile, ClaudeDoc(1, kNowMs + 20 * kHourMs));
  Engine engine(io, Anthropic());
  const Credential fresh{
      .access_token = "at-9", .refresh_token = "rt-9", .expires_at_ms = kNowMs + 8 * kHourMs};
  ASSERT_EQ(RunToCompletion(engine.Login(fresh)).status, TokenStatus::kOk);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-9");
  EXPECT_EQ(ClaudeIn(kFile).scopes, (std::vector<std::string>{"user:inference", "user:profile"}));
}

// A 200 whose access_token is "" is not a grant: nothing empty is written; the lost-answer path
// re-reads and retries once (the test authority never rotated on the bogus answer).
TEST_F(EngineTest, EmptyAccessTokenInAGrantIsNeverWritten) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  authority.Script(JsonResponse(200, R"({"access_token":"","refresh_token":"x","expires_in":60})"));
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-2");
  EXPECT_EQ(ClaudeIn(kFile).access_token, "at-2");
}

TEST_F(EngineTest, HugeExpiresInIsClampedNotOverflowed) {
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  authority.Script(JsonResponse(
      200, R"({"access_token":"at-x","refresh_token":"rt-x","expires_in":9000000000000000000})"));
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_GT(r.credential.expires_at_ms, kNowMs);
  EXPECT_LE(r.credential.expires_at_ms, kNowMs + int64_t{11} * 365 * 24 * kHourMs);
}

// --after-401 on a copy that holds only a refresh token: no empty token is ever served.
TEST_F(EngineTest, UnauthorizedWithARefreshOnlyCopyRefreshes) {
  io.Put(kFile, R"({"claudeAiOauth":{"accessToken":"","refreshToken":"rt-1","expiresAt":)" +
                    std::to_string(kNowMs + kHourMs) + R"(,"scopes":["user:inference"]}})");
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.OnUnauthorized("at-0"));
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-2");
}

// Near the end of a family's absolute lifetime every new access token is capped, so the new pair
// can expire *before* the spent one claimed to. The spent pair must still be replaced: expiry alone
// cannot rank pairs (found by the simulator: seed 1 of the 30-day benchmark world).
TEST_F(EngineTest, SpentPairIsReplacedEvenWhenItClaimsALaterExpiry) {
  testing::TestAuthority capped(/*access_ttl_s=*/200);
  io.SetEndpoint([&](const HttpRequest& r) { return capped.Handle(r); });
  io.Put(kFile, ClaudeDoc(1, kNowMs + 4 * 60 * 1000));  // inside the 5-minute leeway
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.expires_at_ms, kNowMs + 200 * 1000);
  EXPECT_FALSE(r.commit_pending);
  EXPECT_EQ(ClaudeIn(kFile).refresh_token, "rt-2") << "the spent rt-1 must not stay on disk";
}

TEST_F(EngineTest, NoCredentialAnywhere) {
  Engine engine(io, Anthropic());
  const TokenResult r = RunToCompletion(engine.GetToken());
  EXPECT_EQ(r.status, TokenStatus::kNoCredential);
  EXPECT_EQ(io.token_requests(), 0);
}

}  // namespace
}  // namespace credsim::engine
