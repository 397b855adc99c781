#include "fake_oauth_server/faults.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace credsim::oauth {
namespace {

TEST(FaultPlan, MatchesEndpointAndGrantAndHonoursLimit) {
  FaultPlan plan(1);
  FaultRule r;
  r.endpoint = "token";
  r.grant = "refresh_token";
  r.action = FaultAction::kStatus;
  r.status = 503;
  r.limit = 2;
  ASSERT_TRUE(plan.Add(r, nullptr).has_value());
  EXPECT_FALSE(plan.Decide("token", "authorization_code").action.has_value());
  EXPECT_FALSE(plan.Decide("resource", "").action.has_value());
  FaultDecision d = plan.Decide("token", "refresh_token");
  ASSERT_TRUE(d.action.has_value());
  EXPECT_EQ(*d.action, FaultAction::kStatus);
  EXPECT_EQ(d.status, 503);
  EXPECT_TRUE(plan.Decide("token", "refresh_token").action.has_value());
  EXPECT_FALSE(plan.Decide("token", "refresh_token").action.has_value());  // limit 2 reached
  EXPECT_EQ(plan.rules()[0].fired, 2u);
}

TEST(FaultPlan, LatencyAddsUpAndFirstTerminalRuleWins) {
  FaultPlan plan(1);
  FaultRule lat;
  lat.action = FaultAction::kLatency;
  lat.latency_ms = 30;
  plan.Add(lat, nullptr);
  plan.Add(lat, nullptr);
  FaultRule drop;
  drop.action = FaultAction::kDropAfterCommit;
  plan.Add(drop, nullptr);
  FaultRule rate;
  rate.action = FaultAction::kRateLimit;
  rate.retry_after_s = 7;
  plan.Add(rate, nullptr);
  FaultDecision d = plan.Decide("token", "refresh_token");
  EXPECT_EQ(d.latency_ms, 60);
  EXPECT_EQ(*d.action, FaultAction::kDropAfterCommit);
  EXPECT_EQ(plan.rules()[3].fired, 0u);
}

TEST(FaultPlan, ProbabilityIsSeededAndDeterministic) {
  const auto pattern = [](uint64_t seed) {
    FaultPlan plan(seed);
    FaultRule r;
    r.probability_ppm = 500'000;
    plan.Add(r, nullptr);
    std::string fired;
    for (int i = 0; i < 200; ++i) fired += plan.Decide("token", "").action ? '1' : '0';
    return fired;
  };
  EXPECT_EQ(pattern(5), pattern(5));
  EXPECT_NE(pattern(5), pattern(6));
  const std::string p = pattern(5);
  const auto ones = std::count(p.begin(), p.end(), '1');
  EXPECT_GT(ones, 0);
  EXPECT_LT(ones, 200);
}

TEST(FaultPlan, RefusesInvalidRulesAndBoundsTheirNumber) {
  FaultPlan plan(1);
  std::string why;
  FaultRule bad;
  bad.endpoint = "nowhere";
  EXPECT_FALSE(plan.Add(bad, &why).has_value());
  EXPECT_NE(why.find("endpoint"), std::string::npos);
  bad = FaultRule{};
  bad.status = 200;
  EXPECT_FALSE(plan.Add(bad, &why).has_value());
  bad = FaultRule{};
  bad.probability_ppm = 0;
  EXPECT_FALSE(plan.Add(bad, &why).has_value());
  for (size_t i = 0; i < FaultPlan::kMaxRules; ++i) ASSERT_TRUE(plan.Add(FaultRule{}, nullptr));
  EXPECT_FALSE(plan.Add(FaultRule{}, &why).has_value());
  plan.Clear();
  EXPECT_TRUE(plan.rules().empty());
}

TEST(FaultActionNames, RoundTrip) {
  for (auto a : {FaultAction::kStatus, FaultAction::kRateLimit, FaultAction::kLatency,
                 FaultAction::kDropBeforeCommit, FaultAction::kDropAfterCommit}) {
    EXPECT_EQ(ParseFaultAction(ToString(a)), a);
  }
}

}  // namespace
}  // namespace credsim::oauth
