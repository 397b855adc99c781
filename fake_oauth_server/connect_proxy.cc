#include "fake_oauth_server/connect_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "base/assert.h"
#include "fake_oauth_server/test_ca.h"

namespace credsim::oauth {

struct ConnectProxy::Tunnel {
  std::thread thread;
  std::atomic<bool> finished{false};
};

void ConnectProxy::SslCtxFree::operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }

namespace {

using Clock = std::chrono::steady_clock;

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

// A proxy request line and its headers: far less than this in practice, so more is an attack or a
// mistake, not a request.
constexpr size_t kMaxConnectHeadBytes = 8 * 1024;
constexpr size_t kRelayBufferBytes = 16 * 1024;

class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int64_t MsUntil(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max<int64_t>(0, left.count());
}

// One line per event. Parts of it come from the client (a CONNECT target), so control bytes are
// replaced and the length is capped: a client must not be able to forge or flood log lines.
void Log(std::string_view line) {
  std::string printable(line.substr(0, 300));
  for (char& ch : printable) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
  }
  std::fprintf(stderr, "fake_oauth_server: proxy: %s\n", printable.c_str());
}

// Relayed requests are small and latency is what tests measure: Nagle's wait on a half-full
// segment would add up to 40 ms per hop.
void SetNoDelay(int fd) {
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

// OpenSSL writes to the socket with write(), which raises SIGPIPE when the client has gone; that
// would kill the whole server. Blocked on this thread only, the signal stays pending and is
// discarded when the thread ends, and write() reports EPIPE instead. The process-wide disposition
// is left alone.
void BlockSigpipeOnThisThread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::string PlainAnswer(std::string_view status, std::string_view extra_headers,
                        std::string_view body) {
  std::string out = "HTTP/1.1 ";
  out += status;
  out += "\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ";
  out += std::to_string(body.size());
  out += "\r\n";
  out += extra_headers;
  out += "\r\n";
  out += body;
  return out;
}

// Only http/1.1 is offered: the fake server speaks nothing else, and a client that negotiated h2
// would send frames the relay cannot translate.
int SelectHttp11(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_len,
                 const unsigned char* client_protocols, unsigned int client_len, void* /*arg*/) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_len, kHttp11, sizeof kHttp11, client_protocols,
                            client_len) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;  // go on without ALPN; the client may still speak HTTP/1.1
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

SSL_CTX* NewServerContext(const ThrowAwayCa& ca, std::string* why) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return OpenSslFailure(why, "cannot create a TLS context"), nullptr;
  // The chain carries the CA too, so a client that trusts it finds the path without AIA fetching.
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate(ctx, ca.leaf.cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, ca.leaf.key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1 ||
      SSL_CTX_add1_chain_cert(ctx, ca.ca.cert.get()) != 1) {
    SSL_CTX_free(ctx);
    return OpenSslFailure(why, "cannot load the proxy's certificate"), nullptr;
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
  // Partial writes and a buffer that may move between retries: the relay loop resumes a write
  // from wherever the last one stopped.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Resumption buys nothing on loopback and tickets are bytes a client must read before data.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_alpn_select_cb(ctx, SelectHttp11, nullptr);
  return ctx;
}

// "CONNECT host:port HTTP/1.1" → method and target; nullopt if the line is not HTTP/1.x.
struct RequestLine {
  std::string method;
  std::string target;
};
std::optional<RequestLine> ParseRequestLine(std::string_view head) {
  const std::string_view line = head.substr(0, head.find("\r\n"));
  const size_t first_space = line.find(' ');
  const size_t last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) return std::nullopt;
  const std::string_view version = line.substr(last_space + 1);
  if (!version.starts_with("HTTP/1.")) return std::nullopt;
  RequestLine out{
      .method = std::string(line.substr(0, first_space)),
      .target = std::string(line.substr(first_space + 1, last_space - first_space - 1))};
  if (out.method.empty() || out.target.empty() || out.target.find(' ') != std::string::npos) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

ConnectProxy::ConnectProxy(int relay_port, std::vector<std::string> hosts)
    : relay_port_(relay_port), hosts_(std::move(hosts)) {
  CREDSIM_ASSERT(relay_port > 0 && relay_port <= 65535);
}

ConnectProxy::~ConnectProxy() { Stop(); }

bool ConnectProxy::Start(int port, std::string* why) {
  CREDSIM_ASSERT(!acceptor_.joinable() && listen_fd_ < 0, "Start() is called once");
  CREDSIM_ASSERT(port >= 0 && port <= 65535);
  {
    // The CA (its key included) lives only in this scope: once the leaf is signed and loaded, the
    // key is freed and nothing can sign with it again.
    std::optional<ThrowAwayCa> ca = MakeThrowAwayCa(hosts_, why);
    if (!ca) return false;
    ca_certificate_pem_ = CertificatePem(ca->ca.cert.get());
    if (ca_certificate_pem_.empty()) {
      if (why != nullptr) *why = "cannot encode the CA certificate as PEM";
      return false;
    }
    ssl_ctx_.reset(NewServerContext(*ca, why));
    if (!ssl_ctx_) return false;
  }
  if (pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    if (why != nullptr) *why = std::string("cannot create a pipe: ") + std::strerror(errno);
    return false;
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const int on = 1;
  if (listen_fd_ < 0 || setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listen_fd_, 128) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (why != nullptr) {
      *why = "cannot bind the proxy to 127.0.0.1:" + std::to_string(port) + ": " +
             std::strerror(errno);
    }
    return false;
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return true;
}

void ConnectProxy::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  stopping_ = true;
  if (stop_pipe_[1] >= 0) {
    const char wake = 1;
    // Never read, so every poller sees it readable from now on; a second Stop() needs no byte.
    [[maybe_unused]] const ssize_t n = write(stop_pipe_[1], &wake, 1);
  }
  if (acceptor_.joinable()) acceptor_.join();
  for (const std::unique_ptr<Tunnel>& tunnel : tunnels_) tunnel->thread.join();
  tunnels_.clear();
  for (int* fd : {&listen_fd_, &stop_pipe_[0], &stop_pipe_[1]}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
  ssl_ctx_.reset();
}

ConnectProxy::Wait ConnectProxy::WaitFor(int fd, short events, int64_t timeout_ms) const {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    pollfd fds[2] = {{fd, events, 0}, {stop_pipe_[0], POLLIN, 0}};
    const int64_t wait_ms = timeout_ms < 0 ? -1 : std::min<int64_t>(MsUntil(deadline), INT32_MAX);
    const int ready = poll(fds, 2, static_cast<int>(wait_ms));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || fds[1].revents != 0 || stopping_) return Wait::kStopping;
    if (ready == 0) return Wait::kTimedOut;
    return Wait::kReady;
  }
}

void ConnectProxy::ReapFinishedTunnels() {
  for (auto it = tunnels_.begin(); it != tunnels_.end();) {
    if ((*it)->finished) {
      (*it)->thread.join();
      it = tunnels_.erase(it);
    } else {
      ++it;
    }
  }
}

void ConnectProxy::AcceptLoop() {
  for (;;) {
    if (WaitFor(listen_fd_, POLLIN, -1) != Wait::kReady) return;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      // Out of descriptors: back off instead of spinning on a listener that stays readable.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        if (WaitFor(stop_pipe_[0], POLLIN, 100) == Wait::kStopping) return;
      }
      continue;
    }
    const auto turn_away = [fd] {
      const std::string busy = PlainAnswer("503 Service Unavailable", "", "too many tunnels\n");
      [[maybe_unused]] const ssize_t n = send(fd, busy.data(), busy.size(), MSG_NOSIGNAL);
      close(fd);
    };
    ReapFinishedTunnels();
    if (tunnels_.size() >= max_tunnels_) {
      turn_away();
      continue;
    }
    auto tunnel = std::make_unique<Tunnel>();
    Tunnel* raw = tunnel.get();
    try {
      raw->thread = std::thread([this, raw, fd] {
        ServeTunnel(fd);
        raw->finished = true;
      });
    } catch (const std::system_error&) {  // out of threads: the same answer as out of slots
      turn_away();
      continue;
    }
    tunnels_.push_back(std::move(tunnel));
  }
}

// Non-blocking even on loopback: with the server's backlog full, a blocking connect() would wait
// for SYN retries that Stop() could not interrupt.
bool ConnectProxy::ConnectToRelay(int fd, Deadline deadline) const {
  if (fd < 0) return false;
  sockaddr_in relay{};
  relay.sin_family = AF_INET;
  relay.sin_port = htons(static_cast<uint16_t>(relay_port_));
  relay.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&relay), sizeof relay) == 0) return true;
  if (errno != EINPROGRESS || WaitFor(fd, POLLOUT, MsUntil(deadline)) != Wait::kReady) return false;
  int error = 0;
  socklen_t length = sizeof error;
  return getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
}

bool ConnectProxy::IsTerminatedHost(const std::string& host) const {
  return std::find(hosts_.begin(), hosts_.end(), host) != hosts_.end();
}

bool ConnectProxy::SendAll(int fd, std::string_view bytes, Deadline deadline) const {
  while (!bytes.empty()) {
    const ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      if (WaitFor(fd, POLLOUT, MsUntil(deadline)) != Wait::kReady) return false;
    } else {
      return false;
    }
  }
  return true;
}

// Answers, then reads and discards what the client still sends until it closes (at most 1 s):
// closing with unread input would send a reset, which can destroy the answer before the client
// reads it (a head over 8 KiB is refused with most of it unread).
void ConnectProxy::Refuse(int fd, Deadline deadline, const Refusal& refusal) const {
  Log(refusal.log_line);
  if (!SendAll(fd, PlainAnswer(refusal.status, refusal.headers, refusal.body), deadline)) return;
  shutdown(fd, SHUT_WR);
  const Clock::time_point linger_until = std::min(deadline, Clock::now() + std::chrono::seconds(1));
  char discarded[1024];
  for (;;) {  // bounded by linger_until
    const ssize_t n = recv(fd, discarded, sizeof discarded, 0);
    if (n > 0 || (n < 0 && errno == EINTR)) continue;
    if (n == 0 || errno != EAGAIN) return;
    if (WaitFor(fd, POLLIN, MsUntil(linger_until)) != Wait::kReady) return;
  }
}

// Byte by byte, so that not one byte after the blank line is consumed: those belong to the TLS
// handshake (a client may send its ClientHello before it has read our 200).
std::optional<std::string> ConnectProxy::ReadConnectHead(int fd, Deadline deadline) const {
  std::string head;
  while (!head.ends_with("\r\n\r\n")) {
    if (head.size() >= kMaxConnectHeadBytes) {
      Refuse(fd, deadline,
             {"431 Request Header Fields Too Large", "", "request head over 8 KiB\n",
              "refused a request head over 8 KiB"});
      return std::nullopt;
    }
    char ch = 0;
    const ssize_t n = recv(fd, &ch, 1, 0);
    if (n == 1) {
      head += ch;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      // A client that says nothing (or trickles) loses its slot at the deadline, answered or not.
      if (WaitFor(fd, POLLIN, MsUntil(deadline)) != Wait::kReady) return std::nullopt;
    } else {
      return std::nullopt;  // the client left
    }
  }
  return head;
}

std::optional<std::string> ConnectProxy::AdmitConnect(int fd, Deadline deadline,
                                                      const std::string& head) const {
  const std::optional<RequestLine> request = ParseRequestLine(head);
  if (!request) {
    Refuse(fd, deadline, {"400 Bad Request", "", "not an HTTP/1.x request\n", "bad request"});
    return std::nullopt;
  }
  if (request->method != "CONNECT") {
    Refuse(fd, deadline,
           {"405 Method Not Allowed", "Allow: CONNECT\r\n",
            "this is a CONNECT proxy for the fake server's own TLS names; it forwards nothing\n",
            "refused " + request->method + " (not CONNECT)"});
    return std::nullopt;
  }
  const size_t colon = request->target.rfind(':');
  std::string host = request->target.substr(0, colon);
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  // Only 443: the leaf is for TLS on the names' https port, and anything else (plain HTTP on 80,
  // SSH on 22) would be a request to reach the real network, which this proxy never does.
  if (colon == std::string::npos || request->target.substr(colon + 1) != "443" ||
      !IsTerminatedHost(host)) {
    Refuse(fd, deadline,
           {"403 Forbidden", "",
            "this proxy terminates TLS only for its test host names on port 443 and forwards "
            "nothing off the machine\n",
            "refused CONNECT " + request->target});
    return std::nullopt;
  }
  return host;
}

bool ConnectProxy::AcceptTls(SSL* ssl, int fd, Deadline deadline, const std::string& host) const {
  for (;;) {  // bounded by the deadline
    ERR_clear_error();
    const int result = SSL_accept(ssl);
    if (result == 1) return true;
    const int error = SSL_get_error(ssl, result);
    const short events = error == SSL_ERROR_WANT_READ    ? POLLIN
                         : error == SSL_ERROR_WANT_WRITE ? POLLOUT
                                                         : 0;
    if (events == 0) {
      // Most often the client does not trust the CA (NODE_EXTRA_CA_CERTS not set) or checked a
      // name the leaf does not carry: worth one line for whoever sets a client up.
      std::string why;
      OpenSslFailure(&why, "TLS handshake for " + host + " failed");
      Log(why);
      return false;
    }
    if (WaitFor(fd, events, MsUntil(deadline)) != Wait::kReady) return false;
  }
}

namespace {

// The relay between the TLS client and the fake server: each direction has one buffer that is
// filled only when empty. One Step moves what it can without blocking and says what to wait for.
class RelayState {
 public:
  RelayState(SSL* ssl, int backend) : ssl_(ssl), backend_(backend) {}

  struct Step {
    bool progress = false;
    short client_events = 0, server_events = 0;
  };
  // SSL_read is tried before polling the client, because OpenSSL may hold decrypted bytes that
  // poll() cannot see.
  Step Run() {
    Step step;
    ClientToServer(step);
    ServerToClient(step);
    return step;
  }
  // One side has ended and everything it sent has been delivered (a server that answers and
  // closes, as after a drop_after_commit fault, must still have its answer reach the client).
  bool Finished() const {
    return (!client_open_ && server_pending_.empty()) || (!server_open_ && client_pending_.empty());
  }
  bool client_open() const { return client_open_; }

 private:
  void WantFromSsl(int result, Step& step) {
    switch (SSL_get_error(ssl_, result)) {
      case SSL_ERROR_WANT_READ:
        step.client_events |= POLLIN;
        break;
      case SSL_ERROR_WANT_WRITE:
        step.client_events |= POLLOUT;
        break;
      default:  // close_notify, a reset, or a TLS error: this side is over
        client_open_ = false;
        step.progress = true;
        ERR_clear_error();
    }
  }

  void ClientToServer(Step& step) {
    if (client_open_ && server_pending_.empty()) {
      ERR_clear_error();
      const int n = SSL_read(ssl_, to_server_, sizeof to_server_);
      if (n > 0) {
        server_pending_ = std::string_view(to_server_, static_cast<size_t>(n));
        step.progress = true;
      } else {
        WantFromSsl(n, step);
      }
    }
    if (server_pending_.empty()) return;
    const ssize_t n = send(backend_, server_pending_.data(), server_pending_.size(), MSG_NOSIGNAL);
    if (n > 0) {
      server_pending_.remove_prefix(static_cast<size_t>(n));
      step.progress = true;
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      step.server_events |= POLLOUT;
    } else {
      server_open_ = false;  // the server has gone: what it could not take is dropped
      server_pending_ = {};
      step.progress = true;
    }
  }

  void ServerToClient(Step& step) {
    if (server_open_ && client_pending_.empty()) {
      const ssize_t n = recv(backend_, to_client_, sizeof to_client_, 0);
      if (n > 0) {
        client_pending_ = std::string_view(to_client_, static_cast<size_t>(n));
        step.progress = true;
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        step.server_events |= POLLIN;
      } else {
        server_open_ = false;
        step.progress = true;
      }
    }
    if (client_pending_.empty()) return;
    ERR_clear_error();
    const int n = SSL_write(ssl_, client_pending_.data(), static_cast<int>(client_pending_.size()));
    if (n > 0) {
      client_pending_.remove_prefix(static_cast<size_t>(n));
      step.progress = true;
    } else {
      WantFromSsl(n, step);
      if (!client_open_) client_pending_ = {};
    }
  }

  SSL* const ssl_;
  const int backend_;
  char to_server_[kRelayBufferBytes];
  char to_client_[kRelayBufferBytes];
  std::string_view server_pending_;  // into to_server_
  std::string_view client_pending_;  // into to_client_
  bool client_open_ = true;
  bool server_open_ = true;
};

}  // namespace

void ConnectProxy::Relay(SSL* ssl, int client_fd, int backend_fd) const {
  RelayState relay(ssl, backend_fd);
  while (!stopping_) {  // bounded by the idle timeout and the stop pipe
    const RelayState::Step step = relay.Run();
    if (relay.Finished()) break;
    if (step.progress) continue;
    CREDSIM_ASSERT(step.client_events != 0 || step.server_events != 0,
                   "a stalled relay waits for something");
    pollfd fds[3] = {{client_fd, step.client_events, 0},
                     {backend_fd, step.server_events, 0},
                     {stop_pipe_[0], POLLIN, 0}};
    int ready = -1;
    do {
      ready = poll(fds, 3, static_cast<int>(std::min<int64_t>(relay_idle_timeout_ms_, INT32_MAX)));
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0 || fds[2].revents != 0) break;  // idle too long, or stopping
  }
  if (relay.client_open()) {
    // close_notify, one non-blocking attempt: a client that is not reading loses nothing by it.
    ERR_clear_error();
    SSL_shutdown(ssl);
    ERR_clear_error();
  }
}

// CONNECT head -> admitted host -> the fake server reached -> 200 -> TLS accepted -> relay.
void ConnectProxy::ServeTunnel(int client_fd) {
  BlockSigpipeOnThisThread();
  const UniqueFd client(client_fd);
  SetNoDelay(client.get());
  const Deadline deadline = Clock::now() + std::chrono::milliseconds(handshake_timeout_ms_);
  const std::optional<std::string> head = ReadConnectHead(client.get(), deadline);
  if (!head) return;
  const std::optional<std::string> host = AdmitConnect(client.get(), deadline, *head);
  if (!host) return;
  // Connect to the fake server before saying yes, so that a client is told 502 rather than
  // handed a tunnel that leads nowhere.
  const UniqueFd backend(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!ConnectToRelay(backend.get(), deadline)) {
    return Refuse(client.get(), deadline,
                  {"502 Bad Gateway", "", "the fake server is not reachable\n",
                   "cannot reach the fake server on 127.0.0.1:" + std::to_string(relay_port_)});
  }
  SetNoDelay(backend.get());
  if (!SendAll(client.get(), "HTTP/1.1 200 Connection Established\r\n\r\n", deadline)) return;
  SslPtr ssl(SSL_new(ssl_ctx_.get()));
  if (!ssl || SSL_set_fd(ssl.get(), client.get()) != 1) {
    std::string why;
    OpenSslFailure(&why, "cannot create a TLS session");
    return Log(why);
  }
  if (!AcceptTls(ssl.get(), client.get(), deadline, *host)) return;
  Relay(ssl.get(), client.get(), backend.get());
}

}  // namespace credsim::oauth
