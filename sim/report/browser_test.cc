// Renders a scenario page in headless Chromium and finds the lanes in the rendered DOM (the page's
// inline script counts them into <body data-lanes-rendered>, so this also proves the page ran).
// Skips when Chromium is not installed (ci/check-html installs it and runs this test).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

#include "sim/report/html.h"
#include "sim/report/test_run.h"

namespace credsim::sim {
namespace {

std::string FindChromium() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/snap/bin"}) {
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      const std::filesystem::path p = std::filesystem::path(dir) / name;
      if (std::filesystem::exists(p)) return p.string();
    }
  }
  return "";
}

std::string Capture(const std::string& command) {
  std::string out;
  std::FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0 && out.size() < (64u << 20);) {
    out.append(buf, n);
  }
  pclose(p);
  return out;
}

TEST(Browser, ChromiumRendersTheLanes) {
  const std::string chromium = FindChromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (ci/check-html installs it)";
  const std::vector<PolicyRun> runs = testing::RunKeychainScenario();
  ASSERT_EQ(runs.size(), 2u);
  const auto dir = std::filesystem::temp_directory_path() / "credsim-browser-test";
  std::filesystem::remove_all(dir);
  std::string error;
  ASSERT_TRUE(WriteHtmlReport(dir.string(), runs, &error)) << error;
  const std::string page = (dir / "keychain-first-read.html").string();
  const std::string command =
      chromium +
      " --headless --no-sandbox --disable-gpu --disable-background-networking"
      " --disable-component-update --disable-sync --no-first-run --user-data-dir=" +
      (dir / "profile").string() + " --dump-dom file://" + page + " 2>/dev/null";
  const std::string dom = Capture(command);
  ASSERT_FALSE(dom.empty()) << "no DOM from " << command;
  // 2 timelines x (1 consumer + 2 stores) lanes, counted by the page's script after rendering.
  EXPECT_NE(dom.find("data-lanes-rendered=\"6\""), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("data-lane=\"consumer:agent\""), std::string::npos);
  EXPECT_NE(dom.find("data-lane=\"store:claude-file\""), std::string::npos);
  EXPECT_NE(dom.find("data-lane=\"store:claude-keychain\""), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace credsim::sim
