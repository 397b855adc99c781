#include "sim/scenario.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <set>
#include <sstream>

#include "base/assert.h"
#include "engine/formats/json_tree.h"
#include "sim/oracles/availability.h"
#include "sim/policies/registry.h"

namespace credsim::sim {
namespace {

using formats::JsonKind;
using formats::JsonValue;

constexpr size_t kMaxStores = 64, kMaxConsumers = 64, kMaxEvents = 1024;
constexpr const char* kDurationHelp = "expected a duration like 500ms, 10s, 5m, 8h, 1h30m or 30d";

std::string Joined(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// "8h", "500ms", or compound "1h05m", "2d12h": <digits><unit> pieces, units ms, s, m, h, d in
// decreasing order. Bounded: at most 5 pieces of at most 9 digits each.
std::optional<int64_t> ParseCompoundDuration(std::string_view text) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ms", 1}, {"s", kSecondMs}, {"m", kMinuteMs}, {"h", kHourMs}, {"d", kDayMs}};
  int64_t total = 0, last_unit = INT64_MAX;
  for (int piece = 0; piece < 5 && !text.empty(); ++piece) {
    size_t digits = 0;
    int64_t value = 0;
    while (digits < text.size() && digits < 9 && text[digits] >= '0' && text[digits] <= '9') {
      value = value * 10 + (text[digits++] - '0');
    }
    if (digits == 0) return std::nullopt;
    text.remove_prefix(digits);
    int64_t unit = 0;
    for (const auto& [name, ms] : kUnits) {
      const bool longer_match = name == "m" && text.starts_with("ms");
      if (text.starts_with(name) && !longer_match) {
        unit = ms;
        text.remove_prefix(name.size());
        break;
      }
    }
    if (unit == 0 || unit >= last_unit) return std::nullopt;
    last_unit = unit;
    total += value * unit;
  }
  if (!text.empty() || last_unit == INT64_MAX) return std::nullopt;
  return total;
}

// Reads typed fields; the first failure is kept (later ones are consequences).
struct Reader {
  std::string* error;
  bool Fail(const std::string& path, const std::string& what) {
    if (error->empty()) *error = path + ": " + what;
    return false;
  }
  bool Keys(const JsonValue& v, const std::string& path, const std::set<std::string>& allowed) {
    if (!v.is_object()) return Fail(path, "expected an object");
    std::set<std::string> seen;
    for (const auto& m : v.members) {
      if (!allowed.count(m.key)) {
        return Fail(path + "." + m.key, "unknown key (expected one of: " + Joined(allowed) + ")");
      }
      if (!seen.insert(m.key).second) return Fail(path + "." + m.key, "duplicate key");
    }
    return true;
  }
  bool Str(const JsonValue* v, const std::string& path, std::string* out) {
    if (!v) return true;
    if (v->kind != JsonKind::kString) return Fail(path, "expected a string");
    *out = v->string;
    return true;
  }
  bool Required(const JsonValue* v, const std::string& path, std::string* out) {
    if (!v) return Fail(path, "required (a string)");
    return Str(v, path, out) && (!out->empty() || Fail(path, "expected a non-empty string"));
  }
  bool Bool(const JsonValue* v, const std::string& path, bool* out) {
    if (!v) return true;
    if (v->kind != JsonKind::kBool) return Fail(path, "expected true or false");
    *out = v->boolean;
    return true;
  }
  // A duration, optionally signed ("-30s") when `signed_ok`.
  bool Duration(const JsonValue* v, const std::string& path, int64_t* out, bool signed_ok = false) {
    if (!v) return true;
    if (v->kind != JsonKind::kString) return Fail(path, kDurationHelp);
    std::string text = v->string;
    const bool negative = signed_ok && text.starts_with("-");
    auto ms = ParseCompoundDuration(negative ? std::string_view(text).substr(1) : text);
    if (!ms) return Fail(path, "bad duration \"" + v->string + "\" (" + kDurationHelp + ")");
    *out = negative ? -*ms : *ms;
    return true;
  }
  bool Range(const JsonValue* v, const std::string& path, int64_t* lo, int64_t* hi) {
    if (!v) return true;
    if (v->kind == JsonKind::kString) {
      if (!Duration(v, path, lo)) return false;
      *hi = *lo;
      return true;
    }
    if (!v->is_array() || v->array.size() != 2)
      return Fail(path, "expected \"5m\" or [\"1m\", \"5m\"]");
    return Duration(&v->array[0], path + "[0]", lo) && Duration(&v->array[1], path + "[1]", hi) &&
           (*lo <= *hi || Fail(path, "expected [low, high] with low <= high"));
  }
  // A chance per million (what ChoiceSource::Chance takes).
  bool PerMillion(const JsonValue* v, const std::string& path, uint32_t* out) {
    if (!v) return true;
    if (v->kind != JsonKind::kInt64 || v->int64 < 0 || v->int64 > 1'000'000)
      return Fail(path, "expected an integer from 0 to 1000000 (parts per million)");
    *out = static_cast<uint32_t>(v->int64);
    return true;
  }
};

std::optional<engine::StoreId> ParseStoreName(const std::string& name) {
  using engine::StoreKind;
  if (name == "claude-keychain") return engine::StoreId{StoreKind::kClaudeKeychain, ""};
  if (name == "claude-file") return engine::StoreId{StoreKind::kClaudeFile, ""};
  if (name == "codex-file") return engine::StoreId{StoreKind::kCodexAuth, ""};
  if (name == "agent") return engine::StoreId{StoreKind::kAgentAuth, ""};
  if (name.starts_with("agent:") && name.size() > 6) {
    return engine::StoreId{StoreKind::kAgentAuth, name.substr(6)};
  }
  return std::nullopt;
}
constexpr const char* kStoreHelp =
    "expected claude-keychain, claude-file, codex-file, agent or agent:PROFILE";

bool Store(Reader& r, const JsonValue* v, const std::string& path, engine::StoreId* out) {
  std::string name;
  if (!r.Str(v, path, &name)) return false;
  auto id = ParseStoreName(name);
  if (!id) return r.Fail(path, "unknown store \"" + name + "\" (" + kStoreHelp + ")");
  *out = *id;
  return true;
}

// A home's name: it prefixes store names in traces ("laptop/claude-file").
bool Home(Reader& r, const JsonValue* v, const std::string& path, std::string* out) {
  if (!r.Str(v, path, out)) return false;
  const bool ok = out->size() <= 32 && std::all_of(out->begin(), out->end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                  });
  return ok || r.Fail(path, "expected up to 32 of a-z, 0-9 and - (\"\" is the default home)");
}

bool HomeDeclared(const WorldConfig& w, const std::string& home) {
  return home.empty() || std::any_of(w.stores.begin(), w.stores.end(),
                                     [&](const InitialStore& s) { return s.home == home; });
}

bool NeedsStore(EventKind k) {
  return k == EventKind::kTearStore || k == EventKind::kDiskFull || k == EventKind::kDiskOk ||
         k == EventKind::kReplaceSymlink;
}
bool NeedsConsumer(EventKind k) {
  return k == EventKind::kRelogin || k == EventKind::kRestart ||
         k == EventKind::kKillDuringRefresh || k == EventKind::kFailAfterGrant ||
         k == EventKind::kClockJump;
}
bool NeedsBy(EventKind k) { return k == EventKind::kServerClockJump || k == EventKind::kClockJump; }
bool TakesStore(EventKind k) { return NeedsStore(k) || k == EventKind::kRelogin; }
bool TakesConsumer(EventKind k) { return NeedsConsumer(k) || k == EventKind::kLoseNextResponse; }

bool ParseServer(Reader& r, const JsonValue& v, WorldConfig& w) {
  if (!r.Keys(v, "$.server",
              {"provider", "access_ttl", "reuse", "latency", "retry_after", "race",
               "revoke_siblings_on_refresh", "token_delay", "refresh_ttl"})) {
    return false;
  }
  std::string provider = "anthropic", reuse, race;
  if (!r.Bool(v.Find("revoke_siblings_on_refresh"), "$.server.revoke_siblings_on_refresh",
              &w.revoke_siblings_on_refresh) ||
      !r.Duration(v.Find("token_delay"), "$.server.token_delay", &w.token_grant_delay_ms) ||
      !r.Duration(v.Find("refresh_ttl"), "$.server.refresh_ttl", &w.refresh_ttl_ms) ||
      !r.Str(v.Find("race"), "$.server.race", &race)) {
    return false;
  }
  if (w.refresh_ttl_ms <= 0) return r.Fail("$.server.refresh_ttl", "expected more than 0s");
  if (!race.empty()) {
    auto policy = oauth::ParseRacePolicy(race);
    if (!policy) return r.Fail("$.server.race", "expected strict or lenient");
    w.race = *policy;
  }
  if (!r.Str(v.Find("provider"), "$.server.provider", &provider)) return false;
  auto p = engine::ParseProvider(provider);
  if (!p) return r.Fail("$.server.provider", "expected anthropic or openai-codex");
  w.provider = *p;
  if (!r.Duration(v.Find("access_ttl"), "$.server.access_ttl", &w.access_ttl_ms) ||
      !r.Duration(v.Find("retry_after"), "$.server.retry_after", &w.faults.retry_after_ms) ||
      !r.Str(v.Find("reuse"), "$.server.reuse", &reuse)) {
    return false;
  }
  if (w.access_ttl_ms <= 0) return r.Fail("$.server.access_ttl", "expected more than 0s");
  if (!reuse.empty()) {
    auto policy = oauth::ParseReusePolicy(reuse);
    if (!policy) return r.Fail("$.server.reuse", "expected reject, revoke-family or grace:2s");
    w.reuse = *policy;
  }
  return r.Range(v.Find("latency"), "$.server.latency", &w.net_latency_ms_min,
                 &w.net_latency_ms_max);
}

// "faults": random faults while t < until, each a chance per million of its kind of operation.
bool ParseFaults(Reader& r, const JsonValue& v, WorldConfig& w) {
  std::set<std::string> keys = {"until"};
  for (const auto& [name, rate] : kFaultRateNames) keys.insert(name);
  if (!r.Keys(v, "$.faults", keys) ||
      !r.Duration(v.Find("until"), "$.faults.until", &w.faults_until_ms)) {
    return false;
  }
  for (const auto& [name, rate] : kFaultRateNames) {
    if (!r.PerMillion(v.Find(name), std::string("$.faults.") + name, &(w.faults.*rate)))
      return false;
  }
  return true;
}

bool ParseContent(Reader& r, const JsonValue* v, const std::string& path, InitialContent* out) {
  std::string content = "current";
  if (!r.Str(v, path, &content)) return false;
  if (content == "current") *out = InitialContent::kCurrent;
  if (content == "previous") *out = InitialContent::kPrevious;
  if (content == "absent") *out = InitialContent::kAbsent;
  if (content == "current" || content == "previous" || content == "absent") return true;
  return r.Fail(path, "expected current, previous or absent");
}

// "stored_expiry": "absent" | "zero" | {"at": "-1h", "unit": "ms"|"s"}.
bool ParseStoredExpiry(Reader& r, const JsonValue* v, const std::string& path, InitialStore& s) {
  if (!v) return true;
  constexpr const char* kHelp = R"(expected "absent", "zero" or {"at": "5m", "unit": "ms"|"s"})";
  if (v->kind == JsonKind::kString) {
    if (v->string == "absent") s.expiry = InitialStore::Expiry::kAbsent;
    if (v->string == "zero") s.expiry = InitialStore::Expiry::kZero;
    return s.expiry != InitialStore::Expiry::kTrue || r.Fail(path, kHelp);
  }
  if (!v->is_object()) return r.Fail(path, kHelp);
  std::string unit = "ms";
  if (!r.Keys(*v, path, {"at", "unit"}) || !r.Str(v->Find("unit"), path + ".unit", &unit)) {
    return false;
  }
  if (!v->Find("at")) return r.Fail(path + ".at", "required (a duration from the start)");
  if (!r.Duration(v->Find("at"), path + ".at", &s.expiry_at_ms, /*signed_ok=*/true)) return false;
  if (unit != "ms" && unit != "s") return r.Fail(path + ".unit", "expected ms or s");
  s.expiry = InitialStore::Expiry::kAt;
  s.expiry_in_seconds = unit == "s";
  return true;
}

// The top-level keys each store's document writes itself (an extra member may not repeat one).
const std::set<std::string>& OwnTopLevelKeys(engine::StoreKind kind) {
  static const std::set<std::string> kClaude = {"claudeAiOauth", "credsimMarker"};
  static const std::set<std::string> kAgent = {"version", "providers", "credential_pool",
                                               "credsimMarker"};
  static const std::set<std::string> kCodex = {"auth_mode", "OPENAI_API_KEY", "tokens",
                                               "last_refresh", "credsimMarker"};
  if (kind == engine::StoreKind::kAgentAuth) return kAgent;
  if (kind == engine::StoreKind::kCodexAuth) return kCodex;
  return kClaude;
}

// "extra": {...}: members added at the top level, as written.
bool ParseExtra(Reader& r, const JsonValue* v, const std::string& path, InitialStore& s) {
  if (!v) return true;
  if (!v->is_object() || v->members.empty() || v->members.size() > 16)
    return r.Fail(path, "expected an object of 1 to 16 members (sections other tools own)");
  for (const auto& m : v->members) {
    if (OwnTopLevelKeys(s.id.kind).count(m.key))
      return r.Fail(path + "." + m.key, "the store's own key; extra sections sit beside it");
  }
  const std::string text = formats::WriteJsonTree(*v);
  const size_t open = text.find('{'), close = text.rfind('}');
  CREDSIM_ASSERT(open != std::string::npos && close != std::string::npos && open < close);
  s.extra_members = text.substr(open + 1, close - open - 1);  // the members, without the braces
  return true;
}

// "client_id" and "scope_list": what Claude Code sends on refresh when the store has a clientId.
bool ParseClaudeClient(Reader& r, const JsonValue& s, const std::string& path,
                       InitialStore& store) {
  if (!r.Str(s.Find("client_id"), path + ".client_id", &store.claude_client_id)) return false;
  if (const JsonValue* list = s.Find("scope_list")) {
    if (!list->is_array() || list->array.empty() || list->array.size() > 16)
      return r.Fail(path + ".scope_list", "expected an array of 1 to 16 scopes");
    for (size_t i = 0; i < list->array.size(); ++i) {
      std::string scope;
      if (!r.Required(&list->array[i], path + ".scope_list[" + std::to_string(i) + "]", &scope))
        return false;
      store.claude_scopes.push_back(scope);
    }
  }
  if (engine::IsClaudeKind(store.id.kind)) return true;
  if (s.Find("client_id")) return r.Fail(path + ".client_id", "only Claude stores have it");
  if (s.Find("scope_list")) return r.Fail(path + ".scope_list", "only Claude stores have it");
  return true;
}

// A path that links to another home's file: it has no content of its own.
bool ParseLinkStore(Reader& r, const JsonValue& s, const std::string& path, InitialStore& store) {
  if (!r.Keys(s, path, {"store", "home", "link"})) return false;
  std::string target;
  if (!Home(r, s.Find("link"), path + ".link", &target)) return false;
  if (target == store.home) return r.Fail(path + ".link", "a store cannot link to its own home");
  store.link_home = target;
  store.content = InitialContent::kAbsent;
  return true;
}

bool ParseStore(Reader& r, const JsonValue& s, const std::string& path, WorldConfig& w) {
  InitialStore store;
  if (!s.Find("store"))
    return r.Fail(path + ".store", std::string("required (") + kStoreHelp + ")");
  if (!Store(r, s.Find("store"), path + ".store", &store.id) ||
      !Home(r, s.Find("home"), path + ".home", &store.home)) {
    return false;
  }
  for (const InitialStore& other : w.stores) {
    if (other.id == store.id && other.home == store.home)
      return r.Fail(path + ".store", "store listed twice in one home");
  }
  if (s.Find("link")) {
    if (store.id.kind == engine::StoreKind::kClaudeKeychain)
      return r.Fail(path + ".link", "a keychain item is not a file and cannot be a symlink");
    if (!ParseLinkStore(r, s, path, store)) return false;
    w.stores.push_back(store);
    return true;
  }
  if (!r.Keys(s, path,
              {"store", "home", "symlink", "content", "expired", "scopes", "subscriptionType",
               "providers_block", "pool_status", "pool_reset_in", "corrupt", "stored_expiry",
               "refresh_token_expires_at", "last_refresh", "extra", "client_id", "scope_list"})) {
    return false;
  }
  if (!r.Bool(s.Find("symlink"), path + ".symlink", &store.symlink) ||
      !ParseContent(r, s.Find("content"), path + ".content", &store.content) ||
      !r.Bool(s.Find("expired"), path + ".expired", &store.expired) ||
      !r.Bool(s.Find("scopes"), path + ".scopes", &store.scopes) ||
      !r.Bool(s.Find("subscriptionType"), path + ".subscriptionType", &store.subscription) ||
      !r.Bool(s.Find("providers_block"), path + ".providers_block", &store.providers_block) ||
      !r.Str(s.Find("pool_status"), path + ".pool_status", &store.pool_status) ||
      !r.Duration(s.Find("pool_reset_in"), path + ".pool_reset_in", &store.pool_reset_in_ms,
                  true) ||
      !r.Bool(s.Find("corrupt"), path + ".corrupt", &store.corrupt) ||
      !ParseStoredExpiry(r, s.Find("stored_expiry"), path + ".stored_expiry", store) ||
      !ParseExtra(r, s.Find("extra"), path + ".extra", store) ||
      !ParseClaudeClient(r, s, path, store)) {
    return false;
  }
  int64_t at_ms = 0;
  if (const JsonValue* v = s.Find("refresh_token_expires_at")) {
    if (!r.Duration(v, path + ".refresh_token_expires_at", &at_ms, true)) return false;
    store.refresh_token_expires_at_ms = at_ms;
  }
  if (const JsonValue* v = s.Find("last_refresh")) {
    if (store.id.kind != engine::StoreKind::kCodexAuth)
      return r.Fail(path + ".last_refresh", "only codex-file stores have last_refresh");
    if (!r.Duration(v, path + ".last_refresh", &at_ms, true)) return false;
    store.last_refresh_at_ms = at_ms;
  }
  if (store.refresh_token_expires_at_ms && !engine::IsClaudeKind(store.id.kind))
    return r.Fail(path + ".refresh_token_expires_at", "only Claude stores have it");
  if (!store.pool_status.empty() && store.pool_status != "exhausted" &&
      store.pool_status != "dead") {
    return r.Fail(path + ".pool_status", "expected exhausted or dead");
  }
  if (store.symlink && store.id.kind == engine::StoreKind::kClaudeKeychain)
    return r.Fail(path + ".symlink", "a keychain item is not a file and cannot be a symlink");
  w.stores.push_back(store);
  return true;
}

bool ParseStores(Reader& r, const JsonValue& v, WorldConfig& w) {
  if (!v.is_array()) return r.Fail("$.stores", "expected an array");
  if (v.array.size() > kMaxStores) return r.Fail("$.stores", "expected at most 64 stores");
  for (size_t i = 0; i < v.array.size(); ++i) {
    if (!ParseStore(r, v.array[i], "$.stores[" + std::to_string(i) + "]", w)) return false;
  }
  // A link's target is the same store in its home, declared, and a file (not another link).
  for (size_t i = 0; i < w.stores.size(); ++i) {
    const InitialStore& link = w.stores[i];
    if (!link.link_home) continue;
    const auto target = std::find_if(w.stores.begin(), w.stores.end(), [&](const InitialStore& t) {
      return t.home == *link.link_home && t.id == link.id;
    });
    const std::string at = "$.stores[" + std::to_string(i) + "].link";
    if (target == w.stores.end())
      return r.Fail(at, "home \"" + *link.link_home + "\" declares no " + link.id.Name());
    if (target->link_home) return r.Fail(at, "the target is itself a link (links are one hop)");
  }
  return true;
}

bool ParseConsumer(Reader& r, const JsonValue& c, const std::string& path, WorldConfig& w) {
  if (!r.Keys(c, path,
              {"name", "policy", "profile", "home", "skew", "drift_ppm", "lock", "every", "start",
               "stores"})) {
    return false;
  }
  ConsumerSpec s;
  std::string lock;
  if (const JsonValue* drift = c.Find("drift_ppm")) {
    if (drift->kind != JsonKind::kInt64 || drift->int64 < -100'000 || drift->int64 > 100'000)
      return r.Fail(path + ".drift_ppm", "expected an integer from -100000 to 100000");
    s.drift_ppm = static_cast<int32_t>(drift->int64);
  }
  if (!r.Str(c.Find("lock"), path + ".lock", &lock)) return false;
  if (lock == "home") s.lock = LockTopology::kHome;
  if (lock == "file") s.lock = LockTopology::kFile;
  if (lock == "process") s.lock = LockTopology::kProcess;
  if (c.Find("lock") && !s.lock)
    return r.Fail(path + ".lock",
                  "expected home (the home's lock), file (also the lock beside a linked file) or "
                  "process (none across processes)");
  if (!Home(r, c.Find("home"), path + ".home", &s.home)) return false;
  if (!HomeDeclared(w, s.home))
    return r.Fail(path + ".home", "no store is declared in home \"" + s.home + "\"");
  if (!r.Required(c.Find("name"), path + ".name", &s.name) ||
      !r.Str(c.Find("policy"), path + ".policy", &s.policy) ||
      !r.Str(c.Find("profile"), path + ".profile", &s.profile) ||
      !r.Duration(c.Find("start"), path + ".start", &s.start_ms) ||
      !r.Duration(c.Find("skew"), path + ".skew", &s.skew_ms, true) ||
      !r.Range(c.Find("every"), path + ".every", &s.need_every_ms_min, &s.need_every_ms_max)) {
    return false;
  }
  if (s.policy != "$policy" && !FindPolicy(s.policy)) {
    return r.Fail(path + ".policy", "unknown policy \"" + s.policy +
                                        "\" (expected $policy or a name from "
                                        "`credsim policies`)");
  }
  if (s.need_every_ms_min <= 0) return r.Fail(path + ".every", "expected more than 0s");
  if (const JsonValue* stores = c.Find("stores")) {
    if (!stores->is_array() || stores->array.empty() || stores->array.size() > 8)
      return r.Fail(path + ".stores", "expected an array of 1 to 8 store names");
    for (size_t i = 0; i < stores->array.size(); ++i) {
      engine::StoreId id;
      if (!Store(r, &stores->array[i], path + ".stores[" + std::to_string(i) + "]", &id))
        return false;
      s.stores.push_back(id);
    }
  }
  for (const ConsumerSpec& other : w.consumers) {
    if (other.name == s.name) return r.Fail(path + ".name", "consumer name used twice");
  }
  w.consumers.push_back(s);
  return true;
}

bool ParseConsumers(Reader& r, const JsonValue& v, WorldConfig& w) {
  if (!v.is_array() || v.array.empty() || v.array.size() > kMaxConsumers)
    return r.Fail("$.consumers", "expected an array of 1 to 64 consumers");
  for (size_t i = 0; i < v.array.size(); ++i) {
    if (!ParseConsumer(r, v.array[i], "$.consumers[" + std::to_string(i) + "]", w)) return false;
  }
  return true;
}

bool ParseEvent(Reader& r, const JsonValue& e, const std::string& path, WorldConfig& w) {
  if (!r.Keys(e, path, {"at", "do", "consumer", "store", "home", "by"})) return false;
  ScriptedEvent ev;
  std::string kind;
  if (!e.Find("at")) return r.Fail(path + ".at", std::string("required (") + kDurationHelp + ")");
  if (!r.Duration(e.Find("at"), path + ".at", &ev.at_ms) ||
      !r.Required(e.Find("do"), path + ".do", &kind) ||
      !r.Str(e.Find("consumer"), path + ".consumer", &ev.consumer)) {
    return false;
  }
  bool known = false;
  std::set<std::string> names;
  for (const auto& [name, k] : kEventKindNames) {
    names.insert(name);
    if (kind == name) ev.kind = k, known = true;
  }
  if (!known)
    return r.Fail(path + ".do",
                  "unknown event \"" + kind + "\" (expected one of: " + Joined(names) + ")");
  if (NeedsStore(ev.kind) && !e.Find("store"))
    return r.Fail(path + ".store", std::string("required for ") + kind + " (" + kStoreHelp + ")");
  if (e.Find("store") && !TakesStore(ev.kind))
    return r.Fail(path + ".store", std::string("not used by ") + kind);
  if (e.Find("store")) {
    engine::StoreId id;
    if (!Store(r, e.Find("store"), path + ".store", &id)) return false;
    ev.store = id;
  }
  if (e.Find("home") && !NeedsStore(ev.kind))
    return r.Fail(path + ".home",
                  std::string("not used by ") + kind + " (a relogin writes its consumer's home)");
  if (!Home(r, e.Find("home"), path + ".home", &ev.home)) return false;
  if (!HomeDeclared(w, ev.home))
    return r.Fail(path + ".home", "no store is declared in home \"" + ev.home + "\"");
  if (e.Find("consumer") && !TakesConsumer(ev.kind))
    return r.Fail(path + ".consumer", std::string("not used by ") + kind);
  if (NeedsBy(ev.kind) != (e.Find("by") != nullptr)) {
    return r.Fail(path + ".by", NeedsBy(ev.kind)
                                    ? "required for " + kind + " (e.g. \"5m\", \"-2h\")"
                                    : "not used by " + kind);
  }
  if (!r.Duration(e.Find("by"), path + ".by", &ev.by_ms, /*signed_ok=*/true)) return false;
  if (NeedsConsumer(ev.kind) || !ev.consumer.empty()) {
    bool found = false;
    for (const ConsumerSpec& c : w.consumers) found |= c.name == ev.consumer;
    if (!found) return r.Fail(path + ".consumer", "expected the name of a consumer");
  }
  if (ev.at_ms > w.duration_ms) return r.Fail(path + ".at", "expected a time within duration");
  w.events.push_back(ev);
  return true;
}

bool ParseEvents(Reader& r, const JsonValue& v, WorldConfig& w) {
  if (!v.is_array() || v.array.size() > kMaxEvents)
    return r.Fail("$.events", "expected an array of at most 1024 events");
  for (size_t i = 0; i < v.array.size(); ++i) {
    if (!ParseEvent(r, v.array[i], "$.events[" + std::to_string(i) + "]", w)) return false;
  }
  return true;
}

// "window": [from, to], inside the run.
bool ParseWindow(Reader& r, const JsonValue& v, const std::string& path, const Scenario& s,
                 int64_t* from_ms, int64_t* to_ms) {
  if (!v.Find("window")) return r.Fail(path + ".window", "required ([\"from\", \"to\"])");
  if (!r.Range(v.Find("window"), path + ".window", from_ms, to_ms)) return false;
  if (*to_ms > s.world.duration_ms) return r.Fail(path + ".window", "expected to end by duration");
  return true;
}

bool ConsumerNamed(const Scenario& s, const std::string& name) {
  return name == "*" || std::any_of(s.world.consumers.begin(), s.world.consumers.end(),
                                    [&](const ConsumerSpec& c) { return c.name == name; });
}

bool ParseFires(Reader& r, const JsonValue& v, const std::string& path, const Scenario& s,
                Expectation& e) {
  if (!r.Keys(v, path, {"oracle", "consumer", "window"})) return false;
  e.all_hold = false;
  if (!r.Required(v.Find("oracle"), path + ".oracle", &e.oracle) ||
      !r.Required(v.Find("consumer"), path + ".consumer", &e.consumer)) {
    return false;
  }
  const auto& oracles = KnownOracles();
  if (std::find(oracles.begin(), oracles.end(), e.oracle) == oracles.end()) {
    std::set<std::string> names(oracles.begin(), oracles.end());
    return r.Fail(path + ".oracle",
                  "unknown oracle \"" + e.oracle + "\" (expected one of: " + Joined(names) + ")");
  }
  if (!ConsumerNamed(s, e.consumer))
    return r.Fail(path + ".consumer", "expected the name of a consumer, or \"*\"");
  return ParseWindow(r, v, path, s, &e.from_ms, &e.to_ms);
}

bool ParseOutage(Reader& r, const JsonValue& v, const std::string& path, const Scenario& s,
                 OutageExpectation& o) {
  if (!r.Keys(v, path, {"consumer", "cause", "status", "window"}) ||
      !r.Required(v.Find("consumer"), path + ".consumer", &o.consumer) ||
      !r.Required(v.Find("cause"), path + ".cause", &o.cause) ||
      !r.Str(v.Find("status"), path + ".status", &o.status)) {
    return false;
  }
  std::set<std::string> causes(std::begin(kOutageCauses), std::end(kOutageCauses));
  if (!causes.count(o.cause)) {
    return r.Fail(path + ".cause",
                  "unknown cause \"" + o.cause + "\" (expected one of: " + Joined(causes) + ")");
  }
  if (!ConsumerNamed(s, o.consumer))
    return r.Fail(path + ".consumer", "expected the name of a consumer, or \"*\"");
  return ParseWindow(r, v, path, s, &o.from_ms, &o.to_ms);
}

// {"outages": [...]}: every oracle holds, and the run shows exactly these outages.
bool ParseHoldWithOutages(Reader& r, const JsonValue& v, const std::string& path, const Scenario& s,
                          Expectation& e) {
  if (!r.Keys(v, path, {"outages"})) return false;
  const JsonValue& list = *v.Find("outages");
  if (!list.is_array() || list.array.empty() || list.array.size() > 16)
    return r.Fail(path + ".outages", "expected an array of 1 to 16 outages");
  for (size_t i = 0; i < list.array.size(); ++i) {
    OutageExpectation o;
    if (!ParseOutage(r, list.array[i], path + ".outages[" + std::to_string(i) + "]", s, o))
      return false;
    e.outages.push_back(o);
  }
  return true;
}

bool ParseExpect(Reader& r, const JsonValue& v, Scenario& s) {
  if (!v.is_object() || v.members.empty())
    return r.Fail("$.expect", "expected an object: policy name -> \"all-hold\" or {oracle, ...}");
  for (const auto& m : v.members) {
    const std::string path = "$.expect." + m.key;
    if (!FindPolicy(m.key)) return r.Fail(path, "unknown policy (see `credsim policies`)");
    for (const Expectation& other : s.expectations) {
      if (other.policy == m.key) return r.Fail(path, "duplicate key");
    }
    Expectation e{m.key};
    if (m.value.kind == JsonKind::kString) {
      if (m.value.string != "all-hold") return r.Fail(path, "expected \"all-hold\" or an object");
    } else if (m.value.is_object() && m.value.Find("outages")) {
      if (!ParseHoldWithOutages(r, m.value, path, s, e)) return false;
    } else if (!ParseFires(r, m.value, path, s, e)) {
      return false;
    }
    if (IsReferencePolicy(m.key) && !e.all_hold)
      return r.Fail(path,
                    "expected \"all-hold\" or {\"outages\": [...]}: the reference must "
                    "hold every oracle");
    s.expectations.push_back(e);
  }
  return true;
}

bool ParseNotes(Reader& r, const JsonValue& v, Scenario& s) {
  return r.Keys(v, "$.notes", {"known", "assumed"}) &&
         r.Required(v.Find("known"), "$.notes.known", &s.known) &&
         r.Required(v.Find("assumed"), "$.notes.assumed", &s.assumed);
}

// A seed is any uint64; the tree holds one above INT64_MAX as kUint64.
bool ParseSeed(Reader& r, const JsonValue* v, uint64_t* out) {
  if (!v) return true;
  if (v->kind == JsonKind::kUint64) {
    *out = v->uint64;
    return true;
  }
  if (v->kind != JsonKind::kInt64 || v->int64 < 0)
    return r.Fail("$.seed", "expected a non-negative integer");
  *out = static_cast<uint64_t>(v->int64);
  return true;
}

// The top-level knobs of the world beside the server: the order of simultaneous events, how long
// a store operation takes, how Codex CLI models write their file.
bool ParseWorldKnobs(Reader& r, const JsonValue& root, WorldConfig& w) {
  return r.Bool(root.Find("shuffle_ties"), "$.shuffle_ties", &w.shuffle_ties) &&
         r.Range(root.Find("store_latency"), "$.store_latency", &w.store_latency_ms_min,
                 &w.store_latency_ms_max) &&
         r.Bool(root.Find("codex_in_place_rewrite"), "$.codex_in_place_rewrite",
                &w.codex_in_place_rewrite);
}

bool ParseTop(Reader& r, const JsonValue& root, Scenario& s) {
  if (!r.Keys(root, "$",
              {"$schema", "name", "summary", "source", "basis", "notes", "duration", "seed",
               "shuffle_ties", "server", "faults", "store_latency", "codex_in_place_rewrite",
               "stores", "consumers", "events", "expect"})) {
    return false;
  }
  if (!r.Required(root.Find("name"), "$.name", &s.name) ||
      !r.Required(root.Find("source"), "$.source", &s.source) ||
      !r.Required(root.Find("summary"), "$.summary", &s.summary) ||
      !r.Str(root.Find("basis"), "$.basis", &s.basis)) {
    return false;
  }
  if (s.basis != "report" && s.basis != "derived")
    return r.Fail("$.basis", "expected report (a public report shows it) or derived");
  if (!root.Find("duration"))
    return r.Fail("$.duration", std::string("required (") + kDurationHelp + ")");
  if (!r.Duration(root.Find("duration"), "$.duration", &s.world.duration_ms)) return false;
  if (s.world.duration_ms <= 0 || s.world.duration_ms > 400 * kDayMs)
    return r.Fail("$.duration", "expected more than 0s and at most 400d");
  if (!ParseSeed(r, root.Find("seed"), &s.world.seed)) return false;
  if (root.Find("notes") && !ParseNotes(r, *root.Find("notes"), s)) return false;
  if (!ParseWorldKnobs(r, root, s.world)) return false;
  if (root.Find("server") && !ParseServer(r, *root.Find("server"), s.world)) return false;
  if (root.Find("faults") && !ParseFaults(r, *root.Find("faults"), s.world)) return false;
  if (root.Find("stores") && !ParseStores(r, *root.Find("stores"), s.world)) return false;
  if (!root.Find("consumers")) return r.Fail("$.consumers", "required (an array)");
  if (!ParseConsumers(r, *root.Find("consumers"), s.world)) return false;
  if (root.Find("events") && !ParseEvents(r, *root.Find("events"), s.world)) return false;
  if (!root.Find("expect")) return r.Fail("$.expect", "required (policy -> expectation)");
  return ParseExpect(r, *root.Find("expect"), s);
}

}  // namespace

const std::vector<std::string>& KnownOracles() {
  static const std::vector<std::string> kOracles = {"no_lockout",     "no_self_inflicted_reuse",
                                                    "lineage",        "no_collateral_damage",
                                                    "no_secret_leak", "clock",
                                                    "refresh_storm"};
  return kOracles;
}

std::optional<Scenario> ParseScenario(std::string_view json, std::string* error) {
  error->clear();
  Reader r{error};
  auto tree = formats::ParseJsonTree(json);
  if (!tree.ok()) {
    *error = tree.error().path + ": " + tree.error().message + " (expected valid JSON)";
    return std::nullopt;
  }
  Scenario s;
  if (!ParseTop(r, tree.value(), s)) return std::nullopt;
  return s;
}

std::optional<Scenario> LoadScenarioFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot read";
    return std::nullopt;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  auto s = ParseScenario(buf.str(), error);
  if (!s) *error = path + ": " + *error;
  return s;
}

WorldConfig WorldForPolicy(const Scenario& scenario, const std::string& policy) {
  WorldConfig w = scenario.world;
  for (ConsumerSpec& c : w.consumers) {
    if (c.policy == "$policy") c.policy = policy;
  }
  return w;
}

}  // namespace credsim::sim
