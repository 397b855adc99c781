#include "fake_oauth_server/server_options.h"

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

ParsedArgs ParseServerArgs(const std::vector<std::string>& args) {
  ParsedArgs out;
  ServerOptions o;
  bool proxy_hosts_given = false;
  const auto fail = [&](std::string message) {
    out.error = std::move(message);
    out.options.reset();
    return out;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    const auto value = [&]() -> const std::string* {
      return i + 1 < args.size() ? &args[++i] : nullptr;
    };
    const auto duration = [&](int64_t& into) {
      const std::string* v = value();
      const std::optional<int64_t> ms = v ? ParseDurationMs(*v) : std::nullopt;
      if (!ms) return false;
      into = *ms;
      return true;
    };
    if (flag == "--help" || flag == "-h") {
      out.help = true;
      return out;
    } else if (flag == "--host") {
      const std::string* v = value();
      if (v == nullptr || v->empty()) return fail("--host needs an address");
      o.host = *v;
    } else if (flag == "--port") {
      const std::string* v = value();
      if (v == nullptr || !ParseInt(*v, 0, 65535, o.port)) return fail("--port needs 0..65535");
    } else if (flag == "--provider") {
      const std::string* v = value();
      const std::optional<Provider> p = v ? ParseProvider(*v) : std::nullopt;
      if (!p) return fail("--provider must be anthropic or openai");
      o.authority.provider = *p;
    } else if (flag == "--access-ttl") {
      if (!duration(o.authority.access_ttl_ms)) {
        return fail("--access-ttl needs a duration with a unit, e.g. 8h, 30m, 500ms");
      }
    } else if (flag == "--refresh-ttl") {
      if (!duration(o.authority.refresh_ttl_ms) || o.authority.refresh_ttl_ms <= 0) {
        return fail("--refresh-ttl needs a positive duration with a unit, e.g. 30d");
      }
    } else if (flag == "--read-timeout") {
      if (!duration(o.read_timeout_ms) || o.read_timeout_ms < 1 || o.read_timeout_ms > 600000) {
        return fail("--read-timeout needs a duration between 1ms and 10m");
      }
    } else if (flag == "--reuse-policy") {
      const std::string* v = value();
      const std::optional<ReusePolicy> p = v ? ParseReusePolicy(*v) : std::nullopt;
      if (!p) return fail("--reuse-policy must be reject, revoke-family or grace:MS");
      o.authority.reuse = *p;
    } else if (flag == "--race-policy") {
      const std::string* v = value();
      const std::optional<RacePolicy> p = v ? ParseRacePolicy(*v) : std::nullopt;
      if (!p) return fail("--race-policy must be strict or lenient");
      o.authority.race = *p;
    } else if (flag == "--revoke-access-on-refresh") {
      o.authority.revoke_access_on_refresh = true;
    } else if (flag == "--www-authenticate") {
      o.www_authenticate = true;
    } else if (flag == "--no-admin") {
      o.admin = false;
    } else if (flag == "--legacy-endpoint") {
      const std::string* v = value();
      if (v == nullptr || (*v != "none" && (v->empty() || (*v)[0] != '/'))) {
        return fail("--legacy-endpoint needs a path starting with / or none");
      }
      o.legacy_path = *v == "none" ? "" : *v;
    } else if (flag == "--client-id") {
      const std::string* v = value();
      if (v == nullptr || v->empty()) return fail("--client-id needs a value");
      o.authority.allowed_client_ids.push_back(*v);
    } else if (flag == "--seed") {
      const std::string* v = value();
      uint64_t seed = 0;
      if (v == nullptr || !ParseInt<uint64_t>(*v, 0, UINT64_MAX, seed)) {
        return fail("--seed needs an unsigned integer");
      }
      o.seed = seed;
    } else if (flag == "--max-body") {
      const std::string* v = value();
      if (v == nullptr || !ParseInt<size_t>(*v, 256, size_t{16} << 20, o.max_body_bytes)) {
        return fail("--max-body needs 256..16777216");
      }
    } else if (flag == "--workers") {
      const std::string* v = value();
      if (v == nullptr || !ParseInt(*v, 1, 256, o.workers)) return fail("--workers needs 1..256");
    } else if (flag == "--max-families") {
      const std::string* v = value();
      if (v == nullptr || !ParseInt<uint32_t>(*v, 1, 1u << 24, o.authority.max_live_families)) {
        return fail("--max-families needs 1..16777216");
      }
    } else if (flag == "--proxy-port") {
      const std::string* v = value();
      int port = 0;
      if (v == nullptr || !ParseInt(*v, 0, 65535, port)) return fail("--proxy-port needs 0..65535");
      o.proxy_port = port;
    } else if (flag == "--proxy-ca-out") {
      const std::string* v = value();
      if (v == nullptr || v->empty()) return fail("--proxy-ca-out needs a file name");
      o.proxy_ca_out = *v;
    } else if (flag == "--proxy-host") {
      const std::string* v = value();
      if (v == nullptr || !IsPlainDnsName(*v)) {
        return fail("--proxy-host needs a lower-case host name (letters, digits, '-', '.')");
      }
      // The first --proxy-host replaces the defaults; later ones add to it.
      if (!proxy_hosts_given) o.proxy_hosts.clear();
      proxy_hosts_given = true;
      o.proxy_hosts.push_back(*v);
    } else {
      return fail("unknown option: " + flag);
    }
  }
  if (o.proxy_port && o.proxy_ca_out.empty()) {
    return fail("--proxy-port needs --proxy-ca-out FILE: a client must be told which CA to trust");
  }
  if (!o.proxy_port && (!o.proxy_ca_out.empty() || proxy_hosts_given)) {
    return fail("--proxy-ca-out and --proxy-host need --proxy-port");
  }
  // The proxy relays to 127.0.0.1:PORT, so the server must be listening there.
  if (o.proxy_port && o.host != "127.0.0.1" && o.host != "0.0.0.0") {
    return fail("--proxy-port needs --host 127.0.0.1 or 0.0.0.0 (it relays to 127.0.0.1)");
  }
  out.options = std::move(o);
  return out;
}

}  // namespace credsim::oauth
