#include "fake_oauth_server/http_front.h"

#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>

#include "base/assert.h"
#include "fake_oauth_server/connection_queue.h"
#include "fake_oauth_server/json_writer.h"
#include "fake_oauth_server/model_answers.h"
#include "fake_oauth_server/request_decode.h"
#include "fake_oauth_server/responses.h"
#include "fake_oauth_server/wire.h"

namespace credsim::oauth {
namespace {

// The stamp of the request a worker is serving, set by the pre-routing handler from the
// connection's stamp (connection_queue.h) and taken by the token handler.
thread_local std::optional<uint64_t> t_request_stamp;

// Model requests are large (Claude Code posts ~76 KB to /v1/messages,
// docs/REAL_CLIENTS.md#fake-server-model-calls) while every OAuth and admin body is small; the
// protected resources get their own, larger limit.
constexpr size_t kModelBodyLimit = size_t{4} << 20;
// RFC 7009 revocation: Codex's logout posts here (docs/REAL_CLIENTS.md#codex-endpoints).
constexpr std::string_view kRevokePaths[] = {"/oauth/revoke", "/v1/oauth/revoke"};

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t EpochMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SetJson(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_header("Pragma", "no-cache");
  res.set_content(std::move(body), "application/json");
}

// The shared wire's answer (wire.h), byte for byte what the simulator hands its engines.
void SetWire(httplib::Response& res, WireReply wire) {
  res.status = wire.status;
  for (auto& [name, value] : wire.headers) res.set_header(name, value);
  res.set_content(std::move(wire.body), std::string(kJsonContentType));
}

// Every OAuth and resource route is also served under /as/<tag>: a harness that runs several
// consumer processes gives each its own base URL, and the request log says which one sent what.
constexpr std::string_view kTagPattern = "(?:/as/([A-Za-z0-9_.-]{1,40}))?";

std::string Tagged(std::string_view path) {
  std::string pattern(kTagPattern);
  pattern += path;  // the routes' paths hold no regex metacharacters
  return pattern;
}

std::string TagOf(const httplib::Request& req) {
  return req.matches.size() > 1 ? req.matches[1].str() : std::string();
}

std::string PathWithoutQuery(const std::string& target) {
  return target.substr(0, std::min(target.find('?'), size_t{256}));
}

// The path a route serves: without the query and without an /as/<tag> prefix.
std::string RoutedPath(const httplib::Request& req) {
  std::string path = PathWithoutQuery(req.target);
  const std::string tag = TagOf(req);
  if (!tag.empty() && path.starts_with("/as/" + tag)) path.erase(0, 4 + tag.size());
  return path;
}

// The log line every handler fills in: who asked for what, where.
RequestLogEntry LogEntryFor(const httplib::Request& req, std::string endpoint,
                            std::string grant = "") {
  RequestLogEntry log;
  log.method = req.method;
  log.path = RoutedPath(req);
  log.tag = TagOf(req);
  log.endpoint = std::move(endpoint);
  log.grant = std::move(grant);
  return log;
}

std::string ShortGrant(GrantType g) {
  switch (g) {
    case GrantType::kRefreshToken:
      return "refresh_token";
    case GrantType::kAuthorizationCode:
      return "authorization_code";
    case GrantType::kDeviceCode:
      return "device_code";
    case GrantType::kOther:
      return "other";
    case GrantType::kNone:
      return "";
  }
  return "";
}

// The access token a resource request presents: `Authorization: Bearer` (either case of the
// scheme, as clients send it), else Anthropic's `x-api-key`.
std::string PresentedAccessToken(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.size() > 7 &&
      (auth.compare(0, 7, "Bearer ") == 0 || auth.compare(0, 7, "bearer ") == 0)) {
    return auth.substr(7);
  }
  return req.get_header_value("x-api-key");
}

uint16_t PortOf(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return 0;
}

}  // namespace

bool DropConnectionOf(const httplib::Request& req) {
  if (req.local_port <= 0 || req.remote_port <= 0) return false;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return false;
  bool dropped = false;
  // Bounded by the process's open descriptors (RLIMIT_NOFILE).
  while (dirent* entry = readdir(dir)) {
    const int fd = std::atoi(entry->d_name);
    if (fd <= 2) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (PortOf(local) != req.local_port || PortOf(peer) != req.remote_port) continue;
    // Not close(): cpp-httplib still owns the descriptor and closes it; shutdown() just ends the
    // connection so the client gets no answer at all.
    dropped = ::shutdown(fd, SHUT_RDWR) == 0;
    break;
  }
  closedir(dir);
  return dropped;
}

OAuthHttpServer::OAuthHttpServer(ServerOptions options, const MasterKey& key, uint64_t fault_seed)
    : options_(std::move(options)),
      http_(std::make_unique<httplib::Server>()),
      authority_(options_.authority, key),
      faults_(fault_seed),
      epoch_at_start_ms_(EpochMs()),
      steady_at_start_ms_(SteadyMs()) {
  // A client that goes away mid-response must not kill the server with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  const size_t workers = static_cast<size_t>(options_.workers);
  http_->new_task_queue = [this, workers] {
    return new StampedConnectionQueue(workers, 1024, &commit_seq_seen_);
  };
  http_->set_payload_max_length(std::max(options_.max_body_bytes, kModelBodyLimit));
  http_->set_read_timeout(std::chrono::milliseconds(options_.read_timeout_ms));
  http_->set_write_timeout(std::chrono::milliseconds(options_.read_timeout_ms));
  http_->set_keep_alive_timeout(std::max<int64_t>(1, options_.keep_alive_timeout_ms / 1000));
  http_->set_keep_alive_max_count(100000);
  http_->set_tcp_nodelay(true);
  // cpp-httplib listens with a backlog of 5 (compiled into Debian's library): a burst of clients
  // (the 64-thread race test, a swarm) then overflows the accept queue. Remember the listening
  // socket here so Bind() can widen the backlog.
  http_->set_socket_options([this](int sock) {
    httplib::default_socket_options(sock);
    listen_fd_ = sock;
  });
  Routes();
  if (options_.admin) AdminRoutes();
}

OAuthHttpServer::~OAuthHttpServer() {
  Stop();
  if (background_.joinable()) background_.join();
}

int64_t OAuthHttpServer::NowMs() const {
  return epoch_at_start_ms_ + (SteadyMs() - steady_at_start_ms_) + clock_offset_ms_.load();
}

std::string OAuthHttpServer::base_url() const {
  const bool v6 = options_.host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + options_.host + "]" : options_.host) + ":" + std::to_string(port_);
}

bool OAuthHttpServer::Bind(std::string* why) {
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
  } else {
    port_ = http_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    if (why != nullptr) *why = "cannot bind " + options_.host + ":" + std::to_string(options_.port);
    return false;
  }
  // Linux accepts listen() again on a listening socket and takes the new backlog.
  if (listen_fd_ >= 0) ::listen(listen_fd_, 1024);
  return true;
}

bool OAuthHttpServer::Serve() { return http_->listen_after_bind(); }

bool OAuthHttpServer::WaitUntilServing() {
  // cpp-httplib 0.11 has no wait_until_ready: poll, bounded to 5 s.
  for (int i = 0; i < 5000 && !http_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return http_->is_running();
}

bool OAuthHttpServer::StartInBackground(std::string* why) {
  if (!Bind(why)) return false;
  background_ = std::thread([this] { Serve(); });
  const bool serving = WaitUntilServing();
  if (!serving && why != nullptr) *why = "server did not start";
  return serving;
}

void OAuthHttpServer::Stop() { http_->stop(); }

void OAuthHttpServer::StopOnceServing() {
  WaitUntilServing();
  Stop();
}

bool OAuthHttpServer::RefuseLargeBody(const httplib::Request& req, httplib::Response& res) const {
  if (req.body.size() <= options_.max_body_bytes) return false;
  SetJson(res, 413, FlatErrorBody("invalid_request", "request body too large"));
  return true;
}

bool OAuthHttpServer::IsLoopback(const httplib::Request& req) const {
  const std::string& a = req.remote_addr;
  return a == "127.0.0.1" || a == "::1" || a == "::ffff:127.0.0.1";
}

void OAuthHttpServer::Log(RequestLogEntry entry) {
  entry.seq = ++log_seq_;
  request_log_.push_back(std::move(entry));
  while (request_log_.size() > options_.request_log_capacity) request_log_.pop_front();
}

FaultDecision OAuthHttpServer::DecideFault(std::string_view endpoint, std::string_view grant) {
  std::lock_guard<std::mutex> lock(mu_);
  return faults_.Decide(endpoint, grant);
}

void OAuthHttpServer::LogNow(RequestLogEntry entry, std::optional<std::string_view> presented) {
  std::lock_guard<std::mutex> lock(mu_);
  entry.now_ms = NowMs();
  if (presented) entry.label = authority_.Label(*presented);
  Log(std::move(entry));
}

void OAuthHttpServer::Routes() {
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // OAuth bodies are small; cpp-httplib's own limit is the larger one of the model routes.
  const auto small_body = [this](Handler h) -> Handler {
    return [this, h](const httplib::Request& req, httplib::Response& res) {
      if (!RefuseLargeBody(req, res)) h(req, res);
    };
  };
  const Personality& p = authority_.personality();
  for (std::string_view path : p.token_paths) {
    http_->Post(Tagged(path), small_body([this](const httplib::Request& q, httplib::Response& r) {
                  HandleToken(q, r, false);
                }));
  }
  if (!options_.legacy_path.empty()) {
    http_->Post(Tagged(options_.legacy_path),
                small_body([this](const httplib::Request& q, httplib::Response& r) {
                  HandleToken(q, r, true);
                }));
  }
  http_->Get(Tagged(p.authorize_path),
             [this](const httplib::Request& q, httplib::Response& r) { HandleAuthorize(q, r); });
  http_->Post(Tagged(p.device_path),
              small_body([this](const httplib::Request& q, httplib::Response& r) {
                HandleDeviceStart(q, r);
              }));
  for (std::string_view path : p.resource_paths) {
    const auto h = [this](const httplib::Request& q, httplib::Response& r) {
      HandleResource(q, r);
    };
    http_->Post(Tagged(path), h);
    http_->Get(Tagged(path), h);
  }
  for (std::string_view path : kRevokePaths) {
    http_->Post(Tagged(path), small_body([this](const httplib::Request& q, httplib::Response& r) {
                  HandleRevoke(q, r);
                }));
  }
  InstallHooks();
}

void OAuthHttpServer::InstallHooks() {
  // Runs for every request once its headers are read, on the worker that will handle it.
  http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
    t_request_stamp = TakeConnectionStamp().value_or(commit_seq_seen_.load());
    // Later requests on this connection are stamped when read.
    // RFC 9112 §6.3: a request with neither Content-Length nor Transfer-Encoding has an empty
    // body. cpp-httplib 0.11 instead reads a POST's body until the connection closes, so `curl -X
    // POST URL` waited out the read timeout and got 400. The body has not been read yet here
    // (pre-routing runs after the headers): saying its length is 0 is what the RFC means.
    if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
      const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http_->set_error_handler(
      [this](const httplib::Request& req, httplib::Response& res) { AnswerError(req, res); });
  http_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SetJson(res, 500, FlatErrorBody("server_error", "internal error"));
      });
}

// Every error without a body gets an OAuth-shaped one (404, 413 from the body limit, ...).
// Unrouted requests are logged too: a client's calls the fake does not serve (Codex asks for
// /backend-api/codex/models, /wham/..., /ps/...) must show in /admin/log.
void OAuthHttpServer::AnswerError(const httplib::Request& req, httplib::Response& res) {
  if (res.status == 404 && res.body.empty()) {
    RequestLogEntry log = LogEntryFor(req, "other");
    log.status = 404;
    log.outcome = "not_found";
    std::lock_guard<std::mutex> lock(mu_);
    log.now_ms = NowMs();
    Log(std::move(log));
  }
  if (!res.body.empty()) return;
  const char* error = res.status == 404                        ? "not_found"
                      : res.status == 413 || res.status == 400 ? "invalid_request"
                                                               : "server_error";
  const char* description = res.status == 404   ? "no such endpoint"
                            : res.status == 413 ? "request body too large"
                            : res.status == 400 ? "malformed HTTP request"
                                                : "request could not be processed";
  SetJson(res, res.status, FlatErrorBody(error, description));
}

bool OAuthHttpServer::ApplyFault(const FaultDecision& d, const httplib::Request& req,
                                 httplib::Response& res, RequestLogEntry& log) {
  if (d.latency_ms > 0) {
    CREDSIM_ASSERT(d.latency_ms <= FaultPlan::kMaxLatencyMs, "the fault plan bounds latency");
    std::this_thread::sleep_for(std::chrono::milliseconds(d.latency_ms));
    log.fault = "latency:" + std::to_string(d.latency_ms);
  }
  // A grant delay applies to a 200 only, after the commit: the caller logs it if it applies.
  if (!d.action || *d.action == FaultAction::kDelayGrant) return false;
  log.fault = std::string(ToString(*d.action));
  switch (*d.action) {
    case FaultAction::kStatus:
    case FaultAction::kRateLimit:
      if (d.status == 429 || d.status >= 500) {
        SetWire(res, ServerErrorToWire(authority_.personality(), d.status,
                                       d.status == 429 ? static_cast<int>(d.retry_after_s) : -1));
      } else if (log.endpoint == "resource" && d.status == 401) {
        // "The API refused the token": the provider's own 401, as a client's 401 path expects.
        SetJson(res, 401, ResourceErrorBody(authority_.personality(), AccessState::kUnknown));
      } else {
        SetJson(res, d.status, FlatErrorBody("invalid_request", "fault injected"));
      }
      log.status = d.status;
      return true;
    case FaultAction::kDropBeforeCommit:
      DropConnectionOf(req);
      res.set_header("Connection", "close");
      log.status = 0;
      return true;
    case FaultAction::kDropAfterCommit:
    case FaultAction::kLatency:
      return false;  // drop-after is applied by the caller once the authority has committed
    case FaultAction::kDelayGrant:
      CREDSIM_ASSERT(false, "a grant delay is handled above");
      return false;
  }
  return false;
}

void OAuthHttpServer::HandleToken(const httplib::Request& req, httplib::Response& res,
                                  bool legacy) {
  const uint64_t seen = t_request_stamp.value_or(commit_seq_seen_.load());
  t_request_stamp.reset();
  RequestLogEntry log = LogEntryFor(req, legacy ? "legacy_token" : "token");
  DecodedTokenRequest decoded = DecodeTokenRequest(req.get_header_value("Content-Type"), req.body);
  decoded.request.seen_commit_seq = seen;
  log.grant = ShortGrant(decoded.request.grant_type);

  if (legacy && decoded.kind == BodyKind::kForm &&
      decoded.request.grant_type == GrantType::kRefreshToken) {
    // The reported old console endpoint: form-encoded refreshes fail with a bare 500, forever.
    SetWire(res, ServerErrorToWire(authority_.personality(), 500));
    log.status = 500;
    log.outcome = "legacy_endpoint_500";
    LogNow(std::move(log), decoded.request.refresh_token);
    return;
  }
  const FaultDecision fault = DecideFault("token", log.grant);
  if (ApplyFault(fault, req, res, log)) {
    LogNow(std::move(log), decoded.request.refresh_token);
    return;
  }
  if (!decoded.ok) {
    SetWire(res, InvalidRequestToWire(decoded.error_description));
    log.status = 400;
    log.outcome = "invalid_request";
    LogNow(std::move(log));
    return;
  }
  TokenReply reply;
  {
    std::lock_guard<std::mutex> lock(mu_);
    log.now_ms = NowMs();
    reply = authority_.Handle(decoded.request, log.now_ms);
    commit_seq_seen_.store(authority_.commit_seq());
    log.status = reply.status;
    log.outcome = std::string(ToString(reply.outcome));
    log.family_id = reply.family_id;
    log.presented_generation = reply.presented_generation;
    log.generation = reply.generation;
    log.label = reply.presented_label;
    if (fault.action == FaultAction::kDropAfterCommit) log.status = 0;
    if (fault.action == FaultAction::kDelayGrant && reply.ok()) {
      log.fault = "delay_grant:" + std::to_string(fault.grant_delay_ms);
    }
    Log(log);
  }
  if (fault.action == FaultAction::kDropAfterCommit) {
    DropConnectionOf(req);
    res.set_header("Connection", "close");
    return;
  }
  if (fault.action == FaultAction::kDelayGrant && reply.ok()) {
    // The rotation is committed and logged; only the winner's answer is late.
    CREDSIM_ASSERT(fault.grant_delay_ms > 0 && fault.grant_delay_ms <= FaultPlan::kMaxLatencyMs);
    std::this_thread::sleep_for(std::chrono::milliseconds(fault.grant_delay_ms));
  }
  SetWire(res, TokenReplyToWire(authority_.personality(), reply));
}

void OAuthHttpServer::HandleAuthorize(const httplib::Request& req, httplib::Response& res) {
  AuthorizeRequest q;
  q.response_type = req.get_param_value("response_type");
  q.client_id = req.get_param_value("client_id");
  q.redirect_uri = req.get_param_value("redirect_uri");
  q.code_challenge = req.get_param_value("code_challenge");
  q.code_challenge_method = req.get_param_value("code_challenge_method");
  q.scope = req.get_param_value("scope");
  const std::string state = req.get_param_value("state");
  RequestLogEntry log = LogEntryFor(req, "authorize", "authorization_code");
  AuthorizeReply reply;
  const bool faulted = ApplyFault(DecideFault("authorize", log.grant), req, res, log);
  if (!faulted) {
    std::lock_guard<std::mutex> lock(mu_);
    reply = authority_.Authorize(q, NowMs());
  }
  const Personality& p = authority_.personality();
  if (faulted) {
    // answered (or dropped) by the fault
  } else if (!reply.ok() && !reply.may_redirect) {
    SetJson(res, 400, FlatErrorBody(reply.error, reply.description));
  } else if (reply.ok() && q.redirect_uri == p.manual_redirect_uri) {
    // The headless flow: a page showing code#state for the user to paste into the CLI.
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    res.set_content("<!doctype html><title>Authorization code</title><p>Paste this code:</p><pre>" +
                        reply.code + "#" + UrlEscape(state) + "</pre>\n",
                    "text/html");
  } else {
    const char sep = q.redirect_uri.find('?') == std::string::npos ? '?' : '&';
    std::string location = q.redirect_uri + sep;
    location += reply.ok() ? "code=" + UrlEscape(reply.code)
                           : "error=" + UrlEscape(reply.error) +
                                 "&error_description=" + UrlEscape(reply.description);
    if (!state.empty()) location += "&state=" + UrlEscape(state);
    res.status = 302;
    res.set_header("Location", location);
    res.set_header("Cache-Control", "no-store");
  }
  log.status = res.status;
  log.outcome = reply.ok() ? "issued" : reply.error;
  LogNow(std::move(log));
}

void OAuthHttpServer::HandleDeviceStart(const httplib::Request& req, httplib::Response& res) {
  RequestLogEntry log = LogEntryFor(req, "device", "device_code");
  std::string why;
  const std::optional<FlatFields> fields =
      DecodeFlatFields(BodyKindOf(req.get_header_value("Content-Type")), req.body, &why);
  if (!ApplyFault(DecideFault("device", log.grant), req, res, log)) {
    if (!fields) {
      SetJson(res, 400, FlatErrorBody("invalid_request", why));
    } else {
      const auto get = [&](const char* k) {
        auto it = fields->find(k);
        return it == fields->end() ? std::string() : it->second;
      };
      DeviceStartReply d;
      {
        std::lock_guard<std::mutex> lock(mu_);
        d = authority_.StartDeviceAuthorization(get("client_id"), get("scope"), NowMs());
      }
      if (d.status != 200) {
        SetJson(res, d.status, FlatErrorBody(d.error, "device authorization refused"));
      } else {
        JsonWriter w;
        w.BeginObject()
            .Field("device_code", d.device_code)
            .Field("user_code", d.user_code)
            .Field("verification_uri", base_url() + "/device")
            .Field("verification_uri_complete", base_url() + "/device?user_code=" + d.user_code)
            .Field("expires_in", d.expires_in_s)
            .Field("interval", d.interval_s)
            .EndObject();
        SetJson(res, 200, w.Take());
      }
    }
  }
  log.status = res.status;
  LogNow(std::move(log));
}

// An API call: 200 with a model-shaped answer for a live access token, else the provider's 401.
void OAuthHttpServer::HandleResource(const httplib::Request& req, httplib::Response& res) {
  const std::string token = PresentedAccessToken(req);
  RequestLogEntry log = LogEntryFor(req, "resource");
  if (ApplyFault(DecideFault("resource", ""), req, res, log)) {
    LogNow(std::move(log));
    return;
  }
  const AccessCheck check = CheckAccess(token, log);
  if (check.state == AccessState::kLive) {
    AnswerResource(req, log.path, check.family_id, res);
  } else {
    RefuseResource(token, check.state, res);
  }
}

AccessCheck OAuthHttpServer::CheckAccess(const std::string& token, RequestLogEntry& log) {
  std::lock_guard<std::mutex> lock(mu_);
  log.now_ms = NowMs();
  const AccessCheck check = authority_.ValidateAccessToken(token, log.now_ms);
  log.status = check.state == AccessState::kLive ? 200 : 401;
  log.outcome = std::string(ToString(check.state));
  log.family_id = check.family_id;
  log.presented_generation = check.generation;
  log.label = token.empty() ? "none" : check.label;
  Log(log);
  return check;
}

// What the real API answers a client's check at `path` (routed: without a /as/<tag> prefix):
// Anthropic's profile, an OpenAI responses stream, or an Anthropic message.
void OAuthHttpServer::AnswerResource(const httplib::Request& req, std::string_view path,
                                     uint32_t family_id, httplib::Response& res) {
  ModelAnswer answer;
  if (path == "/api/oauth/profile") {
    AccountIds ids;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ids = authority_.Account(family_id);
    }
    answer = AnthropicProfile(ids.account_uuid, ids.organization_uuid);
  } else if (path.ends_with("/responses")) {
    answer = OpenAiResponseStream();
  } else {
    answer = AnthropicMessage(AsksForStream(req.body));
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_content(std::move(answer.body), answer.content_type);
}

void OAuthHttpServer::RefuseResource(const std::string& token, AccessState state,
                                     httplib::Response& res) const {
  CREDSIM_ASSERT(state != AccessState::kLive);
  SetJson(res, 401, ResourceErrorBody(authority_.personality(), state));
  if (!options_.www_authenticate) return;
  // RFC 6750 §3.1: no error code when the request carried no token at all.
  if (token.empty()) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"fake_oauth_server\"");
    return;
  }
  const char* why = state == AccessState::kExpired   ? "The access token expired"
                    : state == AccessState::kRevoked ? "The access token was revoked"
                                                     : "The access token is invalid";
  res.set_header("WWW-Authenticate",
                 std::string("Bearer realm=\"fake_oauth_server\", error=\"invalid_token\", "
                             "error_description=\"") +
                     why + "\"");
}

void OAuthHttpServer::HandleRevoke(const httplib::Request& req, httplib::Response& res) {
  RequestLogEntry log = LogEntryFor(req, "revoke");
  std::string why;
  const std::optional<FlatFields> fields =
      DecodeFlatFields(BodyKindOf(req.get_header_value("Content-Type")), req.body, &why);
  const auto get = [&](const char* k) {
    auto it = fields->find(k);
    return it == fields->end() ? std::string() : it->second;
  };
  std::lock_guard<std::mutex> lock(mu_);
  log.now_ms = NowMs();
  if (!fields || get("token").empty()) {
    SetJson(res, 400, FlatErrorBody("invalid_request", fields ? "token is required" : why));
    log.status = 400;
    log.outcome = "invalid_request";
    Log(std::move(log));
    return;
  }
  const RevocationReply r = authority_.Revoke(get("token"), get("client_id"), log.now_ms);
  commit_seq_seen_.store(authority_.commit_seq());
  log.status = r.status;
  log.outcome = r.status != 200 ? r.error : r.revoked ? "revoked" : "nothing_to_revoke";
  log.family_id = r.family_id;
  log.label = r.label;
  Log(std::move(log));
  if (r.status != 200) {
    SetJson(res, r.status, FlatErrorBody(r.error, "the token was issued to another client"));
    return;
  }
  // RFC 7009 §2.2: 200 whether or not there was anything to revoke; the body is ignored.
  SetJson(res, 200, "{}");
}

}  // namespace credsim::oauth
