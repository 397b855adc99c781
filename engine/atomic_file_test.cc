#include "engine/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace credsim::engine {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  AtomicFileTest() {
    char tmpl[] = "/tmp/credsim-atomic-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~AtomicFileTest() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(AtomicFileTest, CreatesWithMode0600AndReadsBack) {
  const std::string path = (dir_ / "sub" / "auth.json").string();
  EXPECT_EQ(ReadStoreFile(path).status, IoStatus::kNotFound);
  const StoreWrite w = CompareAndSwapFile(path, StoreVersion{}, "{\"a\":1}");
  ASSERT_EQ(w.status, IoStatus::kOk) << w.detail;
  const StoreRead r = ReadStoreFile(path);
  ASSERT_EQ(r.status, IoStatus::kOk);
  EXPECT_EQ(r.bytes, "{\"a\":1}");
  EXPECT_EQ(r.version, w.version);
  EXPECT_EQ(r.facts.mode & 0777, 0600u);
  EXPECT_FALSE(r.facts.is_symlink);
}

TEST_F(AtomicFileTest, CompareAndSwapRefusesAChangedFile) {
  const std::string path = (dir_ / "auth.json").string();
  ASSERT_EQ(CompareAndSwapFile(path, StoreVersion{}, "one").status, IoStatus::kOk);
  EXPECT_EQ(CompareAndSwapFile(path, StoreVersion{}, "two").status, IoStatus::kConflict);
  EXPECT_EQ(CompareAndSwapFile(path, VersionOf("zzz"), "two").status, IoStatus::kConflict);
  EXPECT_EQ(ReadStoreFile(path).bytes, "one");
  EXPECT_EQ(CompareAndSwapFile(path, VersionOf("one"), "two").status, IoStatus::kOk);
  EXPECT_EQ(ReadStoreFile(path).bytes, "two");
}

TEST_F(AtomicFileTest, TightensLoosePermissions) {
  const std::string path = (dir_ / "auth.json").string();
  std::ofstream(path) << "x";
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(ReadStoreFile(path).facts.mode & 0777, 0644u);
  ASSERT_EQ(CompareAndSwapFile(path, VersionOf("x"), "y").status, IoStatus::kOk);
  EXPECT_EQ(ReadStoreFile(path).facts.mode & 0777, 0600u);
}

TEST_F(AtomicFileTest, SymlinkIsUpdatedThroughTheLink) {
  const fs::path target = dir_ / "real" / "credentials.json";
  fs::create_directories(target.parent_path());
  std::ofstream(target) << "old";
  const fs::path link = dir_ / ".credentials.json";
  fs::create_symlink(target, link);
  const StoreRead r = ReadStoreFile(link.string());
  EXPECT_TRUE(r.facts.is_symlink);
  ASSERT_EQ(CompareAndSwapFile(link.string(), VersionOf("old"), "new").status, IoStatus::kOk);
  EXPECT_TRUE(fs::is_symlink(link)) << "the link survives";
  EXPECT_EQ(ReadStoreFile(target.string()).bytes, "new");
}

TEST_F(AtomicFileTest, LeavesNoTempFilesBehind) {
  const std::string path = (dir_ / "auth.json").string();
  for (int i = 0; i < 5; ++i) {
    const StoreRead r = ReadStoreFile(path);
    const StoreVersion v = r.status == IoStatus::kOk ? r.version : StoreVersion{};
    ASSERT_EQ(CompareAndSwapFile(path, v, std::to_string(i)).status, IoStatus::kOk);
  }
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().string().find("credsim-tmp"), std::string::npos) << e.path();
    ++entries;
  }
  EXPECT_EQ(entries, 2);  // auth.json and the .credsim.lock sidecar
}

TEST_F(AtomicFileTest, RefusesHugeFilesDirectoriesAndFifos) {
  EXPECT_EQ(ReadStoreFile(dir_.string()).status, IoStatus::kIoError);
  const std::string big = (dir_ / "big.json").string();
  std::filesystem::resize_file((std::ofstream(big) << "x", std::filesystem::path(big)),
                               kMaxStoreBytes + 1);
  const StoreRead r = ReadStoreFile(big);
  EXPECT_EQ(r.status, IoStatus::kIoError);
  EXPECT_NE(r.detail.find("larger than"), std::string::npos) << r.detail;
  const std::string fifo = (dir_ / "fifo.json").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(ReadStoreFile(fifo).status, IoStatus::kIoError) << "refused, not a hang";
}

}  // namespace
}  // namespace credsim::engine
