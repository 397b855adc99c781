// WorldConfig: everything a run is made of, as data. Times are relative to the start of the run
// (t = 0); the virtual epoch is kEpochMs. A scenario file and a swarm seed both produce one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/credential.h"
#include "engine/store_id.h"
#include "fake_oauth_server/outcome.h"

namespace credsim::sim {

inline constexpr int64_t kEpochMs = 1'790'000'000'000;  // 2026-09-21T14:13:20Z
inline constexpr int64_t kSecondMs = 1000;
inline constexpr int64_t kMinuteMs = 60 * kSecondMs;
inline constexpr int64_t kHourMs = 60 * kMinuteMs;
inline constexpr int64_t kDayMs = 24 * kHourMs;

// Which processes a consumer's cross-process lock excludes.
enum class LockTopology : uint8_t {
  kHome,  // one lock per tool directory, shared by every process of the home (flock / mkdir)
  // The home's lock, then, when the home's file is a symlink into another home, that home's lock
  // too: every process of every home sharing the file (what the reference engine does, beside
  // the resolved file: docs/ENGINE.md#locks). Without links it is kHome.
  kFile,
  kProcess,  // a lock inside the process only: nothing is excluded across processes
};

struct ConsumerSpec {
  std::string name;
  // "reference", a legacy policy (policies/registry.h), or a tool model ("claude-code-cli", ...).
  std::string policy = "reference";
  std::string profile;    // agent profile ("" = none): adds agent:<profile> to the session's stores
  int64_t skew_ms = 0;    // this consumer's clock minus true time
  int32_t drift_ppm = 0;  // its clock gains (or, negative, loses) this much per million
  // Unset: kFile for the judged engine (reference and legacy), kHome for a tool model.
  std::optional<LockTopology> lock;
  int64_t need_every_ms_min = kMinuteMs;  // gap between two demands for a token, drawn per demand
  int64_t need_every_ms_max = kMinuteMs;
  int64_t start_ms = 0;
  // Non-empty: the consumer knows only these stores of the session (a tool that reads one store,
  // e.g. Claude Code on macOS reading its keychain item), in this order.
  std::vector<engine::StoreId> stores;
  // The home (a user account, container or machine: its own files, keychain and locks) the
  // consumer runs in; "" is the default home. Its stores are that home's paths.
  std::string home;
};

enum class InitialContent : uint8_t {
  kCurrent,   // the session's live pair
  kPrevious,  // the pair one rotation back: its refresh token is spent
  kAbsent,
};

struct InitialStore {
  engine::StoreId id;
  InitialContent content = InitialContent::kCurrent;
  bool expired = false;  // the stored expiry is already in the past
  bool scopes = true;
  bool subscription = true;
  // Claude stores only: a clientId in claudeAiOauth (Claude Code then sends the stored scopes on
  // refresh: docs/REAL_CLIENTS.md#claude-code-refresh-request), and the scopes to store when
  // `scopes` (empty: inference+profile).
  std::string claude_client_id;
  std::vector<std::string> claude_scopes;
  // The home whose path this is ("" = the default home). Two homes' stores of one kind are two
  // files: private copies of one logical store, unless one links to the other.
  std::string home;
  // The path is a symlink to the same store of home `link_home` (a fleet of containers or
  // instances sharing one mounted credentials file): it has no bytes of its own; reads and
  // writes through the link reach the target, a rename over the path replaces the link with a
  // private file (the chain forks). A link's target is never itself a link.
  std::optional<std::string> link_home;
  // The path is a symlink to a file outside the world (a dotfiles setup): writes through it keep
  // it, a rename replaces it (EventKind::kReplaceSymlink).
  bool symlink = false;
  // Agent stores only: the openai-codex providers block is written (false: the pool entry alone,
  // as `auth add` leaves it); the pool entry's status flag and when its cooldown ends (relative to
  // the start; negative: already over).
  bool providers_block = true;
  std::string pool_status;  // "" (none), "exhausted" or "dead"
  int64_t pool_reset_in_ms = 0;
  bool corrupt = false;  // the document is cut short (does not parse); its other fields stay
  // The store's exact bytes instead of a document built from the fields above (the world-stores
  // fuzz target's input). "@AT@" and "@RT@" in them become the live pair's tokens, so an input can
  // hold the live session in a shape the engine may or may not read. Not in the scenario language.
  std::optional<std::string> raw_bytes;

  // Stored values as data (a report's file as it was). The stored access-token expiry (Claude
  // expiresAt, agent expires_at_ms): the token's own (kTrue, in ms), no such field, 0, or
  // kEpochMs + expiry_at_ms written in milliseconds or, with expiry_in_seconds, in seconds.
  enum class Expiry : uint8_t { kTrue, kAbsent, kZero, kAt };
  Expiry expiry = Expiry::kTrue;
  int64_t expiry_at_ms = 0;
  bool expiry_in_seconds = false;
  // Claude: refreshTokenExpiresAt (epoch ms) = kEpochMs + this; Codex: last_refresh (RFC 3339)
  // at kEpochMs + this.
  std::optional<int64_t> refresh_token_expires_at_ms;
  std::optional<int64_t> last_refresh_at_ms;
  // Members added at the top level as written (the text between the braces of a JSON object,
  // e.g. "mcpOAuth": {...}): sections other tools own, which every write-back must keep.
  std::string extra_members;
};

struct NetworkFaults {
  uint32_t drop_before_per_million = 0;  // never reaches the server
  uint32_t drop_after_per_million = 0;   // the server acts, the answer is lost
  uint32_t error_5xx_per_million = 0;
  uint32_t rate_limit_per_million = 0;  // 429 with Retry-After
  int64_t retry_after_ms = 2000;
  uint32_t store_write_fail_per_million = 0;  // a write fails (disk full)
};

// The scenario language's names of the fault rates ("faults": {...}), shared by its parser and
// its writer (sim/scenario.cc, sim/scenario_writer.cc).
inline constexpr std::pair<const char*, uint32_t NetworkFaults::*> kFaultRateNames[] = {
    {"drop_before_ppm", &NetworkFaults::drop_before_per_million},
    {"drop_after_ppm", &NetworkFaults::drop_after_per_million},
    {"error_5xx_ppm", &NetworkFaults::error_5xx_per_million},
    {"rate_limit_ppm", &NetworkFaults::rate_limit_per_million},
    {"store_write_fail_ppm", &NetworkFaults::store_write_fail_per_million}};

enum class EventKind : uint8_t {
  kRelogin,            // a fresh login, written by a login helper into the consumer's stores
  kRestart,            // the consumer's process restarts (engine state lost, locks released)
  kKillDuringRefresh,  // the consumer dies right after its next refresh request reaches the server
  kKeychainLock,       // the keychain answers kLocked until kKeychainUnlock
  kKeychainUnlock,
  kTearStore,   // a non-atomic writer left the store torn (half its bytes)
  kServerDown,  // every token request gets 503 until kServerUp
  kServerUp,
  kReplaceSymlink,  // a tool renamed a temp file over a symlinked store: the link is gone
  kDiskFull,        // every write to `store` fails (kIoError) until kDiskOk
  kDiskOk,
  kRateLimitNext,  // the next token request gets 429 with Retry-After (one request)
  // The server acts on the next token request (of `consumer`, or of anyone), and the answer is
  // lost on the wire; the process stays alive.
  kLoseNextResponse,
  // `consumer`'s next granted refresh is received, then its process exits before writing anything
  // (its next step, e.g. an API call answering 402 or 5xx, failed fatally); it restarts 1 s later.
  kFailAfterGrant,
  kServerClockJump,  // the server's clock moves by `by` (backwards: it keeps its latest time)
  kClockJump,        // `consumer`'s clock moves by `by`
  kApiRejectStart,   // the API answers 401 to every access token until kApiRejectEnd
  kApiRejectEnd,
};

// The names scenario files use ("do": ...), also printed by DescribeWorld.
inline constexpr std::pair<const char*, EventKind> kEventKindNames[] = {
    {"relogin", EventKind::kRelogin},
    {"restart", EventKind::kRestart},
    {"kill-during-refresh", EventKind::kKillDuringRefresh},
    {"keychain-lock", EventKind::kKeychainLock},
    {"keychain-unlock", EventKind::kKeychainUnlock},
    {"tear", EventKind::kTearStore},
    {"server-down", EventKind::kServerDown},
    {"server-up", EventKind::kServerUp},
    {"replace-symlink", EventKind::kReplaceSymlink},
    {"disk-full", EventKind::kDiskFull},
    {"disk-ok", EventKind::kDiskOk},
    {"rate-limit-next", EventKind::kRateLimitNext},
    {"lose-next-response", EventKind::kLoseNextResponse},
    {"fail-after-grant", EventKind::kFailAfterGrant},
    {"server-clock-jump", EventKind::kServerClockJump},
    {"clock-jump", EventKind::kClockJump},
    {"api-401-start", EventKind::kApiRejectStart},
    {"api-401-end", EventKind::kApiRejectEnd}};
inline const char* EventKindName(EventKind kind) {
  for (const auto& [name, k] : kEventKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

struct ScriptedEvent {
  int64_t at_ms = 0;
  EventKind kind = EventKind::kRelogin;
  std::string consumer;  // kRelogin, kRestart, kKillDuringRefresh, kFailAfterGrant, kClockJump;
                         // optional for kLoseNextResponse
  // kTearStore, kDiskFull, kDiskOk, kReplaceSymlink; with kRelogin: the login writes this store
  // only (a tool's own login), leaving every other store, flag and cooldown as it was.
  std::optional<engine::StoreId> store;
  int64_t by_ms = 0;  // kServerClockJump, kClockJump
  std::string home;   // the home of `store` ("" = the default home)
};

struct WorldConfig {
  uint64_t seed = 1;
  engine::Provider provider = engine::Provider::kAnthropic;
  int64_t access_ttl_ms = 8 * kHourMs;
  oauth::ReusePolicy reuse;
  oauth::RacePolicy race = oauth::RacePolicy::kStrict;
  // A rotation revokes the family's earlier access tokens: another consumer's token gets 401
  // before its stored expiry (what made the refresh storm of report 22 visible to users).
  bool revoke_siblings_on_refresh = false;
  int64_t refresh_ttl_ms = 30 * kDayMs;  // a family's absolute lifetime, from its login
  int64_t net_latency_ms_min = 5;        // one way
  int64_t net_latency_ms_max = 150;
  int64_t store_latency_ms_min = 0;
  int64_t store_latency_ms_max = 2;
  // Extra time the token endpoint takes to answer a *successful* grant (it commits the rotation on
  // arrival, errors answer at once): the slow endpoint of openai/codex #6498
  // (docs/REAL_CLIENTS.md#codex-concurrency; that only a late winner makes losers fail:
  // docs/REAL_CLIENTS.md#fake-server-the-codex-race-needs-a-late-answer).
  int64_t token_grant_delay_ms = 0;
  // Codex CLI models rewrite ~/.codex/auth.json in place (truncate, then write) instead of
  // temp+rename, so a concurrent reader can see it torn (docs/REPORTS.md 27; Codex 0.169.0 was
  // measured to rename: docs/REAL_CLIENTS.md#codex-write-back).
  bool codex_in_place_rewrite = false;
  NetworkFaults faults;
  int64_t faults_until_ms = 0;  // random faults are active in [0, faults_until_ms)
  std::vector<InitialStore> stores;
  std::vector<ConsumerSpec> consumers;
  std::vector<ScriptedEvent> events;
  int64_t duration_ms = kDayMs;
  bool shuffle_ties = true;
  bool trace_io = false;  // one line per store read / lock too (verbose; the default is refreshes,
                          // writes, failures and scripted events)
  uint64_t max_events = uint64_t{1} << 32;
};

}  // namespace credsim::sim
