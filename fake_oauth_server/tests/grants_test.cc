// Authorization code + PKCE (RFC 7636) and the device authorization grant (RFC 8628).
#include <gtest/gtest.h>

#include "fake_oauth_server/authority.h"
#include "fake_oauth_server/tests/test_helpers.h"

namespace credsim::oauth {
namespace {

using testing::Config;
using testing::kT0;

constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

AuthorizeRequest Authz() {
  return AuthorizeRequest{.response_type = "code",
                          .client_id = "cli",
                          .redirect_uri = "http://localhost:5555/callback",
                          .code_challenge = kChallenge,
                          .code_challenge_method = "S256",
                          .scope = "user:inference user:profile"};
}

TokenRequest Exchange(const std::string& code, const std::string& verifier = kVerifier) {
  TokenRequest q;
  q.grant_type = GrantType::kAuthorizationCode;
  q.code = code;
  q.code_verifier = verifier;
  q.redirect_uri = "http://localhost:5555/callback";
  q.client_id = "cli";
  return q;
}

TEST(AuthorizationCode, PkceS256ExchangeStartsAFamily) {
  TokenAuthority auth(Config(), 1);
  AuthorizeReply a = auth.Authorize(Authz(), kT0);
  ASSERT_TRUE(a.ok()) << a.error;
  TokenReply r = auth.Handle(Exchange(a.code), kT0 + 10);
  ASSERT_TRUE(r.ok()) << r.error.description;
  EXPECT_EQ(r.family_id, 1u);
  EXPECT_EQ(r.tokens.scope, "user:inference user:profile");
}

TEST(AuthorizationCode, WrongVerifierIsInvalidGrantAndBurnsTheCode) {
  TokenAuthority auth(Config(), 1);
  AuthorizeReply a = auth.Authorize(Authz(), kT0);
  TokenReply r = auth.Handle(Exchange(a.code, std::string(43, 'x')), kT0 + 10);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error.error, "invalid_grant");
  EXPECT_EQ(r.outcome, Outcome::kCodeInvalid);
  // RFC 6749 §4.1.2: a code is single-use; a failed attempt spent it (RFC 6819 §5.2.1.1), so
  // even the right verifier gets nothing now and no family is created.
  TokenReply later = auth.Handle(Exchange(a.code), kT0 + 20);
  EXPECT_EQ(later.status, 400);
  EXPECT_EQ(later.error.error, "invalid_grant");
  EXPECT_EQ(later.outcome, Outcome::kCodeInvalid);
  EXPECT_EQ(auth.State(0).families_created, 0u);
  EXPECT_EQ(auth.State(0).pending_codes, 0u);
}

TEST(AuthorizationCode, ReusedCodeIsInvalidGrantAndRevokesWhatItIssued) {
  TokenAuthority auth(Config(), 1);
  AuthorizeReply a = auth.Authorize(Authz(), kT0);
  TokenReply first = auth.Handle(Exchange(a.code), kT0 + 10);
  ASSERT_TRUE(first.ok());
  TokenReply second = auth.Handle(Exchange(a.code), kT0 + 20);
  EXPECT_EQ(second.status, 400);
  EXPECT_EQ(second.error.error, "invalid_grant");
  EXPECT_EQ(second.outcome, Outcome::kCodeReused);
  EXPECT_TRUE(second.family_revoked);
  EXPECT_EQ(auth.ValidateAccessToken(first.tokens.access_token, kT0 + 30).state,
            AccessState::kRevoked);
}

TEST(AuthorizationCode, BoundToClientAndRedirectUriAndAMismatchBurnsIt) {
  TokenAuthority auth(Config(), 1);
  for (const bool wrong_redirect : {true, false}) {
    AuthorizeReply a = auth.Authorize(Authz(), kT0);
    TokenRequest q = Exchange(a.code);
    if (wrong_redirect) {
      q.redirect_uri = "http://localhost:5555/other";
    } else {
      q.client_id = "other";
    }
    TokenReply r = auth.Handle(q, kT0 + 1);
    EXPECT_EQ(r.error.error, "invalid_grant");
    EXPECT_EQ(r.outcome, Outcome::kCodeInvalid);
    // Single-use (RFC 6749 §4.1.2): the correct client and redirect_uri come too late.
    TokenReply later = auth.Handle(Exchange(a.code), kT0 + 2);
    EXPECT_EQ(later.error.error, "invalid_grant") << wrong_redirect;
    EXPECT_FALSE(later.ok());
  }
  EXPECT_EQ(auth.State(0).families_created, 0u);
}

TEST(AuthorizationCode, ExpiresAfterCodeTtl) {
  TokenAuthority auth(Config(), 1);
  AuthorizeReply a = auth.Authorize(Authz(), kT0);
  TokenReply r = auth.Handle(Exchange(a.code), kT0 + auth.config().code_ttl_ms);
  EXPECT_EQ(r.error.error, "invalid_grant");
}

TEST(AuthorizationCode, AuthorizeValidation) {
  TokenAuthority auth(Config(), 1);
  AuthorizeRequest q = Authz();
  q.code_challenge_method = "plain";
  EXPECT_EQ(auth.Authorize(q, kT0).error, "invalid_request");
  q = Authz();
  q.response_type = "token";
  EXPECT_EQ(auth.Authorize(q, kT0).error, "unsupported_response_type");
  q = Authz();
  q.redirect_uri.clear();
  AuthorizeReply r = auth.Authorize(q, kT0);
  EXPECT_FALSE(r.may_redirect);
  EXPECT_EQ(r.error, "invalid_request");
  q = Authz();
  q.code_challenge = "short";
  EXPECT_EQ(auth.Authorize(q, kT0).error, "invalid_request");
  TokenRequest missing = Exchange("x");
  missing.code_verifier.clear();
  EXPECT_EQ(auth.Handle(missing, kT0).error.error, "invalid_request");
}

TokenRequest Poll(const std::string& device_code) {
  TokenRequest q;
  q.grant_type = GrantType::kDeviceCode;
  q.device_code = device_code;
  q.client_id = "tv";
  return q;
}

TEST(DeviceFlow, PendingSlowDownApproveIssue) {
  TokenAuthority auth(Config(), 1);
  DeviceStartReply d = auth.StartDeviceAuthorization("tv", "", kT0);
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(d.interval_s, 5);
  EXPECT_EQ(d.expires_in_s, 900);
  EXPECT_EQ(d.user_code.size(), 9u);
  EXPECT_EQ(d.user_code[4], '-');

  EXPECT_EQ(auth.Handle(Poll(d.device_code), kT0).error.error, "authorization_pending");
  // 1 s later: faster than the 5 s interval.
  TokenReply fast = auth.Handle(Poll(d.device_code), kT0 + 1000);
  EXPECT_EQ(fast.status, 400);
  EXPECT_EQ(fast.error.error, "slow_down");
  // The interval is now 10 s: a poll 6 s after the last is still too fast...
  EXPECT_EQ(auth.Handle(Poll(d.device_code), kT0 + 7000).error.error, "slow_down");
  // ...and now 15 s. Polling 15 s later is fine.
  EXPECT_EQ(auth.Handle(Poll(d.device_code), kT0 + 22000).error.error, "authorization_pending");

  EXPECT_TRUE(auth.ApproveDevice(d.user_code, kT0 + 23000));
  TokenReply ok = auth.Handle(Poll(d.device_code), kT0 + 40000);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.family_id, 1u);
  // The device code is single-use.
  EXPECT_EQ(auth.Handle(Poll(d.device_code), kT0 + 60000).error.error, "invalid_grant");
}

TEST(DeviceFlow, DeniedAndExpired) {
  TokenAuthority auth(Config(), 1);
  DeviceStartReply d = auth.StartDeviceAuthorization("tv", "", kT0);
  EXPECT_TRUE(auth.DenyDevice(d.user_code, kT0 + 1));
  EXPECT_EQ(auth.Handle(Poll(d.device_code), kT0 + 10000).error.error, "access_denied");

  DeviceStartReply e = auth.StartDeviceAuthorization("tv", "", kT0 + 20000);
  TokenReply late = auth.Handle(Poll(e.device_code), kT0 + 20000 + 900 * 1000);
  EXPECT_EQ(late.error.error, "expired_token");
  EXPECT_FALSE(auth.ApproveDevice(e.user_code, kT0 + 20000 + 900 * 1000));
  EXPECT_FALSE(auth.ApproveDevice("BBBB-BBBB", kT0));
}

TEST(DeviceFlow, RequiresClientId) {
  TokenAuthority auth(Config(), 1);
  EXPECT_EQ(auth.StartDeviceAuthorization("", "", kT0).error, "invalid_request");
}

}  // namespace
}  // namespace credsim::oauth
