#include "fake_oauth_server/pkce.h"

#include <gtest/gtest.h>

namespace credsim::oauth {
namespace {

// RFC 7636 Appendix B.
constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

TEST(Pkce, Rfc7636AppendixB) {
  EXPECT_EQ(S256Challenge(kVerifier), kChallenge);
  EXPECT_TRUE(VerifyS256(kVerifier, kChallenge));
}

TEST(Pkce, WrongVerifierFails) {
  std::string other = kVerifier;
  other[0] = 'e';
  EXPECT_FALSE(VerifyS256(other, kChallenge));
  // The plain method (challenge == verifier) is refused.
  EXPECT_FALSE(VerifyS256(kVerifier, kVerifier));
}

TEST(Pkce, VerifierSyntaxRfc7636Section4_1) {
  EXPECT_FALSE(IsWellFormedVerifier(std::string(42, 'a')));
  EXPECT_TRUE(IsWellFormedVerifier(std::string(43, 'a')));
  EXPECT_TRUE(IsWellFormedVerifier(std::string(128, '~')));
  EXPECT_FALSE(IsWellFormedVerifier(std::string(129, 'a')));
  EXPECT_FALSE(IsWellFormedVerifier(std::string(42, 'a') + "+"));
  EXPECT_FALSE(IsWellFormedS256Challenge(std::string(44, 'A')));
  EXPECT_FALSE(IsWellFormedS256Challenge(std::string(42, 'A') + "="));
}

}  // namespace
}  // namespace credsim::oauth
