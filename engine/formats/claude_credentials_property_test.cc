// Round-trip properties of Claude Code credentials: typed values (tokens with quotes, backslashes,
// control characters and any Unicode) plus random unknown members at both levels.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "engine/formats/claude_credentials.h"
#include "engine/formats/json_tree.h"
#include "engine/formats/test_support.h"

namespace credsim::formats {
namespace {

using testing::GenEpochMs;
using testing::GenOptional;
using testing::GenText;

const std::vector<std::string_view> kOauthKeys = {
    "accessToken",   "refreshToken",          "expiresAt", "scopes", "subscriptionType",
    "rateLimitTier", "refreshTokenExpiresAt", "clientId"};

rc::Gen<ClaudeOauth> GenOauth() {
  return rc::gen::build<ClaudeOauth>(
      rc::gen::set(&ClaudeOauth::access_token, GenText()),
      rc::gen::set(&ClaudeOauth::refresh_token, GenText()),
      rc::gen::set(&ClaudeOauth::expires_at_ms, GenEpochMs()),
      rc::gen::set(&ClaudeOauth::scopes,
                   GenOptional(rc::gen::container<std::vector<std::string>>(GenText()))),
      rc::gen::set(&ClaudeOauth::subscription_type, GenOptional(GenText())),
      rc::gen::set(&ClaudeOauth::rate_limit_tier, GenOptional(GenText())),
      rc::gen::set(&ClaudeOauth::refresh_token_expires_at_ms, GenOptional(GenEpochMs())),
      rc::gen::set(&ClaudeOauth::client_id, GenOptional(GenText())));
}

// The typed fields as JSON, written by the test itself (not by the code under test's patcher).
std::vector<JsonMember> TypedMembers(const ClaudeOauth& o) {
  std::vector<JsonMember> m = {{"accessToken", JsonValue::String(o.access_token)},
                               {"refreshToken", JsonValue::String(o.refresh_token)},
                               {"expiresAt", JsonValue::Int(o.expires_at_ms)}};
  if (o.scopes) {
    JsonValue scopes = JsonValue::Array();
    for (const std::string& s : *o.scopes) scopes.array.push_back(JsonValue::String(s));
    m.push_back({"scopes", scopes});
  }
  if (o.subscription_type)
    m.push_back({"subscriptionType", JsonValue::String(*o.subscription_type)});
  if (o.rate_limit_tier) m.push_back({"rateLimitTier", JsonValue::String(*o.rate_limit_tier)});
  if (o.refresh_token_expires_at_ms) {
    m.push_back({"refreshTokenExpiresAt", JsonValue::Int(*o.refresh_token_expires_at_ms)});
  }
  if (o.client_id) m.push_back({"clientId", JsonValue::String(*o.client_id)});
  return m;
}

RC_GTEST_PROP(ClaudeCredentialsProperty, NewDocumentRoundTrips, ()) {
  ClaudeCredentials creds;
  creds.oauth = *GenOauth();
  const Result<ClaudeCredentials> parsed =
      ParseClaudeCredentials(SerializeClaudeCredentials(creds));
  RC_ASSERT(parsed.ok());
  RC_ASSERT(parsed.value().oauth == creds.oauth);
  RC_ASSERT(parsed.value().notes.empty());
}

RC_GTEST_PROP(ClaudeCredentialsProperty, ModifyThenSerializeKeepsUnknownMembers, ()) {
  const ClaudeOauth before = *GenOauth();
  const ClaudeOauth after = *GenOauth();
  const auto top_unknown = *testing::GenUnknownMembers();
  const auto oauth_unknown = *testing::GenUnknownMembers();
  // Unknown members first, then typed, at both levels; the document is the test's own construction.
  std::vector<JsonMember> oauth_members = oauth_unknown;
  for (JsonMember& m : TypedMembers(before)) oauth_members.push_back(std::move(m));
  std::vector<JsonMember> top = top_unknown;
  top.push_back({"claudeAiOauth", testing::ObjectOf(oauth_members)});
  const std::string original = WriteJsonTree(testing::ObjectOf(top));

  Result<ClaudeCredentials> parsed = ParseClaudeCredentials(original);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(parsed.value().oauth == before);
  // Unchanged: the whole document survives.
  RC_ASSERT(ParseJsonTree(SerializeClaudeCredentials(parsed.value())).value() ==
            ParseJsonTree(original).value());

  ClaudeCredentials modified = parsed.value();
  modified.oauth = after;
  const std::string out = SerializeClaudeCredentials(modified);
  const Result<ClaudeCredentials> reparsed = ParseClaudeCredentials(out);
  RC_ASSERT(reparsed.ok());
  RC_ASSERT(reparsed.value().oauth == after);
  const JsonValue tree = ParseJsonTree(out).value();
  RC_ASSERT(testing::UnknownMembers(tree, {"claudeAiOauth"}) == top_unknown);
  RC_ASSERT(testing::UnknownMembers(*tree.Find("claudeAiOauth"), kOauthKeys) == oauth_unknown);
}

}  // namespace
}  // namespace credsim::formats
