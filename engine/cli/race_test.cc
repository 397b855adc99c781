// Real processes, real files, real sockets: 8 `credsim-engine` processes racing on one sandbox home
// against a strict single-use token endpoint make exactly one refresh, and all 8 succeed.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/formats/claude_credentials.h"

extern char** environ;

namespace credsim::engine {
namespace {

namespace fs = std::filesystem;

constexpr int kProcesses = 8;
const std::vector<std::string> kClaudeCodeScopes = {"user:profile", "user:inference",
                                                    "user:sessions:claude_code", "user:mcp_servers",
                                                    "user:file_upload"};

// A stub token endpoint: single-use refresh tokens "rt-N", a 40 ms think time to widen the race
// window, and a count of every grant and every refusal.
class StubTokenEndpoint {
 public:
  StubTokenEndpoint() {
    server_.Post("/v1/oauth/token", [this](const httplib::Request& req, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_;
      const std::string live = "\"rt-" + std::to_string(live_) + "\"";
      if (req.body.find(live) == std::string::npos) {
        ++refused_;
        res.status = 400;
        res.set_content(
            R"({"error":"invalid_grant","error_description":"Refresh token not found or invalid"})",
            "application/json");
        return;
      }
      ++live_;
      ++grants_;
      const std::string n = std::to_string(live_);
      res.set_content(R"({"access_token":"at-)" + n + R"(","refresh_token":"rt-)" + n +
                          R"(","expires_in":28800,"token_type":"Bearer",)"
                          R"("scope":"user:inference user:profile"})",
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ~StubTokenEndpoint() {
    server_.stop();
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v1/oauth/token";
  }
  int grants() {
    std::lock_guard<std::mutex> lock(mu_);
    return grants_;
  }
  int refused() {
    std::lock_guard<std::mutex> lock(mu_);
    return refused_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  int live_ = 1;
  int grants_ = 0;
  int refused_ = 0;
  int requests_ = 0;
};

std::string EngineBinary() {
  const char* dir = std::getenv("CREDSIM_BIN_DIR");
  return std::string(dir ? dir : "build/bin") + "/credsim-engine";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Sandbox {
  Sandbox() {
    char tmpl[] = "/tmp/credsim-race-XXXXXX";
    home = mkdtemp(tmpl);
    fs::create_directories(home / ".claude");
    const int64_t expired_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count() -
                               3'600'000;
    std::ofstream(home / ".claude" / ".credentials.json")
        << R"({"claudeAiOauth":{"accessToken":"at-1","refreshToken":"rt-1","expiresAt":)"
        << expired_ms << R"(,"scopes":["user:inference","user:profile"],"subscriptionType":"max"},)"
        << R"("mcpOAuth":{"k":1}})";
    fs::permissions(home / ".claude" / ".credentials.json",
                    fs::perms::owner_read | fs::perms::owner_write);
  }
  ~Sandbox() { fs::remove_all(home); }
  fs::path home;
};

struct Child {
  pid_t pid = -1;
  fs::path out;
};

Child Spawn(const std::vector<std::string>& args, const fs::path& out) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const fs::path err = out.string() + ".err";
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Child child;
  child.out = out;
  EXPECT_EQ(posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return child;
}

int Wait(const Child& child) {
  int status = 0;
  EXPECT_EQ(waitpid(child.pid, &status, 0), child.pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void RunRace(const char* command, Sandbox& sandbox, StubTokenEndpoint& endpoint,
             std::vector<std::string>* outputs) {
  std::vector<Child> children;
  for (int i = 0; i < kProcesses; ++i) {
    children.push_back(Spawn(
        {EngineBinary(), command, "--home", sandbox.home.string(), "--token-url", endpoint.url()},
        sandbox.home / ("out-" + std::to_string(i))));
  }
  for (const auto& child : children) {
    const int code = Wait(child);
    EXPECT_EQ(code, 0) << ReadFile(child.out.string() + ".err");
    outputs->push_back(ReadFile(child.out));
  }
}

TEST(EngineProcessRace, EightRefreshesMakeOneRotation) {
  ASSERT_TRUE(fs::exists(EngineBinary())) << EngineBinary();
  Sandbox sandbox;
  StubTokenEndpoint endpoint;
  std::vector<std::string> outputs;
  RunRace("refresh", sandbox, endpoint, &outputs);
  EXPECT_EQ(endpoint.grants(), 1);
  EXPECT_EQ(endpoint.refused(), 0) << "no process presented a spent refresh token";
  int refreshed = 0;
  for (const auto& out : outputs) {
    refreshed += out.rfind("refreshed:", 0) == 0;
    EXPECT_EQ(out.find("rt-"), std::string::npos) << "token text on stdout: " << out;
  }
  EXPECT_EQ(refreshed, 1);
  const auto creds =
      formats::ParseClaudeCredentials(ReadFile(sandbox.home / ".claude" / ".credentials.json"));
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds.value().oauth->refresh_token, "rt-2");
  EXPECT_TRUE(creds.value().oauth->scopes.has_value());
  EXPECT_NE(creds.value().original.find("mcpOAuth"), std::string::npos);
  struct stat info {};
  ASSERT_EQ(stat((sandbox.home / ".claude" / ".credentials.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(sandbox.home / ".claude" / ".oauth_refresh.lock")) << "lock released";
}

TEST(EngineProcessRace, EightTokenCallsPrintTheSameFreshToken) {
  ASSERT_TRUE(fs::exists(EngineBinary())) << EngineBinary();
  Sandbox sandbox;
  StubTokenEndpoint endpoint;
  std::vector<std::string> outputs;
  RunRace("token", sandbox, endpoint, &outputs);
  EXPECT_EQ(endpoint.grants(), 1);
  for (const auto& out : outputs) EXPECT_EQ(out, "at-2\n");
}

std::string FakeServerBinary() {
  const char* dir = std::getenv("CREDSIM_BIN_DIR");
  return std::string(dir ? dir : "build/bin") + "/fake_oauth_server";
}

// The same race against the project's strict fake OAuth server (revoke-family: a single reuse would
// kill the whole session), through its real HTTP front: one refresh, no reuse, 8 successes.
TEST(EngineProcessRace, AgainstTheFakeOAuthServerUnderRevokeFamily) {
  ASSERT_TRUE(fs::exists(FakeServerBinary())) << FakeServerBinary();
  Sandbox sandbox;
  const fs::path out = sandbox.home / "server.out";
  const Child server =
      Spawn({FakeServerBinary(), "--port", "0", "--reuse-policy", "revoke-family"}, out);
  std::string base;
  for (int i = 0; i < 400 && base.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const std::string text = ReadFile(out);
    if (text.find('\n') != std::string::npos) base = text.substr(0, text.find('\n'));
  }
  ASSERT_EQ(base.rfind("http://127.0.0.1:", 0), 0u) << base;
  httplib::Client admin(base);
  auto login = admin.Post("/admin/login", "{}", "application/json");
  ASSERT_TRUE(login && login->status == 200);
  std::ofstream(sandbox.home / "login.json") << login->body;
  fs::remove(sandbox.home / ".claude" / ".credentials.json");
  const std::string token_url = base + "/v1/oauth/token";
  {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, (sandbox.home / "login.json").c_str(), O_RDONLY,
                                     0);
    std::vector<std::string> args = {EngineBinary(),        "login",       "--home",
                                     sandbox.home.string(), "--token-url", token_url};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(Wait(Child{pid, {}}), 0);
  }
  const fs::path file = sandbox.home / ".claude" / ".credentials.json";
  {
    // The login took the plan from the server's profile, as Claude Code does.
    auto logged_in = formats::ParseClaudeCredentials(ReadFile(file));
    ASSERT_TRUE(logged_in) << logged_in.error().ToString();
    ASSERT_TRUE(logged_in.value().oauth);
    EXPECT_EQ(logged_in.value().oauth->subscription_type, "max");
    // Claude Code's own refresh leaves these five scopes in the file; the engine's refreshes must
    // ask for them, or the server narrows the session back to the login's two.
    formats::ClaudeCredentials as_claude_code = logged_in.value();
    as_claude_code.oauth->scopes = kClaudeCodeScopes;
    std::ofstream(file, std::ios::trunc) << formats::SerializeClaudeCredentials(as_claude_code);
  }
  ASSERT_TRUE(admin.Post("/admin/clock", R"({"advance_ms":32400000})", "application/json"));
  std::vector<Child> children;
  for (int i = 0; i < kProcesses; ++i) {
    children.push_back(Spawn({EngineBinary(), "refresh", "--home", sandbox.home.string(),
                              "--token-url", token_url, "--clock-offset", "9h"},
                             sandbox.home / ("out-" + std::to_string(i))));
  }
  for (const auto& child : children) {
    EXPECT_EQ(Wait(child), 0) << ReadFile(child.out.string() + ".err");
  }
  auto log = admin.Get("/admin/log?limit=1000");
  ASSERT_TRUE(log && log->status == 200);
  int refreshes = 0;
  for (size_t at = log->body.find("\"grant\":\"refresh_token\""); at != std::string::npos;
       at = log->body.find("\"grant\":\"refresh_token\"", at + 1)) {
    ++refreshes;
  }
  EXPECT_EQ(refreshes, 1) << log->body;
  EXPECT_EQ(log->body.find("reused"), std::string::npos) << log->body;
  EXPECT_EQ(log->body.find("revoked"), std::string::npos) << log->body;
  auto refreshed = formats::ParseClaudeCredentials(ReadFile(file));
  ASSERT_TRUE(refreshed && refreshed.value().oauth);
  EXPECT_EQ(refreshed.value().oauth->scopes, kClaudeCodeScopes);
  EXPECT_EQ(refreshed.value().oauth->subscription_type, "max");
  kill(server.pid, SIGTERM);
  EXPECT_EQ(Wait(server), 0);
}

TEST(EngineCli, UsageErrorsExitTwo) {
  ASSERT_TRUE(fs::exists(EngineBinary()));
  Sandbox sandbox;
  const Child bad =
      Spawn({EngineBinary(), "frobnicate", "--home", sandbox.home.string()}, sandbox.home / "out");
  EXPECT_EQ(Wait(bad), 2);
  const Child bad_provider =
      Spawn({EngineBinary(), "token", "--provider", "nope", "--home", sandbox.home.string()},
            sandbox.home / "out2");
  EXPECT_EQ(Wait(bad_provider), 2);
}

TEST(EngineCli, NoCredentialExitsOneWithReason) {
  ASSERT_TRUE(fs::exists(EngineBinary()));
  Sandbox sandbox;
  fs::remove(sandbox.home / ".claude" / ".credentials.json");
  const Child child =
      Spawn({EngineBinary(), "token", "--home", sandbox.home.string()}, sandbox.home / "out");
  EXPECT_EQ(Wait(child), 1);
  EXPECT_EQ(ReadFile(sandbox.home / "out"), "");
  EXPECT_NE(ReadFile(sandbox.home / "out.err").find("no-credential"), std::string::npos);
}

// A valid-looking token the API refused: --after-401 refreshes once. A clock offset beyond the
// expiry makes a plain `token` refresh too.
TEST(EngineCli, AfterUnauthorizedAndClockOffset) {
  ASSERT_TRUE(fs::exists(EngineBinary()));
  Sandbox sandbox;
  StubTokenEndpoint endpoint;
  const int64_t in_8h = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() +
                        8 * 3'600'000;
  std::ofstream(sandbox.home / ".claude" / ".credentials.json")
      << R"({"claudeAiOauth":{"accessToken":"at-1","refreshToken":"rt-1","expiresAt":)" << in_8h
      << R"(,"scopes":["user:inference"],"subscriptionType":"max"}})";
  const std::vector<std::string> base = {EngineBinary(),        "token",       "--home",
                                         sandbox.home.string(), "--token-url", endpoint.url()};
  const Child plain = Spawn(base, sandbox.home / "p");
  EXPECT_EQ(Wait(plain), 0);
  EXPECT_EQ(ReadFile(sandbox.home / "p"), "at-1\n") << "valid locally: no refresh";
  auto after_401 = base;
  after_401.push_back("--after-401");
  const Child refused = Spawn(after_401, sandbox.home / "r");
  EXPECT_EQ(Wait(refused), 0) << ReadFile(sandbox.home / "r.err");
  EXPECT_EQ(ReadFile(sandbox.home / "r"), "at-2\n");
  auto skewed = base;
  skewed.insert(skewed.end(), {"--clock-offset", "9h"});
  const Child later = Spawn(skewed, sandbox.home / "s");
  EXPECT_EQ(Wait(later), 0) << ReadFile(sandbox.home / "s.err");
  EXPECT_EQ(ReadFile(sandbox.home / "s"), "at-3\n") << "8 h token, clock 9 h ahead: refreshed";
  EXPECT_EQ(endpoint.grants(), 2);
  auto bad = base;
  bad.insert(bad.end(), {"--clock-offset", "8 hours"});
  const Child usage = Spawn(bad, sandbox.home / "u");
  EXPECT_EQ(Wait(usage), 2);
}

TEST(EngineCli, StatusAndDoctorNeverPrintTokens) {
  ASSERT_TRUE(fs::exists(EngineBinary()));
  Sandbox sandbox;
  const Child status =
      Spawn({EngineBinary(), "status", "--home", sandbox.home.string()}, sandbox.home / "s");
  EXPECT_EQ(Wait(status), 0) << ReadFile(sandbox.home / "s.err");
  const std::string status_out = ReadFile(sandbox.home / "s");
  EXPECT_NE(status_out.find("claude-file"), std::string::npos);
  EXPECT_NE(status_out.find("rt~"), std::string::npos) << "a redacted label";
  EXPECT_EQ(status_out.find("rt-1"), std::string::npos) << status_out;
  EXPECT_EQ(status_out.find("at-1"), std::string::npos) << status_out;
  // Doctor: a file without scopes is an error (Claude Code would report "Not logged in").
  std::ofstream(sandbox.home / ".claude" / ".credentials.json")
      << R"({"claudeAiOauth":{"accessToken":"at-1","refreshToken":"rt-1","expiresAt":1}})";
  fs::permissions(sandbox.home / ".claude" / ".credentials.json",
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                      fs::perms::others_read);
  const Child doctor =
      Spawn({EngineBinary(), "doctor", "--home", sandbox.home.string()}, sandbox.home / "d");
  EXPECT_EQ(Wait(doctor), 1);
  const std::string doctor_out = ReadFile(sandbox.home / "d");
  EXPECT_NE(doctor_out.find("missing-scopes"), std::string::npos) << doctor_out;
  EXPECT_NE(doctor_out.find("loose-permissions"), std::string::npos) << doctor_out;
  EXPECT_EQ(doctor_out.find("rt-1"), std::string::npos) << doctor_out;
}

}  // namespace
}  // namespace credsim::engine
