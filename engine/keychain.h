// Keychain: where Claude Code >= 2.1.114 keeps its credentials on macOS (service
// "Claude Code-credentials"). The engine sees it through this small interface; on Linux (and in
// tests) it is a directory with one 0600 file per service, so the same code paths are exercised.
#pragma once

#include <memory>
#include <string>

#include "engine/io.h"

namespace credsim::engine {

inline constexpr const char* kClaudeKeychainService = "Claude Code-credentials";

class Keychain {
 public:
  virtual ~Keychain() = default;
  // kOk with the item's bytes, kNotFound, kLocked (the user's keychain is locked), ...
  virtual IoStatus Read(const std::string& service, std::string* bytes) = 0;
  // Replace the item only if it still has version `expected`.
  virtual StoreWrite CompareAndSwap(const std::string& service, StoreVersion expected,
                                    const std::string& bytes) = 0;
};

std::unique_ptr<Keychain> NewDirectoryKeychain(std::string dir);

}  // namespace credsim::engine
