// An HTTP CONNECT proxy that is itself the destination: it answers `CONNECT
// platform.claude.com:443`, terminates the TLS with a leaf signed by a throw-away CA (test_ca.h),
// and relays the decrypted HTTP to the fake server's own port on 127.0.0.1. Nothing is ever
// forwarded off the machine.
//
// Why: Claude Code's token URL is fixed to https://platform.claude.com/v1/oauth/token with no
// override (docs/REAL_CLIENTS.md#claude-code-endpoints). An unmodified client run with
// HTTPS_PROXY=<this proxy> and NODE_EXTRA_CA_CERTS=<the CA> reaches the fake server instead.
//
// Threads: one acceptor, and one thread per tunnel (at most max_tunnels at once; beyond that a
// client gets 503). Every wait is a poll() that also watches a stop pipe, so Stop() ends every
// tunnel at once, whatever it was waiting for, and then joins every thread.
#pragma once

#include <openssl/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace credsim::oauth {

class ConnectProxy {
 public:
  // relay_port: the fake server's HTTP port on 127.0.0.1. hosts: the names the proxy terminates
  // (on port 443 only); a CONNECT to anything else gets 403.
  ConnectProxy(int relay_port, std::vector<std::string> hosts);
  ~ConnectProxy();  // Stop()
  ConnectProxy(const ConnectProxy&) = delete;
  ConnectProxy& operator=(const ConnectProxy&) = delete;

  // Before Start(). The preamble (CONNECT request and TLS handshake) must complete within the
  // handshake timeout, so a silent client cannot hold a tunnel slot. A relayed request may wait
  // up to the relay idle timeout, which is longer than the server's longest injected latency
  // (60 s) so that a latency fault reaches the client instead of being cut.
  void set_handshake_timeout_ms(int64_t ms) { handshake_timeout_ms_ = ms; }
  void set_relay_idle_timeout_ms(int64_t ms) { relay_idle_timeout_ms_ = ms; }
  void set_max_tunnels(size_t n) { max_tunnels_ = n; }

  // Makes the CA and the leaf, binds 127.0.0.1:port (0 = any free port; never another address:
  // the proxy answers for real host names) and starts accepting. False with a reason otherwise.
  bool Start(int port, std::string* why);
  // Closes the listener and every tunnel and joins every thread. Idempotent, thread-safe.
  void Stop();

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The CA certificate a client must trust (PEM). Its private key was freed once the leaf was
  // signed: nothing can sign with it again, in this process or elsewhere.
  const std::string& ca_certificate_pem() const { return ca_certificate_pem_; }

 private:
  struct Tunnel;
  struct SslCtxFree {
    void operator()(SSL_CTX* ctx) const;
  };
  enum class Wait { kReady, kTimedOut, kStopping };

  using Deadline = std::chrono::steady_clock::time_point;
  // What a refused client is told, and the log line.
  struct Refusal {
    std::string_view status, headers, body;
    std::string log_line;
  };

  void AcceptLoop();
  void ReapFinishedTunnels();
  // One client: its CONNECT head, the check of its target, the TLS handshake, then the relay.
  void ServeTunnel(int client_fd);
  bool SendAll(int fd, std::string_view bytes, Deadline deadline) const;
  void Refuse(int fd, Deadline deadline, const Refusal& refusal) const;
  // The request head up to the blank line; nullopt when the client left, timed out or was refused.
  std::optional<std::string> ReadConnectHead(int fd, Deadline deadline) const;
  // The host a CONNECT names when it is one of ours on port 443; otherwise refuses, nullopt.
  std::optional<std::string> AdmitConnect(int fd, Deadline deadline, const std::string& head) const;
  bool AcceptTls(SSL* ssl, int fd, Deadline deadline, const std::string& host) const;
  void Relay(SSL* ssl, int client_fd, int backend_fd) const;
  // Polls fd for events and the stop pipe; timeout_ms < 0 never times out.
  Wait WaitFor(int fd, short events, int64_t timeout_ms) const;
  bool IsTerminatedHost(const std::string& host) const;
  bool ConnectToRelay(int fd, Deadline deadline) const;

  const int relay_port_;
  const std::vector<std::string> hosts_;
  int64_t handshake_timeout_ms_ = 10000;
  int64_t relay_idle_timeout_ms_ = 70000;
  size_t max_tunnels_ = 64;

  std::string ca_certificate_pem_;
  std::unique_ptr<SSL_CTX, SslCtxFree> ssl_ctx_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};  // written once by Stop(); never read, so it stays readable
  int port_ = -1;
  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;  // serialises Stop() callers (a signal thread and a destructor)
  std::thread acceptor_;
  // Touched only by the acceptor thread, and by Stop() once the acceptor has been joined.
  std::list<std::unique_ptr<Tunnel>> tunnels_;
};

}  // namespace credsim::oauth
