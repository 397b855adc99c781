// One test group per server policy: reject, revoke-family, grace:MS, race strict/lenient,
// access revocation on refresh, and the provider error shapes.
#include <gtest/gtest.h>

#include "fake_oauth_server/authority.h"
#include "fake_oauth_server/tests/test_helpers.h"

namespace credsim::oauth {
namespace {

using testing::Config;
using testing::kT0;
using testing::Refresh;

struct Chain {
  TokenReply login;
  TokenReply second;  // after one rotation
};

Chain LoginAndRotate(TokenAuthority& auth) {
  Chain c;
  c.login = auth.Login({.client_id = "c"}, kT0);
  c.second = auth.Handle(Refresh(c.login.tokens.refresh_token), kT0 + 100);
  EXPECT_TRUE(c.second.ok());
  return c;
}

TEST(ReusePolicy, Parse) {
  EXPECT_EQ(ParseReusePolicy("reject")->kind, ReuseKind::kReject);
  EXPECT_EQ(ParseReusePolicy("revoke-family")->kind, ReuseKind::kRevokeFamily);
  EXPECT_EQ(ParseReusePolicy("grace:2000")->grace_ms, 2000);
  EXPECT_EQ(ParseReusePolicy("grace:2s")->grace_ms, 2000);
  EXPECT_TRUE(ParseReusePolicy("grace:2s+revoke-family")->revoke_after_grace);
  EXPECT_FALSE(ParseReusePolicy("grace:").has_value());
  EXPECT_FALSE(ParseReusePolicy("revoke").has_value());
  EXPECT_EQ(ToString(*ParseReusePolicy("grace:1500")), "grace:1500");
}

TEST(RejectPolicy, RetiredTokenIsInvalidGrantAndFamilyLives) {
  TokenAuthority auth(Config(ReuseKind::kReject), 1);
  Chain c = LoginAndRotate(auth);
  TokenReply reuse = auth.Handle(Refresh(c.login.tokens.refresh_token), kT0 + 200);
  EXPECT_EQ(reuse.status, 400);
  EXPECT_EQ(reuse.error.error, "invalid_grant");
  EXPECT_EQ(reuse.error.description, "Refresh token not found or invalid");
  EXPECT_EQ(reuse.outcome, Outcome::kReusedRetired);
  EXPECT_TRUE(reuse.counted_as_reuse);
  EXPECT_FALSE(reuse.family_revoked);
  EXPECT_TRUE(auth.Handle(Refresh(c.second.tokens.refresh_token), kT0 + 300).ok());
}

TEST(RevokeFamilyPolicy, ReuseKillsTheNewestTokensToo) {
  TokenAuthority auth(Config(ReuseKind::kRevokeFamily), 1);
  Chain c = LoginAndRotate(auth);
  TokenReply reuse = auth.Handle(Refresh(c.login.tokens.refresh_token), kT0 + 200);
  EXPECT_EQ(reuse.status, 400);
  EXPECT_EQ(reuse.outcome, Outcome::kReusedRetired);
  EXPECT_TRUE(reuse.family_revoked);
  EXPECT_EQ(auth.Family(1).fate, FamilyFate::kRevoked);
  EXPECT_FALSE(auth.IsLiveGeneration(1, 2));  // the newest generation dies with its family
  TokenReply newest = auth.Handle(Refresh(c.second.tokens.refresh_token), kT0 + 300);
  EXPECT_EQ(newest.status, 400);
  EXPECT_EQ(newest.outcome, Outcome::kRevokedFamily);
  EXPECT_EQ(auth.ValidateAccessToken(c.second.tokens.access_token, kT0 + 300).state,
            AccessState::kRevoked);
}

TEST(GracePolicy, WithinWindowSameSuccessorAfterWindowReuse) {
  TokenAuthority auth(Config(ReuseKind::kGrace, 2000), 1);
  Chain c = LoginAndRotate(auth);  // rotated at kT0 + 100
  TokenReply replay = auth.Handle(Refresh(c.login.tokens.refresh_token), kT0 + 100 + 2000);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay.outcome, Outcome::kGraceReplay);
  EXPECT_EQ(replay.tokens.refresh_token, c.second.tokens.refresh_token);
  EXPECT_EQ(replay.tokens.access_token, c.second.tokens.access_token);
  EXPECT_EQ(replay.generation, 2u);
  TokenReply late = auth.Handle(Refresh(c.login.tokens.refresh_token), kT0 + 100 + 2001);
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(late.outcome, Outcome::kReusedRetired);
  EXPECT_FALSE(late.family_revoked);  // plain grace: after the window it is rejected
  EXPECT_TRUE(auth.Handle(Refresh(c.second.tokens.refresh_token), kT0 + 3000).ok());
}

TEST(GracePolicy, OnlyTheJustRetiredGenerationIsReplayed) {
  TokenAuthority auth(Config(ReuseKind::kGrace, 60000), 1);
  Chain c = LoginAndRotate(auth);
  ASSERT_TRUE(auth.Handle(Refresh(c.second.tokens.refresh_token), kT0 + 200).ok());
  // rt1 is two generations behind now: reuse even though it is within 60 s.
  EXPECT_EQ(auth.Handle(Refresh(c.login.tokens.refresh_token), kT0 + 300).outcome,
            Outcome::kReusedRetired);
}

TEST(GracePolicy, GraceThenRevokeFamily) {
  AuthorityConfig cfg = Config(ReuseKind::kGrace, 1000);
  cfg.reuse.revoke_after_grace = true;
  TokenAuthority auth(cfg, 1);
  Chain c = LoginAndRotate(auth);
  TokenReply late = auth.Handle(Refresh(c.login.tokens.refresh_token), kT0 + 5000);
  EXPECT_TRUE(late.family_revoked);
}

TEST(RacePolicy, LenientLoserGetsInvalidGrantFamilySurvives) {
  AuthorityConfig cfg = Config(ReuseKind::kRevokeFamily);
  cfg.race = RacePolicy::kLenient;
  TokenAuthority auth(cfg, 1);
  TokenReply login = auth.Login({}, kT0);
  const uint64_t sent_at = auth.commit_seq();  // both requests sent before either is handled
  TokenReply winner = auth.Handle(Refresh(login.tokens.refresh_token, sent_at), kT0 + 10);
  TokenReply loser = auth.Handle(Refresh(login.tokens.refresh_token, sent_at), kT0 + 11);
  ASSERT_TRUE(winner.ok());
  EXPECT_EQ(loser.status, 400);
  EXPECT_EQ(loser.outcome, Outcome::kRaceLoser);
  EXPECT_FALSE(loser.counted_as_reuse);
  EXPECT_FALSE(loser.family_revoked);
  EXPECT_TRUE(auth.Handle(Refresh(winner.tokens.refresh_token), kT0 + 20).ok());
}

TEST(RacePolicy, StrictLoserCountsAsReuseAndRevokesUnderRevokeFamily) {
  AuthorityConfig cfg = Config(ReuseKind::kRevokeFamily);
  cfg.race = RacePolicy::kStrict;
  TokenAuthority auth(cfg, 1);
  TokenReply login = auth.Login({}, kT0);
  const uint64_t sent_at = auth.commit_seq();
  TokenReply winner = auth.Handle(Refresh(login.tokens.refresh_token, sent_at), kT0 + 10);
  TokenReply loser = auth.Handle(Refresh(login.tokens.refresh_token, sent_at), kT0 + 11);
  ASSERT_TRUE(winner.ok());
  EXPECT_EQ(loser.outcome, Outcome::kRaceLoser);
  EXPECT_TRUE(loser.counted_as_reuse);
  EXPECT_TRUE(loser.family_revoked);
  EXPECT_EQ(auth.Handle(Refresh(winner.tokens.refresh_token), kT0 + 20).outcome,
            Outcome::kRevokedFamily);
}

TEST(RacePolicy, ARequestSentAfterTheRotationIsReuseNotARace) {
  AuthorityConfig cfg = Config(ReuseKind::kReject);
  cfg.race = RacePolicy::kLenient;
  TokenAuthority auth(cfg, 1);
  TokenReply login = auth.Login({}, kT0);
  ASSERT_TRUE(auth.Handle(Refresh(login.tokens.refresh_token), kT0 + 10).ok());
  TokenReply late = auth.Handle(Refresh(login.tokens.refresh_token, auth.commit_seq()), kT0 + 20);
  EXPECT_EQ(late.outcome, Outcome::kReusedRetired);
}

TEST(AccessRevocationOnRefresh, EarlierAccessTokensGet401BeforeTheirExpiry) {
  AuthorityConfig cfg = Config();
  cfg.revoke_access_on_refresh = true;
  TokenAuthority auth(cfg, 1);
  Chain c = LoginAndRotate(auth);
  EXPECT_EQ(auth.ValidateAccessToken(c.login.tokens.access_token, kT0 + 200).state,
            AccessState::kRevoked);
  EXPECT_EQ(auth.ValidateAccessToken(c.second.tokens.access_token, kT0 + 200).state,
            AccessState::kLive);
}

TEST(AccessRevocationOnRefresh, OffByDefault) {
  TokenAuthority auth(Config(), 1);
  Chain c = LoginAndRotate(auth);
  EXPECT_EQ(auth.ValidateAccessToken(c.login.tokens.access_token, kT0 + 200).state,
            AccessState::kLive);
}

TEST(OpenAiShape, ReuseIs401RefreshTokenReused) {
  AuthorityConfig cfg = Config(ReuseKind::kReject);
  cfg.provider = Provider::kOpenAi;
  TokenAuthority auth(cfg, 1);
  Chain c = LoginAndRotate(auth);
  TokenReply reuse = auth.Handle(Refresh(c.login.tokens.refresh_token), kT0 + 200);
  EXPECT_EQ(reuse.status, 401);
  EXPECT_EQ(reuse.error.shape, ErrorShape::kOpenAiNested);
  EXPECT_EQ(reuse.error.nested_code, "refresh_token_reused");
  // A token that was never issued is a plain RFC 6749 invalid_grant.
  TokenReply unknown = auth.Handle(Refresh("rt_nothing"), kT0 + 200);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.error.shape, ErrorShape::kOAuthFlat);
  EXPECT_EQ(unknown.error.error, "invalid_grant");
}

TEST(ClientBinding, RefreshByAnotherClientIsInvalidGrant) {
  TokenAuthority auth(Config(), 1);
  TokenReply login = auth.Login({.client_id = "a"}, kT0);
  TokenRequest q = Refresh(login.tokens.refresh_token);
  q.client_id = "b";
  TokenReply r = auth.Handle(q, kT0 + 1);
  EXPECT_EQ(r.outcome, Outcome::kClientMismatch);
  EXPECT_EQ(r.error.error, "invalid_grant");
  q.client_id = "a";
  EXPECT_TRUE(auth.Handle(q, kT0 + 2).ok());
}

// RFC 6749 §6: "The requested scope MUST NOT include any scope not originally granted by the
// resource owner, and if omitted is treated as equal to the scope originally granted".
TEST(Scope, RefreshMayNarrowAndEchoesTheRequestedScope) {
  TokenAuthority auth(Config(), 1);
  TokenReply login =
      auth.Login({.scope = "user:inference user:profile user:sessions:claude_code"}, kT0);
  TokenRequest q = Refresh(login.tokens.refresh_token);
  q.scope = "user:profile user:inference";  // a subset, in another order
  TokenReply r = auth.Handle(q, kT0 + 1);
  ASSERT_TRUE(r.ok()) << r.error.description;
  EXPECT_EQ(r.tokens.scope, "user:profile user:inference");
  // Omitted: the scope originally granted, not the narrowed one.
  TokenReply next = auth.Handle(Refresh(r.tokens.refresh_token), kT0 + 2);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next.tokens.scope, "user:inference user:profile user:sessions:claude_code");
  TokenRequest same = Refresh(next.tokens.refresh_token);
  same.scope = "user:sessions:claude_code user:profile user:inference user:profile";
  EXPECT_TRUE(auth.Handle(same, kT0 + 3).ok());
}

TEST(Scope, RefreshCannotEscalateAndTheTokenIsNotSpent) {
  TokenAuthority auth(Config(ReuseKind::kRevokeFamily), 1);
  TokenReply login = auth.Login({}, kT0);
  EXPECT_EQ(login.tokens.scope, "user:inference user:profile");
  TokenRequest q = Refresh(login.tokens.refresh_token);
  q.scope = "user:profile user:inference org:create_api_key";
  TokenReply r = auth.Handle(q, kT0 + 1);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error.error, "invalid_scope");
  EXPECT_EQ(r.outcome, Outcome::kInvalidScope);
  EXPECT_FALSE(r.counted_as_reuse);
  EXPECT_EQ(auth.CurrentGeneration(1), 1u);
  // An error rotates nothing: the same token still refreshes, with the granted scope.
  TokenReply ok = auth.Handle(Refresh(login.tokens.refresh_token), kT0 + 2);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.tokens.scope, "user:inference user:profile");
  TokenRequest bad = Refresh(ok.tokens.refresh_token);
  bad.scope = "a  b";
  EXPECT_EQ(auth.Handle(bad, kT0 + 3).error.error, "invalid_scope");
}

TEST(Scope, AnExplicitlyScopedLoginGrantsExactlyThatScope) {
  TokenAuthority auth(Config(), 1);
  TokenReply login = auth.Login({.scope = "user:inference"}, kT0);
  TokenRequest q = Refresh(login.tokens.refresh_token);
  q.scope = "user:inference user:profile";
  EXPECT_EQ(auth.Handle(q, kT0 + 1).error.error, "invalid_scope");
  q.scope = "user:inference";
  EXPECT_TRUE(auth.Handle(q, kT0 + 2).ok());
}

// A default anthropic login is also granted what Claude Code asks for on every refresh
// (docs/REAL_CLIENTS.md#claude-code-refresh-request), as the real server grants it; its tokens
// still say the default scope.
TEST(Scope, ClaudeCodesRefreshScopeIsWithinADefaultLogin) {
  TokenAuthority auth(Config(), 1);
  TokenReply login = auth.Login({.client_id = "c"}, kT0);
  TokenRequest q = Refresh(login.tokens.refresh_token);
  q.scope =
      "user:profile user:inference user:sessions:claude_code user:mcp_servers "
      "user:file_upload";
  TokenReply r = auth.Handle(q, kT0 + 1);
  ASSERT_TRUE(r.ok()) << r.error.description;
  EXPECT_EQ(r.tokens.scope, q.scope);
}

TEST(Scope, IsScopeWithin) {
  EXPECT_TRUE(IsScopeWithin("b a", "a b"));
  EXPECT_TRUE(IsScopeWithin("a a", "a"));
  EXPECT_FALSE(IsScopeWithin("a c", "a b"));
  EXPECT_FALSE(IsScopeWithin("a", "ab"));  // whole tokens, not prefixes
  EXPECT_FALSE(IsScopeWithin("ab", "a b"));
}

// Anthropic's clients always send client_id with a refresh
// (docs/REAL_CLIENTS.md#claude-code-refresh-request); the anthropic personality refuses one
// without it. The openai personality does not require it.
TEST(ClientBinding, AnthropicRefreshWithoutClientIdIsInvalidRequest) {
  TokenAuthority auth(Config(), 1);
  TokenReply login = auth.Login({}, kT0);
  TokenReply r =
      auth.Handle(Refresh(login.tokens.refresh_token, TokenRequest::kSequential, ""), kT0 + 1);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error.error, "invalid_request");
  EXPECT_EQ(auth.CurrentGeneration(1), 1u);
  EXPECT_TRUE(auth.Handle(Refresh(login.tokens.refresh_token), kT0 + 2).ok());

  AuthorityConfig cfg = Config();
  cfg.provider = Provider::kOpenAi;
  TokenAuthority openai(cfg, 1);
  TokenReply o = openai.Login({}, kT0);
  EXPECT_TRUE(
      openai.Handle(Refresh(o.tokens.refresh_token, TokenRequest::kSequential, ""), kT0 + 1).ok());
}

}  // namespace
}  // namespace credsim::oauth
