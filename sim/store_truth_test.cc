// The world's own reading of stores: independent of the engine's decoders, format-blind, and
// bounded. Expected values come from the tokens the test mints, not from the reader's output.
#include "sim/store_truth.h"

#include <gtest/gtest.h>

#include "sim/world_config.h"

namespace credsim::sim {
namespace {

using engine::StoreKind;

class StoreTruthTest : public ::testing::Test {
 protected:
  StoreTruthTest() : authority_({}, 7) { login_ = authority_.Login({.client_id = "c"}, kEpochMs); }
  const std::string& at() const { return login_.tokens.access_token; }
  const std::string& rt() const { return login_.tokens.refresh_token; }
  int64_t exp() const { return login_.tokens.access_expires_ms; }
  StoreTruth Read(StoreKind kind, const std::string& bytes) {
    return ReadStoreTruth(kind, true, bytes, authority_);
  }
  oauth::TokenAuthority authority_;
  oauth::TokenReply login_;
};

TEST_F(StoreTruthTest, FindsTokensUnderAnyKeyAndJudgesScopes) {
  const std::string doc = R"({"claudeAiOauth": {"accessToken": ")" + at() +
                          R"(", "refreshToken": ")" + rt() + R"(", "expiresAt": )" +
                          std::to_string(exp()) + R"(, "scopes": ["user:inference"]},
      "credsimMarker": 1})";
  const StoreTruth t = Read(StoreKind::kClaudeFile, doc);
  EXPECT_TRUE(t.readable);
  EXPECT_TRUE(t.scopes);
  EXPECT_TRUE(t.markers);
  EXPECT_EQ(t.family, 1u);
  EXPECT_EQ(t.generation, 1u);
  EXPECT_EQ(t.expiry_overstated_ms, 0);
  // The same token moved to a key no tool reads is still held.
  const StoreTruth moved =
      Read(StoreKind::kClaudeFile, R"({"somewhere": {"else": [")" + rt() + R"("]}})");
  EXPECT_EQ(moved.family, 1u);
  EXPECT_TRUE(moved.scopes) << "no object holds a refresh token next to missing scopes";
  const StoreTruth unscoped =
      Read(StoreKind::kClaudeFile, R"({"o": {"refreshToken": ")" + rt() + R"("}})");
  EXPECT_FALSE(unscoped.scopes);
  EXPECT_TRUE(Read(StoreKind::kAgentAuth, R"({"o": {"refresh": ")" + rt() + R"("}})").scopes)
      << "the scopes rule is Claude's";
}

TEST_F(StoreTruthTest, MeasuresAnExpiryStoredPastTheServers) {
  const auto doc = [&](int64_t stored) {
    return R"({"claudeAiOauth": {"accessToken": ")" + at() + R"(", "expiresAt": )" +
           std::to_string(stored) + "}}";
  };
  EXPECT_EQ(Read(StoreKind::kClaudeFile, doc(exp() + 90'000)).expiry_overstated_ms, 90'000);
  const StoreTruth early = Read(StoreKind::kClaudeFile, doc(exp() / 1000));  // seconds
  EXPECT_EQ(early.expiry_overstated_ms, 0) << "understating is not overstating";
}

TEST_F(StoreTruthTest, ForeignSectionsAreDigestedByValueNotLayout) {
  const auto doc = [&](const std::string& mcp, const std::string& oauth_extra) {
    return R"({"claudeAiOauth": {"refreshToken": ")" + rt() + R"(")" + oauth_extra +
           R"(}, "mcpOAuth": )" + mcp + R"(, "other": [1, 2]})";
  };
  const uint64_t base =
      Read(StoreKind::kClaudeFile, doc(R"({"a": {"t": "x"}})", "")).foreign_sections_digest;
  EXPECT_NE(base, 0u);
  // The credential section may change freely: it is the engine's to rewrite.
  EXPECT_EQ(Read(StoreKind::kClaudeFile, doc(R"({"a": {"t": "x"}})", R"(, "expiresAt": 5)"))
                .foreign_sections_digest,
            base);
  // Whitespace and key order of the document do not matter; a changed value does.
  EXPECT_EQ(Read(StoreKind::kClaudeFile,
                 R"({ "other" : [1,2], "mcpOAuth":{"a":{"t":"x"}}, "claudeAiOauth": {}})")
                .foreign_sections_digest,
            base);
  EXPECT_NE(Read(StoreKind::kClaudeFile, doc(R"({"a": {"t": "y"}})", "")).foreign_sections_digest,
            base);
  EXPECT_NE(Read(StoreKind::kClaudeFile, doc(R"({})", "")).foreign_sections_digest, base);
}

TEST_F(StoreTruthTest, UnreadableBytesHoldNothing) {
  const std::string good = R"({"refreshToken": ")" + rt() + R"("})";
  for (const std::string& bad : {good.substr(0, good.size() - 1), good + " x", std::string("[1]"),
                                 std::string(""), std::string("\xef\xbb\xbf") + good}) {
    const StoreTruth t = Read(StoreKind::kClaudeFile, bad);
    EXPECT_TRUE(t.exists);
    EXPECT_FALSE(t.readable) << bad;
    EXPECT_EQ(t.family, 0u) << bad;
  }
  EXPECT_FALSE(ReadStoreTruth(StoreKind::kClaudeFile, false, good, authority_).exists);
}

TEST_F(StoreTruthTest, UnreadableBytesStillNameTheWholeTokensTheyHold) {
  const std::string good = R"({"refreshToken": ")" + rt() + R"("})";
  const StoreTruth cut = Read(StoreKind::kClaudeFile, good.substr(0, good.size() - 1));
  EXPECT_FALSE(cut.readable);
  EXPECT_EQ(cut.family, 0u);  // no freshest pair: nothing in it is usable
  ASSERT_EQ(cut.refresh_tokens.size(), 1u);
  EXPECT_EQ(cut.refresh_tokens[0], std::pair(1u, 1u));
  // A token cut in half is no token at all.
  EXPECT_TRUE(Read(StoreKind::kClaudeFile, good.substr(0, 30)).refresh_tokens.empty());
}

TEST_F(StoreTruthTest, DeepNestingIsBoundedNotACrash) {
  std::string deep;
  for (int i = 0; i < 500; ++i) deep += "[";
  deep = R"({"a": )" + deep + "\"" + rt() + "\"";
  for (int i = 0; i < 500; ++i) deep += "]";
  deep += "}";
  const StoreTruth t = Read(StoreKind::kClaudeFile, deep);
  EXPECT_EQ(t.family, 0u) << "a token below the depth bound is not visited";
}

// Every owner reads a document holding numbers no double holds (JSON.parse: Infinity, Python:
// inf) and simdjson's DOM refuses it: the world must read it as the owners do, or a live token in
// such a file would count as out of every reader's reach and excuse a lockout (found by the
// store_readers differential fuzz target).
TEST_F(StoreTruthTest, ReadsNumbersNoDoubleHoldsAsTheOwnersDo) {
  for (const std::string extra : {"1e400", "-1E+999", "1e-400", "123456789012345678901234567890"}) {
    const std::string doc = R"({"claudeAiOauth": {"accessToken": ")" + at() +
                            R"(", "refreshToken": ")" + rt() + R"(", "expiresAt": )" +
                            std::to_string(exp()) + R"(, "scopes": ["s"]}, "stats": {"x": )" +
                            extra + R"(, "s": "1e400 \" 1e400"}})";
    const StoreTruth t = Read(StoreKind::kClaudeFile, doc);
    EXPECT_TRUE(t.readable) << extra;
    EXPECT_EQ(t.family, 1u) << extra;
    EXPECT_EQ(t.generation, 1u) << extra;
  }
  // Still refused: what no owner reads.
  EXPECT_FALSE(Read(StoreKind::kClaudeFile, R"({"a": 1e400)").readable);
}

// Every owner keeps the last of duplicated keys: a token in an earlier copy is shadowed, out of
// every reader's reach (it was counted as held, which blamed an engine for not using it).
TEST_F(StoreTruthTest, AShadowedDuplicateHoldsNothing) {
  const std::string live = R"({"accessToken": ")" + at() + R"(", "refreshToken": ")" + rt() +
                           R"(", "expiresAt": )" + std::to_string(exp()) + "}";
  const std::string fake = R"({"accessToken": "a", "refreshToken": "b", "expiresAt": 1})";
  const StoreTruth shadowed =
      Read(StoreKind::kClaudeFile,
           R"({"claudeAiOauth": )" + live + R"(, "claudeAiOauth": )" + fake + "}");
  EXPECT_TRUE(shadowed.readable);
  EXPECT_EQ(shadowed.family, 0u);
  EXPECT_TRUE(shadowed.refresh_tokens.empty());
  const StoreTruth last = Read(StoreKind::kClaudeFile, R"({"claudeAiOauth": )" + fake +
                                                           R"(, "claudeAiOauth": )" + live + "}");
  EXPECT_EQ(last.family, 1u);
}

}  // namespace
}  // namespace credsim::sim
