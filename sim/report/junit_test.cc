// JUnit XML: well-formed (every element closed in order, attributes quoted and escaped, no raw
// markup characters in text), one testcase per run, failures carry expected vs observed.
#include "sim/report/junit.h"

#include <gtest/gtest.h>

#include <vector>

#include "sim/report/test_run.h"

namespace credsim::sim {
namespace {

// A minimal XML well-formedness check for the subset the writer emits: a declaration, elements
// with quoted attributes, text, self-closing tags. Returns "" or what is wrong.
std::string CheckWellFormed(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0;
  if (!xml.starts_with("<?xml ")) return "no declaration";
  i = xml.find("?>") + 2;
  while (i < xml.size()) {
    const size_t lt = xml.find('<', i);
    const std::string text = xml.substr(i, lt == std::string::npos ? std::string::npos : lt - i);
    if (text.find('>') != std::string::npos) return "raw > in text";
    for (size_t a = text.find('&'); a != std::string::npos; a = text.find('&', a + 1)) {
      const std::string rest = text.substr(a, 6);
      if (!rest.starts_with("&amp;") && !rest.starts_with("&lt;") && !rest.starts_with("&gt;") &&
          !rest.starts_with("&quot;") && !rest.starts_with("&apos;"))
        return "bad entity in text";
    }
    if (lt == std::string::npos) break;
    const size_t gt = xml.find('>', lt);
    if (gt == std::string::npos) return "unterminated tag";
    std::string tag = xml.substr(lt + 1, gt - lt - 1);
    if (tag.find('<') != std::string::npos) return "< inside a tag";
    size_t quotes = 0;
    for (char c : tag) quotes += c == '"';
    if (quotes % 2) return "unbalanced quotes in <" + tag + ">";
    if (tag.starts_with("/")) {
      if (open.empty() || open.back() != tag.substr(1)) return "mismatched <" + tag + ">";
      open.pop_back();
    } else if (!tag.ends_with("/")) {
      open.push_back(tag.substr(0, tag.find(' ')));
    }
    i = gt + 1;
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

TEST(JUnit, WellFormedWithOneTestcasePerRun) {
  std::vector<PolicyRun> runs = testing::RunKeychainScenario();
  ASSERT_EQ(runs.size(), 2u);
  const std::string xml = JUnitXml(runs);
  EXPECT_EQ(CheckWellFormed(xml), "") << xml;
  EXPECT_NE(xml.find("tests=\"2\" failures=\"0\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"KeychainFirstRead\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"reference\""), std::string::npos);
}

TEST(JUnit, FailureSaysExpectedAndObserved) {
  std::vector<PolicyRun> runs = testing::RunKeychainScenario();
  ASSERT_EQ(runs.size(), 2u);
  // Pretend the reproduction broke: the expectation moves to a window the failure misses.
  runs[1].expect.from_ms = runs[1].expect.to_ms = 19 * 60'000;
  runs[1].verdict = Judge(runs[1].expect, runs[1].result);
  ASSERT_FALSE(runs[1].verdict.ok);
  const std::string xml = JUnitXml(runs);
  EXPECT_EQ(CheckWellFormed(xml), "") << xml;
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"the reproduction broke: it failed differently"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("expected: no_lockout agent in [19m, 19m]"), std::string::npos) << xml;
}

TEST(JUnit, EscapesMarkup) {
  EXPECT_EQ(XmlEscape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
  EXPECT_EQ(XmlEscape(std::string("a\x01"
                                  "b",
                                  3)),
            "a?b");
  EXPECT_EQ(CheckWellFormed("<?xml version=\"1.0\"?><a><b></a></b>"), "mismatched </a>");
}

}  // namespace
}  // namespace credsim::sim
