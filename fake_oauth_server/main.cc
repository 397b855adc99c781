// fake_oauth_server: the HTTP binary. Usage in server_options.cc; behaviour in README.md.
#include <pthread.h>
#include <signal.h>
#include <sys/random.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake_oauth_server/connect_proxy.h"
#include "fake_oauth_server/http_front.h"
#include "fake_oauth_server/server_options.h"
#include "fake_oauth_server/test_ca.h"

namespace {

using credsim::oauth::MasterKey;

// Tokens must be unguessable when the server is shared by real clients: the key comes from the
// kernel's CSPRNG unless --seed asks for reproducible tokens.
bool RandomBytes(void* out, size_t n) {
  auto* p = static_cast<uint8_t*>(out);
  size_t got = 0;
  for (int attempt = 0; attempt < 16 && got < n; ++attempt) {
    const ssize_t r = getrandom(p + got, n - got, 0);
    if (r > 0) got += static_cast<size_t>(r);
  }
  return got == n;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace credsim::oauth;
  const std::vector<std::string> args(argv + 1, argv + argc);
  const ParsedArgs parsed = ParseServerArgs(args);
  if (parsed.help) {
    std::fputs(ServerUsage(), stdout);
    return 0;
  }
  if (!parsed.options) {
    std::fprintf(stderr, "fake_oauth_server: %s\n%s", parsed.error.c_str(), ServerUsage());
    return 2;
  }
  const ServerOptions& options = *parsed.options;

  MasterKey key{};
  uint64_t fault_seed = 0;
  if (options.seed) {
    key = KeyFromSeed(*options.seed);
    fault_seed = *options.seed;
  } else if (!RandomBytes(key.data(), key.size()) || !RandomBytes(&fault_seed, sizeof fault_seed)) {
    std::fprintf(stderr, "fake_oauth_server: getrandom failed\n");
    return 1;
  }

  // SIGINT/SIGTERM are taken synchronously by one thread (Stop() is not async-signal-safe); block
  // them before any other thread exists so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  OAuthHttpServer server(options, key, fault_seed);
  std::string why;
  if (!server.Bind(&why)) {
    std::fprintf(stderr, "fake_oauth_server: %s\n", why.c_str());
    return 1;
  }

  // The proxy is ready (bound, CA written) before either line is printed, so a client that has
  // read both lines can use it at once.
  std::unique_ptr<ConnectProxy> proxy;
  if (options.proxy_port) {
    proxy = std::make_unique<ConnectProxy>(server.port(), options.proxy_hosts);
    if (!proxy->Start(*options.proxy_port, &why)) {
      std::fprintf(stderr, "fake_oauth_server: %s\n", why.c_str());
      return 1;
    }
    if (!WritePublicFileAtomically(options.proxy_ca_out, proxy->ca_certificate_pem(), &why)) {
      std::fprintf(stderr, "fake_oauth_server: %s\n", why.c_str());
      return 1;
    }
  }
  std::printf("%s\n", server.base_url().c_str());
  if (proxy) std::printf("proxy %s\n", proxy->url().c_str());
  std::fflush(stdout);

  std::thread([&server, &proxy, stop_signals] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    if (proxy) proxy->Stop();
    server.StopOnceServing();
  }).detach();
  server.Serve();
  if (proxy) proxy->Stop();  // joins every tunnel thread before the server's state goes away
  return 0;
}
