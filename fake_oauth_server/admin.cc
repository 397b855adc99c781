// The admin API (loopback only): clock, faults, request log, authority events and state, device
// approval, family revocation, direct login. Bodies are JSON objects; answers are JSON.
#include <httplib.h>

#include <charconv>
#include <cstdlib>

#include "fake_oauth_server/http_front.h"
#include "fake_oauth_server/json_writer.h"
#include "fake_oauth_server/request_decode.h"
#include "fake_oauth_server/responses.h"

namespace credsim::oauth {
namespace {

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

std::optional<FaultRule> RuleFrom(const FlatFields& f, std::string* why) {
  FaultRule r;
  static constexpr std::string_view kKnown[] = {"endpoint",    "grant",        "action",
                                                "status",      "latency_ms",   "limit",
                                                "probability", "retry_after_s"};
  for (const auto& [k, v] : f) {
    if (std::find(std::begin(kKnown), std::end(kKnown), k) == std::end(kKnown)) {
      *why = "unknown fault field " + k;
      return std::nullopt;
    }
  }
  const auto get = [&](const char* k) -> const std::string* {
    auto it = f.find(k);
    return it == f.end() ? nullptr : &it->second;
  };
  if (auto* v = get("endpoint")) r.endpoint = *v;
  if (auto* v = get("grant")) r.grant = *v;
  const std::string* action = get("action");
  const std::optional<FaultAction> a = action ? ParseFaultAction(*action) : std::nullopt;
  if (!a) {
    *why =
        "action must be status, rate_limit, latency, drop_before_commit, drop_after_commit or "
        "delay_grant";
    return std::nullopt;
  }
  r.action = *a;
  int64_t n = 0;
  if (auto* v = get("status")) {
    if (!ToInt(*v, 100, 599, n)) return *why = "status must be an integer", std::nullopt;
    r.status = static_cast<int>(n);
  }
  if (auto* v = get("latency_ms")) {
    if (!ToInt(*v, 0, FaultPlan::kMaxLatencyMs, n))
      return *why = "latency_ms 0..60000", std::nullopt;
    r.latency_ms = n;
  }
  if (auto* v = get("retry_after_s")) {
    if (!ToInt(*v, 0, 86400, n)) return *why = "retry_after_s 0..86400", std::nullopt;
    r.retry_after_s = n;
  }
  if (auto* v = get("limit")) {
    if (!ToInt(*v, 0, UINT32_MAX, n)) return *why = "limit must be a count", std::nullopt;
    r.limit = static_cast<uint32_t>(n);
  }
  if (auto* v = get("probability")) {
    char* end = nullptr;
    const double p = std::strtod(v->c_str(), &end);
    if (end != v->c_str() + v->size() || !(p > 0.0 && p <= 1.0)) {
      return *why = "probability must be in (0, 1]", std::nullopt;
    }
    r.probability_ppm = static_cast<uint32_t>(p * 1'000'000 + 0.5);
    if (r.probability_ppm == 0) r.probability_ppm = 1;
  }
  return r;
}

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

size_t QueryCount(const httplib::Request& req, const char* name, size_t fallback, size_t max) {
  int64_t v = 0;
  if (!req.has_param(name) || !ToInt(req.get_param_value(name), 0, INT64_MAX, v)) return fallback;
  return std::min(static_cast<size_t>(v), max);
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
  std::string state;
  if (h->kind == TokenKind::kAccess) {
    state = std::string(ToString(authority.ValidateAccessToken(token, now_ms).state));
  } else {
    const FamilyView family = authority.Family(h->family_id);
    if (family.fate != FamilyFate::kLive) {
      state = std::string(ToString(family.fate));
    } else if (family.expires_ms <= now_ms) {
      state = "expired";
    } else {
      state = h->generation == family.generation ? "live" : "retired";
    }
  }
  w.Field("kind", kind)
      .Field("state", state)
      .Field("family_id", h->family_id)
      .Field("generation", h->generation)
      .EndObject();
}

}  // namespace

void OAuthHttpServer::AdminRoutes() {
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // Every admin route is loopback-only: the admin API can mint tokens and rewind nothing, but it
  // must never be reachable from another machine when --host opens the token endpoint wider.
  const auto guard = [this](Handler h) -> Handler {
    return [this, h](const httplib::Request& req, httplib::Response& res) {
      if (!IsLoopback(req)) {
        Reply(res, 403, FlatErrorBody("access_denied", "admin API is loopback-only"));
        return;
      }
      if (!RefuseLargeBody(req, res)) h(req, res);
    };
  };
  const auto fields_of = [](const httplib::Request& req,
                            httplib::Response& res) -> std::optional<FlatFields> {
    std::string why;
    const BodyKind kind =
        req.body.empty() ? BodyKind::kJson : BodyKindOf(req.get_header_value("Content-Type"));
    std::optional<FlatFields> f = DecodeFlatFields(kind, req.body, &why);
    if (!f) BadRequest(res, why);
    return f;
  };

  http_->Get("/admin/clock", guard([this](const httplib::Request&, httplib::Response& res) {
               JsonWriter w;
               w.BeginObject()
                   .Field("now_ms", NowMs())
                   .Field("offset_ms", clock_offset_ms_.load())
                   .EndObject();
               Reply(res, 200, w.Take());
             }));
  http_->Post("/admin/clock",
              guard([this, fields_of](const httplib::Request& req, httplib::Response& res) {
                const std::optional<FlatFields> f = fields_of(req, res);
                if (!f) return;
                int64_t advance = 0;
                auto it = f->find("advance_ms");
                constexpr int64_t kTenYearsMs = int64_t{10} * 365 * 24 * 3600 * 1000;
                if (it == f->end() || !ToInt(it->second, 0, kTenYearsMs, advance)) {
                  return BadRequest(
                      res, "advance_ms must be an integer 0..10 years (the clock never goes back)");
                }
                {
                  // A total bound too: repeated advances would otherwise overflow every
                  // `now + ttl` in the authority (signed overflow, then garbage expiries).
                  constexpr int64_t kMaxOffsetMs = 10 * kTenYearsMs;
                  std::lock_guard<std::mutex> lock(mu_);
                  if (advance > kMaxOffsetMs - clock_offset_ms_.load()) {
                    return BadRequest(res, "the clock offset cannot exceed 100 years");
                  }
                  clock_offset_ms_ += advance;
                }
                JsonWriter w;
                w.BeginObject()
                    .Field("now_ms", NowMs())
                    .Field("offset_ms", clock_offset_ms_.load())
                    .EndObject();
                Reply(res, 200, w.Take());
              }));

  http_->Get("/admin/faults", guard([this](const httplib::Request&, httplib::Response& res) {
               JsonWriter w;
               w.BeginObject().Key("rules").BeginArray();
               {
                 std::lock_guard<std::mutex> lock(mu_);
                 for (const FaultRule& r : faults_.rules()) WriteRule(w, r);
               }
               w.EndArray().EndObject();
               Reply(res, 200, w.Take());
             }));
  http_->Post("/admin/faults", guard([this](const httplib::Request& req, httplib::Response& res) {
                std::string why;
                std::vector<FlatFields> items;
                const size_t first = req.body.find_first_not_of(" \t\r\n");
                if (first != std::string::npos && req.body[first] == '[') {
                  std::optional<std::vector<FlatFields>> arr = DecodeFlatArray(req.body, &why);
                  if (!arr) return BadRequest(res, why);
                  items = std::move(*arr);
                } else {
                  std::optional<FlatFields> one = DecodeFlatFields(BodyKind::kJson, req.body, &why);
                  if (!one) return BadRequest(res, why);
                  items.push_back(std::move(*one));
                }
                std::vector<FaultRule> rules;
                for (const FlatFields& f : items) {
                  std::optional<FaultRule> r = RuleFrom(f, &why);
                  if (!r) return BadRequest(res, why);
                  rules.push_back(std::move(*r));
                }
                JsonWriter w;
                w.BeginObject().Key("ids").BeginArray();
                std::lock_guard<std::mutex> lock(mu_);
                if (faults_.rules().size() + rules.size() > FaultPlan::kMaxRules) {
                  return BadRequest(res, "at most 64 fault rules");
                }
                for (FaultRule& r : rules) {
                  const std::optional<uint32_t> id = faults_.Add(std::move(r), &why);
                  if (!id) return BadRequest(res, why);
                  w.Uint(*id);
                }
                w.EndArray().EndObject();
                Reply(res, 200, w.Take());
              }));
  http_->Delete("/admin/faults", guard([this](const httplib::Request&, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mu_);
                  faults_.Clear();
                  Reply(res, 200, "{\"rules\":[]}");
                }));

  http_->Get("/admin/log", guard([this](const httplib::Request& req, httplib::Response& res) {
               const size_t since = QueryCount(req, "since", 0, SIZE_MAX);
               const size_t limit = QueryCount(req, "limit", 1000, 10000);
               JsonWriter w;
               w.BeginObject().Key("entries").BeginArray();
               std::lock_guard<std::mutex> lock(mu_);
               size_t n = 0;
               for (const RequestLogEntry& e : request_log_) {
                 if (e.seq <= since) continue;
                 if (++n > limit) break;
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
               w.EndArray().Field("last_seq", log_seq_).EndObject();
               Reply(res, 200, w.Take());
             }));

  http_->Get("/admin/events", guard([this](const httplib::Request& req, httplib::Response& res) {
               const size_t since = QueryCount(req, "since", 0, SIZE_MAX);
               const size_t limit = QueryCount(req, "limit", 1000, 10000);
               JsonWriter w;
               w.BeginObject().Key("events").BeginArray();
               std::lock_guard<std::mutex> lock(mu_);
               for (const AuthorityEvent& e : authority_.events().Since(since, limit)) {
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
               w.EndArray().EndObject();
               Reply(res, 200, w.Take());
             }));

  http_->Get("/admin/state", guard([this](const httplib::Request& req, httplib::Response& res) {
               const size_t limit = QueryCount(req, "families", 100, 10000);
               JsonWriter w;
               std::lock_guard<std::mutex> lock(mu_);
               const AuthorityState s = authority_.State(limit);
               const AuthorityConfig& c = authority_.config();
               w.BeginObject()
                   .Field("provider", authority_.personality().name)
                   .Field("now_ms", NowMs())
                   .Field("clock_offset_ms", clock_offset_ms_.load())
                   .Field("reuse_policy", ToString(c.reuse))
                   .Field("race_policy", ToString(c.race))
                   .Field("access_ttl_ms", c.access_ttl_ms)
                   .Field("refresh_ttl_ms", c.refresh_ttl_ms)
                   .Field("revoke_access_on_refresh", c.revoke_access_on_refresh)
                   .Field("commit_seq", s.commit_seq)
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
               w.EndArray().EndObject();
               Reply(res, 200, w.Take());
             }));

  const auto device_decision = [this, fields_of](bool approve) {
    return [this, fields_of, approve](const httplib::Request& req, httplib::Response& res) {
      const std::optional<FlatFields> f = fields_of(req, res);
      if (!f) return;
      auto it = f->find("user_code");
      if (it == f->end()) return BadRequest(res, "user_code is required");
      std::lock_guard<std::mutex> lock(mu_);
      const bool ok = approve ? authority_.ApproveDevice(it->second, NowMs())
                              : authority_.DenyDevice(it->second, NowMs());
      if (!ok) {
        return Reply(res, 404,
                     FlatErrorBody("not_found", "no pending device grant with that code"));
      }
      Reply(res, 200, approve ? "{\"approved\":true}" : "{\"denied\":true}");
    };
  };
  http_->Post("/admin/device/approve", guard(device_decision(true)));
  http_->Post("/admin/device/deny", guard(device_decision(false)));

  http_->Post(R"(/admin/families/(\d{1,10})/revoke)",
              guard([this](const httplib::Request& req, httplib::Response& res) {
                int64_t id = 0;
                if (!ToInt(req.matches[1].str(), 1, UINT32_MAX, id)) {
                  return BadRequest(res, "bad family id");
                }
                std::lock_guard<std::mutex> lock(mu_);
                const bool revoked = authority_.RevokeFamily(static_cast<uint32_t>(id), NowMs());
                commit_seq_seen_.store(authority_.commit_seq());
                if (!revoked) {
                  return Reply(res, 404, FlatErrorBody("not_found", "no live family with that id"));
                }
                Reply(res, 200, "{\"revoked\":true}");
              }));
  http_->Get(R"(/admin/families/(\d{1,10}))",
             guard([this](const httplib::Request& req, httplib::Response& res) {
               int64_t id = 0;
               if (!ToInt(req.matches[1].str(), 1, UINT32_MAX, id)) {
                 return BadRequest(res, "bad family id");
               }
               JsonWriter w;
               std::lock_guard<std::mutex> lock(mu_);
               WriteFamily(w, authority_.Family(static_cast<uint32_t>(id)));
               Reply(res, 200, w.Take());
             }));

  // What a token is, by label: lets a harness judge a token a consumer printed without keeping or
  // showing its text. Refresh tokens: live (the family's current one), retired (an older
  // generation of a live family), revoked, expired or unknown; access tokens as the resource
  // would judge them now.
  http_->Post("/admin/inspect",
              guard([this, fields_of](const httplib::Request& req, httplib::Response& res) {
                const std::optional<FlatFields> f = fields_of(req, res);
                if (!f) return;
                const auto it = f->find("token");
                if (it == f->end() || it->second.empty())
                  return BadRequest(res, "token is required");
                JsonWriter w;
                std::lock_guard<std::mutex> lock(mu_);
                WriteInspection(w, authority_, it->second, NowMs());
                Reply(res, 200, w.Take());
              }));

  http_->Post("/admin/login",
              guard([this, fields_of](const httplib::Request& req, httplib::Response& res) {
                const std::optional<FlatFields> f = fields_of(req, res);
                if (!f) return;
                LoginRequest login;
                if (auto it = f->find("client_id"); it != f->end()) login.client_id = it->second;
                if (auto it = f->find("scope"); it != f->end()) login.scope = it->second;
                TokenReply r;
                {
                  std::lock_guard<std::mutex> lock(mu_);
                  r = authority_.Login(login, NowMs());
                  commit_seq_seen_.store(authority_.commit_seq());
                }
                if (!r.ok()) return Reply(res, r.status, TokenErrorBody(r.error));
                // The token response plus the family id, so a test can follow its family in
                // /admin/state.
                std::string body = TokenSuccessBody(authority_.personality(), r.tokens);
                body.pop_back();
                body += ",\"family_id\":" + std::to_string(r.family_id) + "}";
                Reply(res, 200, std::move(body));
              }));
}

}  // namespace credsim::oauth
