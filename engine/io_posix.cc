// The real Io. This is the only engine file that reads the wall clock or sleeps for real.
#include "engine/io_posix.h"

#include <fcntl.h>
#include <httplib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "engine/atomic_file.h"

namespace credsim::engine {
namespace {

constexpr int64_t kLockPollMs = 25;

int64_t WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool IsDirectory(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

struct ParsedUrl {
  std::string scheme_host_port;  // "https://host:port"
  std::string path;
};

std::optional<ParsedUrl> ParseUrl(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  const auto path_start = url.find('/', scheme_end + 3);
  ParsedUrl parsed;
  parsed.scheme_host_port = url.substr(0, path_start);
  parsed.path = path_start == std::string::npos ? "/" : url.substr(path_start);
  const std::string authority = parsed.scheme_host_port.substr(scheme_end + 3);
  if (authority.empty()) return std::nullopt;
  // cpp-httplib turns the port into an int with std::stoi, which throws on garbage: validate first.
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5) return std::nullopt;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    const int number = std::stoi(port);  // at most 5 digits: cannot throw
    if (number == 0 || number > 65535) return std::nullopt;
  }
  return parsed;
}

class PosixIo : public Io {
 public:
  PosixIo(PosixPaths paths, PosixIoOptions options)
      : paths_(std::move(paths)),
        options_(options),
        keychain_(NewDirectoryKeychain(paths_.keychain_dir)),
        random_state_(static_cast<uint64_t>(WallMs()) ^ (static_cast<uint64_t>(::getpid()) << 32)) {
  }
  ~PosixIo() override {
    for (size_t i = 0; i < held_.size(); ++i) ReleaseLock(static_cast<LockId>(i));
  }

  Task<StoreRead> Read(StoreId store) override {
    KeepLocksFresh();
    if (store.kind != StoreKind::kClaudeKeychain) co_return ReadStoreFile(paths_.FilePath(store));
    StoreRead read;
    read.status = keychain_->Read(kClaudeKeychainService, &read.bytes);
    if (read.status == IoStatus::kOk) read.version = VersionOf(read.bytes);
    co_return read;
  }

  Task<StoreWrite> CompareAndSwap(StoreId store, StoreVersion expected,
                                  std::string bytes) override {
    KeepLocksFresh();
    if (store.kind == StoreKind::kClaudeKeychain) {
      co_return keychain_->CompareAndSwap(kClaudeKeychainService, expected, bytes);
    }
    co_return CompareAndSwapFile(paths_.FilePath(store), expected, bytes);
  }

  Task<IoStatus> Lock(LockId lock, int64_t timeout_ms) override {
    const int64_t deadline = WallMs() + timeout_ms;
    for (;;) {  // bounded by the deadline
      const IoStatus status = TryLock(lock);
      if (status != IoStatus::kTimeout) co_return status;
      if (WallMs() >= deadline) co_return IoStatus::kTimeout;
      std::this_thread::sleep_for(std::chrono::milliseconds(kLockPollMs));
    }
  }

  Task<void> Unlock(LockId lock) override {
    ReleaseLock(lock);
    co_return;
  }

  Task<HttpResult> PostToken(HttpRequest request) override {
    KeepLocksFresh();
    HttpResult result;
    const auto url = ParseUrl(request.url);
    if (!url) {
      result.transport = HttpResult::Transport::kNotSent;
      result.detail = "unsupported token URL (want http:// or https://)";
      co_return result;
    }
    httplib::Client client(url->scheme_host_port);
    const auto to_timeval = [](int64_t ms) { return std::chrono::milliseconds(ms); };
    client.set_connection_timeout(to_timeval(options_.connect_timeout_ms));
    client.set_read_timeout(to_timeval(options_.read_timeout_ms));
    client.set_write_timeout(to_timeval(options_.connect_timeout_ms));
    httplib::Headers headers{{"Accept", "application/json"}};
    auto response = client.Post(url->path, headers, request.body, request.content_type);
    if (!response) {
      const auto error = response.error();
      const bool before_send =
          error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout ||
          error == httplib::Error::BindIPAddress || error == httplib::Error::SSLConnection ||
          error == httplib::Error::SSLLoadingCerts ||
          error == httplib::Error::SSLServerVerification;
      result.transport =
          before_send ? HttpResult::Transport::kNotSent : HttpResult::Transport::kLostResponse;
      result.detail = httplib::to_string(error);
      co_return result;
    }
    result.transport = HttpResult::Transport::kResponse;
    result.status = response->status;
    result.body = response->body;
    if (response->has_header("Retry-After")) {
      const std::string value = response->get_header_value("Retry-After");
      char* end = nullptr;
      const long seconds = std::strtol(value.c_str(), &end, 10);
      constexpr long kMaxRetryAfterS = 86400;  // clamp a hostile value; the engine gives up anyway
      if (end != value.c_str() && seconds >= 0) {
        result.retry_after_ms = int64_t{std::min(seconds, kMaxRetryAfterS)} * 1000;
      }
    }
    co_return result;
  }

  int64_t NowMs() override { return WallMs() + options_.clock_offset_ms; }

  Task<void> SleepMs(int64_t duration_ms) override {
    constexpr int64_t kSliceMs = 1000;  // keep a held ~/.claude lock fresh while waiting
    for (int64_t left = duration_ms; left > 0; left -= kSliceMs) {  // bounded by duration_ms
      KeepLocksFresh();
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(left, kSliceMs)));
    }
    co_return;
  }

  uint64_t RandomBelow(uint64_t bound_exclusive) override {
    // splitmix64: jitter only needs to differ between processes, not to be unpredictable.
    random_state_ += 0x9e3779b97f4a7c15ull;
    uint64_t z = random_state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return bound_exclusive == 0 ? 0 : z % bound_exclusive;
  }

 private:
  struct Held {
    bool held = false;
    int fd = -1;           // flock locks
    std::string dir_path;  // mkdir lock
    ino_t dir_inode = 0;   // of the lock directory this process created
    int beside_fd = -1;    // flock beside a symlinked store's target (TryLockBesideTarget)
  };

  // kOk (taken, or nothing to protect), kTimeout (busy: try again), or an error.
  IoStatus TryLock(LockId lock) {
    Held& h = held_[static_cast<size_t>(lock)];
    if (h.held) return IoStatus::kOk;  // re-entrant within this process: one owner, the engine
    const IoStatus home = TryHomeLock(lock, h);
    if (home != IoStatus::kOk || !h.held) return home;
    const IoStatus beside = TryLockBesideTarget(lock, h);
    if (beside != IoStatus::kOk) ReleaseLock(lock);  // all or nothing; the caller polls again
    return beside;
  }

  // The store file a lock protects (the keychain is not a file; profiles share the root's lock).
  std::string LockedFile(LockId lock) const {
    switch (lock) {
      case LockId::kClaudeHome:
        return paths_.FilePath({StoreKind::kClaudeFile, ""});
      case LockId::kCodexHome:
        return paths_.FilePath({StoreKind::kCodexAuth, ""});
      case LockId::kAgentHome:
        return paths_.FilePath({StoreKind::kAgentAuth, ""});
    }
    return {};
  }

  // A store that is a symlink into another directory (a fleet of homes mounting one file) is
  // shared with processes whose home locks are not ours: we also flock a sidecar beside the
  // resolved file, which every engine of every home sharing it takes (docs/ENGINE.md#locks).
  // A target directory we cannot write (read-only mount) leaves the home lock alone: the
  // compare-and-swap still protects the bytes.
  IoStatus TryLockBesideTarget(LockId lock, Held& h) {
    const std::string file = LockedFile(lock);
    const std::optional<std::string> resolved = ResolveStoreLink(file);
    // Not a link (nothing shared beyond the home), or a dangling one (nothing to share yet).
    if (!resolved || *resolved == file) return IoStatus::kOk;
    const std::string& target = *resolved;  // absolute: realpath's answer
    const size_t slash = target.rfind('/');
    const std::string sidecar =
        target.substr(0, slash + 1) + "." + target.substr(slash + 1) + ".credsim.lock";
    const int fd = ::open(sidecar.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return IoStatus::kOk;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      return err == EWOULDBLOCK ? IoStatus::kTimeout : IoStatus::kIoError;
    }
    h.beside_fd = fd;
    return IoStatus::kOk;
  }

  IoStatus TryHomeLock(LockId lock, Held& h) {
    if (lock == LockId::kClaudeHome) return TryClaudeLock(h);
    const std::string& home = lock == LockId::kAgentHome ? paths_.agent_dir : paths_.codex_dir;
    if (!IsDirectory(home)) return IoStatus::kOk;
    const std::string path = home + "/auth.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return errno == EACCES ? IoStatus::kPermissionDenied : IoStatus::kIoError;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      return err == EWOULDBLOCK ? IoStatus::kTimeout : IoStatus::kIoError;
    }
    h = Held{.held = true, .fd = fd};
    return IoStatus::kOk;
  }

  // Claude Code's protocol: the lock is the directory ~/.claude/.oauth_refresh.lock; a lock
  // directory older than 10 s belongs to a dead or stuck process and may be removed.
  IoStatus TryClaudeLock(Held& h) {
    if (!IsDirectory(paths_.claude_dir)) return IoStatus::kOk;
    const std::string path = paths_.claude_dir + "/.oauth_refresh.lock";
    if (::mkdir(path.c_str(), 0700) == 0) {
      struct stat created {};
      ::stat(path.c_str(), &created);
      h = Held{.held = true, .dir_path = path, .dir_inode = created.st_ino};
      return IoStatus::kOk;
    }
    if (errno != EEXIST) return errno == EACCES ? IoStatus::kPermissionDenied : IoStatus::kIoError;
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
      const int64_t age_ms = WallMs() - int64_t{info.st_mtime} * 1000;
      if (age_ms > options_.claude_lock_stale_ms) ::rmdir(path.c_str());  // next poll retakes it
    }
    return IoStatus::kTimeout;
  }

  void ReleaseLock(LockId lock) {
    Held& h = held_[static_cast<size_t>(lock)];
    if (!h.held) return;
    for (const int fd : {h.beside_fd, h.fd}) {
      if (fd < 0) continue;
      ::flock(fd, LOCK_UN);
      ::close(fd);
    }
    if (!h.dir_path.empty()) {
      // Only our own lock: if another process judged it stale and took it over, it is theirs now.
      struct stat now {};
      if (::stat(h.dir_path.c_str(), &now) == 0 && now.st_ino == h.dir_inode) {
        ::rmdir(h.dir_path.c_str());
      }
    }
    h = Held{};
  }

  // Claude Code refreshes its lock directory's mtime while it holds the lock; so do we.
  void KeepLocksFresh() {
    const Held& h = held_[static_cast<size_t>(LockId::kClaudeHome)];
    if (h.held && !h.dir_path.empty()) ::utimensat(AT_FDCWD, h.dir_path.c_str(), nullptr, 0);
  }

  PosixPaths paths_;
  PosixIoOptions options_;
  std::unique_ptr<Keychain> keychain_;
  std::array<Held, 3> held_{};
  uint64_t random_state_;
};

}  // namespace

PosixPaths PosixPaths::ForHome(const std::string& home) {
  PosixPaths paths;
  paths.claude_dir = home + "/.claude";
  paths.agent_dir = home + "/.hermes";
  paths.codex_dir = home + "/.codex";
  paths.keychain_dir = home + "/.credsim/keychain";
  paths.rescue_dir = home + "/.credsim";
  return paths;
}

std::string PosixPaths::FilePath(const StoreId& id) const {
  switch (id.kind) {
    case StoreKind::kClaudeKeychain:
      return keychain_dir + "/" + kClaudeKeychainService;
    case StoreKind::kClaudeFile:
      return claude_dir + "/.credentials.json";
    case StoreKind::kAgentAuth:
      return id.profile.empty() ? agent_dir + "/auth.json"
                                : agent_dir + "/profiles/" + id.profile + "/auth.json";
    case StoreKind::kCodexAuth:
      return codex_dir + "/auth.json";
    case StoreKind::kEngineRescue:
      return rescue_dir + "/pending-" + id.profile + ".json";
  }
  return "";
}

std::unique_ptr<Io> NewPosixIo(PosixPaths paths, PosixIoOptions options) {
  return std::make_unique<PosixIo>(std::move(paths), options);
}

HttpResult GetWithBearer(const std::string& url, const std::string& access_token,
                         const PosixIoOptions& options) {
  HttpResult result;
  const auto parsed = ParseUrl(url);
  if (!parsed) {
    result.transport = HttpResult::Transport::kNotSent;
    result.detail = "unsupported URL (want http:// or https://)";
    return result;
  }
  httplib::Client client(parsed->scheme_host_port);
  client.set_connection_timeout(std::chrono::milliseconds(options.connect_timeout_ms));
  client.set_read_timeout(std::chrono::milliseconds(options.read_timeout_ms));
  const httplib::Headers headers{{"Accept", "application/json"},
                                 {"Authorization", "Bearer " + access_token}};
  auto response = client.Get(parsed->path, headers);
  if (!response) {
    result.transport = HttpResult::Transport::kNotSent;
    result.detail = httplib::to_string(response.error());
    return result;
  }
  result.transport = HttpResult::Transport::kResponse;
  result.status = response->status;
  result.body = response->body;
  return result;
}

}  // namespace credsim::engine
