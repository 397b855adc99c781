// The HTML writer: pages hold the lanes (one per consumer and store), the store generations as
// labels, the lockout shading and the oracle mark, and never any token text.
#include "sim/report/html.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/report/test_run.h"

namespace credsim::sim {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

void ExpectNoTokenText(const std::string& html) {
  for (const char* prefix : {"sk-ant-", "\"rt_", ">rt_", "eyJ"}) {
    EXPECT_EQ(html.find(prefix), std::string::npos) << "token-looking text " << prefix;
  }
}

TEST(Html, ScenarioPageHasLanesLabelsShadingAndOracle) {
  const std::vector<PolicyRun> runs = testing::RunKeychainScenario();
  ASSERT_EQ(runs.size(), 2u);
  ASSERT_TRUE(runs[1].verdict.ok) << runs[1].verdict.why;
  const std::string page = ScenarioHtml({&runs[0], &runs[1]});
  ExpectNoTokenText(page);
  // Two timelines, each with a consumer lane and both store lanes.
  EXPECT_EQ(Count(page, "data-lane=\"consumer:agent\""), 2u);
  EXPECT_EQ(Count(page, "data-lane=\"store:claude-keychain\""), 2u);
  EXPECT_EQ(Count(page, "data-lane=\"store:claude-file\""), 2u);
  EXPECT_NE(page.find(">fam1/rt2<"), std::string::npos) << "the file's live generation";
  EXPECT_NE(page.find("class=\"lockout\""), std::string::npos) << "KeychainFirstRead locks out";
  EXPECT_NE(page.find("class=\"mark oracle\""), std::string::npos);
  EXPECT_NE(page.find("class=\"expected\""), std::string::npos);
  // The summary's markup is escaped, not interpreted.
  EXPECT_NE(page.find("&lt;b&gt;&amp;&quot;quoted&quot;&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(page.find("<b>&"), std::string::npos);
}

TEST(Html, ReferenceTimelineHasNoLockout) {
  const std::vector<PolicyRun> runs = testing::RunKeychainScenario();
  ASSERT_EQ(runs.size(), 2u);
  const std::string page = ScenarioHtml({&runs[0]});
  EXPECT_EQ(page.find("class=\"lockout\""), std::string::npos);
  EXPECT_EQ(page.find("class=\"mark oracle\""), std::string::npos);
}

TEST(Html, SelfContainedIndexAndFiles) {
  const std::vector<PolicyRun> runs = testing::RunKeychainScenario();
  const std::string index = IndexHtml(runs);
  ExpectNoTokenText(index);
  EXPECT_EQ(Count(index, "<tr><td><a href=\"keychain-first-read.html#"), 2u);
  for (const std::string& page : {index, ScenarioHtml({&runs[0]})}) {
    EXPECT_EQ(page.find("http://"), std::string::npos) << "no network";
    EXPECT_EQ(page.find("https://"), std::string::npos) << "no network";
    EXPECT_EQ(page.find("<script src"), std::string::npos);
    EXPECT_EQ(page.find("<link"), std::string::npos);
    EXPECT_EQ(page.find("@import"), std::string::npos);
  }
  const auto dir = std::filesystem::temp_directory_path() / "credsim-html-test";
  std::filesystem::remove_all(dir);
  std::string error;
  ASSERT_TRUE(WriteHtmlReport(dir.string(), runs, &error)) << error;
  EXPECT_TRUE(std::filesystem::exists(dir / "index.html"));
  EXPECT_TRUE(std::filesystem::exists(dir / "keychain-first-read.html"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace credsim::sim
