// Io: every effect the credential engine has, in one interface (in the spirit of LevelDB's Env).
//
// The engine never touches a file, socket, lock or clock except through this class.
// Implementations: the real one (engine/io_posix.h: atomic files, flock/mkdir locks, cpp-httplib,
// the system clock), the simulator's (sim/sim_io.h), which suspends every call and resumes it at a
// virtual time, and an in-memory one for tests (engine/testing/mem_io.h). IoWrapper forwards every
// call but ReadIfChanged to its target, so a fault layer overrides only what it breaks.
//
// Rules for implementations:
//  - Every coroutine parameter is taken by value (a lazy Task may start after the caller's
//    temporaries are gone).
//  - No call throws. Failures are values (IoStatus, HttpResult::transport).
//  - Store versions are content fingerprints (StoreVersion), so compare-and-swap means the same
//    thing for a file, a keychain item and a simulated store: "write only if the bytes are still
//    these".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/store_id.h"
#include "engine/task.h"

namespace credsim::engine {

enum class IoStatus : uint8_t {
  kOk,
  kNotFound,          // the store does not exist (not an error for reads)
  kLocked,            // e.g. a locked keychain: try later, do not treat as empty
  kPermissionDenied,  // cannot read or write
  kConflict,          // compare-and-swap lost: the store changed since it was read
  kTimeout,           // a lock wait ran out
  kIoError,           // anything else (disk full, short write, ...); `detail` says what
};
const char* IoStatusName(IoStatus status);

// Identity of a store's content: a 64-bit fingerprint of its bytes, or "absent".
struct StoreVersion {
  bool exists = false;
  uint64_t fingerprint = 0;
  friend bool operator==(const StoreVersion&, const StoreVersion&) = default;
};
StoreVersion VersionOf(std::string_view bytes);  // FNV-1a 64 of the bytes; exists = true

// Facts about the file behind a store, for `doctor`. The simulator sets only is_symlink (a store
// set up as a symlink); mode and path keep their defaults there. MemIo reports what a test set.
struct StoreFacts {
  bool is_symlink = false;
  uint32_t mode = 0600;  // permission bits
  std::string path;      // for messages; empty for non-file stores
};

struct StoreRead {
  IoStatus status = IoStatus::kNotFound;
  std::string bytes;  // valid when status == kOk and !unchanged
  StoreVersion version;
  StoreFacts facts;
  std::string detail;  // human-readable reason when status != kOk; never token text
  // Only from ReadIfChanged: the store still has the version the caller named, and `bytes` was
  // left empty because the caller holds those bytes already. status is kOk.
  bool unchanged = false;
};

struct StoreWrite {
  IoStatus status = IoStatus::kIoError;
  StoreVersion version;  // the new version when status == kOk
  std::string detail;
};

// A token-endpoint request. The engine builds the body; Io only carries it.
struct HttpRequest {
  std::string url;
  std::string content_type;  // "application/json" or "application/x-www-form-urlencoded"
  std::string body;
};

struct HttpResult {
  enum class Transport : uint8_t {
    kResponse,     // a response arrived; see status/body
    kNotSent,      // connection refused / dropped before the request reached the server
    kLostResponse  // sent, but no answer (timeout, reset): the server may have acted on it
  };
  Transport transport = Transport::kNotSent;
  int status = 0;
  std::string body;
  std::optional<int64_t> retry_after_ms;  // from a Retry-After header, when present
  std::string detail;
};

class Io {
 public:
  virtual ~Io() = default;

  virtual Task<StoreRead> Read(StoreId store) = 0;
  // A conditional read (HTTP's If-None-Match): like Read, but when the store still has version
  // `known` an implementation may leave the bytes out and set `unchanged`. The engine reads every
  // store on every call and almost always finds it unchanged; in the simulator, copying the bytes
  // was a tenth of a world's run. The default reads (through Read, so a wrapper that overrides
  // Read sees every read).
  virtual Task<StoreRead> ReadIfChanged(StoreId store, StoreVersion known) {
    (void)known;
    return Read(std::move(store));
  }
  // Writes `bytes` only if the store still has version `expected` (an absent store has
  // StoreVersion{}); atomically (no reader ever sees a torn store) and with owner-only permissions.
  virtual Task<StoreWrite> CompareAndSwap(StoreId store, StoreVersion expected,
                                          std::string bytes) = 0;

  // Cross-process locks, one per tool home (LockId). Lock waits at most timeout_ms.
  virtual Task<IoStatus> Lock(LockId lock, int64_t timeout_ms) = 0;
  virtual Task<void> Unlock(LockId lock) = 0;

  virtual Task<HttpResult> PostToken(HttpRequest request) = 0;

  // This consumer's view of the clock, epoch milliseconds (may be skewed in the simulator).
  virtual int64_t NowMs() = 0;
  virtual Task<void> SleepMs(int64_t duration_ms) = 0;
  // A uniformly drawn integer in [0, bound_exclusive), for backoff jitter. bound_exclusive > 0.
  virtual uint64_t RandomBelow(uint64_t bound_exclusive) = 0;
};

// Forwards every call to another Io except ReadIfChanged: that one keeps Io's default, a full
// Read through this wrapper's own Read, so a fault layer that overrides Read sees every read (and
// the engine behind a wrapper never gets an `unchanged` answer). Fault layers derive from it and
// override what they break.
class IoWrapper : public Io {
 public:
  explicit IoWrapper(Io& target) : target_(target) {}
  Task<StoreRead> Read(StoreId store) override { return target_.Read(std::move(store)); }
  Task<StoreWrite> CompareAndSwap(StoreId store, StoreVersion expected,
                                  std::string bytes) override {
    return target_.CompareAndSwap(std::move(store), expected, std::move(bytes));
  }
  Task<IoStatus> Lock(LockId lock, int64_t timeout_ms) override {
    return target_.Lock(lock, timeout_ms);
  }
  Task<void> Unlock(LockId lock) override { return target_.Unlock(lock); }
  Task<HttpResult> PostToken(HttpRequest request) override {
    return target_.PostToken(std::move(request));
  }
  int64_t NowMs() override { return target_.NowMs(); }
  Task<void> SleepMs(int64_t duration_ms) override { return target_.SleepMs(duration_ms); }
  uint64_t RandomBelow(uint64_t bound_exclusive) override {
    return target_.RandomBelow(bound_exclusive);
  }

 protected:
  Io& target() { return target_; }

 private:
  Io& target_;
};

}  // namespace credsim::engine
