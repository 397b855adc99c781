// fake_oauth_bench: one load client for fake_oauth_server and its npm peers, so every server is
// measured by the same code over the same loopback keep-alive connection.
//
//   fake_oauth_bench http [options] -- COMMAND ARGS...
//     Starts COMMAND (a server that prints its base URL as a line starting with "http"), measures
//     start-up to the first answered request over --startup-runs launches, idle RSS, then
//     --refreshes chained refreshes (each uses the refresh token of the previous answer) on one
//     keep-alive connection: grants/s, p50/p99 latency. With --grants N it then continues the
//     chain to N grants in total and reports the server's RSS.
//       --login admin|stdout   initial refresh token from POST /admin/login (fake_oauth_server)
//                              or from the line after the URL (the peer host scripts)
//       --token-path P --form --client-id ID --name NAME
//   fake_oauth_bench inprocess --grants N
//     The same chained workload through TokenAuthority in this process (no HTTP): grants/s and
//     this process's RSS growth after N grants.
// Output: one JSON object per run on stdout.
#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "fake_oauth_server/authority.h"
#include "fake_oauth_server/request_decode.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode;
  std::string name = "server";
  std::string login = "admin";
  std::string token_path = "/v1/oauth/token";
  std::string client_id;
  bool form = false;
  int startup_runs = 10;
  int refreshes = 2000;
  long grants = 0;
  std::vector<std::string> command;
};

double Us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

long RssKib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

struct Child {
  pid_t pid = -1;
  int out = -1;
};

Child Spawn(const std::vector<std::string>& cmd) {
  int p[2];
  if (pipe(p) != 0) return {};
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    dup2(p[1], 1);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    close(p[0]);
    std::vector<char*> argv;
    std::vector<std::string> copy = cmd;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(p[1]);
  c.out = p[0];
  return c;
}

std::string ReadLine(int fd) {
  std::string line;
  for (int i = 0; i < 65536; ++i) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 20000) <= 0) break;
    char ch;
    if (read(fd, &ch, 1) != 1 || ch == '\n') break;
    line += ch;
  }
  return line;
}

std::string ReadUrl(int fd) {
  for (int i = 0; i < 50; ++i) {  // skip notices some servers print first
    std::string line = ReadLine(fd);
    if (line.rfind("http", 0) == 0) return line;
    if (line.empty()) break;
  }
  return "";
}

void Stop(Child& c) {
  if (c.pid <= 0) return;
  kill(c.pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 500 && waitpid(c.pid, &status, WNOHANG) == 0; ++i) usleep(10000);
  if (waitpid(c.pid, &status, WNOHANG) == 0) {
    kill(c.pid, SIGKILL);
    waitpid(c.pid, &status, 0);
  }
  close(c.out);
  c.pid = -1;
}

std::string FieldOf(const std::string& body, const char* key) {
  // Minimal: "key":"value" — enough for the token responses measured here.
  const std::string needle = std::string("\"") + key + "\":\"";
  const size_t at = body.find(needle);
  if (at == std::string::npos) return "";
  const size_t start = at + needle.size();
  return body.substr(start, body.find('"', start) - start);
}

// Start-up: spawn, wait for the URL line, then poll until one request is answered.
double StartupMs(const Options& o, long* idle_rss_kib) {
  const Clock::time_point t0 = Clock::now();
  Child c = Spawn(o.command);
  const std::string url = ReadUrl(c.out);
  double ms = -1;
  if (!url.empty()) {
    for (int i = 0; i < 100000; ++i) {
      httplib::Client cli(url);
      cli.set_connection_timeout(1, 0);
      if (auto r = cli.Get("/")) {
        ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        break;
      }
      usleep(200);
    }
  }
  if (idle_rss_kib != nullptr) {
    usleep(200000);  // let it settle
    *idle_rss_kib = RssKib(c.pid);
  }
  Stop(c);
  return ms;
}

std::string RefreshBody(const Options& o, const std::string& rt) {
  using credsim::oauth::UrlEscape;
  if (o.form) {
    std::string b = "grant_type=refresh_token&refresh_token=" + UrlEscape(rt);
    if (!o.client_id.empty()) b += "&client_id=" + UrlEscape(o.client_id);
    return b;
  }
  std::string b = R"({"grant_type":"refresh_token","refresh_token":")" + rt + "\"";
  if (!o.client_id.empty()) b += R"(,"client_id":")" + o.client_id + "\"";
  return b + "}";
}

int RunHttp(const Options& o) {
  std::vector<double> startup;
  long idle_rss = -1;
  for (int i = 0; i < o.startup_runs; ++i) {
    startup.push_back(StartupMs(o, i == 0 ? &idle_rss : nullptr));
  }
  std::sort(startup.begin(), startup.end());

  Child c = Spawn(o.command);
  const std::string url = ReadUrl(c.out);
  std::string rt;
  httplib::Client cli(url);
  cli.set_keep_alive(true);
  cli.set_tcp_nodelay(true);
  cli.set_read_timeout(30, 0);
  if (o.login == "stdout") {
    rt = ReadLine(c.out);
  } else if (auto r = cli.Post("/admin/login", "{}", "application/json")) {
    rt = FieldOf(r->body, "refresh_token");
  }
  const char* type = o.form ? "application/x-www-form-urlencoded" : "application/json";
  std::vector<double> lat;
  lat.reserve(o.refreshes);
  int failures = 0;
  const auto chain = [&](long n, bool record) {
    for (long i = 0; i < n; ++i) {
      const std::string body = RefreshBody(o, rt);
      const Clock::time_point t = Clock::now();
      auto r = cli.Post(o.token_path, body, type);
      const Clock::time_point done = Clock::now();
      if (!r || r->status != 200) {
        ++failures;
        if (failures > 10) return;
        continue;
      }
      if (record) lat.push_back(Us(done - t));
      rt = FieldOf(r->body, "refresh_token");
    }
  };
  const Clock::time_point t0 = Clock::now();
  chain(o.refreshes, true);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::sort(lat.begin(), lat.end());
  const auto pct = [&](double p) {
    return lat.empty() ? -1.0 : lat[std::min(lat.size() - 1, static_cast<size_t>(p * lat.size()))];
  };
  long rss_after = -1;
  long grants_total = static_cast<long>(lat.size());
  double rest_rate = 0;
  if (o.grants > grants_total && failures == 0) {
    const Clock::time_point t1 = Clock::now();
    chain(o.grants - grants_total, false);
    rest_rate =
        (o.grants - grants_total) / std::chrono::duration<double>(Clock::now() - t1).count();
    grants_total = o.grants;
    rss_after = RssKib(c.pid);
  }
  Stop(c);
  std::printf(
      "{\"name\":\"%s\",\"startup_ms_median\":%.2f,\"startup_ms_max\":%.2f,\"idle_rss_kib\":%ld,"
      "\"refreshes\":%zu,\"failures\":%d,\"grants_per_s\":%.0f,\"p50_us\":%.0f,\"p99_us\":%.0f,"
      "\"grants_total\":%ld,\"long_run_grants_per_s\":%.0f,\"rss_after_kib\":%ld}\n",
      o.name.c_str(), startup[startup.size() / 2], startup.back(), idle_rss, lat.size(), failures,
      lat.size() / seconds, pct(0.50), pct(0.99), grants_total, rest_rate, rss_after);
  return failures == 0 ? 0 : 1;
}

int RunInProcess(const Options& o) {
  using namespace credsim::oauth;
  const long before = RssKib(getpid());
  TokenAuthority auth(AuthorityConfig{}, 1);
  int64_t now = 1'790'000'000'000;
  TokenReply r = auth.Login({}, now);
  const Clock::time_point t0 = Clock::now();
  // Chains of 1,000 refreshes per family, a new login between chains: families and rotations both.
  for (long i = 0; i < o.grants; ++i) {
    if (i % 1000 == 999) {
      r = auth.Login({}, ++now);
      continue;
    }
    TokenRequest q;
    q.grant_type = GrantType::kRefreshToken;
    q.refresh_token = r.tokens.refresh_token;
    q.client_id = "bench";  // the anthropic personality requires one, as its real clients send it
    r = auth.Handle(q, ++now);
    if (!r.ok()) return 1;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf(
      "{\"name\":\"in-process authority\",\"grants\":%ld,\"grants_per_s\":%.0f,"
      "\"rss_before_kib\":%ld,\"rss_after_kib\":%ld,\"live_families\":%zu}\n",
      o.grants, o.grants / seconds, before, RssKib(getpid()), auth.State(0).live_families);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  Options o;
  if (argc < 2) {
    std::fprintf(stderr, "usage: fake_oauth_bench http|inprocess [options] [-- COMMAND ARGS]\n");
    return 2;
  }
  o.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--") {
      for (++i; i < argc; ++i) o.command.push_back(argv[i]);
    } else if (a == "--name") {
      o.name = next();
    } else if (a == "--login") {
      o.login = next();
    } else if (a == "--token-path") {
      o.token_path = next();
    } else if (a == "--client-id") {
      o.client_id = next();
    } else if (a == "--form") {
      o.form = true;
    } else if (a == "--startup-runs") {
      o.startup_runs = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--refreshes") {
      o.refreshes = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--grants") {
      o.grants = std::atol(next().c_str());
    } else {
      std::fprintf(stderr, "fake_oauth_bench: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (o.mode == "inprocess") return RunInProcess(o);
  if (o.mode == "http" && !o.command.empty()) return RunHttp(o);
  std::fprintf(stderr, "fake_oauth_bench: http needs -- COMMAND\n");
  return 2;
}
