#include "engine/reconcile.h"

#include <gtest/gtest.h>

namespace credsim::engine {
namespace {

constexpr int64_t kNow = 1'000'000'000'000;
constexpr int64_t kLeeway = 300'000;

Candidate Make(StoreKind kind, std::string rt, int64_t expires_at_ms, std::string at = "at") {
  return Candidate{.store = StoreId{kind, ""},
                   .credential = Credential{.access_token = std::move(at),
                                            .refresh_token = std::move(rt),
                                            .expires_at_ms = expires_at_ms}};
}

PickOptions Options() { return PickOptions{.now_ms = kNow, .leeway_ms = kLeeway}; }

TEST(Classify, ValidOnlyBeyondTheLeeway) {
  Credential c{.access_token = "a", .refresh_token = "r", .expires_at_ms = kNow + kLeeway + 1};
  EXPECT_EQ(Classify(c, kNow, kLeeway), Freshness::kValid);
  c.expires_at_ms = kNow + kLeeway;
  EXPECT_EQ(Classify(c, kNow, kLeeway), Freshness::kExpired);
  c.expires_at_ms = 0;
  EXPECT_EQ(Classify(c, kNow, kLeeway), Freshness::kUnknown);
  EXPECT_EQ(Classify(Credential{}, kNow, kLeeway), Freshness::kEmpty);
}

TEST(PickBest, ValidBeatsExpiredEvenWhenListedLater) {
  const std::vector<Candidate> c = {Make(StoreKind::kClaudeKeychain, "rt1", kNow - 1),
                                    Make(StoreKind::kClaudeFile, "rt2", kNow + 3'600'000)};
  EXPECT_EQ(PickBest(c, Options()), 1u);
}

TEST(PickBest, LaterExpiryWinsAmongEquals) {
  const std::vector<Candidate> c = {Make(StoreKind::kClaudeKeychain, "rt1", kNow + 3'600'000),
                                    Make(StoreKind::kClaudeFile, "rt2", kNow + 7'200'000)};
  EXPECT_EQ(PickBest(c, Options()), 1u);
}

TEST(PickBest, TiesGoToTheEarlierStore) {
  const std::vector<Candidate> c = {Make(StoreKind::kClaudeKeychain, "rt1", kNow + 3'600'000),
                                    Make(StoreKind::kClaudeFile, "rt2", kNow + 3'600'000)};
  EXPECT_EQ(PickBest(c, Options()), 0u);
}

TEST(PickBest, EmptyAndUselessCopiesAreSkipped) {
  const std::vector<Candidate> c = {Make(StoreKind::kClaudeFile, "", 0, ""),
                                    Make(StoreKind::kClaudeKeychain, "", kNow - 1, "at")};
  EXPECT_FALSE(PickBest(c, Options()).has_value());
}

TEST(PickBest, RejectedAccessTokenCountsAsExpired) {
  const std::vector<Candidate> c = {Make(StoreKind::kClaudeKeychain, "rt1", kNow + 7'200'000, "x"),
                                    Make(StoreKind::kClaudeFile, "rt2", kNow + 3'600'000, "y")};
  PickOptions o = Options();
  o.rejected_access_token = "x";
  EXPECT_EQ(PickBest(c, o), 1u);
}

TEST(PickBest, DeadRefreshTokensAreSkippedUnlessTheAccessTokenIsValid) {
  const std::vector<Candidate> c = {Make(StoreKind::kClaudeKeychain, "rt1", kNow - 1),
                                    Make(StoreKind::kClaudeFile, "rt2", kNow - 2)};
  PickOptions o = Options();
  o.dead_refresh_tokens = {"rt1"};
  EXPECT_EQ(PickBest(c, o), 1u);
  o.dead_refresh_tokens = {"rt1", "rt2"};
  EXPECT_FALSE(PickBest(c, o).has_value());
}

TEST(PickBest, PoolStatusIsIgnored) {
  Candidate exhausted = Make(StoreKind::kAgentAuth, "rt1", kNow + 7'200'000);
  exhausted.pool_status = formats::PoolStatus::kExhausted;
  const std::vector<Candidate> c = {Make(StoreKind::kClaudeFile, "rt0", kNow + 3'600'000),
                                    exhausted};
  EXPECT_EQ(PickBest(c, Options()), 1u);
}

}  // namespace
}  // namespace credsim::engine
