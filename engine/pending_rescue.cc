#include "engine/pending_rescue.h"

#include <unistd.h>

#include <cassert>
#include <iostream>

#include "engine/atomic_file.h"
#include "engine/formats/claude_credentials.h"

namespace credsim::engine {

void RestoreRescued(Engine& engine, const std::string& path) {
  assert(!path.empty());
  const StoreRead read = ReadStoreFile(path);
  if (read.status != IoStatus::kOk) return;
  auto parsed = formats::ParseClaudeCredentials(read.bytes);
  if (!parsed || !parsed.value().oauth) {
    std::cerr << "credsim-engine: warning: unreadable rescue file " << path << " left as is\n";
    return;
  }
  const auto& o = *parsed.value().oauth;
  engine.RestorePending(Credential{.access_token = o.access_token,
                                   .refresh_token = o.refresh_token,
                                   .expires_at_ms = o.expires_at_ms,
                                   .scopes = o.scopes,
                                   .subscription_type = o.subscription_type});
}

bool ParkPending(const Engine& engine, const std::string& path) {
  assert(!path.empty());
  const StoreRead current = ReadStoreFile(path);
  if (!engine.pending()) {
    if (current.status == IoStatus::kOk) ::unlink(path.c_str());
    return true;
  }
  const Credential& c = *engine.pending();
  formats::ClaudeCredentials doc;
  doc.oauth = formats::ClaudeOauth{.access_token = c.access_token,
                                   .refresh_token = c.refresh_token,
                                   .expires_at_ms = c.expires_at_ms,
                                   .scopes = c.scopes,
                                   .subscription_type = c.subscription_type};
  const StoreVersion expected = current.status == IoStatus::kOk ? current.version : StoreVersion{};
  const StoreWrite write =
      CompareAndSwapFile(path, expected, formats::SerializeClaudeCredentials(doc));
  if (write.status != IoStatus::kOk) {
    std::cerr << "credsim-engine: error: the rotated pair could not be saved in any store nor in "
              << path << " (" << IoStatusName(write.status)
              << "); it is lost when this process exits\n";
    return false;
  }
  return true;
}

}  // namespace credsim::engine
