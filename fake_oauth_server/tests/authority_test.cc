// Core rules of the token authority that do not depend on the reuse policy: rotation, labels,
// expiry, determinism, token shapes, bounded memory.
#include "fake_oauth_server/authority.h"

#include <gtest/gtest.h>

#include "fake_oauth_server/base64url.h"
#include "fake_oauth_server/tests/test_helpers.h"

namespace credsim::oauth {
namespace {

using testing::Config;
using testing::kHourMs;
using testing::kT0;
using testing::Refresh;

TEST(Authority, LoginThenChainedRefreshesRotateSingleUseTokens) {
  TokenAuthority auth(Config(), 7);
  TokenReply login = auth.Login({.client_id = "c"}, kT0);
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login.family_id, 1u);
  EXPECT_EQ(login.generation, 1u);
  EXPECT_EQ(auth.Label(login.tokens.refresh_token), "fam1/rt1");
  EXPECT_EQ(auth.Label(login.tokens.access_token), "fam1/at1");
  std::string rt = login.tokens.refresh_token;
  for (uint32_t gen = 2; gen <= 5; ++gen) {
    TokenReply r = auth.Handle(Refresh(rt), kT0 + gen);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.outcome, Outcome::kIssued);
    EXPECT_EQ(r.generation, gen);
    EXPECT_EQ(r.presented_generation, gen - 1);
    EXPECT_NE(r.tokens.refresh_token, rt);
    EXPECT_EQ(auth.Label(r.tokens.refresh_token), "fam1/rt" + std::to_string(gen));
    rt = r.tokens.refresh_token;
  }
  EXPECT_EQ(auth.CurrentGeneration(1), 5u);
  EXPECT_TRUE(auth.IsLiveGeneration(1, 5));
  EXPECT_FALSE(auth.IsLiveGeneration(1, 4));  // retired by the rotation to 5
  EXPECT_FALSE(auth.IsLiveGeneration(2, 1));  // never issued
  // The first refresh token, retired four rotations ago, is still recognised as reuse.
  TokenReply old = auth.Handle(Refresh(login.tokens.refresh_token), kT0 + 10);
  EXPECT_EQ(old.status, 400);
  EXPECT_EQ(old.outcome, Outcome::kReusedRetired);
  EXPECT_EQ(old.presented_label, "fam1/rt1");
  EXPECT_EQ(auth.CurrentGeneration(1), 5u);  // reject policy: family untouched
}

TEST(Authority, AnthropicTokenShapesAndDefaults) {
  TokenAuthority auth(Config(), 1);
  TokenReply r = auth.Login({}, kT0);
  EXPECT_TRUE(r.tokens.access_token.starts_with("sk-ant-oat01-"));
  EXPECT_TRUE(r.tokens.refresh_token.starts_with("sk-ant-ort01-"));
  EXPECT_TRUE(r.tokens.id_token.empty());
  EXPECT_EQ(r.tokens.expires_in_s, 8 * 3600);  // default access TTL 8 h
  EXPECT_EQ(r.tokens.scope, "user:inference user:profile");
}

TEST(Authority, OpenAiAccessTokenIsJwtWithExpAndAuthClaims) {
  AuthorityConfig c = Config();
  c.provider = Provider::kOpenAi;
  c.access_ttl_ms = kHourMs;
  TokenAuthority auth(c, 1);
  TokenReply r = auth.Login({.client_id = "app_x"}, kT0);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.tokens.refresh_token.starts_with("rt_"));
  for (const std::string& jwt : {r.tokens.access_token, r.tokens.id_token}) {
    const size_t a = jwt.find('.');
    const size_t b = jwt.rfind('.');
    ASSERT_NE(a, b);
    EXPECT_EQ(Base64UrlDecode(jwt.substr(0, a)), R"({"alg":"none","typ":"JWT"})");
    const std::optional<std::string> payload = Base64UrlDecode(jwt.substr(a + 1, b - a - 1));
    ASSERT_TRUE(payload.has_value());
    EXPECT_NE(payload->find("\"exp\":" + std::to_string((kT0 + kHourMs) / 1000)), std::string::npos)
        << *payload;
    EXPECT_NE(payload->find("\"https://api.openai.com/auth\":{\"chatgpt_account_id\":"),
              std::string::npos);
    EXPECT_NE(payload->find("\"chatgpt_plan_type\":\"plus\""), std::string::npos);
    // The same user id under both names, neither empty (Codex's 401 recovery reads them).
    const size_t chatgpt_user = payload->find("\"chatgpt_user_id\":\"user-");
    const size_t user = payload->find(",\"user_id\":\"user-");
    ASSERT_NE(chatgpt_user, std::string::npos) << *payload;
    ASSERT_NE(user, std::string::npos) << *payload;
    EXPECT_EQ(payload->substr(chatgpt_user + 19, 41), payload->substr(user + 12, 41));
  }
  EXPECT_EQ(auth.Label(r.tokens.id_token), "fam1/id1");
  EXPECT_EQ(auth.ValidateAccessToken(r.tokens.access_token, kT0 + 1).state, AccessState::kLive);
}

TEST(Authority, SameSeedSameTokensDifferentSeedDifferentTokens) {
  const auto run = [](uint64_t seed) {
    TokenAuthority auth(Config(), seed);
    TokenReply a = auth.Login({.client_id = "c"}, kT0);
    TokenReply b = auth.Handle(Refresh(a.tokens.refresh_token), kT0 + 1000);
    return a.tokens.access_token + a.tokens.refresh_token + b.tokens.access_token +
           b.tokens.refresh_token;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

TEST(Authority, UnknownAndForgedTokens) {
  TokenAuthority auth(Config(), 5);
  TokenAuthority other(Config(), 6);
  TokenReply mine = auth.Login({}, kT0);
  TokenReply theirs = other.Login({}, kT0);
  EXPECT_EQ(auth.Handle(Refresh("sk-ant-ort01-garbage"), kT0).outcome, Outcome::kUnknown);
  EXPECT_EQ(auth.Handle(Refresh(theirs.tokens.refresh_token), kT0).outcome, Outcome::kUnknown);
  // An access token presented as a refresh token.
  EXPECT_EQ(auth.Handle(Refresh(mine.tokens.access_token), kT0).outcome, Outcome::kUnknown);
  std::string flipped = mine.tokens.refresh_token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(auth.Handle(Refresh(flipped), kT0).outcome, Outcome::kUnknown);
  EXPECT_EQ(auth.Label(flipped), "unknown");
  EXPECT_EQ(auth.ValidateAccessToken("nope", kT0).state, AccessState::kUnknown);
  TokenReply missing = auth.Handle(Refresh(""), kT0);
  EXPECT_EQ(missing.error.error, "invalid_request");
}

// A server restarted with the same --seed derives the same key, so an older instance's tokens
// pass the MAC but name this instance's families. They are unknown here: never a crash (a Debug
// assert fired on a generation above the current one), never reuse that revokes the new family
// (Release did), never a rotation of somebody else's family.
TEST(Authority, AnOlderInstancesTokensAreUnknownAndLeaveTheFamilyAlone) {
  const AuthorityConfig cfg = Config(ReuseKind::kRevokeFamily);
  TokenAuthority before(cfg, 42);
  const TokenReply old1 = before.Login({.client_id = "c"}, kT0);
  const TokenReply old2 = before.Handle(Refresh(old1.tokens.refresh_token), kT0 + 1);
  const TokenReply old3 = before.Handle(Refresh(old2.tokens.refresh_token), kT0 + 2);
  ASSERT_EQ(old3.generation, 3u);

  TokenAuthority after(cfg, 42);  // the restart, an hour later
  const TokenReply fresh = after.Login({.client_id = "c"}, kT0 + kHourMs);
  ASSERT_EQ(fresh.family_id, old3.family_id);
  const TokenReply now2 = after.Handle(Refresh(fresh.tokens.refresh_token), kT0 + kHourMs + 1);
  ASSERT_EQ(now2.generation, 2u);

  // Above the current generation (3 > 2); equal to it (2, the old instance's expiry); below it.
  for (const TokenReply* old : {&old3, &old2, &old1}) {
    const TokenReply r = after.Handle(Refresh(old->tokens.refresh_token), kT0 + kHourMs + 2);
    EXPECT_EQ(r.status, 400) << old->generation;
    EXPECT_EQ(r.error.error, "invalid_grant");
    EXPECT_EQ(r.outcome, Outcome::kUnknown) << old->generation;
    EXPECT_EQ(r.presented_label, "unknown");
    EXPECT_FALSE(r.counted_as_reuse);
    EXPECT_FALSE(r.family_revoked);
    EXPECT_EQ(after.ValidateAccessToken(old->tokens.access_token, kT0 + kHourMs + 2).state,
              AccessState::kUnknown)
        << old->generation;
  }
  EXPECT_EQ(after.Family(1).fate, FamilyFate::kLive);
  EXPECT_EQ(after.CurrentGeneration(1), 2u);
  EXPECT_TRUE(after.Handle(Refresh(now2.tokens.refresh_token), kT0 + kHourMs + 3).ok());
}

TEST(Authority, AccessTokenExpiresAfterTtl) {
  AuthorityConfig c = Config();
  c.access_ttl_ms = kHourMs;
  TokenAuthority auth(c, 3);
  TokenReply r = auth.Login({}, kT0);
  EXPECT_EQ(auth.ValidateAccessToken(r.tokens.access_token, kT0 + kHourMs - 1).state,
            AccessState::kLive);
  EXPECT_EQ(auth.ValidateAccessToken(r.tokens.access_token, kT0 + kHourMs).state,
            AccessState::kExpired);
}

TEST(Authority, RefreshTokenLifetimeIsAbsoluteFromLogin) {
  AuthorityConfig c = Config();
  c.refresh_ttl_ms = 10 * kHourMs;
  TokenAuthority auth(c, 3);
  TokenReply r = auth.Login({}, kT0);
  // Rotating does not extend the family's lifetime.
  r = auth.Handle(Refresh(r.tokens.refresh_token), kT0 + 9 * kHourMs);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.tokens.refresh_expires_ms, kT0 + 10 * kHourMs);
  EXPECT_EQ(r.tokens.expires_in_s, 3600);  // capped at the family's end
  TokenReply late = auth.Handle(Refresh(r.tokens.refresh_token), kT0 + 10 * kHourMs);
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(late.outcome, Outcome::kExpired);
  EXPECT_EQ(late.error.error, "invalid_grant");
}

TEST(Authority, ExpiredFamiliesAreReclaimedButStillToldApart) {
  AuthorityConfig c = Config();
  c.refresh_ttl_ms = kHourMs;
  TokenAuthority auth(c, 3);
  std::vector<std::string> refresh, access;
  for (int i = 0; i < 100; ++i) {
    TokenReply r = auth.Login({}, kT0 + i);
    refresh.push_back(r.tokens.refresh_token);
    access.push_back(r.tokens.access_token);
  }
  EXPECT_EQ(auth.State(0).live_families, 100u);
  auth.Reclaim(kT0 + 2 * kHourMs);
  const AuthorityState s = auth.State(10);
  EXPECT_EQ(s.live_families, 0u);
  EXPECT_EQ(s.families_expired, 100u);
  EXPECT_EQ(auth.Family(1).fate, FamilyFate::kExpired);
  EXPECT_EQ(auth.Handle(Refresh(refresh[0]), kT0 + 2 * kHourMs).outcome, Outcome::kExpired);
  EXPECT_EQ(auth.ValidateAccessToken(access[99], kT0 + 2 * kHourMs).state, AccessState::kExpired);
}

TEST(Authority, MemoryStaysFlatOverManyRotationsAndReuseIsStillDetected) {
  TokenAuthority auth(Config(), 9);
  TokenReply first = auth.Login({}, kT0);
  std::string rt = first.tokens.refresh_token;
  for (int i = 0; i < 20000; ++i) {
    TokenReply r = auth.Handle(Refresh(rt), kT0 + i);
    ASSERT_TRUE(r.ok());
    rt = r.tokens.refresh_token;
  }
  EXPECT_EQ(auth.State(0).live_families, 1u);
  EXPECT_LE(auth.events().size(), auth.config().event_log_capacity);
  EXPECT_EQ(auth.Handle(Refresh(first.tokens.refresh_token), kT0 + 30000).outcome,
            Outcome::kReusedRetired);
}

TEST(Authority, FamilyLimitAnswersCapacity) {
  AuthorityConfig c = Config();
  c.max_live_families = 2;
  TokenAuthority auth(c, 1);
  EXPECT_TRUE(auth.Login({}, kT0).ok());
  EXPECT_TRUE(auth.Login({}, kT0).ok());
  TokenReply third = auth.Login({}, kT0);
  EXPECT_EQ(third.status, 503);
  EXPECT_EQ(third.outcome, Outcome::kCapacity);
}

TEST(Authority, EventLogHoldsLabelsNeverTokenText) {
  AuthorityConfig c = Config();
  c.event_log_capacity = 8;
  TokenAuthority auth(c, 1);
  TokenReply r = auth.Login({}, kT0);
  for (int i = 0; i < 20; ++i) {
    r = auth.Handle(Refresh(r.tokens.refresh_token), kT0 + i);
  }
  const std::vector<AuthorityEvent> events = auth.events().Since(0, 100);
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events.back().label, "fam1/rt20");
  EXPECT_EQ(events.back().outcome, Outcome::kIssued);
  EXPECT_EQ(events.back().generation, 21u);
  EXPECT_EQ(events.back().seq, 21u);  // 1 login + 20 refreshes
  for (const AuthorityEvent& e : events) EXPECT_LT(e.label.size(), 20u);
}

TEST(Authority, ClockNeverGoesBackwards) {
  TokenAuthority auth(Config(), 1);
  TokenReply r = auth.Login({}, kT0 + 1000);
  // An earlier now_ms is treated as the latest time seen.
  TokenReply again = auth.Handle(Refresh(r.tokens.refresh_token), kT0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(auth.Family(1).rotated_ms, kT0 + 1000);
}

TEST(Authority, UnsupportedAndMissingGrantType) {
  TokenAuthority auth(Config(), 1);
  TokenRequest q;
  EXPECT_EQ(auth.Handle(q, kT0).error.error, "invalid_request");
  q.grant_type = GrantType::kOther;
  TokenReply r = auth.Handle(q, kT0);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error.error, "unsupported_grant_type");
}

}  // namespace
}  // namespace credsim::oauth
