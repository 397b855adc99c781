#include "engine/store_codec.h"

#include <gtest/gtest.h>

#include "engine/formats/agent_auth.h"
#include "engine/formats/claude_credentials.h"
#include "engine/testing/store_docs.h"

namespace credsim::engine {
namespace {

using testing::AgentDocWithClaudeEntry;
using testing::ClaudeDoc;
using testing::kNowMs;

StoreRead ReadOf(std::string bytes) {
  StoreRead r;
  r.status = IoStatus::kOk;
  r.version = VersionOf(bytes);
  r.bytes = std::move(bytes);
  return r;
}

const StoreId kFile{StoreKind::kClaudeFile, ""};
const StoreId kAgent{StoreKind::kAgentAuth, ""};

TEST(ShouldOverwrite, NeverAStalerTokenOverAFresherOne) {
  const Credential older{.access_token = "a1", .refresh_token = "r1", .expires_at_ms = 100};
  const Credential newer{.access_token = "a2", .refresh_token = "r2", .expires_at_ms = 200};
  EXPECT_TRUE(ShouldOverwrite(older, newer));
  EXPECT_FALSE(ShouldOverwrite(newer, older));
  EXPECT_FALSE(ShouldOverwrite(newer, newer));
  EXPECT_TRUE(ShouldOverwrite(Credential{}, older)) << "an empty (wiped) slot takes anything";
  Credential no_scopes = newer;
  Credential with_scopes = newer;
  with_scopes.scopes = std::vector<std::string>{"user:inference"};
  EXPECT_TRUE(ShouldOverwrite(no_scopes, with_scopes)) << "same pair, but scopes get repaired";
}

TEST(DecodeStore, ClaudeFileHasOneSlot) {
  const StoreView v = DecodeStore(Provider::kAnthropic, kFile, ReadOf(ClaudeDoc(3, kNowMs)));
  ASSERT_TRUE(v.readable());
  ASSERT_EQ(v.slots.size(), 1u);
  EXPECT_EQ(v.slots[0].credential.refresh_token, "rt-3");
  EXPECT_EQ(v.slots[0].credential.expires_at_ms, kNowMs);
  EXPECT_EQ(v.slots[0].credential.subscription_type, "max");
}

TEST(DecodeStore, ClaudeFileHoldsNothingForCodex) {
  const StoreView v = DecodeStore(Provider::kOpenAiCodex, kFile, ReadOf(ClaudeDoc(3, kNowMs)));
  EXPECT_TRUE(v.readable());
  EXPECT_TRUE(v.slots.empty());
}

TEST(DecodeStore, AgentPoolOnlyTheEntriesImportedFromClaudeCode) {
  const StoreView v =
      DecodeStore(Provider::kAnthropic, kAgent, ReadOf(AgentDocWithClaudeEntry(2, 5, "dead")));
  ASSERT_EQ(v.slots.size(), 1u);
  EXPECT_EQ(v.slots[0].slot.pool_entry_id, "cc1");
  EXPECT_EQ(v.slots[0].pool_status, formats::PoolStatus::kDead);
}

TEST(DecodeStore, CorruptStoreIsFlaggedNotFatal) {
  const StoreView v = DecodeStore(Provider::kAnthropic, kFile, ReadOf("{\"claudeAiOauth\": ["));
  EXPECT_FALSE(v.readable());
  ASSERT_TRUE(v.corrupt.has_value());
  EXPECT_TRUE(v.slots.empty());
  const Credential c{.access_token = "a", .refresh_token = "r", .expires_at_ms = 1};
  EXPECT_FALSE(EncodeCredential(Provider::kAnthropic, v, c, kNowMs).has_value());
  EXPECT_FALSE(EncodeLogin(Provider::kAnthropic, v, c, kNowMs).has_value());
}

TEST(EncodeCredential, WritesTheSlotAndKeepsEverythingElse) {
  const StoreView v = DecodeStore(Provider::kAnthropic, kFile, ReadOf(ClaudeDoc(1, 5)));
  const Credential c{.access_token = "at-2", .refresh_token = "rt-2", .expires_at_ms = kNowMs};
  const auto bytes = EncodeCredential(Provider::kAnthropic, v, c, kNowMs);
  ASSERT_TRUE(bytes.has_value());
  const auto parsed = formats::ParseClaudeCredentials(*bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().oauth->refresh_token, "rt-2");
  EXPECT_EQ(parsed.value().oauth->expires_at_ms, kNowMs);
  EXPECT_EQ(parsed.value().oauth->scopes,
            (std::vector<std::string>{"user:inference", "user:profile"}));
  EXPECT_NE(bytes->find("futureField"), std::string::npos);
  EXPECT_NE(bytes->find("mcp-secret"), std::string::npos);
  // Writing the same pair again changes nothing.
  const StoreView after = DecodeStore(Provider::kAnthropic, kFile, ReadOf(*bytes));
  EXPECT_FALSE(EncodeCredential(Provider::kAnthropic, after, c, kNowMs).has_value());
}

TEST(EncodeCredential, AbsentStoreIsNotCreatedOutsideALogin) {
  StoreRead absent;
  absent.status = IoStatus::kNotFound;
  const StoreView v = DecodeStore(Provider::kAnthropic, kFile, absent);
  const Credential c{.access_token = "a", .refresh_token = "r", .expires_at_ms = 1};
  EXPECT_FALSE(EncodeCredential(Provider::kAnthropic, v, c, kNowMs).has_value());
  const auto created = EncodeLogin(Provider::kAnthropic, v, c, kNowMs);
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(formats::ParseClaudeCredentials(*created).value().oauth->refresh_token, "r");
  const StoreView keychain =
      DecodeStore(Provider::kAnthropic, StoreId{StoreKind::kClaudeKeychain, ""}, absent);
  EXPECT_FALSE(EncodeLogin(Provider::kAnthropic, keychain, c, kNowMs).has_value())
      << "a keychain item is never invented";
}

}  // namespace
}  // namespace credsim::engine
