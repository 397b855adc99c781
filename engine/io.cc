#include "engine/io.h"

namespace credsim::engine {

const char* IoStatusName(IoStatus status) {
  switch (status) {
    case IoStatus::kOk:
      return "ok";
    case IoStatus::kNotFound:
      return "not-found";
    case IoStatus::kLocked:
      return "locked";
    case IoStatus::kPermissionDenied:
      return "permission-denied";
    case IoStatus::kConflict:
      return "conflict";
    case IoStatus::kTimeout:
      return "timeout";
    case IoStatus::kIoError:
      return "io-error";
  }
  return "unknown";
}

StoreVersion VersionOf(std::string_view bytes) {
  // FNV-1a 64: not cryptographic, only "did the bytes change"; collisions would at worst make a
  // compare-and-swap succeed over a change with identical fingerprint, astronomically unlikely.
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return StoreVersion{.exists = true, .fingerprint = hash};
}

}  // namespace credsim::engine
