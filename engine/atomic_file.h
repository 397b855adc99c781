// Credential files on a POSIX file system: bounded reads and atomic compare-and-swap replacement.
#pragma once

#include <optional>
#include <string>

#include "engine/io.h"

namespace credsim::engine {

inline constexpr size_t kMaxStoreBytes = 16 << 20;  // larger files are refused, not read

// Where the bytes behind `path` live: `path` itself, or its resolved target when `path` is a
// symlink (a store updated through its link). nullopt for a dangling symlink.
std::optional<std::string> ResolveStoreLink(const std::string& path);

// Reads `path` (following a symlink, but reporting it). kNotFound when absent.
StoreRead ReadStoreFile(const std::string& path);

// Replaces `path` with `bytes` if its current content still has version `expected`:
// flock(<dir>/.credsim.lock), compare, write <target>.credsim-tmp.<pid>.<n> (0600), fsync, rename,
// fsync the directory. A symlink is resolved and its target replaced. Missing parent directories
// are created with mode 0700.
StoreWrite CompareAndSwapFile(const std::string& path, StoreVersion expected,
                              const std::string& bytes);

}  // namespace credsim::engine
