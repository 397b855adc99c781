#include "sim/scenario.h"

#include <set>

#include "engine/formats/json_tree.h"
#include "fake_oauth_server/duration.h"
#include "sim/policies/registry.h"

namespace credsim::sim {
namespace {

using formats::JsonKind;
using formats::JsonValue;

struct Reader {
  std::string* error;
  bool Fail(const std::string& path, const std::string& what) {
    if (error->empty()) *error = path + ": " + what;
    return false;
  }
  bool Keys(const JsonValue& v, const std::string& path, std::set<std::string> allowed) {
    if (!v.is_object()) return Fail(path, "expected an object");
    for (const auto& m : v.members) {
      if (!allowed.count(m.key)) return Fail(path + "." + m.key, "unknown key");
    }
    return true;
  }
  bool Str(const JsonValue* v, const std::string& path, std::string* out) {
    if (!v) return true;
    if (v->kind != JsonKind::kString) return Fail(path, "expected a string");
    *out = v->string;
    return true;
  }
  bool Bool(const JsonValue* v, const std::string& path, bool* out) {
    if (!v) return true;
    if (v->kind != JsonKind::kBool) return Fail(path, "expected true or false");
    *out = v->boolean;
    return true;
  }
  bool Duration(const JsonValue* v, const std::string& path, int64_t* out) {
    if (!v) return true;
    if (v->kind != JsonKind::kString) return Fail(path, "expected a duration like \"5m\"");
    auto ms = oauth::ParseDurationMs(v->string);
    if (!ms)
      return Fail(path, "bad duration \"" + v->string + "\" (write 500ms, 10s, 5m, 8h, 30d)");
    *out = *ms;
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
           (*lo <= *hi || Fail(path, "range must be [low, high]"));
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

std::optional<EventKind> ParseEventKind(const std::string& s) {
  static const std::pair<const char*, EventKind> kKinds[] = {
      {"relogin", EventKind::kRelogin},
      {"restart", EventKind::kRestart},
      {"kill-during-refresh", EventKind::kKillDuringRefresh},
      {"keychain-lock", EventKind::kKeychainLock},
      {"keychain-unlock", EventKind::kKeychainUnlock},
      {"tear", EventKind::kTearStore},
      {"server-down", EventKind::kServerDown},
      {"server-up", EventKind::kServerUp}};
  for (const auto& [name, kind] : kKinds) {
    if (s == name) return kind;
  }
  return std::nullopt;
}

bool ParseServer(Reader& r, const JsonValue& v, WorldConfig& w) {
  if (!r.Keys(v, "$.server", {"provider", "access_ttl", "reuse", "latency"})) return false;
  std::string provider = "anthropic", reuse;
  if (!r.Str(v.Find("provider"), "$.server.provider", &provider)) return false;
  auto p = engine::ParseProvider(provider);
  if (!p) return r.Fail("$.server.provider", "expected anthropic or openai-codex");
  w.provider = *p;
  if (!r.Duration(v.Find("access_ttl"), "$.server.access_ttl", &w.access_ttl_ms)) return false;
  if (!r.Str(v.Find("reuse"), "$.server.reuse", &reuse)) return false;
  if (!reuse.empty()) {
    auto policy = oauth::ParseReusePolicy(reuse);
    if (!policy) return r.Fail("$.server.reuse", "expected reject, revoke-family or grace:MS");
    w.reuse = *policy;
  }
  return r.Range(v.Find("latency"), "$.server.latency", &w.net_latency_ms_min,
                 &w.net_latency_ms_max);
}

bool ParseStores(Reader& r, const JsonValue& v, WorldConfig& w) {
  if (!v.is_array()) return r.Fail("$.stores", "expected an array");
  for (size_t i = 0; i < v.array.size() && i < 64; ++i) {
    const std::string path = "$.stores[" + std::to_string(i) + "]";
    const JsonValue& s = v.array[i];
    if (!r.Keys(s, path, {"store", "content", "expired", "scopes", "subscriptionType"}))
      return false;
    std::string name, content = "current";
    if (!r.Str(s.Find("store"), path + ".store", &name)) return false;
    auto id = ParseStoreName(name);
    if (!id) return r.Fail(path + ".store", "unknown store \"" + name + "\"");
    InitialStore store{*id};
    if (!r.Str(s.Find("content"), path + ".content", &content)) return false;
    if (content == "current")
      store.content = InitialContent::kCurrent;
    else if (content == "previous")
      store.content = InitialContent::kPrevious;
    else if (content == "absent")
      store.content = InitialContent::kAbsent;
    else
      return r.Fail(path + ".content", "expected current, previous or absent");
    if (!r.Bool(s.Find("expired"), path + ".expired", &store.expired) ||
        !r.Bool(s.Find("scopes"), path + ".scopes", &store.scopes) ||
        !r.Bool(s.Find("subscriptionType"), path + ".subscriptionType", &store.subscription)) {
      return false;
    }
    w.stores.push_back(store);
  }
  return true;
}

bool ParseConsumers(Reader& r, const JsonValue& v, WorldConfig& w) {
  if (!v.is_array() || v.array.empty()) return r.Fail("$.consumers", "expected a non-empty array");
  for (size_t i = 0; i < v.array.size() && i < 64; ++i) {
    const std::string path = "$.consumers[" + std::to_string(i) + "]";
    const JsonValue& c = v.array[i];
    if (!r.Keys(c, path, {"name", "policy", "profile", "skew", "every", "start"})) return false;
    ConsumerSpec s;
    if (!r.Str(c.Find("name"), path + ".name", &s.name) ||
        !r.Str(c.Find("policy"), path + ".policy", &s.policy) ||
        !r.Str(c.Find("profile"), path + ".profile", &s.profile) ||
        !r.Duration(c.Find("start"), path + ".start", &s.start_ms) ||
        !r.Range(c.Find("every"), path + ".every", &s.need_every_ms_min, &s.need_every_ms_max)) {
      return false;
    }
    if (const JsonValue* skew = c.Find("skew")) {
      std::string text;
      if (!r.Str(skew, path + ".skew", &text)) return false;
      const bool negative = text.starts_with("-");
      auto ms = oauth::ParseDurationMs(negative ? text.substr(1) : text);
      if (!ms) return r.Fail(path + ".skew", "bad duration (e.g. \"-30s\")");
      s.skew_ms = negative ? -*ms : *ms;
    }
    if (s.name.empty()) return r.Fail(path + ".name", "required");
    if (s.policy != "$policy" && !FindPolicy(s.policy)) {
      return r.Fail(path + ".policy", "unknown policy \"" + s.policy + "\"");
    }
    if (s.need_every_ms_min <= 0) return r.Fail(path + ".every", "must be > 0");
    w.consumers.push_back(s);
  }
  return true;
}

bool ParseEvents(Reader& r, const JsonValue& v, WorldConfig& w) {
  if (!v.is_array()) return r.Fail("$.events", "expected an array");
  for (size_t i = 0; i < v.array.size() && i < 1024; ++i) {
    const std::string path = "$.events[" + std::to_string(i) + "]";
    const JsonValue& e = v.array[i];
    if (!r.Keys(e, path, {"at", "do", "consumer", "store"})) return false;
    ScriptedEvent ev;
    std::string kind, store;
    if (!r.Duration(e.Find("at"), path + ".at", &ev.at_ms) ||
        !r.Str(e.Find("do"), path + ".do", &kind) ||
        !r.Str(e.Find("consumer"), path + ".consumer", &ev.consumer) ||
        !r.Str(e.Find("store"), path + ".store", &store)) {
      return false;
    }
    auto k = ParseEventKind(kind);
    if (!k) return r.Fail(path + ".do", "unknown event \"" + kind + "\"");
    ev.kind = *k;
    if (!store.empty()) {
      auto id = ParseStoreName(store);
      if (!id) return r.Fail(path + ".store", "unknown store");
      ev.store = *id;
    }
    w.events.push_back(ev);
  }
  return true;
}

bool ParseExpect(Reader& r, const JsonValue& v, Scenario& s) {
  if (!v.is_object() || v.members.empty()) return r.Fail("$.expect", "expected an object");
  for (const auto& m : v.members) {
    const std::string path = "$.expect." + m.key;
    if (!FindPolicy(m.key)) return r.Fail(path, "unknown policy");
    Expectation e{m.key};
    if (m.value.kind == JsonKind::kString && m.value.string == "all-hold") {
      s.expectations.push_back(e);
      continue;
    }
    if (!r.Keys(m.value, path, {"oracle", "consumer", "window"})) return false;
    e.all_hold = false;
    if (!r.Str(m.value.Find("oracle"), path + ".oracle", &e.oracle) ||
        !r.Str(m.value.Find("consumer"), path + ".consumer", &e.consumer) ||
        !r.Range(m.value.Find("window"), path + ".window", &e.from_ms, &e.to_ms)) {
      return false;
    }
    if (e.oracle.empty()) return r.Fail(path + ".oracle", "required");
    s.expectations.push_back(e);
  }
  return true;
}

}  // namespace

std::optional<Scenario> ParseScenario(std::string_view json, std::string* error) {
  error->clear();
  Reader r{error};
  auto tree = formats::ParseJsonTree(json);
  if (!tree.ok()) {
    *error = tree.error().path + ": " + tree.error().message;
    return std::nullopt;
  }
  const JsonValue& root = tree.value();
  Scenario s;
  if (!r.Keys(root, "$",
              {"name", "summary", "source", "duration", "seed", "server", "stores", "consumers",
               "events", "expect"})) {
    return std::nullopt;
  }
  bool ok = r.Str(root.Find("name"), "$.name", &s.name) &&
            r.Str(root.Find("summary"), "$.summary", &s.summary) &&
            r.Str(root.Find("source"), "$.source", &s.source) &&
            r.Duration(root.Find("duration"), "$.duration", &s.world.duration_ms);
  if (ok && root.Find("seed")) {
    const JsonValue* seed = root.Find("seed");
    ok = seed->kind == JsonKind::kInt64 && seed->int64 >= 0
             ? (s.world.seed = static_cast<uint64_t>(seed->int64), true)
             : r.Fail("$.seed", "expected a non-negative integer");
  }
  if (ok && root.Find("server")) ok = ParseServer(r, *root.Find("server"), s.world);
  if (ok && root.Find("stores")) ok = ParseStores(r, *root.Find("stores"), s.world);
  if (ok)
    ok = root.Find("consumers") ? ParseConsumers(r, *root.Find("consumers"), s.world)
                                : r.Fail("$.consumers", "required");
  if (ok && root.Find("events")) ok = ParseEvents(r, *root.Find("events"), s.world);
  if (ok)
    ok = root.Find("expect") ? ParseExpect(r, *root.Find("expect"), s)
                             : r.Fail("$.expect", "required");
  if (ok && s.name.empty()) ok = r.Fail("$.name", "required");
  if (ok && (s.world.duration_ms <= 0 || s.world.duration_ms > 400 * kDayMs)) {
    ok = r.Fail("$.duration", "required, at most 400d");
  }
  if (!ok) return std::nullopt;
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
