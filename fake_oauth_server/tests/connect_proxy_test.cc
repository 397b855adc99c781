// The CONNECT proxy as a client with a fixed https token URL uses it: CONNECT, a TLS handshake
// that verifies the throw-away CA and the host name, then the token endpoint through the tunnel.
// And what it refuses: other hosts, other ports, plain requests, silent clients.
#include "fake_oauth_server/connect_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "fake_oauth_server/server_options.h"
#include "fake_oauth_server/test_ca.h"
#include "fake_oauth_server/tests/http_helpers.h"

namespace credsim::oauth {
namespace {

using testing::JsonField;
using testing::LoginRefreshToken;
using testing::RefreshJson;
using testing::TestServer;
using Clock = std::chrono::steady_clock;

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "credsim-proxy-XXXXXX").string();
    EXPECT_NE(mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Socket {
 public:
  // A blocking client socket; the 10 s receive timeout is a safety net, not a timing assertion.
  explicit Socket(int port) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    timeval ten_seconds{.tv_sec = 10, .tv_usec = 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &ten_seconds, sizeof ten_seconds);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &ten_seconds, sizeof ten_seconds);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Socket() { close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }
  bool connected() const { return connected_; }

  bool Send(const std::string& bytes) const {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // The proxy's answer head, byte by byte so the TLS bytes after it stay unread.
  std::string ReadHead() const {
    std::string head;
    char ch = 0;
    while (!head.ends_with("\r\n\r\n") && recv(fd_, &ch, 1, 0) == 1) head += ch;
    return head;
  }
  // Everything until the peer closes (or the safety net fires).
  std::string ReadToEnd() const {
    std::string all;
    char buffer[4096];
    for (ssize_t n; (n = recv(fd_, buffer, sizeof buffer, 0)) > 0;) all.append(buffer, n);
    return all;
  }

 private:
  int fd_;
  bool connected_ = false;
};

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// A TLS client over an open tunnel that trusts only `ca_file` and checks `expected_name` the way
// Node and curl do (subjectAltName, not the CN).
class TlsClient {
 public:
  TlsClient(const Socket& tunnel, const std::string& ca_file, const std::string& expected_name)
      : ctx_(SSL_CTX_new(TLS_client_method())) {
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
    EXPECT_EQ(SSL_CTX_load_verify_locations(ctx_.get(), ca_file.c_str(), nullptr), 1);
    ssl_.reset(SSL_new(ctx_.get()));
    SSL_set_fd(ssl_.get(), tunnel.fd());
    SSL_set_tlsext_host_name(ssl_.get(), expected_name.c_str());
    SSL_set1_host(ssl_.get(), expected_name.c_str());
    // Offered like Node's https: h2 first. The proxy must pick http/1.1.
    static const unsigned char kProtocols[] = "\x02h2\x08http/1.1";
    SSL_set_alpn_protos(ssl_.get(), kProtocols, sizeof kProtocols - 1);
  }
  ~TlsClient() { ERR_clear_error(); }

  bool Handshake() { return SSL_connect(ssl_.get()) == 1; }
  long VerifyResult() const { return SSL_get_verify_result(ssl_.get()); }
  std::string Alpn() const {
    const unsigned char* data = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl_.get(), &data, &length);
    return std::string(reinterpret_cast<const char*>(data), length);
  }
  bool Write(const std::string& bytes) {
    return SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size())) ==
           static_cast<int>(bytes.size());
  }
  std::string ReadToEnd() {
    std::string all;
    char buffer[4096];
    for (int n; (n = SSL_read(ssl_.get(), buffer, sizeof buffer)) > 0;) all.append(buffer, n);
    return all;
  }

 private:
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
};

std::string TokenRequest(const std::string& body) {
  return "POST /v1/oauth/token HTTP/1.1\r\nHost: platform.claude.com\r\n"
         "Content-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

std::string BodyOf(const std::string& response) {
  const size_t end_of_head = response.find("\r\n\r\n");
  return end_of_head == std::string::npos ? "" : response.substr(end_of_head + 4);
}

// A server, a proxy in front of it, and the CA written where a client would be told to find it.
struct ProxiedServer {
  explicit ProxiedServer(std::vector<std::string> hosts = DefaultProxyHosts())
      : proxy(server.port(), std::move(hosts)) {
    std::string why;
    EXPECT_TRUE(proxy.Start(0, &why)) << why;
    EXPECT_TRUE(WritePublicFileAtomically(ca_file, proxy.ca_certificate_pem(), &why)) << why;
  }
  TestServer server;
  TempDir dir;
  std::string ca_file = dir.path() + "/ca.pem";
  ConnectProxy proxy;
};

std::string ConnectHead(const std::string& target) {
  return "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
}

TEST(ConnectProxy, RefreshThroughTheTunnelVerifiesTheCaAndRotates) {
  ProxiedServer p;
  auto c = p.server.Client();
  const std::string rt = LoginRefreshToken(*c);

  Socket tunnel(p.proxy.port());
  ASSERT_TRUE(tunnel.connected());
  ASSERT_TRUE(tunnel.Send(ConnectHead("platform.claude.com:443")));
  EXPECT_EQ(tunnel.ReadHead(), "HTTP/1.1 200 Connection Established\r\n\r\n");
  TlsClient tls(tunnel, p.ca_file, "platform.claude.com");
  ASSERT_TRUE(tls.Handshake()) << ERR_reason_error_string(ERR_peek_error());
  EXPECT_EQ(tls.VerifyResult(), X509_V_OK);
  EXPECT_EQ(tls.Alpn(), "http/1.1");
  ASSERT_TRUE(tls.Write(TokenRequest(RefreshJson(rt))));
  const std::string response = tls.ReadToEnd();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200")) << response;
  const std::string next = JsonField(BodyOf(response), "refresh_token");
  EXPECT_TRUE(next.starts_with("sk-ant-ort01-")) << response;
  EXPECT_NE(next, rt);

  // The rotation happened in the server itself: the old token is now a reuse.
  auto again = c->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 400);
}

TEST(ConnectProxy, ALibraryClientWithAProxySettingKeepsItsConnectionAlive) {
  ProxiedServer p;
  auto c = p.server.Client();
  std::string rt = LoginRefreshToken(*c);
  httplib::SSLClient client("api.anthropic.com", 443);
  client.set_proxy("127.0.0.1", p.proxy.port());
  client.set_ca_cert_path(p.ca_file.c_str());
  client.enable_server_certificate_verification(true);
  client.set_keep_alive(true);
  client.set_read_timeout(10, 0);
  for (int i = 0; i < 3; ++i) {
    auto r = client.Post("/v1/oauth/token", RefreshJson(rt), "application/json");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    ASSERT_EQ(r->status, 200) << r->body;
    rt = JsonField(r->body, "refresh_token");
  }
}

TEST(ConnectProxy, TheLeafDoesNotPassForAnotherName) {
  ProxiedServer p;
  Socket tunnel(p.proxy.port());
  ASSERT_TRUE(tunnel.Send(ConnectHead("platform.claude.com:443")));
  ASSERT_TRUE(tunnel.ReadHead().starts_with("HTTP/1.1 200"));
  TlsClient tls(tunnel, p.ca_file, "example.com");
  EXPECT_FALSE(tls.Handshake());
  EXPECT_EQ(tls.VerifyResult(), X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST(ConnectProxy, RefusesOtherHostsOtherPortsAndPlainRequests) {
  ProxiedServer p;
  struct Case {
    std::string request;
    std::string status_line;
  };
  const Case cases[] = {
      {ConnectHead("example.com:443"), "HTTP/1.1 403 Forbidden"},
      {ConnectHead("platform.claude.com:80"), "HTTP/1.1 403 Forbidden"},
      {ConnectHead("platform.claude.com"), "HTTP/1.1 403 Forbidden"},
      {ConnectHead("127.0.0.1:443"), "HTTP/1.1 403 Forbidden"},
      {"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"},
      {"GET https://platform.claude.com/ HTTP/1.1\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"},
      {"hello\r\n\r\n", "HTTP/1.1 400 Bad Request"},
      {"CONNECT platform.claude.com:443 HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n",
       "HTTP/1.1 431 Request Header Fields Too Large"},
  };
  for (const Case& k : cases) {
    Socket s(p.proxy.port());
    ASSERT_TRUE(s.Send(k.request));
    const std::string answer = s.ReadToEnd();  // ends: the proxy closes after refusing
    EXPECT_TRUE(answer.starts_with(k.status_line + "\r\n")) << k.request.substr(0, 60) << answer;
    if (k.status_line.find("405") != std::string::npos) {
      EXPECT_NE(answer.find("\r\nAllow: CONNECT\r\n"), std::string::npos) << answer;
    }
  }
}

TEST(ConnectProxy, HostNamesAreMatchedWithoutCaseAndOnlyFromTheList) {
  ProxiedServer p({"auth.example.test"});
  Socket listed(p.proxy.port());
  ASSERT_TRUE(listed.Send(ConnectHead("Auth.Example.TEST:443")));
  EXPECT_TRUE(listed.ReadHead().starts_with("HTTP/1.1 200 ")) << "DNS names ignore case";
  Socket dropped_default(p.proxy.port());
  ASSERT_TRUE(dropped_default.Send(ConnectHead("platform.claude.com:443")));
  EXPECT_TRUE(dropped_default.ReadToEnd().starts_with("HTTP/1.1 403 "));
}

TEST(ConnectProxy, UnreachableServerIs502) {
  int closed_port = 0;
  {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    closed_port = ntohs(address.sin_port);
    close(fd);  // bound, never listening, now closed: nothing answers there
  }
  ConnectProxy proxy(closed_port, DefaultProxyHosts());
  std::string why;
  ASSERT_TRUE(proxy.Start(0, &why)) << why;
  Socket s(proxy.port());
  ASSERT_TRUE(s.Send(ConnectHead("platform.claude.com:443")));
  EXPECT_TRUE(s.ReadToEnd().starts_with("HTTP/1.1 502 Bad Gateway\r\n"));
}

TEST(ConnectProxy, ASilentClientIsDroppedAfterTheHandshakeTimeout) {
  TestServer server;
  ConnectProxy proxy(server.port(), DefaultProxyHosts());
  proxy.set_handshake_timeout_ms(200);
  std::string why;
  ASSERT_TRUE(proxy.Start(0, &why)) << why;
  Socket silent(proxy.port());
  ASSERT_TRUE(silent.connected());
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(silent.ReadToEnd(), "");  // the proxy closes without a word
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(150));
  EXPECT_LT(waited, std::chrono::seconds(8)) << "dropped by the timeout, not the safety net";
}

TEST(ConnectProxy, StopEndsSilentClientsAndOpenTunnelsWithoutWaitingForThem) {
  TestServer server;
  ConnectProxy proxy(server.port(), DefaultProxyHosts());
  proxy.set_handshake_timeout_ms(60000);
  proxy.set_max_tunnels(2);
  std::string why;
  ASSERT_TRUE(proxy.Start(0, &why)) << why;
  Socket silent(proxy.port());
  Socket tunnel(proxy.port());
  ASSERT_TRUE(tunnel.Send(ConnectHead("platform.claude.com:443")));
  ASSERT_TRUE(tunnel.ReadHead().starts_with("HTTP/1.1 200 "));  // waiting for a ClientHello now
  // Both hold a tunnel slot: the cap answers a third client 503, which also proves the silent
  // one was accepted and is being served (so Stop() below has a thread to end, not a backlog).
  Socket third(proxy.port());
  EXPECT_TRUE(third.ReadToEnd().starts_with("HTTP/1.1 503 "));

  const Clock::time_point start = Clock::now();
  proxy.Stop();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(silent.ReadToEnd(), "");
  EXPECT_EQ(tunnel.ReadToEnd(), "");
  proxy.Stop();  // idempotent
  EXPECT_FALSE(Socket(proxy.port()).connected()) << "the listener is closed";
}

TEST(ThrowAwayCa, CaAndLeafHaveTheShapeNodeAccepts) {
  std::string why;
  std::optional<ThrowAwayCa> made = MakeThrowAwayCa({"platform.claude.com", "claude.ai"}, &why);
  ASSERT_TRUE(made) << why;
  X509* ca = made->ca.cert.get();
  X509* leaf = made->leaf.cert.get();
  EXPECT_EQ(X509_check_ca(ca), 1);
  EXPECT_EQ(X509_check_ca(leaf), 0);
  const int basic_constraints = X509_get_ext_by_NID(ca, NID_basic_constraints, -1);
  ASSERT_GE(basic_constraints, 0);
  EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(ca, basic_constraints)), 1);
  EXPECT_EQ(X509_get_key_usage(ca), static_cast<uint32_t>(KU_KEY_CERT_SIGN));
  EXPECT_EQ(X509_get_extended_key_usage(leaf), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(X509_check_host(leaf, "platform.claude.com", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(leaf, "claude.ai", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(leaf, "api.anthropic.com", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(leaf, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_verify(leaf, X509_get0_pubkey(ca)), 1) << "the leaf is signed by the CA";
  EXPECT_EQ(X509_verify(ca, X509_get0_pubkey(ca)), 1);
  EXPECT_EQ(X509_get_signature_nid(leaf), NID_ecdsa_with_SHA256);
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(leaf)), 256);
  // Valid now, for about two days, and no longer.
  time_t now = time(nullptr);
  time_t in_three_days = now + 3 * 86400;
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(leaf), &now), 0);
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(leaf), &now), 0);
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(ca), &in_three_days), 0);
  // Two CAs never share a serial (128 random bits).
  std::optional<ThrowAwayCa> other = MakeThrowAwayCa({"claude.ai"}, &why);
  ASSERT_TRUE(other) << why;
  EXPECT_NE(
      ASN1_INTEGER_cmp(X509_get0_serialNumber(ca), X509_get0_serialNumber(other->ca.cert.get())),
      0);
  const std::string pem = CertificatePem(ca);
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE-----\n")) << pem;
}

TEST(ThrowAwayCa, RefusesNamesThatAreNotPlainHostNames) {
  std::string why;
  EXPECT_FALSE(MakeThrowAwayCa({"a.example,DNS:evil.example"}, &why));
  EXPECT_NE(why.find("not a plain host name"), std::string::npos) << why;
  EXPECT_FALSE(IsPlainDnsName(""));
  EXPECT_FALSE(IsPlainDnsName("Upper.example"));
  EXPECT_FALSE(IsPlainDnsName("a..b"));
  EXPECT_FALSE(IsPlainDnsName(".a"));
  EXPECT_TRUE(IsPlainDnsName("platform.claude.com"));
}

TEST(ThrowAwayCa, TheCaFileIsWrittenWholeAndWorldReadable) {
  TempDir dir;
  const std::string path = dir.path() + "/ca.pem";
  std::string why;
  ASSERT_TRUE(WritePublicFileAtomically(path, "first", &why)) << why;
  ASSERT_TRUE(WritePublicFileAtomically(path, "second", &why)) << why;
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
  EXPECT_EQ(std::filesystem::file_size(path), 6u);
  // Only the file itself is left behind: the temporary was renamed over it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
  EXPECT_FALSE(WritePublicFileAtomically(dir.path() + "/missing/ca.pem", "x", &why));
  EXPECT_NE(why.find("missing/ca.pem"), std::string::npos) << why;
}

}  // namespace
}  // namespace credsim::oauth
