#include "engine/atomic_file.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace credsim::engine {
namespace {

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

IoStatus StatusFromErrno(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return IoStatus::kNotFound;
    case EACCES:
    case EPERM:
      return IoStatus::kPermissionDenied;
    default:
      return IoStatus::kIoError;
  }
}

std::string Dirname(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void FsyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  // A failed directory fsync cannot be undone or retried usefully here: the rename already took
  // effect for every reader; only its durability across a power cut is in doubt.
  (void)::fsync(fd);
  ::close(fd);
}

// mkdir -p with 0700, bounded by the path's length; each new directory's entry is made durable.
bool MakeDirs(const std::string& dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    const std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) == 0) {
      FsyncDirectory(Dirname(prefix));
    } else if (errno != EEXIST) {
      return false;
    }
  }
  return true;
}

// flock with a bounded wait: another writer holds the sidecar only for a compare and a rename.
bool LockWithTimeout(int fd) {
  constexpr int kAttempts = 200;  // x 25 ms = 5 s
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
    if (errno != EWOULDBLOCK && errno != EINTR) return false;
    ::usleep(25'000);
  }
  return false;
}

bool WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {  // bounded: each pass writes >= 1 byte or fails
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

StoreWrite Failure(IoStatus status, std::string detail) {
  StoreWrite w;
  w.status = status;
  w.detail = std::move(detail);
  return w;
}

}  // namespace

StoreRead ReadStoreFile(const std::string& path) {
  StoreRead read;
  read.facts.path = path;
  struct stat link_info {};
  if (::lstat(path.c_str(), &link_info) == 0) read.facts.is_symlink = S_ISLNK(link_info.st_mode);
  // O_NONBLOCK: a FIFO planted at a credentials path must not hang the reader; it is refused below.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    read.status = StatusFromErrno(errno);
    read.detail = std::strerror(errno);
    return read;
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    read.status = IoStatus::kIoError;
    read.detail = "not a regular file";
    return read;
  }
  read.facts.mode = info.st_mode & 07777;
  if (static_cast<size_t>(info.st_size) > kMaxStoreBytes) {
    read.status = IoStatus::kIoError;
    read.detail = "larger than " + std::to_string(kMaxStoreBytes) + " bytes";
    return read;
  }
  std::string bytes;
  char buffer[16384];
  while (bytes.size() <= kMaxStoreBytes) {  // bounded by the size limit
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      read.status = IoStatus::kIoError;
      read.detail = std::strerror(errno);
      return read;
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
  }
  if (bytes.size() > kMaxStoreBytes) {
    read.status = IoStatus::kIoError;
    read.detail = "grew beyond the size limit while being read";
    return read;
  }
  read.status = IoStatus::kOk;
  read.version = VersionOf(bytes);
  read.bytes = std::move(bytes);
  return read;
}

std::optional<std::string> ResolveStoreLink(const std::string& path) {
  struct stat link_info {};
  if (::lstat(path.c_str(), &link_info) != 0 || !S_ISLNK(link_info.st_mode)) return path;
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return std::nullopt;
  return std::string(resolved);
}

StoreWrite CompareAndSwapFile(const std::string& path, StoreVersion expected,
                              const std::string& bytes) {
  // Update a symlinked file through its link: replace the target, keep the link.
  const std::optional<std::string> resolved = ResolveStoreLink(path);
  if (!resolved) return Failure(IoStatus::kIoError, "dangling symlink");
  const std::string& target = *resolved;
  const std::string dir = Dirname(target);
  if (!MakeDirs(dir)) return Failure(StatusFromErrno(errno), "cannot create " + dir);
  const std::string lock_path = dir + "/.credsim.lock";
  Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock.get() < 0) return Failure(StatusFromErrno(errno), "cannot open " + lock_path);
  if (!LockWithTimeout(lock.get())) return Failure(IoStatus::kTimeout, "busy: " + lock_path);
  const StoreRead current = ReadStoreFile(target);
  if (current.status != IoStatus::kOk && current.status != IoStatus::kNotFound) {
    return Failure(current.status, current.detail);
  }
  const StoreVersion actual = current.status == IoStatus::kOk ? current.version : StoreVersion{};
  if (!(actual == expected)) return Failure(IoStatus::kConflict, "changed since read");

  static std::atomic<uint64_t> counter{0};
  const std::string temp = target + ".credsim-tmp." + std::to_string(::getpid()) + "." +
                           std::to_string(counter.fetch_add(1));
  {
    Fd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out.get() < 0) return Failure(StatusFromErrno(errno), "cannot create temp file");
    if (!WriteAll(out.get(), bytes) || ::fsync(out.get()) != 0) {
      const int err = errno;
      ::unlink(temp.c_str());
      return Failure(IoStatus::kIoError, std::string("write failed: ") + std::strerror(err));
    }
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return Failure(StatusFromErrno(err), std::string("rename failed: ") + std::strerror(err));
  }
  FsyncDirectory(dir);  // make the rename durable
  StoreWrite done;
  done.status = IoStatus::kOk;
  done.version = VersionOf(bytes);
  return done;
}

}  // namespace credsim::engine
