// SessionConfig: one provider's shared OAuth session, the stores that hold it, and the bounds the
// engine runs under. Every loop, retry and wait of the engine has its bound here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/credential.h"
#include "engine/store_id.h"

namespace credsim::engine {

enum class BodyFormat : uint8_t { kJson, kForm };

struct SessionConfig {
  Provider provider = Provider::kAnthropic;
  // Every store that may hold the session, in reading order (ties between equally fresh copies go
  // to the earlier store). The engine writes a refreshed pair into all of them.
  std::vector<StoreId> stores;
  // Where a rotated pair that no store could take is parked for sibling processes (report 7; a
  // keychain-only session whose keychain is locked): a StoreId of kind kEngineRescue, read only
  // under the locks. DefaultSession sets it; nullopt turns parking off.
  std::optional<StoreId> rescue_store;
  std::string token_url;
  std::string client_id;
  BodyFormat body_format = BodyFormat::kJson;

  // Refresh this long before expiry (Claude Code and Codex both use ~5 minutes).
  int64_t refresh_leeway_ms = 5 * 60 * 1000;
  // Longest wait for the locks; then the call reports kTransient rather than refreshing unlocked.
  // Longer than Claude Code's 10 s staleness rule for its lock directory
  // (docs/REAL_CLIENTS.md#claude-code-lock-protocol), so that a holder killed mid-refresh is
  // outlived: with 10 s, waiters that started just after the kill gave up a moment before the lock
  // went stale (found by `credsim live --nemesis kill`).
  int64_t lock_timeout_ms = 15 * 1000;
  // Transient failures (5xx, 429, request not sent): attempts per refresh, with exponential backoff
  // between backoff_ms_min and backoff_ms_max and jitter; Retry-After is honoured up to
  // retry_after_ms_max (beyond it the call gives up and says when to come back).
  int max_transient_attempts = 4;
  int64_t backoff_ms_min = 500;
  int64_t backoff_ms_max = 8 * 1000;
  int64_t retry_after_ms_max = 60 * 1000;
  // After a refresh token is refused and no store holds another one, the stores are watched this
  // many times, this far apart, with the locks released, for a rotation by a tool that refreshes
  // outside every lock (Codex CLI) to land, before the session is called dead.
  int foreign_rotation_polls = 6;
  int64_t foreign_rotation_poll_ms = 500;
  // After a rotation made for a 401, a further 401 rotation waits this long (per engine, i.e. per
  // process): an API that keeps refusing fresh tokens (an account-level problem) is not fixed by
  // rotating, which only spends refresh tokens and invites reuse, as hermes #70401 did about six
  // times a second (docs/REPORTS.md, 17). A 401 caused by a sibling's rotation is not a rotation
  // here: the engine waits for the sibling's pair and adopts it (Engine::Acquire).
  int64_t unauthorized_rotation_gap_ms = 10 * 60 * 1000;
  // Expiry assumed for a granted access token with neither expires_in nor a JWT exp.
  int64_t default_access_ttl_ms = 60 * 60 * 1000;
};

// The stores a tool combination shares, for one provider:
//  anthropic:    claude-keychain, claude-file, agent:<profile> (if any), agent (root)
//  openai-codex: codex-file, agent:<profile> (if any), agent (root)
// Token URLs and client ids are the real clients' (docs/REAL_CLIENTS.md#claude-code-endpoints,
// docs/REAL_CLIENTS.md#claude-code-refresh-request, docs/REAL_CLIENTS.md#codex-refresh-request).
SessionConfig DefaultSession(Provider provider, const std::string& agent_profile);

}  // namespace credsim::engine
