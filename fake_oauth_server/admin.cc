// The admin API (loopback only): clock, faults, request log, authority events and state, device
// approval, family revocation, direct login. Bodies are JSON objects; answers are JSON.
//
// AdminRoutes() is the routing table; each route is one OAuthHttpServer member below it, and the
// pieces that need no member (body decoding, fault rules, JSON shapes) are free functions here.
#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "base/assert.h"
#include "fake_oauth_server/http_front.h"
#include "fake_oauth_server/json_writer.h"
#include "fake_oauth_server/request_decode.h"
#include "fake_oauth_server/responses.h"

namespace credsim::oauth {
namespace {

constexpr int64_t kTenYearsMs = int64_t{10} * 365 * 24 * 3600 * 1000;

void Reply(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(std::move(body), "application/json");
}

void BadRequest(httplib::Response& res, std::string_view why) {
  Reply(res, 400, FlatErrorBody("invalid_request", why));
}

bool ToInt(std::string_view text, int64_t min, int64_t max, int64_t& out) {
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) return false;
  out = v;
  return true;
}

// The flat fields of a body, or nullopt after answering 400. An empty body is an empty JSON object
// whatever its Content-Type says, so `curl -X POST .../admin/login` means "all defaults".
std::optional<FlatFields> BodyFields(const httplib::Request& req, httplib::Response& res) {
  std::string why;
  const BodyKind kind =
      req.body.empty() ? BodyKind::kJson : BodyKindOf(req.get_header_value("Content-Type"));
  std::optional<FlatFields> f = DecodeFlatFields(kind, req.body, &why);
  if (!f) BadRequest(res, why);
  return f;
}

const std::string* FieldOf(const FlatFields& f, std::string_view key) {
  const auto it = f.find(key);
  return it == f.end() ? nullptr : &it->second;
}

// The family id of /admin/families/{id}...; nullopt if it is 0 or does not fit a uint32_t (the
// route pattern already allows only 1 to 10 digits).
std::optional<uint32_t> FamilyIdOf(const httplib::Request& req) {
  int64_t id = 0;
  if (!ToInt(req.matches[1].str(), 1, UINT32_MAX, id)) return std::nullopt;
  return static_cast<uint32_t>(id);
}

size_t QueryCount(const httplib::Request& req, const char* name, size_t fallback, size_t max) {
  int64_t v = 0;
  if (!req.has_param(name) || !ToInt(req.get_param_value(name), 0, INT64_MAX, v)) return fallback;
  return std::min(static_cast<size_t>(v), max);
}

// --- Fault rules ---

// A misspelt field must not silently widen a rule (a typo in "grant" would match every grant).
bool RejectUnknownFaultFields(const FlatFields& f, std::string* why) {
  static constexpr std::string_view kKnown[] = {"endpoint",    "grant",        "action",
                                                "status",      "latency_ms",   "limit",
                                                "probability", "retry_after_s"};
  for (const auto& [k, v] : f) {
    if (std::find(std::begin(kKnown), std::end(kKnown), k) == std::end(kKnown)) {
      *why = "unknown fault field " + k;
      return false;
    }
  }
  return true;
}

// "probability" as parts per million, at least 1; nullopt unless it is a number in (0, 1].
std::optional<uint32_t> ProbabilityPpm(const std::string& text) {
  char* end = nullptr;
  const double p = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !(p > 0.0 && p <= 1.0)) return std::nullopt;
  const auto ppm = static_cast<uint32_t>(p * 1'000'000 + 0.5);
  return ppm == 0 ? 1 : ppm;
}

std::optional<FaultRule> RuleFrom(const FlatFields& f, std::string* why) {
  if (!RejectUnknownFaultFields(f, why)) return std::nullopt;
  FaultRule r;
  if (auto* v = FieldOf(f, "endpoint")) r.endpoint = *v;
  if (auto* v = FieldOf(f, "grant")) r.grant = *v;
  const std::string* action = FieldOf(f, "action");
  const std::optional<FaultAction> a = action ? ParseFaultAction(*action) : std::nullopt;
  if (!a) {
    *why =
        "action must be status, rate_limit, latency, drop_before_commit, drop_after_commit or "
        "delay_grant";
    return std::nullopt;
  }
  r.action = *a;
  int64_t n = 0;
  if (auto* v = FieldOf(f, "status")) {
    if (!ToInt(*v, 100, 599, n)) return *why = "status must be an integer", std::nullopt;
    r.status = static_cast<int>(n);
  }
  if (auto* v = FieldOf(f, "latency_ms")) {
    if (!ToInt(*v, 0, FaultPlan::kMaxLatencyMs, n))
      return *why = "latency_ms 0..60000", std::nullopt;
    r.latency_ms = n;
  }
  if (auto* v = FieldOf(f, "retry_after_s")) {
    if (!ToInt(*v, 0, 86400, n)) return *why = "retry_after_s 0..86400", std::nullopt;
    r.retry_after_s = n;
  }
  if (auto* v = FieldOf(f, "limit")) {
    if (!ToInt(*v, 0, UINT32_MAX, n)) return *why = "limit must be a count", std::nullopt;
    r.limit = static_cast<uint32_t>(n);
  }
  if (auto* v = FieldOf(f, "probability")) {
    const std::optional<uint32_t> ppm = ProbabilityPpm(*v);
    if (!ppm) return *why = "probability must be in (0, 1]", std::nullopt;
    r.probability_ppm = *ppm;
  }
  return r;
}

// The body of POST /admin/faults is one rule object or an array of them, read as JSON whatever the
// Content-Type says (so `curl -d '{...}'`, which labels it a form, works).
std::optional<std::vector<FlatFields>> FaultItems(const std::string& body, std::string* why) {
  const size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && body[first] == '[') return DecodeFlatArray(body, why);
  std::optional<FlatFields> one = DecodeFlatFields(BodyKind::kJson, body, why);
  if (!one) return std::nullopt;
  std::vector<FlatFields> items;
  items.push_back(std::move(*one));
  return items;
}

// Every rule of the body, or nullopt (and why) at the first bad one: a batch is all or nothing.
std::optional<std::vector<FaultRule>> RulesFrom(const std::string& body, std::string* why) {
  std::optional<std::vector<FlatFields>> items = FaultItems(body, why);
  if (!items) return std::nullopt;
  std::vector<FaultRule> rules;
  for (const FlatFields& f : *items) {
    std::optional<FaultRule> r = RuleFrom(f, why);
    if (!r) return std::nullopt;
    rules.push_back(std::move(*r));
  }
  return rules;
}

// --- JSON shapes of the answers ---

void WriteRule(JsonWriter& w, const FaultRule& r) {
  w.BeginObject()
      .Field("id", r.id)
      .Field("endpoint", r.endpoint)
      .Field("grant", r.grant)
      .Field("action", ToString(r.action))
      .Field("status", r.status)
      .Field("retry_after_s", r.retry_after_s)
      .Field("latency_ms", r.latency_ms)
      .Field("limit", r.limit)
      .Field("probability_ppm", r.probability_ppm)
      .Field("fired", r.fired)
      .EndObject();
}

void WriteFamily(JsonWriter& w, const FamilyView& f) {
  w.BeginObject()
      .Field("id", f.id)
      .Field("fate", ToString(f.fate))
      .Field("generation", f.generation)
      .Field("created_ms", f.created_ms)
      .Field("expires_ms", f.expires_ms)
      .Field("rotated_ms", f.rotated_ms)
      .Field("client_id", f.client_id)
      .Field("scope", f.scope)
      .EndObject();
}

void WriteLogEntry(JsonWriter& w, const RequestLogEntry& e) {
  w.BeginObject()
      .Field("seq", e.seq)
      .Field("now_ms", e.now_ms)
      .Field("method", e.method)
      .Field("path", e.path)
      .Field("endpoint", e.endpoint)
      .Field("grant", e.grant)
      .Field("status", e.status)
      .Field("outcome", e.outcome)
      .Field("family_id", e.family_id)
      .Field("presented_generation", e.presented_generation)
      .Field("generation", e.generation)
      .Field("token", e.label)
      .Field("fault", e.fault)
      .Field("tag", e.tag)
      .EndObject();
}

void WriteEvent(JsonWriter& w, const AuthorityEvent& e) {
  w.BeginObject()
      .Field("seq", e.seq)
      .Field("now_ms", e.now_ms)
      .Field("kind", ToString(e.kind))
      .Field("grant", ToString(e.grant))
      .Field("outcome", ToString(e.outcome))
      .Field("family_id", e.family_id)
      .Field("presented_generation", e.presented_generation)
      .Field("generation", e.generation)
      .Field("family_revoked", e.family_revoked)
      .Field("token", e.label)
      .EndObject();
}

// The policy fields of GET /admin/state, inside its open object.
void WritePolicies(JsonWriter& w, const AuthorityConfig& c) {
  w.Field("reuse_policy", ToString(c.reuse))
      .Field("race_policy", ToString(c.race))
      .Field("access_ttl_ms", c.access_ttl_ms)
      .Field("refresh_ttl_ms", c.refresh_ttl_ms)
      .Field("revoke_access_on_refresh", c.revoke_access_on_refresh);
}

// The counters, outcomes and families of GET /admin/state, inside its open object. Outcomes that
// never happened are left out.
void WriteCounts(JsonWriter& w, const AuthorityState& s) {
  w.Field("commit_seq", s.commit_seq)
      .Field("live_families", static_cast<uint64_t>(s.live_families))
      .Field("families_created", s.families_created)
      .Field("families_revoked", s.families_revoked)
      .Field("families_expired", s.families_expired)
      .Field("pending_codes", static_cast<uint64_t>(s.pending_codes))
      .Field("pending_devices", static_cast<uint64_t>(s.pending_devices));
  w.Key("outcomes").BeginObject();
  for (int i = 0; i < kOutcomeCount; ++i) {
    if (s.outcomes[i] != 0) w.Field(ToString(static_cast<Outcome>(i)), s.outcomes[i]);
  }
  w.EndObject().Key("families").BeginArray();
  for (const FamilyView& f : s.families) WriteFamily(w, f);
  w.EndArray();
}

// A refresh or id token's state: its family's fate, then expiry, then whether it is the family's
// current generation.
std::string RefreshState(const FamilyView& family, uint32_t generation, int64_t now_ms) {
  if (family.fate != FamilyFate::kLive) return std::string(ToString(family.fate));
  if (family.expires_ms <= now_ms) return "expired";
  return generation == family.generation ? "live" : "retired";
}

void WriteInspection(JsonWriter& w, TokenAuthority& authority, const std::string& token,
                     int64_t now_ms) {
  const std::optional<TokenHandle> h = authority.Inspect(token);
  w.BeginObject().Field("label", authority.Label(token));
  if (!h) {
    w.Field("kind", "unknown").Field("state", "unknown").EndObject();
    return;
  }
  const char* kind = h->kind == TokenKind::kAccess    ? "access"
                     : h->kind == TokenKind::kRefresh ? "refresh"
                                                      : "id";
  const std::string state =
      h->kind == TokenKind::kAccess
          ? std::string(ToString(authority.ValidateAccessToken(token, now_ms).state))
          : RefreshState(authority.Family(h->family_id), h->generation, now_ms);
  w.Field("kind", kind)
      .Field("state", state)
      .Field("family_id", h->family_id)
      .Field("generation", h->generation)
      .EndObject();
}

enum class Method { kGet, kPost, kDelete };

// One row of the admin routing table: cpp-httplib matches `pattern` against the whole path.
struct AdminRoute {
  Method method;
  const char* pattern;
  void (OAuthHttpServer::*handler)(const httplib::Request&, httplib::Response&);
};

}  // namespace

// --- The routing table ---

void OAuthHttpServer::AdminRoutes() {
  static constexpr AdminRoute kRoutes[] = {
      {Method::kGet, "/admin/clock", &OAuthHttpServer::AdminGetClock},
      {Method::kPost, "/admin/clock", &OAuthHttpServer::AdminAdvanceClock},
      {Method::kGet, "/admin/faults", &OAuthHttpServer::AdminListFaults},
      {Method::kPost, "/admin/faults", &OAuthHttpServer::AdminAddFaults},
      {Method::kDelete, "/admin/faults", &OAuthHttpServer::AdminClearFaults},
      {Method::kGet, "/admin/log", &OAuthHttpServer::AdminLog},
      {Method::kGet, "/admin/events", &OAuthHttpServer::AdminEvents},
      {Method::kGet, "/admin/state", &OAuthHttpServer::AdminState},
      {Method::kPost, "/admin/device/approve", &OAuthHttpServer::AdminApproveDevice},
      {Method::kPost, "/admin/device/deny", &OAuthHttpServer::AdminDenyDevice},
      {Method::kPost, R"(/admin/families/(\d{1,10})/revoke)", &OAuthHttpServer::AdminRevokeFamily},
      {Method::kGet, R"(/admin/families/(\d{1,10}))", &OAuthHttpServer::AdminFamily},
      {Method::kPost, "/admin/inspect", &OAuthHttpServer::AdminInspect},
      {Method::kPost, "/admin/login", &OAuthHttpServer::AdminLogin},
  };
  for (const AdminRoute& route : kRoutes) {
    CREDSIM_ASSERT(route.pattern != nullptr && route.handler != nullptr, "a route has a handler");
    const httplib::Server::Handler guarded =
        [this, handler = route.handler](const httplib::Request& req, httplib::Response& res) {
          ServeAdmin(handler, req, res);
        };
    switch (route.method) {
      case Method::kGet:
        http_->Get(route.pattern, guarded);
        break;
      case Method::kPost:
        http_->Post(route.pattern, guarded);
        break;
      case Method::kDelete:
        http_->Delete(route.pattern, guarded);
        break;
    }
  }
}

void OAuthHttpServer::ServeAdmin(AdminHandler handler, const httplib::Request& req,
                                 httplib::Response& res) {
  // Every admin route is loopback-only: the admin API can mint tokens and rewind nothing, but it
  // must never be reachable from another machine when --host opens the token endpoint wider.
  if (!IsLoopback(req)) {
    Reply(res, 403, FlatErrorBody("access_denied", "admin API is loopback-only"));
    return;
  }
  if (!RefuseLargeBody(req, res)) (this->*handler)(req, res);
}

// --- Clock ---

std::string OAuthHttpServer::ClockBody() const {
  JsonWriter w;
  w.BeginObject().Field("now_ms", NowMs()).Field("offset_ms", clock_offset_ms_.load()).EndObject();
  return w.Take();
}

void OAuthHttpServer::AdminGetClock(const httplib::Request&, httplib::Response& res) {
  Reply(res, 200, ClockBody());
}

void OAuthHttpServer::AdminAdvanceClock(const httplib::Request& req, httplib::Response& res) {
  const std::optional<FlatFields> f = BodyFields(req, res);
  if (!f) return;
  int64_t advance = 0;
  const std::string* text = FieldOf(*f, "advance_ms");
  if (text == nullptr || !ToInt(*text, 0, kTenYearsMs, advance)) {
    return BadRequest(res, "advance_ms must be an integer 0..10 years (the clock never goes back)");
  }
  {
    // A total bound too: repeated advances would otherwise overflow every `now + ttl` in the
    // authority (signed overflow, then garbage expiries).
    constexpr int64_t kMaxOffsetMs = 10 * kTenYearsMs;
    std::lock_guard<std::mutex> lock(mu_);
    if (advance > kMaxOffsetMs - clock_offset_ms_.load()) {
      return BadRequest(res, "the clock offset cannot exceed 100 years");
    }
    clock_offset_ms_ += advance;
  }
  Reply(res, 200, ClockBody());
}

// --- Faults ---

void OAuthHttpServer::AdminListFaults(const httplib::Request&, httplib::Response& res) {
  JsonWriter w;
  w.BeginObject().Key("rules").BeginArray();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const FaultRule& r : faults_.rules()) WriteRule(w, r);
  }
  w.EndArray().EndObject();
  Reply(res, 200, w.Take());
}

void OAuthHttpServer::AdminAddFaults(const httplib::Request& req, httplib::Response& res) {
  std::string why;
  std::optional<std::vector<FaultRule>> rules = RulesFrom(req.body, &why);
  if (!rules) return BadRequest(res, why);
  JsonWriter w;
  w.BeginObject().Key("ids").BeginArray();
  std::lock_guard<std::mutex> lock(mu_);
  if (faults_.rules().size() + rules->size() > FaultPlan::kMaxRules) {
    return BadRequest(res, "at most 64 fault rules");
  }
  for (FaultRule& r : *rules) {
    const std::optional<uint32_t> id = faults_.Add(std::move(r), &why);
    if (!id) return BadRequest(res, why);
    w.Uint(*id);
  }
  w.EndArray().EndObject();
  Reply(res, 200, w.Take());
}

void OAuthHttpServer::AdminClearFaults(const httplib::Request&, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.Clear();
  Reply(res, 200, "{\"rules\":[]}");
}

// --- Request log, authority events, state ---

void OAuthHttpServer::AdminLog(const httplib::Request& req, httplib::Response& res) {
  const size_t since = QueryCount(req, "since", 0, SIZE_MAX);
  const size_t limit = QueryCount(req, "limit", 1000, 10000);
  JsonWriter w;
  w.BeginObject().Key("entries").BeginArray();
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const RequestLogEntry& e : request_log_) {
    if (e.seq <= since) continue;
    if (++n > limit) break;
    WriteLogEntry(w, e);
  }
  w.EndArray().Field("last_seq", log_seq_).EndObject();
  Reply(res, 200, w.Take());
}

void OAuthHttpServer::AdminEvents(const httplib::Request& req, httplib::Response& res) {
  const size_t since = QueryCount(req, "since", 0, SIZE_MAX);
  const size_t limit = QueryCount(req, "limit", 1000, 10000);
  JsonWriter w;
  w.BeginObject().Key("events").BeginArray();
  std::lock_guard<std::mutex> lock(mu_);
  for (const AuthorityEvent& e : authority_.events().Since(since, limit)) WriteEvent(w, e);
  w.EndArray().EndObject();
  Reply(res, 200, w.Take());
}

void OAuthHttpServer::AdminState(const httplib::Request& req, httplib::Response& res) {
  const size_t limit = QueryCount(req, "families", 100, 10000);
  JsonWriter w;
  std::lock_guard<std::mutex> lock(mu_);
  const AuthorityState s = authority_.State(limit);
  w.BeginObject()
      .Field("provider", authority_.personality().name)
      .Field("now_ms", NowMs())
      .Field("clock_offset_ms", clock_offset_ms_.load());
  WritePolicies(w, authority_.config());
  WriteCounts(w, s);
  w.EndObject();
  Reply(res, 200, w.Take());
}

// --- Device grants, families ---

void OAuthHttpServer::AdminDecideDevice(const httplib::Request& req, httplib::Response& res,
                                        bool approve) {
  const std::optional<FlatFields> f = BodyFields(req, res);
  if (!f) return;
  const std::string* user_code = FieldOf(*f, "user_code");
  if (user_code == nullptr) return BadRequest(res, "user_code is required");
  std::lock_guard<std::mutex> lock(mu_);
  const bool ok = approve ? authority_.ApproveDevice(*user_code, NowMs())
                          : authority_.DenyDevice(*user_code, NowMs());
  if (!ok) {
    return Reply(res, 404, FlatErrorBody("not_found", "no pending device grant with that code"));
  }
  Reply(res, 200, approve ? "{\"approved\":true}" : "{\"denied\":true}");
}

void OAuthHttpServer::AdminApproveDevice(const httplib::Request& req, httplib::Response& res) {
  AdminDecideDevice(req, res, /*approve=*/true);
}

void OAuthHttpServer::AdminDenyDevice(const httplib::Request& req, httplib::Response& res) {
  AdminDecideDevice(req, res, /*approve=*/false);
}

void OAuthHttpServer::AdminRevokeFamily(const httplib::Request& req, httplib::Response& res) {
  const std::optional<uint32_t> id = FamilyIdOf(req);
  if (!id) return BadRequest(res, "bad family id");
  std::lock_guard<std::mutex> lock(mu_);
  const bool revoked = authority_.RevokeFamily(*id, NowMs());
  commit_seq_seen_.store(authority_.commit_seq());
  if (!revoked) return Reply(res, 404, FlatErrorBody("not_found", "no live family with that id"));
  Reply(res, 200, "{\"revoked\":true}");
}

void OAuthHttpServer::AdminFamily(const httplib::Request& req, httplib::Response& res) {
  const std::optional<uint32_t> id = FamilyIdOf(req);
  if (!id) return BadRequest(res, "bad family id");
  JsonWriter w;
  std::lock_guard<std::mutex> lock(mu_);
  WriteFamily(w, authority_.Family(*id));
  Reply(res, 200, w.Take());
}

// --- Tokens ---

// What a token is, by label: lets a harness judge a token a consumer printed without keeping or
// showing its text. Refresh tokens: live (the family's current one), retired (an older
// generation of a live family), revoked, expired or unknown; access tokens as the resource
// would judge them now.
void OAuthHttpServer::AdminInspect(const httplib::Request& req, httplib::Response& res) {
  const std::optional<FlatFields> f = BodyFields(req, res);
  if (!f) return;
  const std::string* token = FieldOf(*f, "token");
  if (token == nullptr || token->empty()) return BadRequest(res, "token is required");
  JsonWriter w;
  std::lock_guard<std::mutex> lock(mu_);
  WriteInspection(w, authority_, *token, NowMs());
  Reply(res, 200, w.Take());
}

void OAuthHttpServer::AdminLogin(const httplib::Request& req, httplib::Response& res) {
  const std::optional<FlatFields> f = BodyFields(req, res);
  if (!f) return;
  LoginRequest login;
  if (auto* v = FieldOf(*f, "client_id")) login.client_id = *v;
  if (auto* v = FieldOf(*f, "scope")) login.scope = *v;
  TokenReply r;
  {
    std::lock_guard<std::mutex> lock(mu_);
    r = authority_.Login(login, NowMs());
    commit_seq_seen_.store(authority_.commit_seq());
  }
  if (!r.ok()) return Reply(res, r.status, TokenErrorBody(r.error));
  // The token response plus the family id, so a test can follow its family in /admin/state.
  std::string body = TokenSuccessBody(authority_.personality(), r.tokens);
  body.pop_back();
  body += ",\"family_id\":" + std::to_string(r.family_id) + "}";
  Reply(res, 200, std::move(body));
}

}  // namespace credsim::oauth
