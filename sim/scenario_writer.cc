#include "sim/scenario_writer.h"

#include <climits>
#include <cstdint>
#include <utility>

#include "base/assert.h"
#include "base/json_string.h"
#include "engine/formats/json_tree.h"

namespace credsim::sim {
namespace {

// --- JSON ------------------------------------------------------------------------------------

void AppendIndent(std::string& out, int depth) { out.append(2 * static_cast<size_t>(depth), ' '); }

// A JSON value built in order and printed once: 2-space indent, one member or item per line,
// members in the order they were added (the order of the files in scenarios/). A scalar is held
// as its JSON text.
class Json {
 public:
  static Json String(std::string_view text) {
    Json j(Kind::kScalar);
    base::AppendJsonString(j.text_, text);
    return j;
  }
  static Json Int(int64_t value) { return Scalar(std::to_string(value)); }
  static Json Uint(uint64_t value) { return Scalar(std::to_string(value)); }
  static Json Bool(bool value) { return Scalar(value ? "true" : "false"); }
  // JSON text kept as it is (it may span lines: each continues at the value's depth).
  static Json Verbatim(std::string text) { return Scalar(std::move(text)); }
  static Json Object() { return Json(Kind::kObject); }
  static Json Array() { return Json(Kind::kArray); }

  Json& Add(std::string key, Json value) {
    CREDSIM_ASSERT(kind_ == Kind::kObject);
    keys_.push_back(std::move(key));
    items_.push_back(std::move(value));
    return *this;
  }
  Json& Push(Json value) {
    CREDSIM_ASSERT(kind_ == Kind::kArray);
    items_.push_back(std::move(value));
    return *this;
  }
  bool empty() const { return items_.empty(); }

  void Print(std::string& out, int depth) const {
    if (kind_ == Kind::kScalar) {
      for (char c : text_) {
        out += c;
        if (c == '\n') AppendIndent(out, depth);
      }
      return;
    }
    out += kind_ == Kind::kObject ? '{' : '[';
    for (size_t i = 0; i < items_.size(); ++i) {
      out += i == 0 ? "\n" : ",\n";
      AppendIndent(out, depth + 1);
      if (kind_ == Kind::kObject) {
        base::AppendJsonString(out, keys_[i]);
        out += ": ";
      }
      items_[i].Print(out, depth + 1);
    }
    if (!items_.empty()) {
      out += '\n';
      AppendIndent(out, depth);
    }
    out += kind_ == Kind::kObject ? '}' : ']';
  }

 private:
  enum class Kind : uint8_t { kScalar, kObject, kArray };
  explicit Json(Kind kind) : kind_(kind) {}
  static Json Scalar(std::string text) {
    Json j(Kind::kScalar);
    j.text_ = std::move(text);
    return j;
  }

  Kind kind_;
  std::string text_;
  std::vector<std::string> keys_;  // objects: one per item
  std::vector<Json> items_;
};

// --- durations -------------------------------------------------------------------------------

constexpr int64_t kMaxCount = 999'999'999;  // the parser reads at most 9 digits per piece
constexpr std::pair<const char*, int64_t> kUnits[] = {
    {"d", kDayMs}, {"h", kHourMs}, {"m", kMinuteMs}, {"s", kSecondMs}, {"ms", 1}};

// "90s", "1500ms", "8h": the largest unit that states `ms` exactly; past 9 digits in that unit,
// pieces in decreasing units ("12d3h4m5s6ms"). nullopt: negative, or more days than 9 digits.
std::optional<std::string> DurationText(int64_t ms) {
  if (ms < 0) return std::nullopt;
  if (ms == 0) return "0s";
  for (const auto& [name, unit] : kUnits) {
    if (ms % unit == 0 && ms / unit <= kMaxCount) return std::to_string(ms / unit) + name;
  }
  std::string text;
  for (const auto& [name, unit] : kUnits) {
    const int64_t count = ms / unit;
    ms %= unit;
    if (count > kMaxCount) return std::nullopt;
    if (count > 0) text += std::to_string(count) + name;
  }
  return text;
}

std::optional<std::string> SignedDurationText(int64_t ms) {
  if (ms >= 0) return DurationText(ms);
  if (ms == INT64_MIN) return std::nullopt;
  auto text = DurationText(-ms);
  return text ? "-" + *text : text;
}

// --- what is written, and the first field that cannot be ---------------------------------------

// Collects the first WorldConfig field the language cannot state. Writing goes on after it (the
// text is discarded), so the functions below stay straight-line.
struct Out {
  std::string why;

  void Refuse(const std::string& field, const std::string& what) {
    if (why.empty()) why = field + ": " + what;
  }
  Json Duration(int64_t ms, const std::string& field) {
    auto text = DurationText(ms);
    if (!text) Refuse(field, std::to_string(ms) + " ms is not a duration a scenario can state");
    return Json::String(text.value_or("0s"));
  }
  Json SignedDuration(int64_t ms, const std::string& field) {
    auto text = SignedDurationText(ms);
    if (!text) Refuse(field, std::to_string(ms) + " ms is not a duration a scenario can state");
    return Json::String(text.value_or("0s"));
  }
  // "5m", or ["1m", "5m"] when the bounds differ (the fields `field`_min and `field`_max).
  Json Range(int64_t lo, int64_t hi, const std::string& field) {
    if (lo == hi) return Duration(lo, field + "_min");
    return Json::Array().Push(Duration(lo, field + "_min")).Push(Duration(hi, field + "_max"));
  }
};

// Fields that say how a run is recorded or bounded, not what the world is; the runner sets them.
void RefuseRunSettings(const WorldConfig& w, Out& out) {
  const WorldConfig defaults;
  if (w.trace_io != defaults.trace_io)
    out.Refuse("trace_io",
               "how much the trace records is the runner's choice (credsim run sets it from "
               "--trace and --html), not a scenario's; the world behaves the same either way");
  if (w.max_events != defaults.max_events)
    out.Refuse("max_events", "a bound on the run, not part of the scenario language");
}

// --- server, faults --------------------------------------------------------------------------

std::string ReuseText(const oauth::ReusePolicy& reuse, Out& out) {
  switch (reuse.kind) {
    case oauth::ReuseKind::kReject:
      return "reject";
    case oauth::ReuseKind::kRevokeFamily:
      return "revoke-family";
    case oauth::ReuseKind::kGrace:
      break;
  }
  const std::string window = DurationText(reuse.grace_ms).value_or("");
  if (window.empty()) out.Refuse("reuse.grace_ms", "not a duration a scenario can state");
  return "grace:" + window + (reuse.revoke_after_grace ? "+revoke-family" : "");
}

// Provider, access_ttl and reuse always (as the library's files do); the rest when not default.
Json ServerJson(const WorldConfig& w, Out& out) {
  const WorldConfig d;
  Json s = Json::Object();
  s.Add("provider", Json::String(engine::ProviderName(w.provider)));
  s.Add("access_ttl", out.Duration(w.access_ttl_ms, "access_ttl_ms"));
  s.Add("reuse", Json::String(ReuseText(w.reuse, out)));
  if (w.net_latency_ms_min != d.net_latency_ms_min || w.net_latency_ms_max != d.net_latency_ms_max)
    s.Add("latency", out.Range(w.net_latency_ms_min, w.net_latency_ms_max, "net_latency_ms"));
  if (w.faults.retry_after_ms != d.faults.retry_after_ms)
    s.Add("retry_after", out.Duration(w.faults.retry_after_ms, "faults.retry_after_ms"));
  if (w.race != d.race) s.Add("race", Json::String(oauth::ToString(w.race)));
  if (w.revoke_siblings_on_refresh) s.Add("revoke_siblings_on_refresh", Json::Bool(true));
  if (w.token_grant_delay_ms != d.token_grant_delay_ms)
    s.Add("token_delay", out.Duration(w.token_grant_delay_ms, "token_grant_delay_ms"));
  if (w.refresh_ttl_ms != d.refresh_ttl_ms)
    s.Add("refresh_ttl", out.Duration(w.refresh_ttl_ms, "refresh_ttl_ms"));
  return s;
}

// The random faults; empty when there are none to state.
Json FaultsJson(const WorldConfig& w, Out& out) {
  Json f = Json::Object();
  if (w.faults_until_ms != 0) f.Add("until", out.Duration(w.faults_until_ms, "faults_until_ms"));
  for (const auto& [name, rate] : kFaultRateNames) {
    if (w.faults.*rate != 0) f.Add(name, Json::Int(w.faults.*rate));
  }
  return f;
}

// --- stores ----------------------------------------------------------------------------------

const char* ContentName(InitialContent content) {
  switch (content) {
    case InitialContent::kCurrent:
      return "current";
    case InitialContent::kPrevious:
      return "previous";
    case InitialContent::kAbsent:
      return "absent";
  }
  CREDSIM_ASSERT(false, "unknown InitialContent");
  return "current";
}

Json StoredExpiryJson(const InitialStore& s, const std::string& at, Out& out) {
  using Expiry = InitialStore::Expiry;
  CREDSIM_ASSERT(s.expiry != Expiry::kTrue, "the token's own expiry is the default: not written");
  if (s.expiry == Expiry::kAbsent) return Json::String("absent");
  if (s.expiry == Expiry::kZero) return Json::String("zero");
  return Json::Object()
      .Add("at", out.SignedDuration(s.expiry_at_ms, at + ".expiry_at_ms"))
      .Add("unit", Json::String(s.expiry_in_seconds ? "s" : "ms"));
}

// The parser keeps "extra" as the members of its canonical text (WriteJsonTree, braces cut off),
// so only members in that form come back byte for byte; the object is written as that text.
std::optional<std::string> ExtraText(const std::string& members) {
  auto tree = formats::ParseJsonTree("{" + members + "}");
  if (!tree.ok() || !tree.value().is_object()) return std::nullopt;
  const std::string text = formats::WriteJsonTree(tree.value());
  const size_t open = text.find('{'), close = text.rfind('}');
  CREDSIM_ASSERT(open != std::string::npos && close != std::string::npos && open < close);
  if (text.substr(open + 1, close - open - 1) != members) return std::nullopt;
  return text.substr(open, close - open + 1);
}

// The flags of the document built for the store, in the parser's key order.
void AddDocumentFields(const InitialStore& s, Json& j) {
  const InitialStore d;
  if (s.symlink) j.Add("symlink", Json::Bool(true));
  if (s.content != d.content) j.Add("content", Json::String(ContentName(s.content)));
  if (s.expired) j.Add("expired", Json::Bool(true));
  if (!s.scopes) j.Add("scopes", Json::Bool(false));
  if (!s.subscription) j.Add("subscriptionType", Json::Bool(false));
  if (!s.claude_client_id.empty()) j.Add("client_id", Json::String(s.claude_client_id));
  if (!s.claude_scopes.empty()) {
    Json list = Json::Array();
    for (const std::string& scope : s.claude_scopes) list.Push(Json::String(scope));
    j.Add("scope_list", std::move(list));
  }
  if (!s.providers_block) j.Add("providers_block", Json::Bool(false));
  if (!s.pool_status.empty()) j.Add("pool_status", Json::String(s.pool_status));
  if (s.corrupt) j.Add("corrupt", Json::Bool(true));
}

// The stored values given as data, and the sections other tools own.
void AddStoredValues(const InitialStore& s, const std::string& at, Json& j, Out& out) {
  if (s.pool_reset_in_ms != 0)
    j.Add("pool_reset_in", out.SignedDuration(s.pool_reset_in_ms, at + ".pool_reset_in_ms"));
  if (s.expiry != InitialStore::Expiry::kTrue) j.Add("stored_expiry", StoredExpiryJson(s, at, out));
  if (s.refresh_token_expires_at_ms) {
    j.Add("refresh_token_expires_at",
          out.SignedDuration(*s.refresh_token_expires_at_ms, at + ".refresh_token_expires_at_ms"));
  }
  if (s.last_refresh_at_ms)
    j.Add("last_refresh", out.SignedDuration(*s.last_refresh_at_ms, at + ".last_refresh_at_ms"));
  if (s.extra_members.empty()) return;
  auto extra = ExtraText(s.extra_members);
  if (!extra)
    out.Refuse(at + ".extra_members",
               "not one JSON object's members in the form the parser keeps (WriteJsonTree's)");
  j.Add("extra", Json::Verbatim(extra.value_or("{}")));
}

Json StoreJson(const InitialStore& s, const std::string& at, Out& out) {
  Json j = Json::Object();
  j.Add("store", Json::String(s.id.Name()));
  if (!s.home.empty()) j.Add("home", Json::String(s.home));
  if (s.link_home) {
    // A link has no content of its own: World::Seed reads nothing else of it.
    j.Add("link", Json::String(*s.link_home));
    return j;
  }
  if (s.raw_bytes)
    out.Refuse(at + ".raw_bytes",
               "a store's exact bytes are not in the scenario language (a file states the "
               "document's fields)");
  AddDocumentFields(s, j);
  AddStoredValues(s, at, j, out);
  return j;
}

// --- consumers, events -----------------------------------------------------------------------

const char* LockName(LockTopology lock) {
  switch (lock) {
    case LockTopology::kHome:
      return "home";
    case LockTopology::kFile:
      return "file";
    case LockTopology::kProcess:
      return "process";
  }
  CREDSIM_ASSERT(false, "unknown LockTopology");
  return "home";
}

Json StoreNames(const std::vector<engine::StoreId>& stores) {
  Json list = Json::Array();
  for (const engine::StoreId& id : stores) list.Push(Json::String(id.Name()));
  return list;
}

Json ConsumerJson(const ConsumerSpec& c, const std::string& policy_under_test,
                  const std::string& at, Out& out) {
  const ConsumerSpec d;
  const bool under_test = !policy_under_test.empty() && c.policy == policy_under_test;
  Json j = Json::Object();
  j.Add("name", Json::String(c.name));
  if (!c.home.empty()) j.Add("home", Json::String(c.home));
  j.Add("policy", Json::String(under_test ? "$policy" : c.policy));
  if (!c.profile.empty()) j.Add("profile", Json::String(c.profile));
  if (c.lock) j.Add("lock", Json::String(LockName(*c.lock)));
  if (c.skew_ms != 0) j.Add("skew", out.SignedDuration(c.skew_ms, at + ".skew_ms"));
  if (c.drift_ppm != 0) j.Add("drift_ppm", Json::Int(c.drift_ppm));
  if (c.need_every_ms_min != d.need_every_ms_min || c.need_every_ms_max != d.need_every_ms_max)
    j.Add("every", out.Range(c.need_every_ms_min, c.need_every_ms_max, at + ".need_every_ms"));
  if (c.start_ms != 0) j.Add("start", out.Duration(c.start_ms, at + ".start_ms"));
  if (!c.stores.empty()) j.Add("stores", StoreNames(c.stores));
  return j;
}

bool IsClockJump(EventKind kind) {
  return kind == EventKind::kServerClockJump || kind == EventKind::kClockJump;
}

// Only the fields an event of its kind takes are written non-empty in a parsed world; any other
// is written anyway, and the parser's refusal names it.
Json EventJson(const ScriptedEvent& e, int64_t duration_ms, const std::string& at, Out& out) {
  // Such an event never runs, yet it still moves QuietFromMs (when no_lockout starts judging), so
  // it cannot be left out either.
  if (e.at_ms > duration_ms)
    out.Refuse(at + ".at_ms",
               "after the end of the run (duration_ms): a scenario's events are not");
  Json j = Json::Object();
  j.Add("at", out.Duration(e.at_ms, at + ".at_ms"));
  j.Add("do", Json::String(EventKindName(e.kind)));
  if (!e.consumer.empty()) j.Add("consumer", Json::String(e.consumer));
  if (e.store) j.Add("store", Json::String(e.store->Name()));
  if (!e.home.empty()) j.Add("home", Json::String(e.home));
  if (IsClockJump(e.kind) || e.by_ms != 0) j.Add("by", out.SignedDuration(e.by_ms, at + ".by_ms"));
  return j;
}

// --- expectations ----------------------------------------------------------------------------

Json WindowJson(int64_t from_ms, int64_t to_ms, const std::string& field, Out& out) {
  return Json::Array().Push(out.Duration(from_ms, field)).Push(out.Duration(to_ms, field));
}

Json OutageJson(const OutageExpectation& o, const std::string& field, Out& out) {
  Json j = Json::Object();
  j.Add("consumer", Json::String(o.consumer));
  j.Add("cause", Json::String(o.cause));
  if (!o.status.empty()) j.Add("status", Json::String(o.status));
  j.Add("window", WindowJson(o.from_ms, o.to_ms, field, out));
  return j;
}

Json ExpectationJson(const Expectation& e, const std::string& field, Out& out) {
  if (!e.all_hold && !e.outages.empty())
    out.Refuse(field + ".outages",
               "an expectation is an oracle that fires or all-hold with outages, not both");
  if (e.all_hold && e.outages.empty()) return Json::String("all-hold");
  if (e.all_hold) {
    Json outages = Json::Array();
    for (size_t i = 0; i < e.outages.size(); ++i) {
      outages.Push(OutageJson(e.outages[i], field + ".outages[" + std::to_string(i) + "]", out));
    }
    return Json::Object().Add("outages", std::move(outages));
  }
  return Json::Object()
      .Add("oracle", Json::String(e.oracle))
      .Add("consumer", Json::String(e.consumer))
      .Add("window", WindowJson(e.from_ms, e.to_ms, field + ".window", out));
}

// --- the whole file --------------------------------------------------------------------------

void AddHeader(const ScenarioHeader& h, Json& top) {
  top.Add("$schema", Json::String("scenario.schema.json"));
  top.Add("name", Json::String(h.name));
  top.Add("source", Json::String(h.source));
  top.Add("basis", Json::String(h.basis));
  top.Add("summary", Json::String(h.summary));
  if (h.known.empty() && h.assumed.empty()) return;
  top.Add(
      "notes",
      Json::Object().Add("known", Json::String(h.known)).Add("assumed", Json::String(h.assumed)));
}

// duration, seed, the world-wide knobs, server and faults.
void AddWorldSettings(const WorldConfig& w, Json& top, Out& out) {
  const WorldConfig d;
  top.Add("duration", out.Duration(w.duration_ms, "duration_ms"));
  top.Add("seed", Json::Uint(w.seed));
  if (w.shuffle_ties != d.shuffle_ties) top.Add("shuffle_ties", Json::Bool(w.shuffle_ties));
  top.Add("server", ServerJson(w, out));
  if (Json faults = FaultsJson(w, out); !faults.empty()) top.Add("faults", std::move(faults));
  if (w.store_latency_ms_min != d.store_latency_ms_min ||
      w.store_latency_ms_max != d.store_latency_ms_max) {
    top.Add("store_latency",
            out.Range(w.store_latency_ms_min, w.store_latency_ms_max, "store_latency_ms"));
  }
  if (w.codex_in_place_rewrite) top.Add("codex_in_place_rewrite", Json::Bool(true));
}

std::string Indexed(const char* list, size_t i) { return list + ("[" + std::to_string(i) + "]"); }

void AddParticipants(const WorldConfig& w, const std::string& policy_under_test, Json& top,
                     Out& out) {
  Json stores = Json::Array(), consumers = Json::Array(), events = Json::Array();
  for (size_t i = 0; i < w.stores.size(); ++i)
    stores.Push(StoreJson(w.stores[i], Indexed("stores", i), out));
  for (size_t i = 0; i < w.consumers.size(); ++i)
    consumers.Push(ConsumerJson(w.consumers[i], policy_under_test, Indexed("consumers", i), out));
  for (size_t i = 0; i < w.events.size(); ++i)
    events.Push(EventJson(w.events[i], w.duration_ms, Indexed("events", i), out));
  if (!stores.empty()) top.Add("stores", std::move(stores));
  top.Add("consumers", std::move(consumers));
  if (!events.empty()) top.Add("events", std::move(events));
}

void AddExpectations(const ScenarioHeader& h, Json& top, Out& out) {
  Json expect = Json::Object();
  for (const Expectation& e : h.expectations)
    expect.Add(e.policy, ExpectationJson(e, "expectations." + e.policy, out));
  top.Add("expect", std::move(expect));
}

// --- the check: the file reads back as the same world ----------------------------------------

// Names the first field where two worlds differ; empty while they agree.
struct Differ {
  std::string first;
  template <class T>
  void operator()(const std::string& field, const T& a, const T& b) {
    if (first.empty() && !(a == b)) first = field;
  }
};

void DiffStore(Differ& d, const std::string& at, const InitialStore& a, const InitialStore& b) {
  d(at + ".id", a.id, b.id);
  d(at + ".home", a.home, b.home);
  d(at + ".link_home", a.link_home, b.link_home);
  if (a.link_home) return;  // a link has no content of its own: World::Seed reads nothing else
  d(at + ".content", a.content, b.content);
  d(at + ".expired", a.expired, b.expired);
  d(at + ".scopes", a.scopes, b.scopes);
  d(at + ".subscription", a.subscription, b.subscription);
  d(at + ".claude_client_id", a.claude_client_id, b.claude_client_id);
  d(at + ".claude_scopes", a.claude_scopes, b.claude_scopes);
  d(at + ".symlink", a.symlink, b.symlink);
  d(at + ".providers_block", a.providers_block, b.providers_block);
  d(at + ".pool_status", a.pool_status, b.pool_status);
  d(at + ".pool_reset_in_ms", a.pool_reset_in_ms, b.pool_reset_in_ms);
  d(at + ".corrupt", a.corrupt, b.corrupt);
  d(at + ".raw_bytes", a.raw_bytes, b.raw_bytes);
  d(at + ".expiry", a.expiry, b.expiry);
  if (a.expiry == InitialStore::Expiry::kAt) {  // read only then (ApplyStoredValues)
    d(at + ".expiry_at_ms", a.expiry_at_ms, b.expiry_at_ms);
    d(at + ".expiry_in_seconds", a.expiry_in_seconds, b.expiry_in_seconds);
  }
  d(at + ".refresh_token_expires_at_ms", a.refresh_token_expires_at_ms,
    b.refresh_token_expires_at_ms);
  d(at + ".last_refresh_at_ms", a.last_refresh_at_ms, b.last_refresh_at_ms);
  d(at + ".extra_members", a.extra_members, b.extra_members);
}

void DiffConsumer(Differ& d, const std::string& at, const ConsumerSpec& a, const ConsumerSpec& b) {
  d(at + ".name", a.name, b.name);
  d(at + ".policy", a.policy, b.policy);
  d(at + ".profile", a.profile, b.profile);
  d(at + ".skew_ms", a.skew_ms, b.skew_ms);
  d(at + ".drift_ppm", a.drift_ppm, b.drift_ppm);
  d(at + ".lock", a.lock, b.lock);
  d(at + ".need_every_ms_min", a.need_every_ms_min, b.need_every_ms_min);
  d(at + ".need_every_ms_max", a.need_every_ms_max, b.need_every_ms_max);
  d(at + ".start_ms", a.start_ms, b.start_ms);
  d(at + ".stores", a.stores, b.stores);
  d(at + ".home", a.home, b.home);
}

void DiffEvent(Differ& d, const std::string& at, const ScriptedEvent& a, const ScriptedEvent& b) {
  d(at + ".at_ms", a.at_ms, b.at_ms);
  d(at + ".kind", a.kind, b.kind);
  d(at + ".consumer", a.consumer, b.consumer);
  d(at + ".store", a.store, b.store);
  d(at + ".by_ms", a.by_ms, b.by_ms);
  d(at + ".home", a.home, b.home);
}

void DiffServer(Differ& d, const WorldConfig& a, const WorldConfig& b) {
  d("provider", a.provider, b.provider);
  d("access_ttl_ms", a.access_ttl_ms, b.access_ttl_ms);
  d("reuse.kind", a.reuse.kind, b.reuse.kind);
  if (a.reuse.kind == oauth::ReuseKind::kGrace) {  // read only then
    d("reuse.grace_ms", a.reuse.grace_ms, b.reuse.grace_ms);
    d("reuse.revoke_after_grace", a.reuse.revoke_after_grace, b.reuse.revoke_after_grace);
  }
  d("race", a.race, b.race);
  d("revoke_siblings_on_refresh", a.revoke_siblings_on_refresh, b.revoke_siblings_on_refresh);
  d("refresh_ttl_ms", a.refresh_ttl_ms, b.refresh_ttl_ms);
  d("net_latency_ms_min", a.net_latency_ms_min, b.net_latency_ms_min);
  d("net_latency_ms_max", a.net_latency_ms_max, b.net_latency_ms_max);
  d("token_grant_delay_ms", a.token_grant_delay_ms, b.token_grant_delay_ms);
}

void DiffFaults(Differ& d, const WorldConfig& a, const WorldConfig& b) {
  const NetworkFaults &x = a.faults, &y = b.faults;
  d("faults.drop_before_per_million", x.drop_before_per_million, y.drop_before_per_million);
  d("faults.drop_after_per_million", x.drop_after_per_million, y.drop_after_per_million);
  d("faults.error_5xx_per_million", x.error_5xx_per_million, y.error_5xx_per_million);
  d("faults.rate_limit_per_million", x.rate_limit_per_million, y.rate_limit_per_million);
  d("faults.retry_after_ms", x.retry_after_ms, y.retry_after_ms);
  d("faults.store_write_fail_per_million", x.store_write_fail_per_million,
    y.store_write_fail_per_million);
  d("faults_until_ms", a.faults_until_ms, b.faults_until_ms);
}

template <class T, class F>
void DiffList(Differ& d, const char* name, const std::vector<T>& a, const std::vector<T>& b,
              F diff_one) {
  d(std::string(name) + ".size()", a.size(), b.size());
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) diff_one(d, Indexed(name, i), a[i], b[i]);
}

std::string FirstDifference(const WorldConfig& a, const WorldConfig& b) {
  Differ d;
  d("seed", a.seed, b.seed);
  d("duration_ms", a.duration_ms, b.duration_ms);
  DiffServer(d, a, b);
  DiffFaults(d, a, b);
  d("store_latency_ms_min", a.store_latency_ms_min, b.store_latency_ms_min);
  d("store_latency_ms_max", a.store_latency_ms_max, b.store_latency_ms_max);
  d("codex_in_place_rewrite", a.codex_in_place_rewrite, b.codex_in_place_rewrite);
  d("shuffle_ties", a.shuffle_ties, b.shuffle_ties);
  d("trace_io", a.trace_io, b.trace_io);
  d("max_events", a.max_events, b.max_events);
  DiffList(d, "stores", a.stores, b.stores, DiffStore);
  DiffList(d, "consumers", a.consumers, b.consumers, DiffConsumer);
  DiffList(d, "events", a.events, b.events, DiffEvent);
  return d.first;
}

// The written file must parse and give back `world`; otherwise the language cannot state some
// field of it, and *why names that field.
bool ReadsBack(const std::string& text, const WorldConfig& world, const ScenarioHeader& header,
               std::string* why) {
  std::string error;
  auto parsed = ParseScenario(text, &error);
  if (!parsed) {
    *why = "the scenario language cannot state this world or header: " + error;
    return false;
  }
  const WorldConfig back = header.policy_under_test.empty()
                               ? parsed->world
                               : WorldForPolicy(*parsed, header.policy_under_test);
  const std::string field = FirstDifference(world, back);
  if (field.empty()) return true;
  *why = field + ": the scenario language cannot state its value (it reads back different)";
  return false;
}

}  // namespace

std::optional<std::string> WriteScenario(const WorldConfig& world, const ScenarioHeader& header,
                                         std::string* why) {
  why->clear();
  Out out;
  RefuseRunSettings(world, out);
  Json top = Json::Object();
  AddHeader(header, top);
  AddWorldSettings(world, top, out);
  AddParticipants(world, header.policy_under_test, top, out);
  AddExpectations(header, top, out);
  if (!out.why.empty()) {
    *why = out.why;
    return std::nullopt;
  }
  std::string text;
  top.Print(text, 0);
  text += '\n';
  if (!ReadsBack(text, world, header, why)) return std::nullopt;
  return text;
}

}  // namespace credsim::sim
