// The sandbox home of a live run: where the session's stores are laid out, how they are read back
// (with the engine's own decoders), and what "intact" means for them at any moment: every store
// that existed at the start still parses, is mode 0600, and keeps the fields it started with that
// its owner documents as kept (an unknown top-level canary; scopes and subscriptionType in a
// Claude file).
#pragma once

#include <string>
#include <vector>

#include "engine/credential.h"
#include "engine/store_id.h"

namespace credsim::live {

// The member every store gets at the start, unknown to every tool. Claude Code keeps unknown
// top-level keys (docs/REAL_CLIENTS.md#claude-code-write-back); a writer that drops it loses what
// it cannot represent.
inline constexpr const char* kCanaryKey = "credsimCanary";

struct SandboxStore {
  engine::StoreId id;
  std::string path;
};

struct StoreCheck {
  std::string store;  // "claude-file"
  std::string problem;
};

class Sandbox {
 public:
  Sandbox(std::string home, engine::Provider provider);

  const std::string& home() const { return home_; }
  engine::Provider provider() const { return provider_; }
  // Creates the directories the provider's tools use (0700).
  bool MakeDirectories(std::string* why) const;
  // Stores of the provider's default session that exist now, in reading order.
  std::vector<SandboxStore> ExistingStores() const;
  // Anthropic: copies the Claude file into the (directory-backed) keychain item, so the home has
  // both stores Claude Code knows, as on a Mac; a consumer that reads only one of them, or writes
  // only one, is then visible. No-op for other providers.
  bool MirrorFileIntoKeychain(std::string* why) const;
  // Adds the canary to every existing store (atomically, 0600). False + why on failure.
  bool AddCanaries(std::string* why) const;
  // Every refresh token the stores hold now (for "is a live credential within reach").
  std::vector<std::string> RefreshTokens() const;
  // Problems of the stores named in `expected` (ExistingStores() at the start).
  std::vector<StoreCheck> Check(const std::vector<SandboxStore>& expected) const;

 private:
  std::string home_;
  engine::Provider provider_;
};

}  // namespace credsim::live
