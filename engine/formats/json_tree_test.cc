// The ordered tree and its writer: layout, escaping, numbers, duplicates, limits.
#include "engine/formats/json_tree.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "engine/formats/test_support.h"

namespace credsim::formats {
namespace {

TEST(JsonTree, WritesTheSamplesLayout) {
  for (const char* name : {"claude-credentials.json", "agent-auth.json", "codex-auth.json",
                           "token-response-anthropic.json", "token-error-openai-reused.json"}) {
    const std::string bytes = testing::ReadTestdata(name);
    const Result<JsonValue> tree = ParseJsonTree(bytes);
    ASSERT_TRUE(tree.ok()) << name;
    EXPECT_EQ(WriteJsonTree(tree.value()), bytes) << name;
  }
}

TEST(JsonTree, KeepsOrderAndDuplicates) {
  const JsonValue tree = ParseJsonTree(R"({"b": 1, "a": 2, "b": 3})").value();
  ASSERT_EQ(tree.members.size(), 3u);
  EXPECT_EQ(tree.members[0].key, "b");
  EXPECT_EQ(tree.members[2].value.int64, 3);
}

TEST(JsonTree, SetReplacesInPlaceAndCollapsesDuplicates) {
  JsonValue tree = ParseJsonTree(R"({"b": 1, "a": 2, "b": 3})").value();
  tree.Set("b", JsonValue::Int(9));
  EXPECT_EQ(WriteJsonTree(tree), "{\n  \"b\": 9,\n  \"a\": 2\n}\n");
  tree.Set("c", JsonValue::Null());
  EXPECT_EQ(tree.members.back().key, "c");
  EXPECT_EQ(tree.Remove("a"), 1u);
}

TEST(JsonTree, NumbersKeepTheirKind) {
  const JsonValue tree =
      ParseJsonTree(R"([1.0, -0.0, 1e300, 18446744073709551615, -9223372036854775808, 0.1])")
          .value();
  const std::string out = WriteJsonTree(tree);
  EXPECT_EQ(out,
            "[\n  1.0,\n  -0.0,\n  1e+300,\n  18446744073709551615,\n  -9223372036854775808,\n  "
            "0.1\n]\n");
  EXPECT_EQ(ParseJsonTree(out).value(), tree);
  EXPECT_EQ(tree.array[0].kind, JsonKind::kDouble);
  EXPECT_EQ(tree.array[3].kind, JsonKind::kUint64);
}

TEST(JsonTree, EscapesControlsAndReplacesInvalidUtf8) {
  JsonValue v = JsonValue::String(std::string("q\"b\\n\n\x01\x7f\xc3\xa9", 10));
  EXPECT_EQ(WriteJsonTree(v), "\"q\\\"b\\\\n\\n\\u0001\x7f\xc3\xa9\"\n");
  v = JsonValue::String(std::string("\xff\xc3(\xed\xa0\x80", 6));  // bad byte, truncated, surrogate
  const std::string out = WriteJsonTree(v);
  ASSERT_TRUE(ParseJsonTree(out).ok()) << out;
  EXPECT_EQ(out, "\"\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"\n");
  v = JsonValue::String(std::string("a\0b", 3));
  EXPECT_EQ(ParseJsonTree(WriteJsonTree(v)).value(), v);
}

TEST(JsonTree, NestingLimitIsExact) {
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  // No value may sit inside more than kMaxNestingDepth containers.
  const std::string brackets(kMaxNestingDepth, '[');
  const std::string closing(kMaxNestingDepth, ']');
  EXPECT_TRUE(ParseJsonTree(brackets + "1" + closing).ok());
  EXPECT_TRUE(ParseJsonTree(nested(kMaxNestingDepth + 1)).ok());  // innermost [] is inside 64
  EXPECT_FALSE(ParseJsonTree("[" + brackets + "1" + closing + "]").ok());
  const Result<JsonValue> deep = ParseJsonTree(nested(kMaxNestingDepth + 2));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().path, "$");
  EXPECT_NE(deep.error().message.find("nest"), std::string::npos);
}

RC_GTEST_PROP(JsonTreeProperty, WriteThenParseIsIdentity, ()) {
  const JsonValue value = *testing::GenJsonValue(4);
  const Result<JsonValue> parsed = ParseJsonTree(WriteJsonTree(value));
  RC_ASSERT(parsed.ok());
  RC_ASSERT(parsed.value() == value);
}

}  // namespace
}  // namespace credsim::formats
