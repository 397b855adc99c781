// credsim-engine: the reference engine as a credential helper.
//
//   credsim-engine token|status|doctor|refresh|login [--home DIR] [--provider NAME]
//                  [--profile NAME] [--token-url URL] [--profile-url URL] [--form] [--force]
//                  [--after-401]
//                  [--clock-offset DURATION]
//
// `token` prints only the access token (like `gcloud auth print-access-token`); no other command
// ever prints token text (labels such as rt~3f9a instead). Exit codes: 0 ok, 1 no usable credential
// (the reason on stderr), 2 usage.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include "engine/doctor.h"
#include "engine/engine.h"
#include "engine/formats/oauth_profile.h"
#include "engine/formats/token_response.h"
#include "engine/io_posix.h"
#include "engine/reconcile.h"
#include "engine/token_client.h"

namespace credsim::engine {
namespace {

constexpr const char* kUsage =
    "usage: credsim-engine token|status|doctor|refresh|login [options]\n"
    "  token    print a valid access token (refreshing if needed); nothing else on stdout\n"
    "  status   show every store of the session, which copy is freshest (token-free)\n"
    "  doctor   warn about what will lock you out; exit 1 if anything is an error\n"
    "  refresh  make the session fresh: refresh if expired or due (anthropic: last 5 min;\n"
    "           openai-codex: last minute; at most half the granted lifetime), adopting\n"
    "           a refresh another process made; --force rotates even a valid token\n"
    "  login    read a token response (JSON) on stdin and write it into every store\n"
    "options:\n"
    "  --home DIR          the user's home (default $HOME); stores are laid out under it\n"
    "  --provider NAME     anthropic (default) or openai-codex\n"
    "  --profile NAME      also use the agent profile store <home>/.hermes/profiles/NAME\n"
    "  --token-url URL     token endpoint (default: the provider's real one)\n"
    "  --profile-url URL   with login (anthropic): where the plan (subscriptionType) is read,\n"
    "                      as Claude Code does after a login (default: the token URL's origin\n"
    "                      + /api/oauth/profile, or api.anthropic.com's; 'none' skips it)\n"
    "  --form              send the refresh form-encoded instead of JSON\n"
    "  --force             with refresh: rotate even if the token is still valid\n"
    "  --after-401         with token: the API refused the token last served; get another\n"
    "                      (adopt a newer copy or refresh once; never a loop)\n"
    "  --clock-offset D    add D (e.g. 8h, 90m, 500ms, -5m) to this machine's clock, to agree\n"
    "                      with a fake server whose clock was advanced\n";

constexpr int kExitOk = 0;
constexpr int kExitNoCredential = 1;
constexpr int kExitUsage = 2;

struct Options {
  std::string command;
  std::string home;
  Provider provider = Provider::kAnthropic;
  std::string profile;
  std::string token_url;
  std::string profile_url;
  bool form = false;
  bool force = false;
  bool after_401 = false;
  bool home_given = false;
  int64_t clock_offset_ms = 0;
};

// "8h", "90m", "30s", "500ms", "2d", "-5m", or plain milliseconds. nullopt when malformed.
std::optional<int64_t> ParseDurationMs(const std::string& text) {
  size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++i;
  int64_t value = 0;
  const size_t digits_start = i;
  // At most 6 digits: a day count that large is already ~2,700 years; no overflow below.
  while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - digits_start < 6) {
    value = value * 10 + (text[i] - '0');
    ++i;
  }
  if (i == digits_start) return std::nullopt;
  const std::string unit = text.substr(i);
  int64_t scale = 0;
  if (unit.empty() || unit == "ms") scale = 1;
  if (unit == "s") scale = 1000;
  if (unit == "m") scale = 60'000;
  if (unit == "h") scale = 3'600'000;
  if (unit == "d") scale = 86'400'000;
  if (scale == 0) return std::nullopt;
  return (negative ? -value : value) * scale;
}

int UsageError(const std::string& message) {
  std::cerr << "credsim-engine: " << message << "\n" << kUsage;
  return kExitUsage;
}

// Returns an exit code on error, or -1 when the options are good.
int ParseOptions(int argc, char** argv, Options* options) {
  if (argc < 2) return UsageError("missing command");
  options->command = argv[1];
  if (options->command == "-h" || options->command == "--help") {
    std::cout << kUsage;
    return kExitOk;
  }
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)name;
      return argv[++i];
    };
    if (arg == "--home" || arg == "--provider" || arg == "--profile" || arg == "--token-url" ||
        arg == "--clock-offset" || arg == "--profile-url") {
      const char* v = value(arg.c_str());
      if (v == nullptr) return UsageError(arg + " needs a value");
      if (arg == "--home") {
        options->home = v;
        options->home_given = true;
      }
      if (arg == "--profile") options->profile = v;
      if (arg == "--token-url") options->token_url = v;
      if (arg == "--profile-url") options->profile_url = v;
      if (arg == "--clock-offset") {
        auto offset = ParseDurationMs(v);
        if (!offset) return UsageError(std::string("bad duration '") + v + "' (e.g. 8h, 90m)");
        options->clock_offset_ms = *offset;
      }
      if (arg == "--provider") {
        auto provider = ParseProvider(v);
        if (!provider) return UsageError(std::string("unknown provider '") + v + "'");
        options->provider = *provider;
      }
    } else if (arg == "--form") {
      options->form = true;
    } else if (arg == "--force") {
      options->force = true;
    } else if (arg == "--after-401") {
      options->after_401 = true;
    } else if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      std::exit(kExitOk);
    } else {
      return UsageError("unknown option '" + arg + "'");
    }
  }
  if (options->home.empty()) {
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') return UsageError("no --home and no $HOME");
    options->home = home;
  }
  return -1;
}

std::string DescribeExpiry(int64_t expires_at_ms, int64_t now_ms) {
  if (expires_at_ms == 0) return "expiry unknown";
  const int64_t delta_s = (expires_at_ms - now_ms) / 1000;
  const int64_t magnitude = delta_s < 0 ? -delta_s : delta_s;
  char text[64];
  std::snprintf(text, sizeof text, "%s %lldh%02lldm%s", delta_s < 0 ? "expired" : "expires in",
                static_cast<long long>(magnitude / 3600),
                static_cast<long long>((magnitude % 3600) / 60), delta_s < 0 ? " ago" : "");
  return text;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

int ReportFailure(const TokenResult& result) {
  std::cerr << "credsim-engine: " << TokenStatusName(result.status) << ": " << result.detail
            << "\n";
  return kExitNoCredential;
}

int RunStatus(Engine& engine, Io& io) {
  const Snapshot snapshot = RunToCompletion(engine.ReadSnapshot());
  const int64_t now_ms = io.NowMs();
  const auto& candidates = snapshot.Candidates();
  const auto best = PickBest(
      candidates, PickOptions{.now_ms = now_ms, .leeway_ms = engine.config().refresh_leeway_ms});
  std::cout << "provider " << ProviderName(engine.config().provider) << "\n";
  for (const auto& store : snapshot.stores) {
    std::cout << "  " << store->id.Name() << ": " << IoStatusName(store->status);
    if (store->corrupt) std::cout << " (corrupt: " << *store->corrupt << ")";
    std::cout << "\n";
    for (const auto& slot : store->slots) {
      const Credential& c = slot.credential;
      const bool chosen =
          best && candidates[*best].store == slot.store && candidates[*best].slot == slot.slot;
      std::cout << "    " << (chosen ? "* " : "  ") << RedactedLabel("at", c.access_token) << " "
                << RedactedLabel("rt", c.refresh_token) << " "
                << FreshnessName(Classify(c, now_ms, engine.config().refresh_leeway_ms)) << ", "
                << DescribeExpiry(c.expires_at_ms, now_ms)
                << (slot.slot.pool_entry_id.empty() ? ""
                                                    : " [pool " + slot.slot.pool_entry_id + "]")
                << "\n";
    }
  }
  if (!best) {
    std::cerr << "credsim-engine: no usable credential in any store\n";
    return kExitNoCredential;
  }
  return kExitOk;
}

int RunDoctor(Engine& engine, Io& io) {
  const Snapshot snapshot = RunToCompletion(engine.ReadSnapshot());
  const auto findings = Diagnose(engine.config(), snapshot, io.NowMs());
  bool error = false;
  for (const auto& f : findings) {
    std::cout << SeverityName(f.severity) << " " << f.code << " "
              << (f.store.empty() ? "session" : f.store) << ": " << f.message << "\n";
    error = error || f.severity == Finding::Severity::kError;
  }
  if (findings.empty()) std::cout << "ok: nothing to report\n";
  return error ? kExitNoCredential : kExitOk;
}

// Where Claude Code reads the plan after a login: api.anthropic.com, or the origin of a token URL
// that points elsewhere (a test server answers both).
std::string ProfileUrl(const Options& options) {
  if (!options.profile_url.empty()) return options.profile_url == "none" ? "" : options.profile_url;
  if (options.token_url.empty()) return "https://api.anthropic.com/api/oauth/profile";
  const size_t scheme_end = options.token_url.find("://");
  const size_t path_start = scheme_end == std::string::npos
                                ? std::string::npos
                                : options.token_url.find('/', scheme_end + 3);
  return options.token_url.substr(0, path_start) + "/api/oauth/profile";
}

// A login's token response carries no plan; without `subscriptionType` Claude Code may fall back
// to API-key mode. So, as Claude Code does, ask the profile endpoint. A failure only warns: the
// tokens are good, and a plan already stored is kept by the write-back.
void AddPlanFromProfile(const Options& options, Credential& fresh) {
  const std::string url = ProfileUrl(options);
  if (url.empty() || fresh.access_token.empty()) return;
  const HttpResult http = GetWithBearer(url, fresh.access_token);
  std::string why;
  if (http.transport != HttpResult::Transport::kResponse) {
    why = http.detail;
  } else if (http.status != 200) {
    why = "HTTP " + std::to_string(http.status);
  } else if (auto profile = formats::ParseOAuthProfile(http.body); !profile) {
    why = profile.error().ToString();
  } else if (!profile.value().subscription_type) {
    why = "the profile names no plan";
  } else {
    fresh.subscription_type = profile.value().subscription_type;
    return;
  }
  std::cerr << "credsim-engine: warning: login: could not read the plan from " << url << " (" << why
            << "); a subscriptionType already stored is kept\n";
}

int RunLogin(const Options& options, Engine& engine, Io& io) {
  const std::string body{std::istreambuf_iterator<char>(std::cin),
                         std::istreambuf_iterator<char>()};
  auto parsed = formats::ParseTokenResponse(200, body);
  if (!parsed || !std::holds_alternative<formats::TokenGrant>(parsed.value())) {
    std::cerr << "credsim-engine: login: stdin is not a token response: "
              << (parsed ? "an error response" : parsed.error().ToString()) << "\n";
    return kExitUsage;
  }
  const auto& grant = std::get<formats::TokenGrant>(parsed.value());
  Credential fresh =
      MergeGrant(Credential{}, grant, io.NowMs(), engine.config().default_access_ttl_ms);
  if (engine.config().provider == Provider::kAnthropic) AddPlanFromProfile(options, fresh);
  const TokenResult result = RunToCompletion(engine.Login(fresh));
  if (result.status != TokenStatus::kOk) return ReportFailure(result);
  std::cout << "logged in: wrote " << Join(result.wrote) << "; "
            << DescribeExpiry(fresh.expires_at_ms, io.NowMs())
            << (fresh.subscription_type ? "; plan " + *fresh.subscription_type : "") << "\n";
  if (result.commit_pending) std::cerr << "credsim-engine: warning: " << result.detail << "\n";
  return kExitOk;
}

// What `doctor` calls an error, plus the warnings that predict a lockout on their own (a static
// token, a world-readable file), on stderr before serving a token: a credential helper run from
// another tool still tells its user. The rest is left to `doctor`, so a helper stays quiet.
void WarnAtStartUp(Engine& engine, Io& io) {
  const Snapshot snapshot = RunToCompletion(engine.ReadSnapshot());
  for (const auto& f : Diagnose(engine.config(), snapshot, io.NowMs())) {
    const bool loud = (f.severity == Finding::Severity::kError && f.code != "no-credential") ||
                      f.code == "static-token" || f.code == "loose-permissions" ||
                      f.code == "split-session" || f.code == "symlinked-file";
    if (!loud) continue;
    std::cerr << "credsim-engine: " << SeverityName(f.severity) << ": "
              << (f.store.empty() ? "session" : f.store) << ": " << f.message << "\n";
  }
  const char* static_token = std::getenv("CLAUDE_CODE_OAUTH_TOKEN");
  if (engine.config().provider == Provider::kAnthropic && static_token != nullptr &&
      *static_token != '\0') {
    std::cerr << "credsim-engine: warning: CLAUDE_CODE_OAUTH_TOKEN is set: a static OAuth token "
                 "with no refresh source overrides the stores and stops working at expiry\n";
  }
}

// The access token a plain `token` call would serve now: the one the caller says was refused.
std::string ServedToken(Engine& engine, Io& io) {
  const Snapshot snapshot = RunToCompletion(engine.ReadSnapshot());
  const auto& candidates = snapshot.Candidates();
  const auto best = PickBest(candidates, PickOptions{.now_ms = io.NowMs()});
  return best ? candidates[*best].credential.access_token : "";
}

int RunCommand(const Options& options, Engine& engine, Io& io);

int Run(const Options& options) {
  SessionConfig config = DefaultSession(options.provider, options.profile);
  if (!options.token_url.empty()) config.token_url = options.token_url;
  if (options.form) config.body_format = BodyFormat::kForm;
  PosixPaths paths = PosixPaths::ForHome(options.home);
  // $CODEX_HOME only when no --home was given: --home must isolate a run from the real stores.
  const char* codex_home = std::getenv("CODEX_HOME");
  if (!options.home_given && codex_home != nullptr && *codex_home != '\0') {
    paths.codex_dir = codex_home;
  }
  auto io = NewPosixIo(paths, PosixIoOptions{.clock_offset_ms = options.clock_offset_ms});
  // A pair this process rotates but no store takes is parked by the engine itself, under the
  // locks, in ~/.credsim/pending-<provider>.json (SessionConfig::rescue_store), where the next
  // process finds it: nothing to do on the way out.
  Engine engine(*io, config);
  return RunCommand(options, engine, *io);
}

int RunCommand(const Options& options, Engine& engine, Io& io) {
  if (options.command == "status") return RunStatus(engine, io);
  if (options.command == "doctor") return RunDoctor(engine, io);
  if (options.command == "login") return RunLogin(options, engine, io);
  if (options.command == "token" || options.command == "refresh") WarnAtStartUp(engine, io);
  if (options.command == "token") {
    const TokenResult result = RunToCompletion(
        options.after_401 ? engine.OnUnauthorized(ServedToken(engine, io)) : engine.GetToken());
    if (result.status != TokenStatus::kOk) return ReportFailure(result);
    std::cout << result.credential.access_token << "\n";
    if (result.commit_pending) std::cerr << "credsim-engine: warning: " << result.detail << "\n";
    return kExitOk;
  }
  if (options.command == "refresh") {
    const TokenResult result = RunToCompletion(engine.Refresh(/*only_if_needed=*/!options.force));
    if (result.status != TokenStatus::kOk) return ReportFailure(result);
    const char* what = result.refreshed ? "refreshed" : result.adopted ? "adopted" : "fresh";
    std::cout << what << ": " << RedactedLabel("rt", result.credential.refresh_token) << ", "
              << DescribeExpiry(result.credential.expires_at_ms, io.NowMs()) << "; wrote "
              << Join(result.wrote) << "\n";
    if (result.commit_pending) std::cerr << "credsim-engine: warning: " << result.detail << "\n";
    return kExitOk;
  }
  return UsageError("unknown command '" + options.command + "'");
}

}  // namespace
}  // namespace credsim::engine

int main(int argc, char** argv) {
  credsim::engine::Options options;
  const int code = credsim::engine::ParseOptions(argc, argv, &options);
  if (code >= 0) return code;
  return credsim::engine::Run(options);
}
