#include <gtest/gtest.h>

#include <string>

#include "base/assert.h"
#include "base/json_string.h"
#include "base/replace_all.h"

namespace credsim::base {
namespace {

TEST(AssertTest, AFailedAssertionAbortsWithTheConditionAndTheMessage) {
  const int bound = 3;
  EXPECT_DEATH(CREDSIM_ASSERT(bound < 2, "a bound"),
               "CREDSIM_ASSERT\\(bound < 2\\) failed: a bound");
  EXPECT_DEATH(CREDSIM_ASSERT(bound == 0), "CREDSIM_ASSERT\\(bound == 0\\) failed\n");
  CREDSIM_ASSERT(bound == 3);  // a holding assertion does nothing
}

TEST(AssertTest, TheConditionIsEvaluatedOnce) {
  int calls = 0;
  CREDSIM_ASSERT(++calls == 1);
  EXPECT_EQ(calls, 1);
}

TEST(JsonStringTest, QuotesBackslashesAndControlBytesAreEscaped) {
  std::string out = "x=";
  AppendJsonString(out, std::string("a\"b\\c\n\x01\x1f\x7f\xc3\xa9", 11));
  EXPECT_EQ(out, "x=\"a\\\"b\\\\c\\u000a\\u0001\\u001f\x7f\xc3\xa9\"");
}

TEST(JsonStringTest, AnEmptyStringIsTwoQuotes) {
  std::string out;
  AppendJsonString(out, "");
  EXPECT_EQ(out, "\"\"");
}

TEST(ReplaceAllTest, ReplacesEveryOccurrenceAndCountsThem) {
  std::string text = "@RT@ and @RT@, not @AT@";
  EXPECT_EQ(ReplaceAll(&text, "@RT@", "rt-1"), 2u);
  EXPECT_EQ(text, "rt-1 and rt-1, not @AT@");
  EXPECT_EQ(ReplaceAll(&text, "@OLD@", "x"), 0u);
  EXPECT_EQ(text, "rt-1 and rt-1, not @AT@");
}

TEST(ReplaceAllTest, AReplacementIsNeverSearchedAgain) {
  std::string text = "@A@@A@";
  EXPECT_EQ(ReplaceAll(&text, "@A@", "<@A@>"), 2u);  // would never end if it were
  EXPECT_EQ(text, "<@A@><@A@>");
  std::string shrinking = "aaaa";
  EXPECT_EQ(ReplaceAll(&shrinking, "aa", "a"), 2u);  // "aa" + "aa", not again over "aa"
  EXPECT_EQ(shrinking, "aa");
}

TEST(ReplaceAllTest, AnEmptyPatternIsABug) {
  std::string text = "abc";
  EXPECT_DEATH(ReplaceAll(&text, "", "x"), "an empty pattern matches everywhere");
}

}  // namespace
}  // namespace credsim::base
