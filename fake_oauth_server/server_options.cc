#include "fake_oauth_server/server_options.h"

#include <algorithm>
#include <charconv>

#include "fake_oauth_server/duration.h"
#include "fake_oauth_server/test_ca.h"

namespace credsim::oauth {
namespace {

template <typename T>
bool ParseInt(const std::string& text, T min, T max, T& out) {
  T v{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) return false;
  out = v;
  return true;
}

}  // namespace

std::vector<std::string> DefaultProxyHosts() {
  return {"platform.claude.com", "api.anthropic.com", "console.anthropic.com", "claude.ai"};
}

const char* ServerUsage() {
  return R"(usage: fake_oauth_server [options]
  --host ADDR                  bind address (default 127.0.0.1)
  --port N                     port, 0 = any free port (default 0)
  --provider anthropic|openai  personality: paths, token and error shapes (default anthropic)
  --access-ttl DUR             access-token lifetime, e.g. 8h, 30m, 500ms (default 8h)
  --refresh-ttl DUR            absolute refresh-token (family) lifetime from login (default 30d)
  --reuse-policy P             reject | revoke-family | grace:MS[+revoke-family] (default reject)
  --race-policy P              strict | lenient (default strict)
  --revoke-access-on-refresh   a refresh revokes the family's earlier access tokens
  --www-authenticate           RFC 6750 WWW-Authenticate header on the resource's 401
  --legacy-endpoint PATH|none  path that answers 500 to form-encoded refreshes
                               (default /v1/oauth/legacy/token)
  --client-id ID               accept only this client_id (repeatable; default any)
  --seed N                     deterministic tokens and fault draws
  --max-body BYTES             request body limit, larger bodies get 413 (default 65536)
  --read-timeout DUR           per-read socket timeout (default 2s)
  --workers N                  worker threads (default 8)
  --max-families N             live token families at once (default 65536)
  --no-admin                   disable /admin/
  --proxy-port N               also run a CONNECT proxy on 127.0.0.1:N (0 = any free port) that
                               terminates TLS for the proxy hosts with a throw-away CA and serves
                               the requests itself; nothing is forwarded off the machine
  --proxy-ca-out FILE          write that CA's certificate (PEM) here; required with --proxy-port
  --proxy-host NAME            a host name the proxy terminates on port 443 (repeatable; default
                               platform.claude.com api.anthropic.com console.anthropic.com
                               claude.ai)
  --help
Prints its base URL (http://HOST:PORT) as the first line of stdout; with --proxy-port, a second
line "proxy http://127.0.0.1:PORT" once the CA file is written.
)";
}

namespace {

// The flags still to read, and what one flag's handler needs besides the options.
struct ArgCursor {
  const std::vector<std::string>& args;
  size_t next = 0;
  bool proxy_hosts_given = false;
  // The flag's value, or nullptr when the command line ends first.
  const std::string* Value() { return next < args.size() ? &args[next++] : nullptr; }
  bool Duration(int64_t& into) {
    const std::string* v = Value();
    const std::optional<int64_t> ms = v ? ParseDurationMs(*v) : std::nullopt;
    if (ms) into = *ms;
    return ms.has_value();
  }
};

// Applies one flag; returns "" or what is wrong with it.
using FlagHandler = std::string (*)(ArgCursor&, ServerOptions&);

struct FlagRow {
  std::string_view flag;
  FlagHandler apply;
};

// Every flag and its rule, in the order of the usage text.
constexpr FlagRow kFlags[] = {
    {"--host",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       if (v == nullptr || v->empty()) return "--host needs an address";
       o.host = *v;
       return "";
     }},
    {"--port",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       return v && ParseInt(*v, 0, 65535, o.port) ? "" : "--port needs 0..65535";
     }},
    {"--provider",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       const std::optional<Provider> p = v ? ParseProvider(*v) : std::nullopt;
       if (!p) return "--provider must be anthropic or openai";
       o.authority.provider = *p;
       return "";
     }},
    {"--access-ttl",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       return a.Duration(o.authority.access_ttl_ms)
                  ? ""
                  : "--access-ttl needs a duration with a unit, e.g. 8h, 30m, 500ms";
     }},
    {"--refresh-ttl",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       return a.Duration(o.authority.refresh_ttl_ms) && o.authority.refresh_ttl_ms > 0
                  ? ""
                  : "--refresh-ttl needs a positive duration with a unit, e.g. 30d";
     }},
    {"--read-timeout",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       return a.Duration(o.read_timeout_ms) && o.read_timeout_ms >= 1 && o.read_timeout_ms <= 600000
                  ? ""
                  : "--read-timeout needs a duration between 1ms and 10m";
     }},
    {"--reuse-policy",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       const std::optional<ReusePolicy> p = v ? ParseReusePolicy(*v) : std::nullopt;
       if (!p) return "--reuse-policy must be reject, revoke-family or grace:MS";
       o.authority.reuse = *p;
       return "";
     }},
    {"--race-policy",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       const std::optional<RacePolicy> p = v ? ParseRacePolicy(*v) : std::nullopt;
       if (!p) return "--race-policy must be strict or lenient";
       o.authority.race = *p;
       return "";
     }},
    {"--revoke-access-on-refresh",
     [](ArgCursor&, ServerOptions& o) -> std::string {
       o.authority.revoke_access_on_refresh = true;
       return "";
     }},
    {"--www-authenticate",
     [](ArgCursor&, ServerOptions& o) -> std::string {
       o.www_authenticate = true;
       return "";
     }},
    {"--no-admin",
     [](ArgCursor&, ServerOptions& o) -> std::string {
       o.admin = false;
       return "";
     }},
    {"--legacy-endpoint",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       if (v == nullptr || (*v != "none" && (v->empty() || (*v)[0] != '/'))) {
         return "--legacy-endpoint needs a path starting with / or none";
       }
       o.legacy_path = *v == "none" ? "" : *v;
       return "";
     }},
    {"--client-id",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       if (v == nullptr || v->empty()) return "--client-id needs a value";
       o.authority.allowed_client_ids.push_back(*v);
       return "";
     }},
    {"--seed",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       uint64_t seed = 0;
       if (v == nullptr || !ParseInt<uint64_t>(*v, 0, UINT64_MAX, seed)) {
         return "--seed needs an unsigned integer";
       }
       o.seed = seed;
       return "";
     }},
    {"--max-body",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       return v && ParseInt<size_t>(*v, 256, size_t{16} << 20, o.max_body_bytes)
                  ? ""
                  : "--max-body needs 256..16777216";
     }},
    {"--workers",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       return v && ParseInt(*v, 1, 256, o.workers) ? "" : "--workers needs 1..256";
     }},
    {"--max-families",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       return v && ParseInt<uint32_t>(*v, 1, 1u << 24, o.authority.max_live_families)
                  ? ""
                  : "--max-families needs 1..16777216";
     }},
    {"--proxy-port",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       int port = 0;
       if (v == nullptr || !ParseInt(*v, 0, 65535, port)) return "--proxy-port needs 0..65535";
       o.proxy_port = port;
       return "";
     }},
    {"--proxy-ca-out",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       if (v == nullptr || v->empty()) return "--proxy-ca-out needs a file name";
       o.proxy_ca_out = *v;
       return "";
     }},
    {"--proxy-host",
     [](ArgCursor& a, ServerOptions& o) -> std::string {
       const std::string* v = a.Value();
       if (v == nullptr || !IsPlainDnsName(*v)) {
         return "--proxy-host needs a lower-case host name (letters, digits, '-', '.')";
       }
       // The first --proxy-host replaces the defaults; later ones add to it.
       if (!a.proxy_hosts_given) o.proxy_hosts.clear();
       a.proxy_hosts_given = true;
       o.proxy_hosts.push_back(*v);
       return "";
     }},
};

// Rules between flags, once all are read; "" when they hold.
std::string CheckProxyFlags(const ServerOptions& o, bool proxy_hosts_given) {
  if (o.proxy_port && o.proxy_ca_out.empty()) {
    return "--proxy-port needs --proxy-ca-out FILE: a client must be told which CA to trust";
  }
  if (!o.proxy_port && (!o.proxy_ca_out.empty() || proxy_hosts_given)) {
    return "--proxy-ca-out and --proxy-host need --proxy-port";
  }
  // The proxy relays to 127.0.0.1:PORT, so the server must be listening there.
  if (o.proxy_port && o.host != "127.0.0.1" && o.host != "0.0.0.0") {
    return "--proxy-port needs --host 127.0.0.1 or 0.0.0.0 (it relays to 127.0.0.1)";
  }
  return "";
}

}  // namespace

ParsedArgs ParseServerArgs(const std::vector<std::string>& args) {
  ParsedArgs out;
  ServerOptions o;
  ArgCursor cursor{args};
  while (cursor.next < args.size()) {  // every handler consumes its flag, and its value if any
    const std::string& flag = args[cursor.next++];
    if (flag == "--help" || flag == "-h") {
      out.help = true;
      return out;
    }
    const auto row = std::find_if(std::begin(kFlags), std::end(kFlags),
                                  [&](const FlagRow& r) { return r.flag == flag; });
    std::string error = row == std::end(kFlags) ? "unknown option: " + flag : row->apply(cursor, o);
    if (!error.empty()) {
      out.error = std::move(error);
      return out;
    }
  }
  if (std::string error = CheckProxyFlags(o, cursor.proxy_hosts_given); !error.empty()) {
    out.error = std::move(error);
    return out;
  }
  out.options = std::move(o);
  return out;
}

}  // namespace credsim::oauth
