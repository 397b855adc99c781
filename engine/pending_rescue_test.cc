#include "engine/pending_rescue.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "engine/atomic_file.h"
#include "engine/testing/mem_io.h"
#include "engine/testing/store_docs.h"

namespace credsim::engine {
namespace {

using testing::ClaudeDoc;
using testing::kHourMs;
using testing::kNowMs;

const StoreId kFile{StoreKind::kClaudeFile, ""};

// Process 1 rotates but cannot write; it parks the pair. Process 2 (a new Engine) restores it,
// commits it to the store without another refresh, and the rescue file goes away.
TEST(PendingRescue, ParkedPairSurvivesTheProcessAndIsCommittedByTheNext) {
  char tmpl[] = "/tmp/credsim-rescue-XXXXXX";
  const std::filesystem::path dir = mkdtemp(tmpl);
  const std::string path = (dir / ".credsim" / "pending-anthropic.json").string();

  testing::MemIo io;
  testing::TestAuthority authority;
  io.SetEndpoint([&](const HttpRequest& r) { return authority.Handle(r); });
  io.Put(kFile, ClaudeDoc(1, kNowMs - kHourMs));
  io.FailWrites(kFile, 100);
  {
    Engine first(io, DefaultSession(Provider::kAnthropic, ""));
    const TokenResult r = RunToCompletion(first.GetToken());
    ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
    ASSERT_TRUE(r.commit_pending);
    ASSERT_TRUE(ParkPending(first, path));
  }
  const StoreRead parked = ReadStoreFile(path);
  ASSERT_EQ(parked.status, IoStatus::kOk);
  EXPECT_EQ(parked.facts.mode & 0777, 0600u);
  EXPECT_EQ(authority.grants(), 1);

  io.FailWrites(kFile, 0);
  Engine second(io, DefaultSession(Provider::kAnthropic, ""));
  RestoreRescued(second, path);
  ASSERT_TRUE(second.commit_pending());
  const TokenResult r = RunToCompletion(second.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.access_token, "at-2");
  EXPECT_EQ(authority.grants(), 1) << "no second refresh, no replay of the spent rt-1";
  EXPECT_NE(io.Get(kFile).find("rt-2"), std::string::npos);
  ASSERT_TRUE(ParkPending(second, path));
  EXPECT_EQ(ReadStoreFile(path).status, IoStatus::kNotFound) << "removed once committed";
  std::filesystem::remove_all(dir);
}

TEST(PendingRescue, GarbageRescueFileIsReportedAndKept) {
  char tmpl[] = "/tmp/credsim-rescue-XXXXXX";
  const std::filesystem::path dir = mkdtemp(tmpl);
  const std::string path = (dir / "pending.json").string();
  ASSERT_EQ(CompareAndSwapFile(path, StoreVersion{}, "{not json").status, IoStatus::kOk);
  testing::MemIo io;
  Engine engine(io, DefaultSession(Provider::kAnthropic, ""));
  RestoreRescued(engine, path);
  EXPECT_FALSE(engine.commit_pending());
  EXPECT_EQ(ReadStoreFile(path).bytes, "{not json");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace credsim::engine
