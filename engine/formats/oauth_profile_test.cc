#include "engine/formats/oauth_profile.h"

#include <gtest/gtest.h>

namespace credsim::formats {
namespace {

TEST(OAuthProfile, PlanAndTierFromTheOrganization) {
  const auto p =
      ParseOAuthProfile(R"({"account":{"uuid":"a","email":"u@example.invalid"},)"
                        R"("organization":{"uuid":"o","organization_type":"claude_max",)"
                        R"("rate_limit_tier":"default_claude_max_20x","unknown":[1,2]}})");
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(p.value().subscription_type, "max");
  EXPECT_EQ(p.value().rate_limit_tier, "default_claude_max_20x");
}

TEST(OAuthProfile, OnlyTheKnownPlansBecomeASubscription) {
  for (const auto& [type, plan] : std::vector<std::pair<std::string, std::string>>{
           {"claude_pro", "pro"}, {"claude_team", "team"}, {"claude_enterprise", "enterprise"}}) {
    const auto p = ParseOAuthProfile(R"({"organization":{"organization_type":")" + type + R"("}})");
    ASSERT_TRUE(p);
    EXPECT_EQ(p.value().subscription_type, plan) << type;
  }
  for (const char* body :
       {R"({"organization":{"organization_type":"api"}})",
        R"({"organization":{"organization_type":"claude_"}})",
        R"({"organization":{"organization_type":null}})", R"({"organization":null})", R"({})"}) {
    const auto p = ParseOAuthProfile(body);
    ASSERT_TRUE(p) << body;
    EXPECT_FALSE(p.value().subscription_type) << body;
  }
}

TEST(OAuthProfile, WrongShapesNameThePath) {
  const auto p = ParseOAuthProfile(R"({"organization":{"organization_type":7}})");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().ToString().find("$.organization.organization_type"), std::string::npos)
      << p.error().ToString();
  EXPECT_FALSE(ParseOAuthProfile("[]"));
  EXPECT_FALSE(ParseOAuthProfile("{"));
  EXPECT_FALSE(ParseOAuthProfile(R"({"organization":"max"})"));
}

}  // namespace
}  // namespace credsim::formats
