// A stateful, model-based property test of the Engine: one process's engine (Claude provider; the
// keychain item, the Claude file and the agent auth store) in a world where other tools refresh and
// log in behind its back, stores fail and tear, the keychain locks, the token endpoint is strict
// single-use and has bad days, the clock jumps, and the process can be killed mid-refresh.
//
// RapidCheck generates a setup and a command sequence, runs it, and checks:
//  (a) no lockout: when a GetToken/OnUnauthorized starts with the live refresh token within the
//      engine's reach (a store it can read, the rescue store, or its pending pair), it answers
//      kOk, unless the answer to one of its requests was lost after the server rotated; kTransient
//      only when a 5xx/429 answered one of its requests, or inside the engine's gap between two
//      rotations made for a 401;
//  (b) no self-inflicted reuse: the engine never presents a refresh token that it has itself spent
//      (it received the grant) or seen refused, in this process;
//  (c) no field lost on write-back: every member of a store that is not the session's tokens (the
//      "canary" members at both levels, scopes, subscriptionType, mcpOAuth, another family's pool
//      entry) survives each engine write, compared with the bytes that write replaced (so a store
//      another process rewrote is judged by what that process wrote);
//  (d) never a staler pair over a fresher one: no engine write lowers a store's generation;
//  (e) every TokenResult.status is a TokenStatus and its detail holds no token text.
// (b), (c) and (d) are checked as they happen (every token request, every write), (a) and (e)
// after each call; a failure names the command and lists what the engine did during it.
//
// Where the model lives. RapidCheck's Model holds only what the commands decide by themselves
// (whether the keychain is locked, whether another tool owes a write), so that sequences are
// generated and shrunk without running anything. Which refresh token the authority holds live,
// and which stores hold it, changes with the engine's own rotations too, which cannot be predicted
// without writing a second engine: that part of the model is kept by the World, whose authority
// and stores are this test's own objects, the ground truth every property is checked against.
//
// KilledMidRefresh is modelled by ProcessIo: the process dies at its next token request (before it
// leaves, or after the server rotated), nothing it does afterwards reaches the world, and a new
// process (a new Engine, with none of the old one's memory) takes over.
//
// Budget: the default 100 cases take well under a second. A long run (about half a minute):
//   RC_PARAMS="max_success=5000" <build>/tests/engine_property_test
// A counterexample is printed as the setup and the command sequence; the RC_PARAMS="reproduce=..."
// printed with it replays it.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/formats/json_tree.h"
#include "engine/testing/mem_io.h"
#include "engine/testing/store_docs.h"

namespace credsim::engine {
namespace {

using formats::JsonValue;
using testing::JsonResponse;
using testing::kHourMs;
using testing::MemIo;

const StoreId kKeychain{StoreKind::kClaudeKeychain, ""};
const StoreId kFile{StoreKind::kClaudeFile, ""};
const StoreId kAgent{StoreKind::kAgentAuth, ""};
const StoreId kRescue{StoreKind::kEngineRescue, "anthropic"};
constexpr const char* kPendingPair = "the engine's pending pair";

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kAccessTtlMs = 8 * kHourMs;  // what the authority grants, and logins get
// Events never share a millisecond: every command starts this much after the previous one ended.
constexpr int64_t kBetweenEventsMs = 1000;

StoreId StoreOf(StoreKind kind) { return StoreId{kind, ""}; }

// --- known findings against the engine ---------------------------------------------------------
//
// Each is exempted only where its check meets exactly its circumstances, and counted in the run's
// distribution (printed after the run) instead of failing it. CREDSIM_PROPERTY_STRICT=1 makes them
// fail, CREDSIM_PROPERTY_STRICT=F2 only F2: that is how to reproduce them. Minimal command
// sequences are at the checks.
//
// F1: pairs are ranked by the expiry they claim. When a newer pair claims an expiry no later than
//     an older one's (this machine's clock went backwards, or another process's clock is behind),
//     the engine takes the newer pair's store for one that lags and writes the older pair over
//     it: the live refresh token is gone from that store. Check (d).
// F2: the engine remembers the refresh tokens the server refused, not those it spent itself. A
//     store can still hold the old pair of one of its rotations (a write that failed then, a torn
//     write finished with the old bytes, another tool writing back what it had): the engine
//     presents that token again (as the "another store's token" retry after a refusal, or as the
//     best pair), serves its access token, and spreads it over newer pairs. Checks (b) and (d).
// F3: a write-back counts a corrupt store as skipped and an absent one as having nothing to
//     update, not as failed, so a rotated pair that no store took because every store was corrupt
//     (a writer that died mid-write) or absent counts as written: the engine drops its pending
//     pair and clears the parked one, and the live refresh token is gone. Check (a), whose reach
//     includes the engine's pending pair and the rescue store.
// F4: a dead pair (one this process saw refused or spent itself, or an old pair another tool
//     wrote back late) that claims a later expiry than the live pair (the clock went backwards)
//     wins the engine's expiry-based choices: it is picked first, and "refused before; log in
//     again" is answered at once; or the engine's own pending pair, now the older-looking one, is
//     dropped (as "rotated by someone else" after a refusal, or by a commit that finds every store
//     "fresher"). The live refresh token, in another store or in memory, is never tried. With one
//     clock, a dead pair always claims an earlier expiry than the live one. Check (a).
struct KnownFinding {
  const char* id;       // what CREDSIM_PROPERTY_STRICT names
  const char* summary;  // as counted in the run's distribution
};
constexpr KnownFinding kF1{
    "F1",
    "known finding F1: a newer pair claiming an earlier expiry was overwritten by an older one"};
constexpr KnownFinding kF2{
    "F2",
    "known finding F2: the engine reused or spread a spent token of its own found in a store"};
constexpr KnownFinding kF3{
    "F3", "known finding F3: a rotated pair that no store took (corrupt or absent) was dropped"};
constexpr KnownFinding kF4{
    "F4", "known finding F4: a dead pair claiming the latest expiry hid the live one"};

// CREDSIM_PROPERTY_STRICT=1 fails every known finding; =F1,F3 fails only those named.
bool StrictAbout(const KnownFinding& finding) {
  const char* strict = std::getenv("CREDSIM_PROPERTY_STRICT");
  if (!strict) return false;
  const std::string_view named(strict);
  return named == "1" || named.find(finding.id) != std::string_view::npos;
}

// --- tokens and documents ----------------------------------------------------------------------

// Tokens are labelled by generation, which only grows: "rt-7" was issued after "rt-6", whatever
// the family. A store's generation is that of the refresh token in its session slot.
std::string AccessToken(int generation) { return "at-" + std::to_string(generation); }
std::string RefreshToken(int generation) { return "rt-" + std::to_string(generation); }

std::optional<int> GenerationOf(const std::string& refresh_token) {
  if (refresh_token.rfind("rt-", 0) != 0 || refresh_token.size() == 3) return std::nullopt;
  const std::string digits = refresh_token.substr(3);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoi(digits);
}

// Secrets of the world that are not the session's tokens: no detail may show them either.
const std::vector<std::string> kOtherSecrets = {"mcp-secret", "own-at", "own-rt", "other-at",
                                                "other-rt"};

// `text` with every "$key" replaced by its value.
std::string Fill(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [key, value] : values) {
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at)) {
      text.replace(at, key.size(), value);
      at += value.size();
    }
  }
  return text;
}

// A Claude Code credentials document (file or keychain item) with members the engine does not
// know at both levels; `$canary` differs between writers, so (c) is checked against the last one.
constexpr const char* kClaudeDoc = R"({
  "canary": $canary,
  "claudeAiOauth": {
    "accessToken": "$access", "refreshToken": "$refresh", "expiresAt": $expiry,
    "scopes": ["user:inference", "user:profile"], "subscriptionType": "max",
    "canary": $canary
  },
  "mcpOAuth": {"srv|1": {"accessToken": "mcp-secret", "expiresAt": 1}}
}
)";

// An agent auth.json: the session's pool entry (imported from Claude Code), another token family's
// entry that is never the session's, and unknown members at the top and in the session's entry.
constexpr const char* kAgentDoc = R"({
  "version": 1,
  "canary": $canary,
  "providers": {"other-provider": {"tokens": {"access_token": "other-at",
                                            "refresh_token": "other-rt"}}},
  "credential_pool": {
    "anthropic": [
      {"id": "cc1", "label": "claude-code", "auth_type": "oauth", "priority": 0,
       "source": "claude_code", "access_token": "$access", "refresh_token": "$refresh",
       "expires_at_ms": $expiry, "canary": $canary},
      {"id": "own1", "label": "hermes-pkce", "auth_type": "oauth", "priority": 1,
       "source": "hermes_pkce", "access_token": "own-at", "refresh_token": "own-rt",
       "expires_at_ms": 1}
    ]
  }
}
)";

std::string DocFor(const StoreId& store, int generation, int64_t expires_at_ms,
                   const std::string& canary) {
  return Fill(store.kind == StoreKind::kAgentAuth ? kAgentDoc : kClaudeDoc,
              {{"$canary", canary},
               {"$access", AccessToken(generation)},
               {"$refresh", RefreshToken(generation)},
               {"$expiry", std::to_string(expires_at_ms)}});
}

// --- reading documents independently of the engine's codec ------------------------------------

const JsonValue* Member(const JsonValue* object, std::string_view key) {
  return object && object->is_object() ? object->Find(key) : nullptr;
}

std::optional<std::string> StringMember(const JsonValue* object, std::string_view key) {
  const JsonValue* value = Member(object, key);
  if (!value || value->kind != formats::JsonKind::kString) return std::nullopt;
  return value->string;
}

const JsonValue* PoolEntry(const JsonValue& root, std::string_view entry_id) {
  const JsonValue* pool = Member(Member(&root, "credential_pool"), "anthropic");
  if (!pool || !pool->is_array()) return nullptr;
  for (const JsonValue& entry : pool->array) {
    if (StringMember(&entry, "id") == entry_id) return &entry;
  }
  return nullptr;
}

// The session's slot: claudeAiOauth of a Claude document (and of the rescue store, which holds
// one), or the Claude Code pool entry of an agent store.
const JsonValue* SessionSlot(const StoreId& store, const JsonValue& root) {
  if (store.kind == StoreKind::kAgentAuth) return PoolEntry(root, "cc1");
  return Member(&root, "claudeAiOauth");
}

// The pair in a store's session slot: its refresh token and the expiry it claims.
struct SlotPair {
  std::string access_token;
  std::string refresh_token;
  int64_t expires_at_ms = 0;
};

std::optional<SlotPair> SessionPair(const StoreId& store, std::string_view bytes) {
  const auto tree = formats::ParseJsonTree(bytes);
  if (!tree.ok()) return std::nullopt;
  const bool agent = store.kind == StoreKind::kAgentAuth;
  const JsonValue* slot = SessionSlot(store, tree.value());
  const auto refresh_token = StringMember(slot, agent ? "refresh_token" : "refreshToken");
  if (!refresh_token) return std::nullopt;
  const auto access_token = StringMember(slot, agent ? "access_token" : "accessToken");
  const JsonValue* expiry = Member(slot, agent ? "expires_at_ms" : "expiresAt");
  const bool integer = expiry && expiry->kind == formats::JsonKind::kInt64;
  return SlotPair{access_token.value_or(""), *refresh_token, integer ? expiry->int64 : 0};
}

std::optional<std::string> SessionRefreshToken(const StoreId& store, std::string_view bytes) {
  const auto pair = SessionPair(store, bytes);
  if (!pair) return std::nullopt;
  return pair->refresh_token;
}

// The members of `before` (an object) missing or changed in `after`, except `may_change`.
std::vector<std::string> LostMembers(const JsonValue& before, const JsonValue* after,
                                     const std::set<std::string_view>& may_change) {
  std::vector<std::string> lost;
  for (const auto& member : before.members) {
    if (may_change.count(member.key) > 0) continue;
    const JsonValue* kept = Member(after, member.key);
    if (!kept || !(*kept == member.value)) lost.push_back(member.key);
  }
  return lost;
}

bool HasInferenceScope(const JsonValue* oauth) {
  const JsonValue* scopes = Member(oauth, "scopes");
  if (!scopes || !scopes->is_array()) return false;
  return std::any_of(scopes->array.begin(), scopes->array.end(),
                     [](const JsonValue& s) { return s.string == "user:inference"; });
}

// Property (c) for an agent store: the session's entry may change its tokens and the bookkeeping
// the engine owns, nothing else; the other family's entry not at all.
std::vector<std::string> LostFromAgentDoc(const JsonValue& before, const JsonValue& after) {
  std::vector<std::string> lost = LostMembers(before, &after, {"credential_pool"});
  const JsonValue* own = PoolEntry(before, "own1");
  const JsonValue* own_after = PoolEntry(after, "own1");
  if (own && !(own_after && *own_after == *own)) lost.push_back("credential_pool.anthropic[own1]");
  const JsonValue* entry = PoolEntry(before, "cc1");
  if (!entry) return lost;
  for (const std::string& key :
       LostMembers(*entry, PoolEntry(after, "cc1"),
                   {"access_token", "refresh_token", "expires_at_ms", "last_refresh", "last_status",
                    "last_status_at", "last_error_code", "last_error_reason", "last_error_message",
                    "last_error_reset_at"})) {
    lost.push_back("credential_pool.anthropic[cc1]." + key);
  }
  return lost;
}

// Property (c) for a Claude document: claudeAiOauth may change its tokens and expiry; its scopes
// may be replaced by the server's, but never lose user:inference (Claude Code refuses a file
// without it).
std::vector<std::string> LostFromClaudeDoc(const JsonValue& before, const JsonValue& after) {
  std::vector<std::string> lost = LostMembers(before, &after, {"claudeAiOauth"});
  const JsonValue* oauth = Member(&before, "claudeAiOauth");
  if (!oauth) return lost;
  const JsonValue* oauth_after = Member(&after, "claudeAiOauth");
  for (const std::string& key :
       LostMembers(*oauth, oauth_after, {"accessToken", "refreshToken", "expiresAt", "scopes"})) {
    lost.push_back("claudeAiOauth." + key);
  }
  if (HasInferenceScope(oauth) && !HasInferenceScope(oauth_after)) {
    lost.push_back("claudeAiOauth.scopes (user:inference)");
  }
  return lost;
}

// Property (c) for one write: what of `replaced` the write lost ("" when nothing).
std::string LostOnWrite(const StoreId& store, const std::string& replaced,
                        const std::string& written) {
  const auto before = formats::ParseJsonTree(replaced);
  if (!before.ok() || !before.value().is_object()) return "";  // nothing to keep from a torn store
  const auto after = formats::ParseJsonTree(written);
  if (!after.ok()) return "the written document does not parse";
  const std::vector<std::string> lost = store.kind == StoreKind::kAgentAuth
                                            ? LostFromAgentDoc(before.value(), after.value())
                                            : LostFromClaudeDoc(before.value(), after.value());
  std::string text;
  for (const auto& key : lost) text += (text.empty() ? "" : ", ") + key;
  return text;
}

std::string RefreshTokenInRequest(const std::string& body) {
  const auto tree = formats::ParseJsonTree(body);
  if (!tree.ok()) return "";
  return StringMember(&tree.value(), "refresh_token").value_or("");
}

// --- the token endpoint ------------------------------------------------------------------------

// Strict single use: one live refresh token at a time; presenting it rotates, anything else is
// invalid_grant. A login starts a new family and retires the old one. Scripted faults (5xx, 429,
// a grant whose answer is lost) apply to the engine's requests, in order.
class Authority {
 public:
  enum class Verdict : uint8_t { kGranted, kRefused, kLost, kFault };
  struct Answer {
    HttpResult http;
    Verdict verdict;
  };

  static const char* VerdictName(Verdict verdict) {
    switch (verdict) {
      case Verdict::kGranted:
        return "granted";
      case Verdict::kRefused:
        return "refused (invalid_grant)";
      case Verdict::kLost:
        return "rotated, answer lost";
      case Verdict::kFault:
        return "transient fault";
    }
    return "?";
  }

  // Issues generation 1..`live`; the last one is live.
  explicit Authority(int live) {
    while (last_ < live) Issue();
  }

  std::string live_refresh_token() const { return RefreshToken(live_); }
  const std::vector<std::string>& issued() const { return issued_; }

  // A rotation by anyone who holds the live token, or a login: the next generation becomes live.
  int Issue() {
    ++last_;
    issued_.push_back(AccessToken(last_));
    issued_.push_back(RefreshToken(last_));
    live_ = last_;
    return live_;
  }
  void QueueFault(HttpResult answer) { faults_.push_back(std::move(answer)); }
  void LoseNextGrant() { lose_next_grant_ = true; }

  Answer Refresh(const std::string& refresh_token) {
    if (!faults_.empty()) {
      HttpResult fault = std::move(faults_.front());
      faults_.erase(faults_.begin());
      return {std::move(fault), Verdict::kFault};
    }
    if (refresh_token != live_refresh_token()) {
      return {JsonResponse(400, R"({"error":"invalid_grant",)"
                                R"("error_description":"Refresh token not found or invalid"})"),
              Verdict::kRefused};
    }
    const int next = Issue();
    if (lose_next_grant_) {
      lose_next_grant_ = false;
      HttpResult lost;
      lost.transport = HttpResult::Transport::kLostResponse;
      lost.detail = "connection reset after the server rotated";
      return {lost, Verdict::kLost};
    }
    return {
        JsonResponse(200, R"({"access_token":")" + AccessToken(next) + R"(","refresh_token":")" +
                              RefreshToken(next) + R"(","expires_in":)" +
                              std::to_string(kAccessTtlMs / 1000) +
                              R"(,"token_type":"Bearer","scope":"user:inference user:profile"})"),
        Verdict::kGranted};
  }

 private:
  int last_ = 0;
  int live_ = 0;
  bool lose_next_grant_ = false;
  std::vector<HttpResult> faults_;
  std::vector<std::string> issued_;
};

// --- the engine's process ----------------------------------------------------------------------

// The engine process's I/O. Every call reaches the shared world (MemIo); every store write is
// shown to the properties as it happens, with the bytes it replaced. The process can be killed at
// its next token request, before it leaves or after the server rotated: from then on nothing it
// does reaches the world (it neither reads, writes, sends nor waits), but its locks are released,
// as the OS releases a dead process's flock and Claude Code's lock directory goes stale.
class ProcessIo : public IoWrapper {
 public:
  enum class KillPoint : uint8_t { kBeforeTheRequestLeaves, kAfterTheServerRotated };
  using WriteObserver = std::function<void(const StoreId& store, const std::string& replaced,
                                           const std::string& written)>;

  ProcessIo(MemIo& world, WriteObserver observer)
      : IoWrapper(world), world_(world), observer_(std::move(observer)) {}

  void KillAtNextTokenRequest(KillPoint point) { kill_at_ = point; }
  void Restart() {
    dead_ = false;
    kill_at_.reset();
  }

  // Built by a function, not as a braced temporary in co_return: g++ 12 at -O3 then warns that
  // the temporary's strings may be used uninitialized (docs/TOOLCHAIN.md), which -Werror fails.
  static StoreRead Killed() {
    StoreRead read;
    read.status = IoStatus::kIoError;
    read.detail = "process killed";
    return read;
  }

  Task<StoreRead> Read(StoreId store) override {
    if (dead_) co_return Killed();
    co_return co_await target().Read(std::move(store));
  }
  // MemIo's conditional read, so that the engine's unchanged-store path is exercised too.
  Task<StoreRead> ReadIfChanged(StoreId store, StoreVersion known) override {
    if (dead_) co_return Killed();
    co_return co_await target().ReadIfChanged(std::move(store), known);
  }
  Task<StoreWrite> CompareAndSwap(StoreId store, StoreVersion expected,
                                  std::string bytes) override {
    if (dead_) co_return StoreWrite{.status = IoStatus::kIoError, .detail = "process killed"};
    const std::string replaced = world_.Has(store) ? world_.Get(store) : "";
    StoreWrite write = co_await target().CompareAndSwap(store, expected, std::move(bytes));
    if (write.status == IoStatus::kOk) observer_(store, replaced, world_.Get(store));
    co_return write;
  }
  Task<IoStatus> Lock(LockId lock, int64_t timeout_ms) override {
    if (dead_) co_return IoStatus::kTimeout;
    co_return co_await target().Lock(lock, timeout_ms);
  }
  Task<HttpResult> PostToken(HttpRequest request) override {
    if (dead_) co_return NotSent();
    if (!kill_at_) co_return co_await target().PostToken(std::move(request));
    const KillPoint point = *kill_at_;
    kill_at_.reset();
    if (point == KillPoint::kAfterTheServerRotated) {
      (void)co_await target().PostToken(std::move(request));
    }
    dead_ = true;
    co_return NotSent();  // nobody is left to read an answer
  }
  Task<void> SleepMs(int64_t duration_ms) override {
    if (dead_) co_return;  // a dead process's waits take no time in the world
    co_await target().SleepMs(duration_ms);
  }

 private:
  static HttpResult NotSent() {
    HttpResult result;
    result.transport = HttpResult::Transport::kNotSent;
    result.detail = "process killed";
    return result;
  }

  MemIo& world_;
  WriteObserver observer_;
  std::optional<KillPoint> kill_at_;
  bool dead_ = false;
};

// --- the world ---------------------------------------------------------------------------------

// What each store holds when the world starts.
enum class Holding : uint8_t { kLivePair, kSpentPair, kNothing };

struct Setup {
  Holding keychain = Holding::kLivePair;
  Holding file = Holding::kLivePair;
  Holding agent = Holding::kNothing;
  int64_t live_expires_in_min = 60;  // negative: the live pair's access token has expired
};

const char* HoldingName(Holding holding) {
  switch (holding) {
    case Holding::kLivePair:
      return "live pair";
    case Holding::kSpentPair:
      return "spent pair";
    case Holding::kNothing:
      return "nothing";
  }
  return "?";
}

void showValue(const Setup& setup, std::ostream& os) {
  os << "keychain: " << HoldingName(setup.keychain) << ", file: " << HoldingName(setup.file)
     << ", agent: " << HoldingName(setup.agent) << ", live pair expires in "
     << setup.live_expires_in_min << " min";
}

rc::Gen<Setup> GenSetup() {
  // Mostly a live session: one whose stores hold no live pair is dead from the start.
  const auto holding = rc::gen::weightedElement<Holding>(
      {{3, Holding::kLivePair}, {1, Holding::kSpentPair}, {1, Holding::kNothing}});
  return rc::gen::apply(
      [](Holding keychain, Holding file, Holding agent, int64_t expires_in_min) {
        return Setup{keychain, file, agent, expires_in_min};
      },
      holding, holding, holding, rc::gen::inRange<int64_t>(-180, 481));
}

// The Sut: the shared stores (MemIo), the authority, the engine's process, and what the properties
// need to remember: which tokens this process has spent or seen refused, what it last served.
class World {
 public:
  explicit World(const Setup& setup)
      : authority_(/*live=*/2),
        process_io_(
            io_, [this](const StoreId& store, const std::string& replaced,
                        const std::string& written) { OnEngineWrite(store, replaced, written); }) {
    config_ = DefaultSession(Provider::kAnthropic, "");
    config_.token_url = "http://authority.test/v1/oauth/token";
    io_.SetEndpoint([this](const HttpRequest& request) { return AnswerEngine(request); });
    io_.OnSleep([this] { FinishTornWrites(/*all=*/true); });
    const int64_t live_expiry = io_.NowMs() + setup.live_expires_in_min * kMinuteMs;
    Place(kKeychain, setup.keychain, live_expiry);
    Place(kFile, setup.file, live_expiry);
    Place(kAgent, setup.agent, live_expiry);
    StartProcess();
  }
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Fails the case with `finding` and what the engine did during the command.
  [[noreturn]] void Fail(const std::string& finding) const {
    std::string message = finding + "\n  during this command:";
    for (const std::string& step : trace_) message += "\n    " + step;
    RC_FAIL(message);
    std::abort();  // RC_FAIL throws; this keeps [[noreturn]] honest for the compiler
  }

  const std::set<std::string>& known_findings_met() const { return known_findings_met_; }

  // --- between commands ---
  void BeginCommand() {
    ++command_index_;
    trace_.clear();
    io_.SetNowMs(io_.NowMs() + kBetweenEventsMs);
    FinishTornWrites(/*all=*/false);
  }
  // Fails the case with the first finding recorded while the command ran.
  void EndCommand() const {
    if (!findings_.empty()) Fail(findings_.front());
  }

  // --- the consumer (this process) ---
  void ConsumerAsks() { Call(/*after_401=*/false, ""); }
  // The API refused the token this process last served (having none yet, it asks for one first).
  void ApiRefusesToken() {
    if (!last_served_) ConsumerAsks();
    if (last_served_) Call(/*after_401=*/true, *last_served_);
  }
  void KillMidRefresh(ProcessIo::KillPoint point) {
    process_io_.KillAtNextTokenRequest(point);
    this_call_ = CallEvents{.ordinal = this_call_.ordinal + 1};
    (void)RunToCompletion(engine_->Refresh(/*only_if_needed=*/false));  // dies inside, or after
    StartProcess();
  }

  // --- other tools ---
  // Another tool spends the live refresh token and (maybe) writes the new pair to one store. It
  // can only present what it can reach: a readable store, or the pair it kept from its own last
  // refresh. With no live token within its reach its refresh is refused and nothing changes.
  void ForeignRefresh(bool writes_back, const StoreId& store) {
    if (!LiveTokenWithinOtherToolsReach()) return;
    other_tool_holds_ = KeptPair{authority_.Issue(), io_.NowMs() + kAccessTtlMs};
    other_tool_owes_write_ = !writes_back;
    if (writes_back) WriteAsAnotherTool(store, *other_tool_holds_, "{\"x\": 1}");
  }
  // The write a refresh without write-back owed, late: the pair as it was granted (its expiry
  // then), even if it has been rotated since.
  void ForeignLateWriteBack(const StoreId& store) {
    if (!other_tool_owes_write_) return;
    other_tool_owes_write_ = false;
    WriteAsAnotherTool(store, *other_tool_holds_, "{\"x\": 1}");
  }
  // A fresh login (a new family) written by another process into `stores`.
  void Relogin(const std::vector<StoreId>& stores) {
    const KeptPair login{authority_.Issue(), io_.NowMs() + kAccessTtlMs};
    const std::string canary = "{\"login\": " + std::to_string(login.generation) + "}";
    for (const StoreId& store : stores) WriteAsAnotherTool(store, login, canary);
  }
  // A writer that truncates, then writes: the store holds half a document until the writer
  // finishes (at the engine's next sleep, or before the command after next), or for good.
  void TornWrite(const StoreId& store, bool stays_corrupt) {
    if (!io_.Has(store)) return;
    const std::string whole = io_.Get(store);
    const std::string torn = whole.substr(0, whole.size() / 2);
    io_.Put(store, torn);
    if (!stays_corrupt) unfinished_writes_.push_back({store, torn, whole, command_index_});
  }

  // --- faults and clocks ---
  void FailWrites(const StoreId& store, int count) { io_.FailWrites(store, count); }
  void SetKeychainLocked(bool locked) {
    keychain_locked_ = locked;
    io_.SetStoreLocked(kKeychain, locked);
  }
  Authority& authority() { return authority_; }
  void MoveClock(int64_t delta_ms) { io_.SetNowMs(io_.NowMs() + delta_ms); }

 private:
  struct UnfinishedWrite {
    StoreId store;
    std::string torn;
    std::string whole;
    int torn_at_command;
  };
  // A pair another tool holds, with the expiry it recorded when the pair was granted.
  struct KeptPair {
    int generation = 0;
    int64_t expires_at_ms = 0;
  };
  // What the authority and the engine did during the current consumer call.
  struct CallEvents {
    int ordinal = 0;              // of the call in this world
    bool fault_answered = false;  // a queued 5xx/429 answered one of its requests
    bool grant_lost = false;      // the server rotated and the answer was lost
    bool live_token_overwritten_by_f1 = false;
  };
  // What was true when a consumer call started.
  struct CallContext {
    std::optional<std::string> live_token_in;  // where the live refresh token was within reach
    bool some_session_store_parses = false;
    // A readable store holds a dead pair that claims an expiry no earlier than the live pair's
    // (known finding F4).
    bool dead_pair_outranks_live = false;
    int64_t started_ms = 0;
  };

  void Place(const StoreId& store, Holding holding, int64_t live_expiry) {
    if (holding == Holding::kNothing) return;
    const bool live = holding == Holding::kLivePair;
    // The spent pair was issued an hour before the live one.
    io_.Put(store,
            DocFor(store, live ? 2 : 1, live ? live_expiry : live_expiry - kHourMs, "{\"x\": 1}"));
  }

  bool LiveTokenWithinOtherToolsReach() const {
    const std::string live = authority_.live_refresh_token();
    if (other_tool_holds_ && RefreshToken(other_tool_holds_->generation) == live) return true;
    const std::vector<SlotPair> pairs = ReadablePairs();
    return std::any_of(pairs.begin(), pairs.end(),
                       [&](const SlotPair& pair) { return pair.refresh_token == live; });
  }

  void WriteAsAnotherTool(const StoreId& store, const KeptPair& pair, const std::string& canary) {
    if (store == kKeychain && keychain_locked_) return;  // no tool can write a locked keychain
    io_.Put(store, DocFor(store, pair.generation, pair.expires_at_ms, canary));
  }

  void FinishTornWrites(bool all) {
    std::vector<UnfinishedWrite> still;
    for (auto& write : unfinished_writes_) {
      if (!all && write.torn_at_command >= command_index_ - 1) {
        still.push_back(std::move(write));
        continue;
      }
      // Unless another writer has replaced the torn bytes meanwhile.
      if (io_.Has(write.store) && io_.Get(write.store) == write.torn) {
        io_.Put(write.store, write.whole);
      }
    }
    unfinished_writes_ = std::move(still);
  }

  // A new process: nothing of the previous one's memory survives.
  void StartProcess() {
    process_io_.Restart();
    engine_ = std::make_unique<Engine>(process_io_, config_);
    spent_by_this_process_.clear();
    refused_to_this_process_.clear();
    last_served_.reset();
    last_401_rotation_.reset();
  }

  void Call(bool after_401, const std::string& rejected) {
    const CallContext before = StartCall();
    const TokenResult result = after_401 ? RunToCompletion(engine_->OnUnauthorized(rejected))
                                         : RunToCompletion(engine_->GetToken());
    trace_.push_back(std::string(after_401 ? "OnUnauthorized(" + rejected + ")" : "GetToken()") +
                     " answered " + TokenStatusName(result.status) + " " +
                     result.credential.access_token + ": " + result.detail);
    CheckResultIsClean(result);
    CheckNoLockout(before, result, after_401);
    if (result.status == TokenStatus::kOk) last_served_ = result.credential.access_token;
    if (after_401 && result.status == TokenStatus::kOk && result.refreshed) {
      last_401_rotation_ = std::make_pair(before.started_ms, io_.NowMs());
    }
  }

  CallContext StartCall() {
    this_call_ = CallEvents{.ordinal = this_call_.ordinal + 1};
    return CallContext{.live_token_in = WhereTheLiveTokenIs(),
                       .some_session_store_parses = SomeSessionStoreParses(),
                       .dead_pair_outranks_live = DeadPairOutranksLive(),
                       .started_ms = io_.NowMs()};
  }

  // A store the engine can read that holds the live refresh token in its session slot, the rescue
  // store (read under the locks), or the pair this process holds uncommitted.
  std::optional<std::string> WhereTheLiveTokenIs() const {
    const std::string live = authority_.live_refresh_token();
    for (const StoreId& store : config_.stores) {
      if (store == kKeychain && keychain_locked_) continue;
      if (io_.Has(store) && SessionRefreshToken(store, io_.Get(store)) == live) {
        return store.Name();
      }
    }
    if (io_.Has(kRescue) && SessionRefreshToken(kRescue, io_.Get(kRescue)) == live) {
      return kRescue.Name();
    }
    if (engine_->pending() && engine_->pending()->refresh_token == live) return kPendingPair;
    return std::nullopt;
  }

  // The engine's own gap between two rotations made for a 401 (SessionConfig::
  // unauthorized_rotation_gap_ms), over-approximated with the bounds of both calls: a kTransient
  // inside it is designed, not a lockout.
  bool InsideUnauthorizedGap(const CallContext& before) {
    if (!last_401_rotation_) return false;
    const auto [previous_start, previous_end] = *last_401_rotation_;
    return before.started_ms - previous_end < config_.unauthorized_rotation_gap_ms &&
           io_.NowMs() - previous_start >= 0;
  }

  // A check met a known finding: true (counted, not failed) unless the run is strict about it.
  bool Excused(const KnownFinding& finding) {
    if (StrictAbout(finding)) return false;
    known_findings_met_.insert(finding.summary);
    return true;
  }

  // Lockouts that are consequences of known findings F1, F3 and F4, and only those.
  bool LockoutIsAKnownFinding(const CallContext& before) {
    // F1 overwrote the live token during this call.
    if (this_call_.live_token_overwritten_by_f1 && Excused(kF1)) return true;
    // Known finding F3. Minimal: only the file, holding rt-2, expired; StoreWriteFails(
    // claude-file, 9); ConsumerAsks (rt-2 -> rt-3, pending and parked); TornWrite(claude-file,
    // stays corrupt); ConsumerAsks: the pending pair is dropped, the parked one cleared, and the
    // call answers no-credential while rt-3 is live.
    const bool only_in_memory_or_parked =
        *before.live_token_in == kPendingPair || *before.live_token_in == kRescue.Name();
    if (only_in_memory_or_parked && !before.some_session_store_parses && Excused(kF3)) {
      return true;
    }
    // Known finding F4. Minimal: keychain and agent absent, file holds rt-2, expired;
    // ForeignRefresh(writes_back=true, store=claude-file) (rt-3); ClockJump(-120 min);
    // ForeignRefresh(writes_back=false) (rt-4, kept, claiming an expiry 2 h before rt-3's);
    // TimePasses(600 min); ConsumerAsks (rt-3 refused); ForeignLateWriteBack(agent) (rt-4);
    // ConsumerAsks: rt-3 is picked again and the call answers "refused before; log in again".
    return before.dead_pair_outranks_live && Excused(kF4);
  }

  // The readable session slots: the stores the engine reads, but a locked keychain.
  std::vector<SlotPair> ReadablePairs() const {
    std::vector<SlotPair> pairs;
    for (const StoreId& store : config_.stores) {
      if (store == kKeychain && keychain_locked_) continue;
      if (!io_.Has(store)) continue;
      if (auto pair = SessionPair(store, io_.Get(store))) pairs.push_back(std::move(*pair));
    }
    return pairs;
  }

  bool DeadPairOutranksLive() const {
    const std::vector<SlotPair> pairs = ReadablePairs();
    const std::optional<int64_t> live_expiry = LivePairExpiry(pairs);
    if (!live_expiry) return false;
    const std::string live = authority_.live_refresh_token();
    return std::any_of(pairs.begin(), pairs.end(), [&](const SlotPair& pair) {
      return pair.refresh_token != live && pair.expires_at_ms >= *live_expiry;
    });
  }

  // The latest expiry claimed by a copy of the live pair: in a readable store, pending or parked.
  std::optional<int64_t> LivePairExpiry(const std::vector<SlotPair>& pairs) const {
    const std::string live = authority_.live_refresh_token();
    std::optional<int64_t> expiry;
    const auto consider = [&](int64_t expires_at_ms) {
      expiry = std::max(expiry.value_or(expires_at_ms), expires_at_ms);
    };
    for (const SlotPair& pair : pairs) {
      if (pair.refresh_token == live) consider(pair.expires_at_ms);
    }
    if (engine_->pending() && engine_->pending()->refresh_token == live) {
      consider(engine_->pending()->expires_at_ms);
    }
    if (io_.Has(kRescue)) {
      const auto parked = SessionPair(kRescue, io_.Get(kRescue));
      if (parked && parked->refresh_token == live) consider(parked->expires_at_ms);
    }
    return expiry;
  }

  bool SomeSessionStoreParses() const {
    for (const StoreId& store : config_.stores) {
      if (io_.Has(store) && formats::ParseJsonTree(io_.Get(store)).ok()) return true;
    }
    return false;
  }

  // Property (a).
  void CheckNoLockout(const CallContext& before, const TokenResult& result, bool after_401) {
    if (!before.live_token_in || this_call_.grant_lost) return;
    if (result.status == TokenStatus::kOk) return;
    const bool transient_allowed =
        this_call_.fault_answered || (after_401 && InsideUnauthorizedGap(before));
    if (result.status == TokenStatus::kTransient && transient_allowed) return;
    if (LockoutIsAKnownFinding(before)) return;
    Fail("(a) lockout: " + authority_.live_refresh_token() + " (live) was in " +
         *before.live_token_in + ", yet the call answered " + TokenStatusName(result.status) +
         ": " + result.detail);
  }

  // Property (e).
  void CheckResultIsClean(const TokenResult& result) const {
    static constexpr TokenStatus kStatuses[] = {
        TokenStatus::kOk, TokenStatus::kNoCredential, TokenStatus::kReloginRequired,
        TokenStatus::kTransient, TokenStatus::kRejectedRequest};
    if (std::find(std::begin(kStatuses), std::end(kStatuses), result.status) ==
        std::end(kStatuses)) {
      Fail("(e) the status " + std::to_string(static_cast<int>(result.status)) +
           " is not a TokenStatus");
    }
    for (const auto* secrets : {&authority_.issued(), &kOtherSecrets}) {
      for (const std::string& secret : *secrets) {
        if (result.detail.find(secret) != std::string::npos) {
          Fail("(e) the detail shows token text " + secret + ": " + result.detail);
        }
      }
    }
  }

  // Property (b), at every token request of this process.
  HttpResult AnswerEngine(const HttpRequest& request) {
    const std::string presented = RefreshTokenInRequest(request.body);
    if (spent_by_this_process_.count(presented) > 0) NoteSelfSpentReuse(presented);
    if (refused_to_this_process_.count(presented) > 0) {
      findings_.push_back("(b) the engine presented " + presented +
                          ", which the token endpoint had refused to it before");
    }
    Authority::Answer answer = authority_.Refresh(presented);
    trace_.push_back("the engine presented " + presented + ": " +
                     Authority::VerdictName(answer.verdict));
    // A lost answer teaches the engine nothing: presenting that token once more is how it tells
    // "never arrived" from "rotated", and is not counted.
    if (answer.verdict == Authority::Verdict::kGranted) {
      spent_by_this_process_.emplace(presented, this_call_.ordinal);
    }
    if (answer.verdict == Authority::Verdict::kRefused) refused_to_this_process_.insert(presented);
    this_call_.grant_lost = this_call_.grant_lost || answer.verdict == Authority::Verdict::kLost;
    this_call_.fault_answered =
        this_call_.fault_answered || answer.verdict == Authority::Verdict::kFault;
    return std::move(answer.http);
  }

  // Known finding F2, only for a token spent in an earlier call (within a call the engine knows
  // what it spent) that a store holds (the engine read it there). Minimal:
  // keychain and file hold rt-2, expired; StoreWriteFails(claude-keychain, 5); ConsumerAsks
  // (rt-2 -> rt-3; the keychain keeps rt-2); ForeignRefresh(writes_back=false) (rt-3 -> rt-4, kept
  // by the other tool); Api401: rt-3 is refused, then rt-2, spent by this process, is presented.
  void NoteSelfSpentReuse(const std::string& presented) {
    const bool spent_in_an_earlier_call = spent_by_this_process_.at(presented) < this_call_.ordinal;
    if (spent_in_an_earlier_call && SomeStoreHolds(presented) && Excused(kF2)) return;
    findings_.push_back("(b) the engine presented " + presented +
                        ", which it had spent itself (it received the grant)");
  }

  // Properties (c) and (d), at every write of this process.
  void OnEngineWrite(const StoreId& store, const std::string& replaced,
                     const std::string& written) {
    if (store == kRescue) return;  // the engine's own store: its content is the engine's
    const std::string lost = LostOnWrite(store, replaced, written);
    if (!lost.empty()) {
      findings_.push_back("(c) an engine write to " + store.Name() + " lost: " + lost);
    }
    const auto before = SessionPair(store, replaced);
    const auto after = SessionPair(store, written);
    trace_.push_back("the engine wrote " + (after ? after->refresh_token : "no pair") + " to " +
                     store.Name() + " (it held " + (before ? before->refresh_token : "no pair") +
                     ")");
    const bool token_changed = !before || !after || before->refresh_token != after->refresh_token;
    if (token_changed && after && spent_by_this_process_.count(after->refresh_token) > 0) {
      NoteSelfSpentWrite(store, *after);
    } else {
      CheckNotStaler(store, before, after);
    }
  }

  // Known finding F2, as a write: only a stored pair (both tokens) that this process spent itself,
  // copied whole from another store. A pair the engine put together itself is still a finding.
  void NoteSelfSpentWrite(const StoreId& store, const SlotPair& written) {
    if (SomeOtherStoreHoldsPair(store, written) && Excused(kF2)) return;
    findings_.push_back("(d) the engine wrote " + written.refresh_token +
                        ", which it had spent itself, to " + store.Name());
  }

  bool SomeOtherStoreHoldsPair(const StoreId& besides, const SlotPair& pair) const {
    std::vector<StoreId> stores = config_.stores;
    stores.push_back(kRescue);
    return std::any_of(stores.begin(), stores.end(), [&](const StoreId& store) {
      if (store == besides || !io_.Has(store)) return false;
      const auto held = SessionPair(store, io_.Get(store));
      return held && held->access_token == pair.access_token &&
             held->refresh_token == pair.refresh_token;
    });
  }

  // Whether a session store (or the rescue store) holds `refresh_token` now.
  bool SomeStoreHolds(const std::string& refresh_token) const {
    std::vector<StoreId> stores = config_.stores;
    stores.push_back(kRescue);
    return std::any_of(stores.begin(), stores.end(), [&](const StoreId& store) {
      return io_.Has(store) && SessionRefreshToken(store, io_.Get(store)) == refresh_token;
    });
  }

  void CheckNotStaler(const StoreId& store, const std::optional<SlotPair>& before,
                      const std::optional<SlotPair>& after) {
    const auto before_generation = GenerationOf(before ? before->refresh_token : "");
    const auto after_generation = GenerationOf(after ? after->refresh_token : "");
    if (!before_generation || (after_generation && *after_generation >= *before_generation)) return;
    // Known finding F1, only where the newer pair claims an expiry no later than the older one's.
    // Minimal: keychain and file hold rt-2, expired; ConsumerAsks (rt-2 -> rt-3 in both);
    // ClockJump(-120 min); ForeignRefresh(writes_back=true, store=claude-file) (rt-4 claims an
    // expiry two hours before rt-3's); ConsumerAsks: rt-3 is served and written over rt-4.
    if (after_generation && before->expires_at_ms <= after->expires_at_ms && Excused(kF1)) {
      this_call_.live_token_overwritten_by_f1 =
          this_call_.live_token_overwritten_by_f1 ||
          before->refresh_token == authority_.live_refresh_token();
      return;
    }
    findings_.push_back("(d) the engine wrote " +
                        (after_generation ? RefreshToken(*after_generation) : "no pair") +
                        " over " + RefreshToken(*before_generation) + " in " + store.Name());
  }

  MemIo io_;
  Authority authority_;
  ProcessIo process_io_;
  SessionConfig config_;
  std::unique_ptr<Engine> engine_;
  bool keychain_locked_ = false;
  std::optional<KeptPair> other_tool_holds_;  // the pair the other tool got last
  bool other_tool_owes_write_ = false;        // it got that pair without writing it yet
  int command_index_ = 0;
  std::vector<UnfinishedWrite> unfinished_writes_;
  std::map<std::string, int> spent_by_this_process_;  // the call (ordinal) that spent each
  std::set<std::string> refused_to_this_process_;
  std::optional<std::string> last_served_;
  std::optional<std::pair<int64_t, int64_t>> last_401_rotation_;  // its call's start and end
  CallEvents this_call_;
  std::set<std::string> known_findings_met_;
  std::vector<std::string> findings_;
  std::vector<std::string> trace_;  // what the engine did during the current command
};

// --- the model and the commands ----------------------------------------------------------------

// What the commands alone decide (see the header comment for what is observed instead).
struct Model {
  bool keychain_locked = false;
  bool other_tool_owes_write = false;  // it refreshed without writing back
};

using CommandBase = rc::state::Command<Model, World>;

// Every command runs between BeginCommand (time moves on) and EndCommand (findings fail the case).
struct WorldCommand : CommandBase {
  void run(const Model& /*model*/, World& world) const final {
    world.BeginCommand();
    Act(world);
    world.EndCommand();
  }
  virtual void Act(World& world) const = 0;
};

rc::Gen<StoreKind> GenSessionStore() {
  return rc::gen::element(StoreKind::kClaudeKeychain, StoreKind::kClaudeFile,
                          StoreKind::kAgentAuth);
}

struct ConsumerAsks : WorldCommand {
  void Act(World& world) const override { world.ConsumerAsks(); }
  void show(std::ostream& os) const override { os << "ConsumerAsks"; }
};

struct Api401 : WorldCommand {
  void Act(World& world) const override { world.ApiRefusesToken(); }
  void show(std::ostream& os) const override { os << "Api401(last served access token)"; }
};

struct ForeignRefresh : WorldCommand {
  bool writes_back = *rc::gen::arbitrary<bool>();
  StoreKind store = *GenSessionStore();
  void apply(Model& model) const override { model.other_tool_owes_write = !writes_back; }
  void Act(World& world) const override { world.ForeignRefresh(writes_back, StoreOf(store)); }
  void show(std::ostream& os) const override {
    os << "ForeignRefresh(writes_back=" << (writes_back ? "true" : "false")
       << ", store=" << StoreOf(store).Name() << ")";
  }
};

// The other tool writes the pair of its last refresh late and outside every lock, as Codex CLI
// does (docs/REAL_CLIENTS.md#codex-write-back).
struct ForeignLateWriteBack : WorldCommand {
  StoreKind store = *GenSessionStore();
  void checkPreconditions(const Model& model) const override {
    RC_PRE(model.other_tool_owes_write);
  }
  void apply(Model& model) const override { model.other_tool_owes_write = false; }
  void Act(World& world) const override { world.ForeignLateWriteBack(StoreOf(store)); }
  void show(std::ostream& os) const override {
    os << "ForeignLateWriteBack(" << StoreOf(store).Name() << ")";
  }
};

struct StoreWriteFails : WorldCommand {
  StoreKind store = *GenSessionStore();
  int count = *rc::gen::inRange(1, 13);  // up to more than the engine retries under the locks
  void Act(World& world) const override { world.FailWrites(StoreOf(store), count); }
  void show(std::ostream& os) const override {
    os << "StoreWriteFails(" << StoreOf(store).Name() << ", " << count << ")";
  }
};

// Files only: a keychain item is replaced atomically, never torn.
struct TornWrite : WorldCommand {
  StoreKind store = *rc::gen::element(StoreKind::kClaudeFile, StoreKind::kAgentAuth);
  bool stays_corrupt = *rc::gen::arbitrary<bool>();
  void Act(World& world) const override { world.TornWrite(StoreOf(store), stays_corrupt); }
  void show(std::ostream& os) const override {
    os << "TornWrite(" << StoreOf(store).Name() << (stays_corrupt ? ", stays corrupt)" : ")");
  }
};

struct KeychainLock : WorldCommand {
  void checkPreconditions(const Model& model) const override { RC_PRE(!model.keychain_locked); }
  void apply(Model& model) const override { model.keychain_locked = true; }
  void Act(World& world) const override { world.SetKeychainLocked(true); }
  void show(std::ostream& os) const override { os << "KeychainLock"; }
};

struct KeychainUnlock : WorldCommand {
  void checkPreconditions(const Model& model) const override { RC_PRE(model.keychain_locked); }
  void apply(Model& model) const override { model.keychain_locked = false; }
  void Act(World& world) const override { world.SetKeychainLocked(false); }
  void show(std::ostream& os) const override { os << "KeychainUnlock"; }
};

struct LoseNextAnswer : WorldCommand {
  void Act(World& world) const override { world.authority().LoseNextGrant(); }
  void show(std::ostream& os) const override { os << "LoseNextAnswer"; }
};

struct ServerError : WorldCommand {
  int status = *rc::gen::element(500, 502, 503);
  int count = *rc::gen::inRange(1, 6);  // up to more than the engine's transient attempts
  void Act(World& world) const override {
    for (int i = 0; i < count; ++i) {
      world.authority().QueueFault(JsonResponse(status, "upstream unavailable"));
    }
  }
  void show(std::ostream& os) const override {
    os << "ServerError(" << status << " x" << count << ")";
  }
};

struct RateLimit : WorldCommand {
  int64_t retry_after_s = *rc::gen::element<int64_t>(1, 30, 120);  // 120: beyond the engine's cap
  void Act(World& world) const override {
    HttpResult busy = JsonResponse(429, R"({"error":"rate_limited"})");
    busy.retry_after_ms = retry_after_s * 1000;
    world.authority().QueueFault(std::move(busy));
  }
  void show(std::ostream& os) const override {
    os << "RateLimit(429, retry-after " << retry_after_s << " s)";
  }
};

struct Relogin : WorldCommand {
  std::vector<StoreKind> stores =
      *rc::gen::nonEmpty(rc::gen::unique<std::vector<StoreKind>>(GenSessionStore()));
  void Act(World& world) const override {
    std::vector<StoreId> ids;
    for (StoreKind store : stores) ids.push_back(StoreOf(store));
    world.Relogin(ids);
  }
  void show(std::ostream& os) const override {
    os << "Relogin(";
    for (size_t i = 0; i < stores.size(); ++i) os << (i ? ", " : "") << StoreOf(stores[i]).Name();
    os << ")";
  }
};

struct ClockJump : WorldCommand {
  int64_t minutes =
      *rc::gen::suchThat(rc::gen::inRange<int64_t>(-120, 121), [](int64_t m) { return m != 0; });
  void Act(World& world) const override { world.MoveClock(minutes * kMinuteMs); }
  void show(std::ostream& os) const override {
    os << "ClockJump(" << (minutes > 0 ? "+" : "") << minutes << " min)";
  }
};

struct TimePasses : WorldCommand {
  int64_t minutes = *rc::gen::inRange<int64_t>(1, 601);
  void Act(World& world) const override { world.MoveClock(minutes * kMinuteMs); }
  void show(std::ostream& os) const override { os << "TimePasses(" << minutes << " min)"; }
};

struct KilledMidRefresh : WorldCommand {
  ProcessIo::KillPoint point = *rc::gen::element(ProcessIo::KillPoint::kBeforeTheRequestLeaves,
                                                 ProcessIo::KillPoint::kAfterTheServerRotated);
  void Act(World& world) const override { world.KillMidRefresh(point); }
  void show(std::ostream& os) const override {
    os << "KilledMidRefresh("
       << (point == ProcessIo::KillPoint::kAfterTheServerRotated ? "after the server rotated"
                                                                 : "before the request left")
       << ")";
  }
};

// How often a command is drawn is how often it is listed: consumer calls most (they are what the
// other commands are checked by), then what brings a session back (logins, late write-backs).
const auto kCommands = rc::state::gen::execOneOfWithArgs<
    ConsumerAsks, ConsumerAsks, ConsumerAsks, ConsumerAsks, Api401, Api401, ForeignRefresh,
    ForeignRefresh, ForeignLateWriteBack, ForeignLateWriteBack, StoreWriteFails, TornWrite,
    KeychainLock, KeychainUnlock, LoseNextAnswer, ServerError, RateLimit, Relogin, Relogin, Relogin,
    ClockJump, TimePasses, TimePasses, KilledMidRefresh>();

RC_GTEST_PROP(EngineProperty, SharedSessionKeepsItsInvariantsUnderOtherToolsFaultsAndClocks, ()) {
  const Setup setup = *GenSetup();
  World world(setup);
  rc::state::check(Model{}, world, kCommands);
  for (const std::string& finding : world.known_findings_met()) RC_TAG(finding);
}

}  // namespace
}  // namespace credsim::engine
