// A catalogue of hostile inputs run through every parser: each must give a value or a ParseError at
// a precise path, never crash, and never quote token text.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "engine/formats/agent_auth.h"
#include "engine/formats/claude_credentials.h"
#include "engine/formats/codex_auth.h"
#include "engine/formats/json_tree.h"
#include "engine/formats/test_support.h"
#include "engine/formats/token_response.h"

namespace credsim::formats {
namespace {

struct Parser {
  const char* name;
  std::function<std::optional<ParseError>(std::string_view)> parse;  // nullopt: accepted
};

template <class T>
std::optional<ParseError> ErrorOf(const Result<T>& r) {
  return r.ok() ? std::nullopt : std::optional<ParseError>(r.error());
}

std::vector<Parser> AllParsers() {
  return {
      {"claude", [](std::string_view b) { return ErrorOf(ParseClaudeCredentials(b)); }},
      {"agent", [](std::string_view b) { return ErrorOf(ParseAgentAuth(b)); }},
      {"codex", [](std::string_view b) { return ErrorOf(ParseCodexAuth(b)); }},
      {"grant", [](std::string_view b) { return ErrorOf(ParseTokenResponse(200, b)); }},
      {"tree", [](std::string_view b) { return ErrorOf(ParseJsonTree(b)); }},
  };
}

struct Catalogued {
  const char* what;
  std::string bytes;
  std::string message_part;  // the error must say this (all at "$")
  // Parsers that must accept it, because the store's owner does: Claude Code (JSON.parse) and the
  // agent (Python's json) read numbers no double or 64-bit integer holds; Codex (serde_json) and
  // token responses refuse them.
  std::set<std::string> accepted_by = {};
};

std::vector<Catalogued> Catalogue() {
  const std::string secret = "SECRET-TOKEN-TEXT";
  std::string deep;
  for (int i = 0; i <= kMaxNestingDepth; ++i) deep += "{\"" + secret + "\":";
  deep += "1" + std::string(kMaxNestingDepth + 1, '}');
  return {
      {"empty", "", "empty input"},
      {"whitespace", " \n\t ", "empty input"},
      {"truncated", R"({"claudeAiOauth": {"accessToken": ")" + secret, "closing quote"},
      {"truncated object", R"({"a": 1, )", "well-formed"},
      {"trailing garbage", "{} " + secret, "after the value"},
      {"two documents", "{}{}", "after the value"},
      {"NUL in string", std::string("{\"a\": \"x\0y\"}", 11), "escaped"},
      {"NUL after value", std::string("{}\0", 3), "after the value"},
      {"NUL alone", std::string("\0", 1), "well-formed"},
      {"huge integer",
       R"({"a": 123456789012345678901234567890})",
       "number",
       {"claude", "agent", "tree"}},
      {"huge exponent", R"({"a": 1e400})", "number", {"claude", "agent", "tree"}},
      {"huge negative exponent", R"({"a": [-1e400]})", "number", {"claude", "agent", "tree"}},
      {"leading zero", R"({"a": 01})", "number"},
      {"invalid UTF-8", "{\"a\": \"\xff\xfe" + secret + "\"}", "UTF-8"},
      {"overlong UTF-8", "{\"a\": \"\xc0\xaf\"}", "UTF-8"},
      {"lone surrogate escape", R"({"a": "\ud800"})", "escape"},
      {"bad literal", R"({"a": tru})", "true, false or null"},
      {"deep nesting", deep, "nested"},
      {"too big", "[" + std::string(kMaxDocumentBytes, ' ') + "]", "bytes"},
      {"single quotes", "{'a': 1}", "well-formed"},
  };
}

TEST(BadInputs, EveryParserRejectsTheCatalogueAtTheRootWithAReason) {
  for (const Parser& parser : AllParsers()) {
    for (const Catalogued& c : Catalogue()) {
      const std::optional<ParseError> error = parser.parse(c.bytes);
      if (c.accepted_by.count(parser.name) != 0) {
        EXPECT_FALSE(error.has_value())
            << parser.name << ": " << c.what << ": " << error->ToString();
        continue;
      }
      ASSERT_TRUE(error.has_value()) << parser.name << ": " << c.what;
      EXPECT_EQ(error->path, "$") << parser.name << ": " << c.what;
      EXPECT_NE(error->message.find(c.message_part), std::string::npos)
          << parser.name << ": " << c.what << ": " << error->message;
      EXPECT_EQ(error->ToString().find("SECRET"), std::string::npos) << parser.name << c.what;
    }
  }
}

TEST(BadInputs, NonObjectDocumentsAreRejectedByStoreParsers) {
  for (const char* bytes : {"[]", "1", "\"x\"", "null", "true", "1.5"}) {
    for (const Parser& parser : AllParsers()) {
      if (std::string_view(parser.name) == "tree") continue;
      const std::optional<ParseError> error = parser.parse(bytes);
      ASSERT_TRUE(error.has_value()) << parser.name << " " << bytes;
      EXPECT_EQ(error->path, "$");
      EXPECT_EQ(error->message.rfind("expected an object; found ", 0), 0u) << error->message;
    }
  }
}

TEST(BadInputs, EveryProperPrefixOfEverySampleIsAnErrorNotACrash) {
  for (const char* name : {"claude-credentials.json", "agent-auth.json", "codex-auth.json",
                           "token-response-anthropic.json"}) {
    const std::string bytes = testing::ReadTestdata(name);
    const size_t complete = bytes.find_last_not_of(" \n") + 1;  // trailing whitespace is optional
    for (size_t n = 0; n < complete; ++n) {
      for (const Parser& parser : AllParsers()) {
        EXPECT_TRUE(parser.parse(std::string_view(bytes).substr(0, n)).has_value())
            << parser.name << " accepted " << n << " bytes of " << name;
      }
    }
  }
}

TEST(BadInputs, EverySingleByteFlipOfTheClaudeSampleIsTotal) {
  // Not a fuzzer: a deterministic sweep that must not crash, and whatever parses must serialize to
  // something that parses back to the same typed value.
  const std::string bytes = testing::ReadTestdata("claude-credentials.json");
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned char flip : {0x01, 0x20, 0x80}) {
      std::string mutated = bytes;
      mutated[i] = static_cast<char>(mutated[i] ^ flip);
      const Result<ClaudeCredentials> parsed = ParseClaudeCredentials(mutated);
      if (!parsed.ok()) continue;
      const Result<ClaudeCredentials> again =
          ParseClaudeCredentials(SerializeClaudeCredentials(parsed.value()));
      ASSERT_TRUE(again.ok()) << i;
      EXPECT_EQ(again.value().oauth, parsed.value().oauth) << i;
    }
  }
}

// Paths end up in logs: a long key (token text a broken writer used as a key) is named by its size
// only. Found by the store_readers fuzz target (fuzz/regressions/store_readers/token-in-a-key).
TEST(BadInputs, AnErrorPathNeverQuotesALongKey) {
  const std::string token = "sk-ant-ort01-" + std::string(95, 'Q');
  const std::string doc = R"({"version": 1, "credential_pool": {")" + token +
                          R"(": [{"id": "a", "expires_at_ms": "soon"}]}})";
  for (const Parser& p : AllParsers()) {
    const std::optional<ParseError> error = p.parse(doc);
    if (!error) continue;
    EXPECT_EQ(error->ToString().find("QQQQ"), std::string::npos)
        << p.name << ": " << error->ToString();
  }
  const std::optional<ParseError> agent = ErrorOf(ParseAgentAuth(doc));
  ASSERT_TRUE(agent.has_value());
  EXPECT_NE(agent->path.find("<108-byte key>"), std::string::npos) << agent->path;
}

}  // namespace
}  // namespace credsim::formats
