#include "live/live_run.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "base/assert.h"
#include "engine/session.h"
#include "fake_oauth_server/rng.h"
#include "live/child_process.h"
#include "live/files.h"
#include "live/scenario_layout.h"
#include "live/token_scan.h"

namespace credsim::live {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxLanes = 32;
constexpr int kMaxInvocationsPerLane = 10'000;
constexpr int64_t kTearWriteMs = 200;
constexpr int64_t kDelayGrantMs = 1500;

std::atomic<bool> g_stop{false};

// The schedule's only source of randomness, seeded from the run's seed (the project's own
// generator: std::*_distribution differ across standard libraries).
class Rng {
 public:
  explicit Rng(uint64_t seed) : x_(seed) {}
  uint64_t Next() { return x_.Next(); }
  int64_t Between(int64_t lo, int64_t hi) {
    CREDSIM_ASSERT(lo <= hi);
    return lo + static_cast<int64_t>(x_.Below(static_cast<uint64_t>(hi - lo) + 1));
  }

 private:
  oauth::Xoshiro256 x_;
};

uint64_t HashName(const std::string& s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string ClientId(engine::Provider provider) {
  return engine::DefaultSession(provider, "").client_id;
}

// Everything one run shares between its threads.
class World {
 public:
  World(const LiveConfig& config, LiveHistory* history)
      : config_(config),
        history_(history),
        sandbox_(fs::absolute(config.work_dir + "/home").string(), config.provider) {}

  bool SetUp(std::string* why);
  void Run();
  void TearDown();

 private:
  int64_t NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
  }
  bool Stopping() const { return g_stop.load() || NowMs() >= config_.duration_ms; }
  bool LayOutByLogin(std::string* why);
  void Lane(const LiveConsumer& consumer, int lane);
  void NemesisThread();
  void Fire(NemesisKind kind, Rng& rng);
  Invocation Invoke(const LiveConsumer& consumer, int lane, int index, bool settle);
  // Runs one command; fills exit status fields and returns stdout.
  std::string RunCommand(const std::string& command_template, const std::string& tag,
                         Invocation& inv);
  void JudgeAnswer(const LiveConsumer& consumer, const std::string& out, Invocation& inv);
  void Record(Invocation inv);
  void CheckStores(const Invocation& after);
  TemplateValues Values(const std::string& tag) const;

  const LiveConfig& config_;
  LiveHistory* history_;
  Sandbox sandbox_;
  LiveServer server_;
  Clock::time_point start_;
  std::mutex mu_;  // history_, running_
  std::map<std::string, ChildProcess*> running_;
  std::map<std::string, std::string> running_consumer_;  // tag -> consumer, as running_
  std::set<std::string> ran_since_check_;                // consumers started since the last check
  std::vector<StoreCheck> baseline_problems_;
  std::atomic<int> tearing_{0};  // a naive write is in progress: a torn read is the nemesis's
};

TemplateValues World::Values(const std::string& tag) const {
  return CommandValues(sandbox_.home(), server_.base_url(), config_.provider, config_.engine_binary,
                       tag);
}

bool World::SetUp(std::string* why) {
  std::error_code ec;
  fs::create_directories(config_.work_dir + "/out", ec);
  if (ec) return *why = "cannot create " + config_.work_dir + ": " + ec.message(), false;
  if (!sandbox_.MakeDirectories(why)) return false;
  ServerSettings settings;
  settings.binary = config_.server_binary;
  settings.provider = config_.provider == engine::Provider::kAnthropic ? "anthropic" : "openai";
  settings.access_ttl = config_.access_ttl;
  settings.reuse_policy = config_.reuse_policy;
  settings.seed = config_.seed;
  settings.work_dir = config_.work_dir;
  if (!server_.Start(settings, why)) return false;
  history_->base_url = server_.base_url();
  if (config_.scenario_world) {
    if (!LayOutScenarioStores(*config_.scenario_world, server_, sandbox_, why)) return false;
  } else if (!LayOutByLogin(why) || !sandbox_.MirrorFileIntoKeychain(why)) {
    return false;
  }
  if (!sandbox_.AddCanaries(why)) return false;
  history_->stores = sandbox_.ExistingStores();
  if (history_->stores.empty()) return *why = "the layout left no store", false;
  // What the stores lack at the start (a scenario's file without scopes) is not a consumer's doing.
  baseline_problems_ = sandbox_.Check(history_->stores);
  return true;
}

// The home laid out by a real login through credsim-engine, as a user would.
bool World::LayOutByLogin(std::string* why) {
  const std::optional<std::string> login = server_.Login(ClientId(config_.provider), why);
  if (!login) return false;
  const std::string login_file = config_.work_dir + "/login.json";
  {
    // Token text: 0600 from the start, removed once the login read it.
    const int fd = open(login_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, login->data(), login->size()) != static_cast<ssize_t>(login->size())) {
      if (fd >= 0) close(fd);
      return *why = "cannot write " + login_file, false;
    }
    close(fd);
  }
  ChildProcess layout;
  const std::string command =
      ShellQuote(config_.engine_binary) + " login --home " + ShellQuote(sandbox_.home()) +
      " --provider " + engine::ProviderName(config_.provider) + " --token-url " +
      ShellQuote(server_.base_url() + TokenPath(config_.provider)) + " < " + ShellQuote(login_file);
  if (!layout.Start(command, {{"HOME", sandbox_.home()}}, config_.work_dir + "/out/layout.out",
                    config_.work_dir + "/out/layout.err", why)) {
    return false;
  }
  const ChildResult done = layout.Wait(std::chrono::milliseconds(30'000));
  std::error_code ec;
  fs::remove(login_file, ec);
  if (done.exit_code != 0) {
    *why = "credsim-engine login failed: " + ReadWholeFile(config_.work_dir + "/out/layout.err");
    return false;
  }
  return true;
}

void World::Run() {
  start_ = Clock::now();
  std::vector<std::thread> threads;
  for (const LiveConsumer& c : config_.consumers) {
    for (int lane = 0; lane < c.copies && threads.size() < kMaxLanes; ++lane) {
      threads.emplace_back([this, &c, lane] { Lane(c, lane); });
    }
  }
  threads.emplace_back([this] { NemesisThread(); });
  // Ctrl-C: the lanes notice at their next wait; what is running now is killed here.
  std::atomic<bool> done{false};
  std::thread watchdog([this, &done] {
    while (!done.load()) {
      if (g_stop.load()) {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& [tag, child] : running_) child->Kill();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  for (std::thread& t : threads) t.join();
  done.store(true);
  watchdog.join();
  history_->interrupted = g_stop.load();
}

void World::Lane(const LiveConsumer& consumer, int lane) {
  Rng rng(config_.seed ^ HashName(consumer.name) ^ (uint64_t(lane) << 32));
  const bool scheduled = !consumer.at_ms.empty();
  const int calls = scheduled ? static_cast<int>(consumer.at_ms.size()) : kMaxInvocationsPerLane;
  for (int index = 0; index < calls; ++index) {
    const int64_t start_at =
        scheduled ? consumer.at_ms[static_cast<size_t>(index)]
                  : NowMs() + rng.Between(consumer.every_min_ms, consumer.every_max_ms);
    while (NowMs() < start_at && !Stopping()) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::min<int64_t>(20, start_at - NowMs())));
    }
    if (Stopping()) return;
    Record(Invoke(consumer, lane, index, /*settle=*/false));
  }
}

Invocation World::Invoke(const LiveConsumer& consumer, int lane, int index, bool settle) {
  Invocation inv;
  inv.consumer = consumer.name;
  inv.lane = lane;
  inv.index = index;
  inv.settle = settle;
  inv.tag = consumer.name + "-" + (settle ? std::string("settle") : std::to_string(lane)) + "-" +
            std::to_string(index);
  inv.start_ms = NowMs();
  const std::string out = RunCommand(consumer.command, inv.tag, inv);
  JudgeAnswer(consumer, out, inv);
  if (!inv.served && !inv.killed_by_nemesis) {
    for (int i = 0; i < 100 && tearing_.load() > 0; ++i) {  // read the stores whole
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (const std::string& rt : sandbox_.RefreshTokens()) {
      if (server_.Inspect(rt).state == "live") inv.live_credential_within_reach = true;
    }
  }
  inv.end_ms = NowMs();
  return inv;
}

std::string World::RunCommand(const std::string& command_template, const std::string& tag,
                              Invocation& inv) {
  const std::string base = config_.work_dir + "/out/" + tag;
  const TemplateValues values = Values(tag);
  ChildProcess child;
  std::string why;
  if (!child.Start(ExpandTemplate(command_template, values), CommandEnv(values), base + ".out",
                   base + ".err", &why)) {
    inv.stderr_excerpt = why;
    return "";
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_[tag] = &child;
    running_consumer_[tag] = inv.consumer;
    ran_since_check_.insert(inv.consumer);
  }
  const ChildResult r = child.Wait(std::chrono::milliseconds(config_.timeout_ms));
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_.erase(tag);
    running_consumer_.erase(tag);
  }
  inv.exit_code = r.exit_code;
  inv.signal = r.signal;
  inv.timed_out = r.timed_out;
  if (r.signal == SIGKILL && !r.timed_out) inv.killed_by_nemesis = true;
  const std::string out = ReadWholeFile(base + ".out");
  const std::string err = ReadWholeFile(base + ".err");
  // What it printed besides its answer must hold no token text (the answer is its last line).
  const std::string answer = LastLine(out);
  std::string rest = out.substr(0, out.rfind(answer));
  rest += "\n" + err;
  for (const std::string& shaped : TokenShapedStrings(rest)) {
    const TokenInspection t = server_.Inspect(shaped);
    if (t.kind != "unknown") inv.leaked_labels.push_back(t.label);
  }
  std::string excerpt = LastLine(err);
  for (const std::string& shaped : TokenShapedStrings(excerpt)) {
    for (size_t at = excerpt.find(shaped); at != std::string::npos; at = excerpt.find(shaped)) {
      excerpt.replace(at, shaped.size(), "<token>");
    }
  }
  inv.stderr_excerpt = excerpt.substr(0, 300);
  return out;
}

void World::JudgeAnswer(const LiveConsumer& consumer, const std::string& out, Invocation& inv) {
  std::string token = inv.exit_code == 0 ? LastLine(out) : "";
  inv.token_label = "none";
  inv.token_state = "none";
  if (token.empty()) return;
  TokenInspection t = server_.Inspect(token);
  inv.token_label = t.label;
  inv.token_state = t.state;
  inv.served = server_.ResourceAccepts(token);
  if (inv.served || consumer.on_401.empty()) return;
  // The API refused it: the consumer's 401 path, as a tool would take it.
  const std::string again = RunCommand(consumer.on_401, inv.tag + "-401", inv);
  token = inv.exit_code == 0 ? LastLine(again) : "";
  inv.via_401 = true;
  if (token.empty()) return;
  t = server_.Inspect(token);
  inv.token_label = t.label;
  inv.token_state = t.state;
  inv.served = server_.ResourceAccepts(token);
}

void World::Record(Invocation inv) {
  CheckStores(inv);
  std::lock_guard<std::mutex> lock(mu_);
  history_->invocations.push_back(std::move(inv));
}

void World::CheckStores(const Invocation& after) {
  if (tearing_.load() > 0) return;  // the nemesis's torn file is not a consumer's doing
  const std::vector<StoreCheck> problems = sandbox_.Check(history_->stores);
  std::lock_guard<std::mutex> lock(mu_);
  // Who could have done it: every consumer that ran since the last look, and whoever runs now.
  std::set<std::string> suspects = ran_since_check_;
  suspects.insert(after.consumer);
  ran_since_check_.clear();
  for (const auto& [tag, consumer] : running_consumer_) {
    suspects.insert(consumer);
    ran_since_check_.insert(consumer);  // still running: a suspect for the next look too
  }
  if (problems.empty() || tearing_.load() > 0) return;
  const auto same = [](const auto& a, const auto& b) {
    return a.store == b.store && a.problem == b.problem;
  };
  for (const StoreCheck& p : problems) {
    const bool known = std::any_of(history_->store_problems.begin(), history_->store_problems.end(),
                                   [&](const StoreProblem& q) { return same(q, p); }) ||
                       std::any_of(baseline_problems_.begin(), baseline_problems_.end(),
                                   [&](const StoreCheck& q) { return same(q, p); });
    if (known || history_->store_problems.size() >= 64) continue;
    history_->store_problems.push_back(
        {NowMs(), p.store, p.problem, after.tag, {suspects.begin(), suspects.end()}});
  }
}

void World::NemesisThread() {
  Rng rng(config_.seed ^ 0x6e656d65736973ull);
  std::vector<std::pair<int64_t, NemesisKind>> plan;
  for (NemesisKind kind : config_.nemeses) {
    for (int round = 0; round < config_.nemesis_rounds; ++round) {
      // Not in the first or last 15 %: consumers are under way, and there is time to recover.
      plan.emplace_back(rng.Between(config_.duration_ms * 15 / 100, config_.duration_ms * 85 / 100),
                        kind);
    }
  }
  std::sort(plan.begin(), plan.end());
  for (const auto& [at, kind] : plan) {
    while (NowMs() < at && !Stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (Stopping()) return;
    Fire(kind, rng);
  }
}

void World::Fire(NemesisKind kind, Rng& rng) {
  NemesisEvent e;
  e.t_ms = NowMs();
  e.kind = kind;
  std::string why;
  switch (kind) {
    case NemesisKind::kKill: {
      std::lock_guard<std::mutex> lock(mu_);
      if (running_.empty()) {
        e.detail = "nothing was running";
        break;
      }
      auto it = running_.begin();
      std::advance(it, static_cast<long>(rng.Next() % running_.size()));
      it->second->Kill();
      e.detail = "killed " + it->first;
      break;
    }
    case NemesisKind::k5xx:
      server_.AddFault(R"({"endpoint":"token","action":"status","status":503,"limit":1})", &why);
      e.detail = "next token request: 503";
      break;
    case NemesisKind::k429:
      server_.AddFault(R"({"endpoint":"token","action":"rate_limit","retry_after_s":1,"limit":1})",
                       &why);
      e.detail = "next token request: 429";
      break;
    case NemesisKind::kDelayGrant:
      server_.AddFault(R"({"endpoint":"token","grant":"refresh_token","action":"delay_grant",)"
                       R"("latency_ms":)" +
                           std::to_string(kDelayGrantMs) + R"(,"limit":1})",
                       &why);
      e.detail = "next refresh: its grant held back 1.5 s";
      break;
    case NemesisKind::kLostResponse:
      server_.AddFault(
          R"({"endpoint":"token","grant":"refresh_token","action":"drop_after_commit","limit":1})",
          &why);
      e.detail = "next refresh: rotated, answer lost";
      break;
    case NemesisKind::kNaiveWriter: {
      const std::vector<SandboxStore> stores = sandbox_.ExistingStores();
      if (stores.empty()) break;
      const SandboxStore& s = stores[rng.Next() % stores.size()];
      e.detail = "rewrote " + s.id.Name() + " in place";
      ++tearing_;
      const std::string bytes = ReadWholeFile(s.path);
      {
        // Truncate, write half, wait, write the rest: what a naive writer exposes to readers.
        std::ofstream f(s.path, std::ios::binary | std::ios::trunc);
        f << bytes.substr(0, bytes.size() / 2) << std::flush;
        std::this_thread::sleep_for(std::chrono::milliseconds(kTearWriteMs));
        f << bytes.substr(bytes.size() / 2) << std::flush;
      }
      --tearing_;
      break;
    }
    case NemesisKind::kClockJump:
      server_.AdvanceClock(24 * 3600 * 1000);
      e.detail = "server clock +1 day: every access token expired";
      break;
  }
  if (!why.empty()) e.detail += " (refused: " + why + ")";
  e.end_ms = NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  history_->nemesis.push_back(std::move(e));
}

void World::TearDown() {
  history_->duration_ms = NowMs();
  server_.ClearFaults();
  // The recovery round: faults healed, every judged consumer must get a usable token again.
  if (!g_stop.load()) {
    for (const LiveConsumer& c : config_.consumers) {
      if (c.judged) Record(Invoke(c, 0, 0, /*settle=*/true));
    }
  }
  history_->server_log = server_.Log();
  server_.Stop();
}

}  // namespace

const char* NemesisName(NemesisKind kind) {
  switch (kind) {
    case NemesisKind::kKill:
      return "kill";
    case NemesisKind::k5xx:
      return "5xx";
    case NemesisKind::k429:
      return "429";
    case NemesisKind::kDelayGrant:
      return "delay-grant";
    case NemesisKind::kLostResponse:
      return "lost-response";
    case NemesisKind::kNaiveWriter:
      return "naive-writer";
    case NemesisKind::kClockJump:
      return "clock-jump";
  }
  return "?";
}

bool ParseNemesis(const std::string& name, NemesisKind* out) {
  for (NemesisKind k :
       {NemesisKind::kKill, NemesisKind::k5xx, NemesisKind::k429, NemesisKind::kDelayGrant,
        NemesisKind::kLostResponse, NemesisKind::kNaiveWriter, NemesisKind::kClockJump}) {
    if (name == NemesisName(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

void RequestStop() { g_stop.store(true); }

bool RunLive(const LiveConfig& config, LiveHistory* history, std::string* why) {
  CREDSIM_ASSERT(!config.consumers.empty() && config.duration_ms > 0 && config.timeout_ms > 0);
  g_stop.store(false);
  World world(config, history);
  if (!world.SetUp(why)) return false;  // the world's destructor stops the server
  world.Run();
  world.TearDown();
  return true;
}

}  // namespace credsim::live
