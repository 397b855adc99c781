// The directory-backed keychain: one file per service, written like any credential file.
#include "engine/atomic_file.h"
#include "engine/keychain.h"

namespace credsim::engine {
namespace {

class DirectoryKeychain : public Keychain {
 public:
  explicit DirectoryKeychain(std::string dir) : dir_(std::move(dir)) {}

  IoStatus Read(const std::string& service, std::string* bytes) override {
    StoreRead read = ReadStoreFile(PathOf(service));
    if (read.status == IoStatus::kOk) *bytes = std::move(read.bytes);
    return read.status;
  }

  StoreWrite CompareAndSwap(const std::string& service, StoreVersion expected,
                            const std::string& bytes) override {
    return CompareAndSwapFile(PathOf(service), expected, bytes);
  }

 private:
  std::string PathOf(const std::string& service) const { return dir_ + "/" + service; }
  std::string dir_;
};

}  // namespace

std::unique_ptr<Keychain> NewDirectoryKeychain(std::string dir) {
  return std::make_unique<DirectoryKeychain>(std::move(dir));
}

}  // namespace credsim::engine
