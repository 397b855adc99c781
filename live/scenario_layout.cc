#include "live/scenario_layout.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "engine/formats/token_response.h"
#include "engine/io_posix.h"
#include "engine/session.h"
#include "live/files.h"
#include "sim/store_docs.h"

namespace credsim::live {
namespace {

namespace fs = std::filesystem;

struct Pair {
  std::string access, refresh, id;
  int64_t expires_at_ms = 0;
};

std::optional<Pair> PairFrom(const std::string& body, int64_t now_ms) {
  auto parsed = formats::ParseTokenResponse(200, body);
  if (!parsed || !std::holds_alternative<formats::TokenGrant>(parsed.value())) return std::nullopt;
  const auto& g = std::get<formats::TokenGrant>(parsed.value());
  Pair p;
  p.access = g.access_token;
  p.refresh = g.refresh_token.value_or("");
  p.id = g.id_token.value_or("");
  p.expires_at_ms = now_ms + g.expires_in_s.value_or(3600) * 1000;
  return p;
}

int64_t EpochMsNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

sim::DocTokens TokensFor(const sim::InitialStore& s, const Pair& pair, int64_t now_ms) {
  sim::DocTokens t;
  t.access_token = pair.access;
  t.refresh_token = pair.refresh;
  t.id_token = pair.id;
  t.expires_at_ms = s.expired ? now_ms - 3600 * 1000 : pair.expires_at_ms;
  t.scopes = s.scopes;
  t.subscription = s.subscription;
  t.client_id = s.claude_client_id;
  t.scope_list = s.claude_scopes;
  t.providers_block = s.providers_block;
  t.pool_status = s.pool_status;
  t.pool_reset_at_s = (now_ms + s.pool_reset_in_ms) / 1000;
  switch (s.expiry) {
    case sim::InitialStore::Expiry::kTrue:
      break;
    case sim::InitialStore::Expiry::kAbsent:
      t.expiry_absent = true;
      break;
    case sim::InitialStore::Expiry::kZero:
      t.stored_expiry = 0;
      break;
    case sim::InitialStore::Expiry::kAt: {
      // The scenario's time is relative to its start; a live run starts now.
      const int64_t at_ms = now_ms + s.expiry_at_ms;
      t.stored_expiry = s.expiry_in_seconds ? at_ms / 1000 : at_ms;
      break;
    }
  }
  if (s.refresh_token_expires_at_ms) {
    t.refresh_token_expires_at_ms = now_ms + *s.refresh_token_expires_at_ms;
  }
  if (s.last_refresh_at_ms) t.last_refresh = sim::Rfc3339(now_ms + *s.last_refresh_at_ms);
  t.extra_members = s.extra_members;
  return t;
}

}  // namespace

std::vector<std::string> NotApplicableLive(const sim::WorldConfig& world) {
  std::vector<std::string> out;
  for (const sim::InitialStore& s : world.stores) {
    if (!s.home.empty()) out.push_back("store " + s.id.Name() + " of home " + s.home);
    if (s.link_home) out.push_back("store " + s.id.Name() + ": a link to another home");
    if (s.symlink) out.push_back("store " + s.id.Name() + ": a symlinked file");
  }
  if (!world.events.empty()) {
    out.push_back(std::to_string(world.events.size()) +
                  " scripted event(s): use --nemesis for live disturbances");
  }
  out.push_back("the consumers' policies: live consumers are the --consumer commands");
  return out;
}

bool LayOutScenarioStores(const sim::WorldConfig& world, LiveServer& server, const Sandbox& sandbox,
                          std::string* why) {
  const engine::SessionConfig session = engine::DefaultSession(world.provider, "");
  const std::optional<std::string> login = server.Login(session.client_id, why);
  if (!login) return false;
  const int64_t now_ms = EpochMsNow();
  const std::optional<Pair> previous = PairFrom(*login, now_ms);
  if (!previous) return *why = "the login's answer is not a token response", false;
  // One rotation, so that "previous" holds a refresh token the server has really retired.
  const std::optional<std::string> rotated =
      server.Refresh(previous->refresh, session.client_id, why);
  if (!rotated) return false;
  const std::optional<Pair> current = PairFrom(*rotated, now_ms);
  if (!current) return *why = "the rotation's answer is not a token response", false;

  const engine::PosixPaths paths = engine::PosixPaths::ForHome(sandbox.home());
  const bool openai = world.provider == engine::Provider::kOpenAiCodex;
  for (const sim::InitialStore& s : world.stores) {
    if (!s.home.empty() || s.link_home || s.content == sim::InitialContent::kAbsent) continue;
    const Pair& pair = s.content == sim::InitialContent::kPrevious ? *previous : *current;
    std::string bytes = sim::DocFor(s.id.kind, TokensFor(s, pair, now_ms), openai);
    if (s.corrupt) bytes.resize(bytes.size() / 2);
    const std::string path = paths.FilePath(s.id);
    if (path.empty() || !WriteFileAtomically(path, bytes)) {
      *why = "cannot write " + s.id.Name();
      return false;
    }
  }
  return true;
}

}  // namespace credsim::live
