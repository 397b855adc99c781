// The built binary as a user's integration test would run it: --port 0, read the first stdout
// line, refresh, SIGTERM, exit 0. And bad usage: exit 2 with a message.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "fake_oauth_server/tests/http_helpers.h"

namespace credsim::oauth {
namespace {

using testing::JsonField;
using testing::RefreshJson;

std::string BinaryPath() {
  const char* dir = std::getenv("CREDSIM_BIN_DIR");
  return std::string(dir ? dir : "build/bin") + "/fake_oauth_server";
}

struct Child {
  pid_t pid = -1;
  int out_fd = -1;
  int err_fd = -1;
  // A failed assertion must not leave a server running behind the test.
  ~Child() {
    if (pid > 0 && waitpid(pid, nullptr, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    if (out_fd >= 0) close(out_fd);
    if (err_fd >= 0) close(err_fd);
  }
};

Child Spawn(const std::vector<std::string>& args) {
  int out[2], err[2];
  EXPECT_EQ(pipe(out), 0);
  EXPECT_EQ(pipe(err), 0);
  Child c;
  c.pid = fork();
  if (c.pid < 0) return c;
  if (c.pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    std::vector<char*> argv;
    std::string path = BinaryPath();
    argv.push_back(path.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  c.out_fd = out[0];
  c.err_fd = err[0];
  return c;
}

// Reads one line, bounded by a 10 s safety net (not a timing assertion).
std::string ReadLine(int fd) {
  std::string line;
  for (int i = 0; i < 4096; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) break;
    char ch;
    if (read(fd, &ch, 1) != 1 || ch == '\n') break;
    line += ch;
  }
  return line;
}

int WaitExit(pid_t& pid) {
  int status = 0;
  for (int i = 0; i < 1000; ++i) {  // bounded: 10 s
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    usleep(10000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  pid = -1;
  return -1;
}

TEST(Binary, StartsOnPortZeroRefreshesAndExitsCleanlyOnSigterm) {
  Child c = Spawn({"--port", "0", "--seed", "3"});
  const std::string url = ReadLine(c.out_fd);
  ASSERT_TRUE(url.starts_with("http://127.0.0.1:")) << url;
  httplib::Client client(url);
  client.set_read_timeout(10, 0);
  auto login = client.Post("/admin/login", "{}", "application/json");
  ASSERT_TRUE(login);
  auto r = client.Post("/v1/oauth/token", RefreshJson(JsonField(login->body, "refresh_token")),
                       "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  kill(c.pid, SIGTERM);
  EXPECT_EQ(WaitExit(c.pid), 0);
}

TEST(Binary, SigintAlsoExitsZero) {
  Child c = Spawn({});
  ASSERT_TRUE(ReadLine(c.out_fd).starts_with("http://127.0.0.1:"));
  kill(c.pid, SIGINT);
  EXPECT_EQ(WaitExit(c.pid), 0);
}

TEST(Binary, BadUsageExitsTwoWithAMessage) {
  Child c = Spawn({"--reuse-policy", "sometimes"});
  const std::string err = ReadLine(c.err_fd);
  EXPECT_EQ(WaitExit(c.pid), 2);
  EXPECT_NE(err.find("--reuse-policy must be"), std::string::npos) << err;
}

// --proxy-port: a second stdout line, the CA written before it, and a TLS client that trusts only
// that CA reaching the token endpoint as https://platform.claude.com through the proxy.
TEST(Binary, ProxyPrintsASecondLineAndTerminatesTlsWithTheCaItWrote) {
  std::string dir = (std::filesystem::temp_directory_path() / "credsim-binary-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string ca = dir + "/ca.pem";
  Child c = Spawn({"--port", "0", "--seed", "5", "--proxy-port", "0", "--proxy-ca-out", ca});
  const std::string url = ReadLine(c.out_fd);
  const std::string proxy_line = ReadLine(c.out_fd);
  ASSERT_TRUE(url.starts_with("http://127.0.0.1:")) << url;
  const std::string proxy_prefix = "proxy http://127.0.0.1:";
  ASSERT_TRUE(proxy_line.starts_with(proxy_prefix)) << proxy_line;
  const int proxy_port = std::stoi(proxy_line.substr(proxy_prefix.size()));
  struct stat info {};
  ASSERT_EQ(stat(ca.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u) << "a public certificate, readable by the client";

  httplib::Client plain(url);
  plain.set_read_timeout(10, 0);
  auto login = plain.Post("/admin/login", "{}", "application/json");
  ASSERT_TRUE(login);
  httplib::SSLClient tls("platform.claude.com", 443);
  tls.set_proxy("127.0.0.1", proxy_port);
  tls.set_ca_cert_path(ca.c_str());
  tls.enable_server_certificate_verification(true);
  tls.set_read_timeout(10, 0);
  auto r = tls.Post("/v1/oauth/token", RefreshJson(JsonField(login->body, "refresh_token")),
                    "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200) << r->body;
  kill(c.pid, SIGTERM);
  EXPECT_EQ(WaitExit(c.pid), 0);
  std::filesystem::remove_all(dir);
}

TEST(Binary, ProxyWithoutACaFileIsBadUsage) {
  Child c = Spawn({"--proxy-port", "0"});
  const std::string err = ReadLine(c.err_fd);
  EXPECT_EQ(WaitExit(c.pid), 2);
  EXPECT_NE(err.find("--proxy-ca-out"), std::string::npos) << err;
}

}  // namespace
}  // namespace credsim::oauth
