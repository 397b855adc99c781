// The real Io: files, locks, HTTP and the system clock of this machine.
//
// Files: written to a temp file in the same directory, fsync'd, renamed over the original, then the
// directory is fsync'd; mode 0600. A symlinked credentials file is updated through the link (the
// link's target is replaced; the link stays). Compare-and-swap holds an flock on a hidden sidecar
// (`.credsim.lock`) in the file's directory while it compares and renames.
// Locks: Claude Code's own protocol for ~/.claude (mkdir .oauth_refresh.lock, stale after 10 s);
// flock on auth.lock for the agent home and for $CODEX_HOME (Codex CLI's own lock file); and, when
// the store is a symlink into another directory, also a flock on `.<name>.credsim.lock` beside its
// target, which every home sharing that file takes (docs/ENGINE.md#locks). A lock whose home
// directory does not exist is a no-op: there is nothing there to protect.
// HTTP: cpp-httplib with a 2 s connect and 7 s read timeout: one request stays under Claude Code's
// 10 s lock staleness rule. While the ~/.claude lock is held, every Io call (and every second of a
// long sleep) refreshes the lock directory's mtime, as Claude Code does, so a long locked section
// (retries, Retry-After) never looks stale to another process. Release removes the lock directory
// only if it is still the one this process created (same inode).
#pragma once

#include <memory>
#include <string>

#include "engine/io.h"
#include "engine/keychain.h"

namespace credsim::engine {

struct PosixPaths {
  std::string claude_dir;    // ~/.claude
  std::string agent_dir;     // ~/.hermes (profiles in <agent_dir>/profiles/<name>/auth.json)
  std::string codex_dir;     // $CODEX_HOME or ~/.codex
  std::string keychain_dir;  // directory-backed keychain: ~/.credsim/keychain
  std::string rescue_dir;    // ~/.credsim (pending-<provider>.json: StoreKind::kEngineRescue)

  // Everything under `home`, as the tools lay it out.
  static PosixPaths ForHome(const std::string& home);
  std::string FilePath(const StoreId& id) const;  // "" for the keychain
};

struct PosixIoOptions {
  int64_t connect_timeout_ms = 2000;
  int64_t read_timeout_ms = 7000;
  int64_t claude_lock_stale_ms = 10000;  // Claude Code's rule
  // Added to the system clock for every expiry decision: lets a live run agree with a fake server
  // whose clock was advanced through its admin API (expiring an 8 h token in a millisecond).
  int64_t clock_offset_ms = 0;
};

std::unique_ptr<Io> NewPosixIo(PosixPaths paths, PosixIoOptions options = {});

// GET `url` with `Authorization: Bearer <access_token>` (the login's profile lookup; not part of
// Io, whose HTTP is the token endpoint only). Transport and timeouts as PostToken.
HttpResult GetWithBearer(const std::string& url, const std::string& access_token,
                         const PosixIoOptions& options = {});

}  // namespace credsim::engine
