// PosixIo's store layout: where each store kind lives under a home, and that the engine's rescue
// store is created owner-only in a directory that may not exist yet.
#include "engine/io_posix.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "engine/session.h"
#include "engine/store_codec.h"

namespace credsim::engine {
namespace {

TEST(PosixIo, RescueStoreIsPendingProviderJsonUnderCredsimHome) {
  const PosixPaths paths = PosixPaths::ForHome("/h");
  EXPECT_EQ(paths.FilePath({StoreKind::kEngineRescue, "anthropic"}),
            "/h/.credsim/pending-anthropic.json");
  EXPECT_EQ(paths.FilePath({StoreKind::kEngineRescue, "openai-codex"}),
            "/h/.credsim/pending-openai-codex.json");
  EXPECT_EQ(paths.FilePath({StoreKind::kClaudeFile, ""}), "/h/.claude/.credentials.json");
  EXPECT_EQ(*DefaultSession(Provider::kOpenAiCodex, "").rescue_store,
            (StoreId{StoreKind::kEngineRescue, "openai-codex"}));
}

TEST(PosixIo, ParkedPairIsWrittenOwnerOnlyAndReadBack) {
  char tmpl[] = "/tmp/credsim-rescue-XXXXXX";
  const std::filesystem::path home = mkdtemp(tmpl);
  auto io = NewPosixIo(PosixPaths::ForHome(home.string()), {});
  const StoreId rescue{StoreKind::kEngineRescue, "anthropic"};
  const Credential pair{
      .access_token = "at-2", .refresh_token = "rt-2", .expires_at_ms = 1'790'000'000'000};
  const StoreWrite write =
      RunToCompletion(io->CompareAndSwap(rescue, StoreVersion{}, EncodeParked(pair)));
  ASSERT_EQ(write.status, IoStatus::kOk) << write.detail;
  struct stat st {};
  ASSERT_EQ(::stat((home / ".credsim" / "pending-anthropic.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const StoreRead read = RunToCompletion(io->Read(rescue));
  const StoreView view = DecodeStore(Provider::kAnthropic, rescue, read);
  ASSERT_TRUE(view.readable());
  ASSERT_EQ(view.slots.size(), 1u);
  EXPECT_EQ(view.slots[0].credential, pair);
  std::filesystem::remove_all(home);
}

// Two homes whose credentials files are symlinks to one file (a fleet mounting it): each home's
// own lock excludes only that home, so the engine also locks beside the resolved file.
TEST(PosixIo, HomesSharingALinkedFileExcludeEachOther) {
  char tmpl[] = "/tmp/credsim-fleet-XXXXXX";
  const std::filesystem::path root = mkdtemp(tmpl);
  std::filesystem::create_directories(root / "shared");
  {
    std::FILE* f = std::fopen((root / "shared" / "credentials.json").c_str(), "w");
    std::fclose(f);
  }
  const auto home = [&](const char* name, bool linked) {
    std::filesystem::create_directories(root / name / ".claude");
    const auto file = root / name / ".claude" / ".credentials.json";
    if (linked) std::filesystem::create_symlink(root / "shared" / "credentials.json", file);
    return NewPosixIo(PosixPaths::ForHome((root / name).string()), {});
  };
  auto a = home("a", true);
  auto b = home("b", true);
  auto lone = home("lone", false);
  ASSERT_EQ(RunToCompletion(a->Lock(LockId::kClaudeHome, 0)), IoStatus::kOk);
  EXPECT_EQ(RunToCompletion(b->Lock(LockId::kClaudeHome, 50)), IoStatus::kTimeout)
      << "b's home lock is free, the lock beside the shared file is not";
  EXPECT_FALSE(std::filesystem::exists(root / "b" / ".claude" / ".oauth_refresh.lock"))
      << "b gave its home lock back when the second lock was busy";
  EXPECT_EQ(RunToCompletion(lone->Lock(LockId::kClaudeHome, 0)), IoStatus::kOk)
      << "a home with its own file shares nothing";
  RunToCompletion(a->Unlock(LockId::kClaudeHome));
  EXPECT_EQ(RunToCompletion(b->Lock(LockId::kClaudeHome, 0)), IoStatus::kOk);
  EXPECT_TRUE(std::filesystem::exists(root / "shared" / ".credentials.json.credsim.lock"));
  RunToCompletion(b->Unlock(LockId::kClaudeHome));
  RunToCompletion(lone->Unlock(LockId::kClaudeHome));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace credsim::engine
