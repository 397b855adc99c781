#include "engine/doctor.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine/testing/mem_io.h"
#include "engine/testing/store_docs.h"

namespace credsim::engine {
namespace {

using testing::AgentDocWithClaudeEntry;
using testing::ClaudeDoc;
using testing::kHourMs;
using testing::kNowMs;

const StoreId kKeychain{StoreKind::kClaudeKeychain, ""};
const StoreId kFile{StoreKind::kClaudeFile, ""};
const StoreId kAgent{StoreKind::kAgentAuth, ""};

class DoctorTest : public ::testing::Test {
 protected:
  std::vector<Finding> Run() {
    Engine engine(io, DefaultSession(Provider::kAnthropic, ""));
    return Diagnose(engine.config(), RunToCompletion(engine.ReadSnapshot()), kNowMs);
  }
  static bool Has(const std::vector<Finding>& findings, const std::string& code,
                  const std::string& store) {
    return std::any_of(findings.begin(), findings.end(),
                       [&](const Finding& f) { return f.code == code && f.store == store; });
  }
  testing::MemIo io;
};

TEST_F(DoctorTest, HealthySessionHasNoWarnings) {
  io.Put(kFile, ClaudeDoc(1, kNowMs + 8 * kHourMs));
  for (const auto& f : Run()) {
    EXPECT_EQ(f.severity, Finding::Severity::kInfo) << f.code << ": " << f.message;
  }
}

TEST_F(DoctorTest, MissingScopesAndSubscription) {
  io.Put(kFile, ClaudeDoc(1, kNowMs + 8 * kHourMs, {.scopes = false, .subscription = false}));
  const auto findings = Run();
  EXPECT_TRUE(Has(findings, "missing-scopes", "claude-file"));
  EXPECT_TRUE(Has(findings, "missing-subscription-type", "claude-file"));
}

TEST_F(DoctorTest, ScopesWithoutInference) {
  std::string doc = ClaudeDoc(1, kNowMs + 8 * kHourMs);
  doc.replace(doc.find("\"user:inference\", "), 18, "");
  io.Put(kFile, doc);
  EXPECT_TRUE(Has(Run(), "missing-inference-scope", "claude-file"));
}

TEST_F(DoctorTest, KeychainFileSplit) {
  io.Put(kKeychain, ClaudeDoc(1, kNowMs - kHourMs));
  io.Put(kFile, ClaudeDoc(2, kNowMs + 8 * kHourMs));
  const auto findings = Run();
  EXPECT_TRUE(Has(findings, "split-session", "claude-keychain"));
  EXPECT_FALSE(Has(findings, "split-session", "claude-file"));
}

TEST_F(DoctorTest, StaticTokenWithoutRefresh) {
  io.Put(kFile, R"({"claudeAiOauth":{"accessToken":"at","refreshToken":"","expiresAt":)" +
                    std::to_string(kNowMs + kHourMs) + R"(,"scopes":["user:inference"]}})");
  EXPECT_TRUE(Has(Run(), "static-token", "claude-file"));
}

TEST_F(DoctorTest, StalePoolStatusAndCorruptStore) {
  io.Put(kFile, ClaudeDoc(2, kNowMs + 8 * kHourMs));
  io.Put(kAgent, AgentDocWithClaudeEntry(1, kNowMs - kHourMs, "exhausted"));
  EXPECT_TRUE(Has(Run(), "stale-pool-status", "agent"));
  io.Put(kAgent, "{\"version\": 1,");
  EXPECT_TRUE(Has(Run(), "corrupt-store", "agent"));
}

TEST_F(DoctorTest, LockedKeychainAndNothingUsable) {
  io.Put(kKeychain, ClaudeDoc(1, kNowMs + kHourMs));
  io.SetStoreLocked(kKeychain, true);
  const auto findings = Run();
  EXPECT_TRUE(Has(findings, "unreadable-store", "claude-keychain"));
  EXPECT_TRUE(Has(findings, "no-credential", ""));
}

TEST_F(DoctorTest, WipedFileIsReportedAsRepairable) {
  io.Put(kFile, R"({"claudeAiOauth":{"accessToken":"","refreshToken":"","expiresAt":0}})");
  io.Put(kKeychain, ClaudeDoc(1, kNowMs + kHourMs));
  EXPECT_TRUE(Has(Run(), "empty-slot", "claude-file"));
}

TEST_F(DoctorTest, SymlinkAndLoosePermissions) {
  io.Put(kFile, ClaudeDoc(1, kNowMs + 8 * kHourMs));
  io.SetFacts(kFile, StoreFacts{.is_symlink = true, .mode = 0644, .path = "/h/.claude/x"});
  const auto findings = Run();
  EXPECT_TRUE(Has(findings, "symlinked-file", "claude-file"));
  EXPECT_TRUE(Has(findings, "loose-permissions", "claude-file"));
}

}  // namespace
}  // namespace credsim::engine
