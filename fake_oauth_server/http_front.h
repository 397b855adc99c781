// The HTTP front end: cpp-httplib routes over one TokenAuthority.
//
// Threads: cpp-httplib serves each connection on a worker (a bounded pool, connection_queue.h);
// every call into the authority, the fault plan and the request log happens under
// one mutex, so the authority sees one request at a time and exactly one of N concurrent refreshes
// of a token can win. Time: the server clock is real time plus an offset that POST /admin/clock
// moves forward, so tests can expire tokens without waiting.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "fake_oauth_server/authority.h"
#include "fake_oauth_server/faults.h"
#include "fake_oauth_server/server_options.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace credsim::oauth {

// One line of GET /admin/log. Labels only, never token text; the path is logged without its query.
struct RequestLogEntry {
  uint64_t seq = 0;
  int64_t now_ms = 0;
  std::string method;
  std::string path;
  std::string endpoint;  // token, legacy_token, authorize, device, resource, admin, other
  std::string grant;
  int status = 0;
  std::string outcome;
  uint32_t family_id = 0;
  uint32_t presented_generation = 0;
  uint32_t generation = 0;
  std::string label;
  std::string fault;  // the fault applied, if any
  // The caller's tag when the request came through /as/<tag>/...: a test harness gives each
  // consumer process its own token URL, so every request is attributed to the process that sent it.
  std::string tag;
};

class OAuthHttpServer {
 public:
  OAuthHttpServer(ServerOptions options, const MasterKey& key, uint64_t fault_seed);
  ~OAuthHttpServer();
  OAuthHttpServer(const OAuthHttpServer&) = delete;
  OAuthHttpServer& operator=(const OAuthHttpServer&) = delete;

  // Binds the listening socket; returns false (and a reason) if it cannot.
  bool Bind(std::string* why);
  // Serves until Stop(); returns false if serving could not start.
  bool Serve();
  // Bind + Serve on a background thread, returning once requests are being accepted (tests).
  bool StartInBackground(std::string* why);
  // Thread-safe; Serve() returns soon after. A no-op before Serve() has begun (cpp-httplib 0.11).
  void Stop();
  // For a signal handler thread: waits (bounded, 5 s) until Serve() has begun, then Stop(), so a
  // signal that arrives between Bind() and Serve() still stops the server.
  void StopOnceServing();

  int port() const { return port_; }
  std::string base_url() const;
  int64_t NowMs() const;

 private:
  bool WaitUntilServing();
  void Routes();
  // Pre-routing (request stamps, an absent body length), the error and exception answers.
  void InstallHooks();
  void AnswerError(const httplib::Request& req, httplib::Response& res);
  // The admin API (admin.cc): AdminRoutes() registers one member per route from a table, each
  // behind ServeAdmin(), which refuses non-loopback callers and oversized bodies first.
  using AdminHandler = void (OAuthHttpServer::*)(const httplib::Request&, httplib::Response&);
  void AdminRoutes();
  void ServeAdmin(AdminHandler handler, const httplib::Request& req, httplib::Response& res);
  void AdminGetClock(const httplib::Request& req, httplib::Response& res);
  void AdminAdvanceClock(const httplib::Request& req, httplib::Response& res);
  void AdminListFaults(const httplib::Request& req, httplib::Response& res);
  void AdminAddFaults(const httplib::Request& req, httplib::Response& res);
  void AdminClearFaults(const httplib::Request& req, httplib::Response& res);
  void AdminLog(const httplib::Request& req, httplib::Response& res);
  void AdminEvents(const httplib::Request& req, httplib::Response& res);
  void AdminState(const httplib::Request& req, httplib::Response& res);
  void AdminApproveDevice(const httplib::Request& req, httplib::Response& res);
  void AdminDenyDevice(const httplib::Request& req, httplib::Response& res);
  void AdminDecideDevice(const httplib::Request& req, httplib::Response& res, bool approve);
  void AdminRevokeFamily(const httplib::Request& req, httplib::Response& res);
  void AdminFamily(const httplib::Request& req, httplib::Response& res);
  void AdminInspect(const httplib::Request& req, httplib::Response& res);
  void AdminLogin(const httplib::Request& req, httplib::Response& res);
  std::string ClockBody() const;  // {"now_ms","offset_ms"}, for GET and POST /admin/clock
  void HandleToken(const httplib::Request& req, httplib::Response& res, bool legacy);
  void HandleAuthorize(const httplib::Request& req, httplib::Response& res);
  void HandleDeviceStart(const httplib::Request& req, httplib::Response& res);
  void HandleResource(const httplib::Request& req, httplib::Response& res);
  // HandleResource's steps: the token checked (and logged) under the lock, then the answer.
  AccessCheck CheckAccess(const std::string& token, RequestLogEntry& log);
  void AnswerResource(const httplib::Request& req, std::string_view path, uint32_t family_id,
                      httplib::Response& res);
  void RefuseResource(const std::string& token, AccessState state, httplib::Response& res) const;
  void HandleRevoke(const httplib::Request& req, httplib::Response& res);
  // 413 for a body over --max-body on the OAuth and admin routes; true if it answered.
  bool RefuseLargeBody(const httplib::Request& req, httplib::Response& res) const;
  // Applies latency and answers the request if the fault decides it; true if it did.
  bool ApplyFault(const FaultDecision& d, const httplib::Request& req, httplib::Response& res,
                  RequestLogEntry& log);
  void Log(RequestLogEntry entry);  // requires mu_
  // The fault plan's decision for one request (takes mu_).
  FaultDecision DecideFault(std::string_view endpoint, std::string_view grant);
  // Stamps `entry` with the server clock and logs it (takes mu_); the `presented` token, when
  // given, is named by its label ("unknown" for anything the authority did not issue).
  void LogNow(RequestLogEntry entry, std::optional<std::string_view> presented = std::nullopt);
  bool IsLoopback(const httplib::Request& req) const;

  ServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::mutex mu_;  // guards authority_, faults_, request_log_, log_seq_
  TokenAuthority authority_;
  FaultPlan faults_;
  std::deque<RequestLogEntry> request_log_;
  uint64_t log_seq_ = 0;
  // Mirror of authority_.commit_seq(), read without the mutex when a connection is queued and
  // when a request is read (connection_queue.h), so that a refresh waiting for a
  // worker or for the mutex is known to have been in flight during the commits made meanwhile.
  std::atomic<uint64_t> commit_seq_seen_{0};
  std::atomic<int64_t> clock_offset_ms_{0};
  int64_t epoch_at_start_ms_ = 0;
  int64_t steady_at_start_ms_ = 0;
  int port_ = -1;
  int listen_fd_ = -1;
  std::thread background_;
};

// Closes the TCP connection a request arrived on, without answering: the client sees the
// connection end (what a proxy crash or a network cut looks like). Found by the request's local
// and remote ports among the process's sockets. Returns false if it was not found.
bool DropConnectionOf(const httplib::Request& req);

}  // namespace credsim::oauth
