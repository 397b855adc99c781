#include "live/sandbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/assert.h"
#include "engine/io_posix.h"
#include "engine/session.h"
#include "engine/store_codec.h"
#include "live/files.h"

namespace credsim::live {
namespace {

namespace fs = std::filesystem;

// The canary goes in as the first member: `{"credsimCanary":{"kept":true},...}`.
std::string WithCanary(const std::string& bytes) {
  const size_t open_brace = bytes.find('{');
  if (open_brace == std::string::npos) return bytes;
  const size_t next = bytes.find_first_not_of(" \t\r\n", open_brace + 1);
  const bool empty_object = next != std::string::npos && bytes[next] == '}';
  std::string out = bytes.substr(0, open_brace + 1);
  out += "\"";
  out += kCanaryKey;
  out += "\":{\"kept\":true}";
  if (!empty_object) out += ",";
  out += bytes.substr(open_brace + 1);
  return out;
}

engine::StoreRead AsRead(std::string bytes) {
  engine::StoreRead r;
  r.status = engine::IoStatus::kOk;
  r.bytes = std::move(bytes);
  return r;
}

}  // namespace

Sandbox::Sandbox(std::string home, engine::Provider provider)
    : home_(std::move(home)), provider_(provider) {
  CREDSIM_ASSERT(!home_.empty() && home_[0] == '/', "a sandbox home is an absolute path");
}

bool Sandbox::MakeDirectories(std::string* why) const {
  const engine::PosixPaths paths = engine::PosixPaths::ForHome(home_);
  const std::vector<std::string> dirs =
      provider_ == engine::Provider::kAnthropic
          ? std::vector<std::string>{paths.claude_dir, paths.keychain_dir}
          : std::vector<std::string>{paths.codex_dir};
  for (const std::string& d : dirs) {
    std::error_code ec;
    fs::create_directories(d, ec);
    if (ec) {
      *why = "cannot create " + d + ": " + ec.message();
      return false;
    }
    fs::permissions(d, fs::perms::owner_all, ec);
  }
  return true;
}

std::vector<SandboxStore> Sandbox::ExistingStores() const {
  const engine::PosixPaths paths = engine::PosixPaths::ForHome(home_);
  std::vector<SandboxStore> out;
  for (const engine::StoreId& id : engine::DefaultSession(provider_, "").stores) {
    const std::string path = paths.FilePath(id);
    std::error_code ec;
    if (!path.empty() && fs::is_regular_file(path, ec)) out.push_back({id, path});
  }
  return out;
}

bool Sandbox::MirrorFileIntoKeychain(std::string* why) const {
  if (provider_ != engine::Provider::kAnthropic) return true;
  const engine::PosixPaths paths = engine::PosixPaths::ForHome(home_);
  const std::string file = paths.FilePath({engine::StoreKind::kClaudeFile, ""});
  const std::string keychain = paths.FilePath({engine::StoreKind::kClaudeKeychain, ""});
  std::string bytes;
  if (!ReadWholeFile(file, &bytes) || !WriteFileAtomically(keychain, bytes)) {
    *why = "cannot copy the Claude file into the keychain item";
    return false;
  }
  return true;
}

bool Sandbox::AddCanaries(std::string* why) const {
  for (const SandboxStore& s : ExistingStores()) {
    std::string bytes;
    if (!ReadWholeFile(s.path, &bytes) || !WriteFileAtomically(s.path, WithCanary(bytes))) {
      *why = "cannot add the canary to " + s.id.Name();
      return false;
    }
  }
  return true;
}

std::vector<std::string> Sandbox::RefreshTokens() const {
  std::vector<std::string> out;
  for (const SandboxStore& s : ExistingStores()) {
    std::string bytes;
    if (!ReadWholeFile(s.path, &bytes)) continue;
    const engine::StoreView view = engine::DecodeStore(provider_, s.id, AsRead(std::move(bytes)));
    for (const engine::Candidate& c : view.slots) {
      if (!c.credential.refresh_token.empty()) out.push_back(c.credential.refresh_token);
    }
  }
  return out;
}

std::vector<StoreCheck> Sandbox::Check(const std::vector<SandboxStore>& expected) const {
  std::vector<StoreCheck> problems;
  for (const SandboxStore& s : expected) {
    const std::string name = s.id.Name();
    struct stat st {};
    if (lstat(s.path.c_str(), &st) != 0) {
      problems.push_back({name, "the file is gone"});
      continue;
    }
    if ((st.st_mode & 0777) != 0600) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%03o", st.st_mode & 0777);
      problems.push_back({name, std::string("mode ") + mode + ", not 0600"});
    }
    std::string bytes;
    if (!ReadWholeFile(s.path, &bytes)) {
      problems.push_back({name, "unreadable"});
      continue;
    }
    const engine::StoreView view = engine::DecodeStore(provider_, s.id, AsRead(bytes));
    if (view.corrupt) {
      problems.push_back({name, "does not parse: " + *view.corrupt});
      continue;
    }
    if (bytes.find(std::string("\"") + kCanaryKey + "\"") == std::string::npos) {
      problems.push_back({name, std::string("lost the unknown top-level member ") + kCanaryKey});
    }
    if (s.id.kind == engine::StoreKind::kClaudeFile ||
        s.id.kind == engine::StoreKind::kClaudeKeychain) {
      for (const engine::Candidate& c : view.slots) {
        if (c.credential.refresh_token.empty())
          continue;  // a wiped or empty slot: judged elsewhere
        if (!c.credential.scopes || c.credential.scopes->empty()) {
          problems.push_back({name,
                              "claudeAiOauth lost `scopes` (Claude Code then says "
                              "\"Not logged in\")"});
        }
        if (!c.credential.subscription_type) {
          problems.push_back({name, "claudeAiOauth lost `subscriptionType`"});
        }
      }
    }
  }
  return problems;
}

}  // namespace credsim::live
