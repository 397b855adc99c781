#include "live/fuzz_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <variant>

#include "base/assert.h"
#include "engine/formats/json_tree.h"
#include "engine/formats/token_response.h"
#include "engine/io_posix.h"
#include "engine/session.h"
#include "engine/store_codec.h"
#include "live/child_process.h"
#include "live/command_template.h"
#include "live/files.h"
#include "live/live_server.h"
#include "live/token_scan.h"

namespace credsim::live {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kJustifiedWithinMs = 30 * 60 * 1000;
constexpr size_t kMaxKeptCases = 200;
constexpr size_t kMaxPaths = 4096;

const char* const kFindingNames[kFindingKinds] = {
    "crash",       "hang",         "token-leak",         "store-lost",         "torn",
    "fields-lost", "mode-widened", "rewrote-unreadable", "unjustified-refresh"};

int64_t EpochMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

uint64_t CaseSeed(uint64_t seed, int index) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(index) + 1;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  return z ^ (z >> 31);
}

// Every key path of a JSON document ("$.claudeAiOauth.scopes"), arrays by index, bounded.
void CollectPaths(const formats::JsonValue& v, const std::string& at, std::set<std::string>* out) {
  if (out->size() >= kMaxPaths) return;
  if (v.is_object()) {
    for (const formats::JsonMember& m : v.members) {
      const std::string path = at + "." + m.key;
      out->insert(path);
      CollectPaths(m.value, path, out);
    }
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.array.size() && out->size() < kMaxPaths; ++i) {
      CollectPaths(v.array[i], at + "[" + std::to_string(i) + "]", out);
    }
  }
}

// What the store's owner reads in a file: whether it reads it at all, and whether it sees the
// live pair with plenty of time left (then a refresh is not the file's doing).
struct OwnerReading {
  bool readable = false;
  bool fresh_live_pair = false;
  std::set<std::string> paths;
};

OwnerReading ReadAsOwner(FuzzedStore store, const std::string& bytes, const LiveValues& live) {
  engine::StoreRead read;
  read.status = engine::IoStatus::kOk;
  read.bytes = bytes;
  const engine::StoreView view = engine::DecodeStore(ProviderOf(store), StoreIdOf(store), read);
  OwnerReading r;
  r.readable = view.readable();
  if (!r.readable) return r;
  for (const engine::Candidate& c : view.slots) {
    const engine::Credential& cred = c.credential;
    if (cred.access_token == live.access_token && cred.refresh_token == live.refresh_token &&
        cred.expires_at_ms > live.now_ms + kJustifiedWithinMs && view.notes.empty()) {
      r.fresh_live_pair = true;
    }
  }
  if (formats::Result<formats::JsonValue> tree = formats::ParseJsonTree(bytes); tree.ok()) {
    CollectPaths(tree.value(), "$", &r.paths);
  }
  return r;
}

void PrintCase(std::FILE* out, const CaseReport& r) {
  std::fprintf(out, "case %d", r.index);
  for (size_t i = 0; i < r.mutations.size(); ++i) {
    std::fprintf(out, "%s%s", i == 0 ? " [" : ", ", r.mutations[i].c_str());
  }
  std::fprintf(out, "%s exit %d, %d refresh(es)\n", r.mutations.empty() ? "" : "]", r.exit_code,
               r.refreshes);
  for (const Finding& f : r.findings) {
    std::fprintf(out, "  %s: %s\n", FindingKindName(f.kind), f.detail.c_str());
  }
}

class FuzzStoreRun {
 public:
  FuzzStoreRun(const FuzzStoreConfig& config, FuzzStoreSummary* summary, std::FILE* progress)
      : config_(config), summary_(summary), progress_(progress) {}

  bool SetUp(std::string* why);
  void RunCases();

 private:
  struct Case {
    CaseReport report;
    std::string tag, dir, home, path;
    std::string input;  // with placeholders
    LiveValues live;
    OwnerReading before;
    std::string bytes_before, out, err;
  };

  bool Prepare(Case& c, std::string* why);
  void Execute(Case& c);
  void JudgeProcess(Case& c);
  void JudgeOutput(Case& c, const std::string& text, bool is_stdout);
  void JudgeStore(Case& c);
  void JudgeRefreshes(Case& c);
  void Save(Case& c);
  void Add(Case& c, FindingKind kind, std::string detail) {
    c.report.findings.push_back({kind, std::move(detail)});
  }

  const FuzzStoreConfig& config_;
  FuzzStoreSummary* summary_;
  std::FILE* progress_;
  LiveServer server_;
  uint64_t log_seen_ = 0;  // the last server log entry already read
};

bool FuzzStoreRun::SetUp(std::string* why) {
  std::error_code ec;
  fs::create_directories(config_.work_dir, ec);
  if (ec) return *why = "cannot create " + config_.work_dir + ": " + ec.message(), false;
  ServerSettings settings;
  settings.binary = config_.server_binary;
  settings.provider =
      ProviderOf(config_.store) == engine::Provider::kAnthropic ? "anthropic" : "openai";
  settings.access_ttl = "8h";  // every unmutated file then holds a token with hours left
  settings.reuse_policy = "reject";
  settings.seed = config_.seed;
  settings.work_dir = config_.work_dir;
  return server_.Start(settings, why);
}

void FuzzStoreRun::RunCases() {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  };
  const int limit = config_.replay ? 1 : config_.max_cases;
  for (int i = 0; (limit == 0 || i < limit) && (limit > 0 || elapsed_ms() < config_.seconds * 1000);
       ++i) {
    Case c;
    c.report.index = i;
    c.report.seed = CaseSeed(config_.seed, i);
    std::string why;
    if (!Prepare(c, &why)) {
      std::fprintf(stderr, "credsim fuzz-store: case %d not run: %s\n", i, why.c_str());
      break;
    }
    Execute(c);
    ++summary_->cases;
    summary_->exited_zero += c.report.exit_code == 0 ? 1 : 0;
    summary_->refreshed += c.report.refreshes > 0 ? 1 : 0;
    if (c.report.findings.empty()) {
      if (config_.verbose && progress_ != nullptr) PrintCase(progress_, c.report);
      std::error_code ec;
      fs::remove_all(c.dir, ec);
      continue;
    }
    Save(c);
    for (const Finding& f : c.report.findings) ++summary_->by_kind[static_cast<int>(f.kind)];
    if (summary_->with_findings.size() < kMaxKeptCases) summary_->with_findings.push_back(c.report);
  }
  summary_->elapsed_ms = elapsed_ms();
}

bool FuzzStoreRun::Prepare(Case& c, std::string* why) {
  const engine::Provider provider = ProviderOf(config_.store);
  c.tag = "case-" + std::to_string(c.report.index);
  c.dir = fs::absolute(config_.work_dir + "/" + c.tag).string();
  c.home = c.dir + "/home";
  const std::optional<std::string> login =
      server_.Login(engine::DefaultSession(provider, "").client_id, why);
  if (!login) return false;
  const formats::Result<formats::TokenResponse> parsed = formats::ParseTokenResponse(200, *login);
  const auto* grant = parsed.ok() ? std::get_if<formats::TokenGrant>(&parsed.value()) : nullptr;
  if (grant == nullptr || !grant->refresh_token) return *why = "the login gave no pair", false;
  c.live.access_token = grant->access_token;
  c.live.refresh_token = *grant->refresh_token;
  c.live.id_token = grant->id_token.value_or("");
  c.live.now_ms = EpochMs();
  c.live.expires_at_ms = c.live.now_ms + grant->expires_in_s.value_or(3600) * 1000;
  if (config_.replay) {
    c.input = *config_.replay;
  } else {
    const std::vector<std::string> templates =
        config_.templates.empty() ? BuiltInTemplates(config_.store) : config_.templates;
    CREDSIM_ASSERT(!templates.empty());
    MutatedInput m =
        Mutate(config_.store, templates[c.report.seed % templates.size()], c.report.seed);
    c.input = std::move(m.text);
    c.report.mutations = std::move(m.mutations);
  }
  c.path = engine::PosixPaths::ForHome(c.home).FilePath(StoreIdOf(config_.store));
  c.bytes_before = Instantiate(c.input, c.live);
  c.before = ReadAsOwner(config_.store, c.bytes_before, c.live);
  if (!WriteFileAtomically(c.path, c.bytes_before)) return *why = "cannot write " + c.path, false;
  return true;
}

void FuzzStoreRun::Execute(Case& c) {
  const TemplateValues values = CommandValues(c.home, server_.base_url(), ProviderOf(config_.store),
                                              config_.engine_binary, c.tag);
  ChildProcess child;
  std::string why;
  if (!child.Start(ExpandTemplate(config_.command, values), CommandEnv(values), c.dir + "/stdout",
                   c.dir + "/stderr", &why)) {
    Add(c, FindingKind::kCrash, "could not start: " + why);
    return;
  }
  const ChildResult r = child.Wait(std::chrono::milliseconds(config_.timeout_ms));
  c.report.exit_code = r.exit_code;
  c.report.signal = r.signal;
  c.report.timed_out = r.timed_out;
  c.out = ReadWholeFile(c.dir + "/stdout");
  c.err = ReadWholeFile(c.dir + "/stderr");
  JudgeProcess(c);
  JudgeOutput(c, c.out, /*is_stdout=*/true);
  JudgeOutput(c, c.err, /*is_stdout=*/false);
  JudgeStore(c);
  JudgeRefreshes(c);
}

void FuzzStoreRun::JudgeProcess(Case& c) {
  const CaseReport& r = c.report;
  if (r.timed_out) {
    Add(c, FindingKind::kHang, "no exit within " + std::to_string(config_.timeout_ms) + " ms");
    return;
  }
  if (r.signal != 0) {
    Add(c, FindingKind::kCrash, "killed by signal " + std::to_string(r.signal));
  } else if (r.exit_code >= 128) {
    Add(c, FindingKind::kCrash, "the shell reports signal " + std::to_string(r.exit_code - 128));
  } else if (r.exit_code != 0) {
    // An interpreter's unhandled error exits 1 with its trace: that is a crash, not a refusal.
    static constexpr std::pair<const char*, const char*> kTraces[] = {
        {"Traceback (most recent call last)", "an unhandled Python exception"},
        {"panicked at", "a Rust panic"},
        {"\n    at ", "an unhandled JavaScript exception"}};
    for (const auto& [marker, what] : kTraces) {
      if (c.err.find(marker) != std::string::npos) {
        Add(c, FindingKind::kCrash,
            std::string(what) + " (exit " + std::to_string(r.exit_code) + ")");
        return;
      }
    }
  }
}

void FuzzStoreRun::JudgeOutput(Case& c, const std::string& text, bool is_stdout) {
  // The one place a token may appear: the answer line of a command that prints the access token.
  const std::string answer = is_stdout && config_.prints_token ? LastLine(text) : "";
  for (const std::string& shaped : TokenShapedStrings(text)) {
    const TokenInspection t = server_.Inspect(shaped);
    if (t.kind == "unknown") continue;  // the command's own made-up text
    if (t.kind == "access" && shaped == answer) continue;
    Add(c, FindingKind::kTokenLeak,
        std::string(is_stdout ? "stdout" : "stderr") + " holds " + t.kind + " token " + t.label);
  }
}

void FuzzStoreRun::JudgeStore(Case& c) {
  struct stat st {};
  if (lstat(c.path.c_str(), &st) != 0) {
    Add(c, c.before.readable ? FindingKind::kStoreLost : FindingKind::kRewroteUnreadable,
        "the file is gone");
    return;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", st.st_mode & 0777);
    Add(c, FindingKind::kModeWidened, std::string("mode ") + mode + " after the command");
  }
  const std::string after = ReadWholeFile(c.path);
  if (after == c.bytes_before) return;
  if (!c.before.readable) {
    Add(c, FindingKind::kRewroteUnreadable,
        "its owner cannot read the file, and the command rewrote it (" +
            std::to_string(c.bytes_before.size()) + " -> " + std::to_string(after.size()) +
            " bytes)");
    return;
  }
  const OwnerReading now = ReadAsOwner(config_.store, after, c.live);
  if (!now.readable) {
    Add(c, FindingKind::kTorn, "its owner could read the file before the command, not after");
    return;
  }
  std::string lost;
  int count = 0;
  for (const std::string& path : c.before.paths) {
    if (now.paths.count(path) != 0) continue;
    if (count++ < 3) lost += (lost.empty() ? "" : ", ") + path;
  }
  if (count > 0) {
    Add(c, FindingKind::kFieldsLost,
        std::to_string(count) + " member(s) gone: " + lost + (count > 3 ? ", ..." : ""));
  }
}

void FuzzStoreRun::JudgeRefreshes(Case& c) {
  // Cases run one after another: only the entries since the last case's look are new.
  for (const ServerLogEntry& e : server_.Log(log_seen_)) {
    log_seen_ = std::max(log_seen_, e.seq);
    if (e.tag == c.tag && e.grant == "refresh_token") ++c.report.refreshes;
  }
  // Codex refreshes by the age of last_refresh as well as by the token's expiry.
  const bool stale_stamp = c.input.find("@OLD_RFC3339@") != std::string::npos;
  if (c.report.refreshes > 0 && c.before.fresh_live_pair && !stale_stamp) {
    Add(c, FindingKind::kUnjustifiedRefresh,
        std::to_string(c.report.refreshes) +
            " refresh request(s) although the file held the live access token with hours left");
  }
}

// Output with every real token of the run replaced by its label.
std::string Redacted(LiveServer& server, const LiveValues& live, const std::string& text) {
  std::string out = Placeholders(text, live);
  for (const std::string& shaped : TokenShapedStrings(out, 256)) {
    const TokenInspection t = server.Inspect(shaped);
    if (t.kind == "unknown") continue;
    for (size_t at = out.find(shaped); at != std::string::npos; at = out.find(shaped, at)) {
      out.replace(at, shaped.size(), "<" + t.label + ">");
    }
  }
  return out;
}

void FuzzStoreRun::Save(Case& c) {
  const std::string dir = config_.out_dir + "/" + FuzzedStoreName(config_.store) + "-seed" +
                          std::to_string(config_.seed) + "-case" + std::to_string(c.report.index);
  std::string report = "store: " + std::string(FuzzedStoreName(config_.store)) + "\n";
  report += "command: " + config_.command + "\n";
  report += "mutations:";
  for (const std::string& m : c.report.mutations) report += " " + m;
  report += "\nexit: " + std::to_string(c.report.exit_code) +
            " signal: " + std::to_string(c.report.signal) +
            " refreshes: " + std::to_string(c.report.refreshes) + "\n";
  for (const Finding& f : c.report.findings) {
    report += std::string(FindingKindName(f.kind)) + ": " + f.detail + "\n";
  }
  report += "replay: credsim fuzz-store --store " + std::string(FuzzedStoreName(config_.store)) +
            " --cmd '...' --replay " + dir + "/input\n";
  const std::string after = ReadWholeFile(c.path);
  const bool saved = WriteFileAtomically(dir + "/input", c.input) &&
                     WriteFileAtomically(dir + "/report.txt", report) &&
                     WriteFileAtomically(dir + "/stdout", Redacted(server_, c.live, c.out)) &&
                     WriteFileAtomically(dir + "/stderr", Redacted(server_, c.live, c.err)) &&
                     WriteFileAtomically(dir + "/store-after", Redacted(server_, c.live, after));
  c.report.saved_to = saved ? dir : "(could not be saved under " + config_.out_dir + ")";
  if (progress_ != nullptr) PrintCase(progress_, c.report);
}

}  // namespace

const char* FindingKindName(FindingKind kind) {
  const int i = static_cast<int>(kind);
  CREDSIM_ASSERT(i >= 0 && i < kFindingKinds);
  return kFindingNames[i];
}

bool ParseFindingKind(const std::string& name, FindingKind* out) {
  for (int i = 0; i < kFindingKinds; ++i) {
    if (name == kFindingNames[i]) return *out = static_cast<FindingKind>(i), true;
  }
  return false;
}

bool RunFuzzStore(const FuzzStoreConfig& config, FuzzStoreSummary* summary, std::string* why,
                  std::FILE* progress) {
  CREDSIM_ASSERT(!config.command.empty() && !config.work_dir.empty() && !config.out_dir.empty());
  CREDSIM_ASSERT(config.max_cases > 0 || config.seconds > 0 || config.replay.has_value(),
                 "a run is bounded by cases or by time");
  FuzzStoreRun run(config, summary, progress);
  if (!run.SetUp(why)) return false;
  run.RunCases();
  return true;
}

}  // namespace credsim::live
