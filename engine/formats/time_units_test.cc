// RFC 3339, epoch unit guessing, base64url and JWT claims.
#include "engine/formats/time_units.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "engine/formats/base64url.h"
#include "engine/formats/test_support.h"

namespace credsim::formats {
namespace {

TEST(Rfc3339, ParsesTheFormsRealFilesHold) {
  // 2026-11-20T08:15:02Z = 20777 days after 1970-01-01 (per `date -u`), plus 8:15:02.
  const int64_t base_ms = (int64_t{20777} * 86400 + 8 * 3600 + 15 * 60 + 2) * 1000;
  EXPECT_EQ(ParseRfc3339Ms("2026-11-20T08:15:02Z").value(), base_ms);
  EXPECT_EQ(ParseRfc3339Ms("2026-11-20T08:15:02.123Z").value(), base_ms + 123);
  EXPECT_EQ(ParseRfc3339Ms("2026-11-20T08:15:02.123456789Z").value(), base_ms + 123);
  EXPECT_EQ(ParseRfc3339Ms("2026-11-20T08:15:02.1Z").value(), base_ms + 100);
  EXPECT_EQ(ParseRfc3339Ms("2026-11-20T10:15:02+02:00").value(), base_ms);
  EXPECT_EQ(ParseRfc3339Ms("2026-11-20T03:00:02-05:15").value(), base_ms);
  EXPECT_EQ(ParseRfc3339Ms("2026-11-20t08:15:02z").value(), base_ms);
  EXPECT_EQ(ParseRfc3339Ms("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(ParseRfc3339Ms("1969-12-31T23:59:59.999Z").value(), -1);
  EXPECT_EQ(ParseRfc3339Ms("2024-02-29T00:00:00Z").value(), int64_t{19782} * 86400 * 1000);
}

TEST(Rfc3339, RejectsWhatIsNotATimestampWithoutQuotingIt) {
  for (const char* bad :
       {"", "2026", "2026-11-20", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-11-31T00:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T08:15:02",
        "2026-11-20T08:15:02.Z", "2026-11-20T08:15:02Zjunk", "2026-11-20T08:15:02+2:00",
        "2026-11-20T08:15:02+24:00", "secret-token-text"}) {
    const Result<int64_t> r = ParseRfc3339Ms(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message.find("secret"), std::string::npos);
  }
}

TEST(Rfc3339, FormatsMillisecondsInUtc) {
  EXPECT_EQ(FormatRfc3339Ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339Ms(1795000000123), "2026-11-18T11:06:40.123Z");  // per `date -u`
  EXPECT_EQ(FormatRfc3339Ms(std::numeric_limits<int64_t>::max()), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339Ms(std::numeric_limits<int64_t>::min()), "0000-01-01T00:00:00.000Z");
}

RC_GTEST_PROP(Rfc3339Property, FormatThenParseIsIdentityInRange, ()) {
  // Years 0000..9999.
  const int64_t ms = *rc::gen::inRange<int64_t>(-62167219200000, 253402300800000);
  const Result<int64_t> parsed = ParseRfc3339Ms(FormatRfc3339Ms(ms));
  RC_ASSERT(parsed.ok());
  RC_ASSERT(parsed.value() == ms);
}

TEST(EpochUnits, GuessesSecondsBelowTenToTheEleven) {
  EXPECT_EQ(ReadEpochGuessingUnit(1795000000).epoch_ms, 1795000000000);
  EXPECT_TRUE(ReadEpochGuessingUnit(1795000000).assumed_seconds);
  EXPECT_EQ(ReadEpochGuessingUnit(1795000000000).epoch_ms, 1795000000000);
  EXPECT_FALSE(ReadEpochGuessingUnit(1795000000000).assumed_seconds);
  EXPECT_FALSE(ReadEpochGuessingUnit(100'000'000'000).assumed_seconds);
  EXPECT_TRUE(ReadEpochGuessingUnit(99'999'999'999).assumed_seconds);
  EXPECT_EQ(ReadEpochGuessingUnit(std::numeric_limits<int64_t>::min()).epoch_ms,
            std::numeric_limits<int64_t>::min());  // saturates, no overflow
}

TEST(Base64Url, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(internal::DecodeBase64Url("aGk"), "hi");
  EXPECT_EQ(internal::DecodeBase64Url("aGk="), "hi");
  EXPECT_EQ(internal::DecodeBase64Url(""), "");
  EXPECT_EQ(internal::DecodeBase64Url("-_8"), std::string("\xfb\xff"));
  EXPECT_EQ(internal::DecodeBase64Url("+/8"), std::nullopt);   // standard alphabet
  EXPECT_EQ(internal::DecodeBase64Url("a"), std::nullopt);     // impossible length
  EXPECT_EQ(internal::DecodeBase64Url("aGl="), std::nullopt);  // non-zero leftover bits
  EXPECT_EQ(internal::DecodeBase64Url("aG=k"), std::nullopt);
}

RC_GTEST_PROP(Base64UrlProperty, EncodeThenDecodeIsIdentity, (const std::string& bytes)) {
  RC_ASSERT(internal::DecodeBase64Url(internal::EncodeBase64Url(bytes)) == bytes);
}

std::string Jwt(std::string_view payload) {
  return internal::EncodeBase64Url(R"({"alg":"none","typ":"JWT"})") + "." +
         internal::EncodeBase64Url(payload) + ".sig";
}

TEST(Jwt, ReadsExpAndStringClaimsOfTheSampleTokens) {
  // The Codex sample's id token: {"email":"user@example.invalid","exp":1795000000,...}.
  const std::string id_token =
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJlbWFpbCI6InVzZXJAZXhhbXBsZS5pbnZhbGlkIiwiZXhwIjoxNzk1"
      "MDAwMDAwLCJodHRwczovL2FwaS5vcGVuYWkuY29tL2F1dGgiOnsiY2hhdGdwdF9wbGFuX3R5cGUiOiJwbHVzIiwiY2hh"
      "dGdwdF9hY2NvdW50X2lkIjoiYWNjLUVYQU1QTEUifX0.sig";
  EXPECT_EQ(JwtExpirySeconds(id_token), 1795000000);
  EXPECT_EQ(JwtStringClaim(id_token, "email"), "user@example.invalid");
  EXPECT_EQ(JwtStringClaim(id_token, "https://api.openai.com/auth"), std::nullopt);
  EXPECT_EQ(JwtStringClaim(id_token, "missing"), std::nullopt);
}

TEST(Jwt, RejectsWhatIsNotAJwt) {
  EXPECT_EQ(JwtExpirySeconds(Jwt(R"({"exp":12.75})")), 12);
  EXPECT_EQ(JwtExpirySeconds(Jwt(R"({"exp":"12"})")), std::nullopt);
  EXPECT_EQ(JwtExpirySeconds(Jwt(R"([1])")), std::nullopt);
  EXPECT_EQ(JwtExpirySeconds(Jwt(R"({"exp":1)")), std::nullopt);
  EXPECT_EQ(JwtExpirySeconds("rt_EXAMPLE"), std::nullopt);
  EXPECT_EQ(JwtExpirySeconds("a.b"), std::nullopt);
  EXPECT_EQ(JwtExpirySeconds(Jwt(R"({"exp":1})") + ".extra"), std::nullopt);
  EXPECT_EQ(JwtExpirySeconds("..."), std::nullopt);
  EXPECT_EQ(JwtExpirySeconds(""), std::nullopt);
}

RC_GTEST_PROP(JwtProperty, ExpRoundTrips, (int64_t exp)) {
  RC_ASSERT(JwtExpirySeconds(Jwt("{\"exp\":" + std::to_string(exp) + "}")) == exp);
}

}  // namespace
}  // namespace credsim::formats
