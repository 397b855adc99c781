// Round-trip properties of Codex auth.json with random unknown members.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "engine/formats/codex_auth.h"
#include "engine/formats/json_tree.h"
#include "engine/formats/test_support.h"

namespace credsim::formats {
namespace {

using testing::GenOptional;
using testing::GenText;

CodexAuth GenAuth() {
  CodexAuth auth;
  auth.auth_mode = *GenOptional(GenText());
  auth.openai_api_key = *GenOptional(GenText());
  auth.tokens = *GenOptional(
      rc::gen::build<CodexTokens>(rc::gen::set(&CodexTokens::id_token, GenOptional(GenText())),
                                  rc::gen::set(&CodexTokens::access_token, GenOptional(GenText())),
                                  rc::gen::set(&CodexTokens::refresh_token, GenOptional(GenText())),
                                  rc::gen::set(&CodexTokens::account_id, GenOptional(GenText()))));
  auth.last_refresh = *GenOptional(GenText());
  return auth;
}

bool SameTyped(const CodexAuth& a, const CodexAuth& b) {
  return a.auth_mode == b.auth_mode && a.openai_api_key == b.openai_api_key &&
         a.tokens == b.tokens && a.last_refresh == b.last_refresh;
}

RC_GTEST_PROP(CodexAuthProperty, NewDocumentRoundTrips, ()) {
  const CodexAuth auth = GenAuth();
  const Result<CodexAuth> parsed = ParseCodexAuth(SerializeCodexAuth(auth));
  RC_ASSERT(parsed.ok());
  RC_ASSERT(SameTyped(parsed.value(), auth));
}

RC_GTEST_PROP(CodexAuthProperty, ModifyThenSerializeKeepsUnknownMembers, ()) {
  const auto top_unknown = *testing::GenUnknownMembers();
  const auto tokens_unknown = *testing::GenUnknownMembers();
  JsonValue doc = testing::ObjectOf(top_unknown);
  JsonValue tokens = testing::ObjectOf(tokens_unknown);
  tokens.members.push_back({"refresh_token", JsonValue::String(*GenText())});
  doc.members.push_back({"tokens", tokens});
  const std::string original = WriteJsonTree(doc);
  Result<CodexAuth> parsed = ParseCodexAuth(original);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(ParseJsonTree(SerializeCodexAuth(parsed.value())).value() == doc);

  CodexAuth modified = GenAuth();
  modified.original = original;
  if (!modified.tokens) modified.tokens = CodexTokens{};  // keep the object so its unknowns stay
  const std::string out = SerializeCodexAuth(modified);
  const Result<CodexAuth> reparsed = ParseCodexAuth(out);
  RC_ASSERT(reparsed.ok());
  RC_ASSERT(SameTyped(reparsed.value(), modified));
  const JsonValue tree = ParseJsonTree(out).value();
  const std::vector<std::string_view> top_keys = {"auth_mode", "OPENAI_API_KEY", "tokens",
                                                  "last_refresh"};
  RC_ASSERT(testing::UnknownMembers(tree, top_keys) == top_unknown);
  RC_ASSERT(testing::UnknownMembers(*tree.Find("tokens"),
                                    {"id_token", "access_token", "refresh_token", "account_id"}) ==
            tokens_unknown);
}

}  // namespace
}  // namespace credsim::formats
