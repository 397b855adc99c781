#include "live/live_server.h"

#include <httplib.h>
#include <signal.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "base/assert.h"
#include "base/json_string.h"
#include "live/files.h"

namespace credsim::live {
namespace {

constexpr int kAdminTimeoutS = 10;

// A JSON document of one string member, e.g. {"token":"..."}: the text escaped as every trace
// line escapes its values (base/json_string.h).
std::string OneMember(std::string_view key, std::string_view value) {
  std::string out = "{";
  base::AppendJsonString(out, key);
  out += ':';
  base::AppendJsonString(out, value);
  return out + "}";
}
std::string StringAt(simdjson::dom::element e, const char* key) {
  std::string_view v;
  return e[key].get_string().get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
}

int64_t IntAt(simdjson::dom::element e, const char* key) {
  int64_t v = 0;
  if (e[key].get_int64().get(v) != simdjson::SUCCESS) return 0;
  return v;
}

}  // namespace

bool LiveServer::Start(const ServerSettings& s, std::string* why) {
  CREDSIM_ASSERT(!child_, "one server per LiveServer");
  child_ = std::make_unique<ChildProcess>();
  const std::string out = s.work_dir + "/server.out";
  const std::string err = s.work_dir + "/server.err";
  const std::string command = "exec '" + s.binary + "' --port 0 --provider " + s.provider +
                              " --access-ttl " + s.access_ttl + " --reuse-policy " +
                              s.reuse_policy + " --seed " + std::to_string(s.seed);
  if (!child_->Start(command, {}, out, err, why)) return false;
  for (int i = 0; i < 500; ++i) {  // up to 5 s for the first line
    const std::string text = ReadWholeFile(out);
    const size_t nl = text.find('\n');
    if (nl != std::string::npos) {
      base_url_ = text.substr(0, nl);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  constexpr std::string_view kPrefix = "http://127.0.0.1:";
  if (!base_url_.starts_with(kPrefix)) {
    *why = "fake_oauth_server did not start: " + ReadWholeFile(err);
    Stop();
    return false;
  }
  host_ = "127.0.0.1";
  port_ = std::stoi(base_url_.substr(kPrefix.size()));
  return true;
}

void LiveServer::Stop() {
  if (!child_ || !child_->running()) return;
  kill(child_->pid(), SIGTERM);
  child_->Wait(std::chrono::milliseconds(5000));
}

namespace {
std::unique_ptr<httplib::Client> Admin(const std::string& host, int port) {
  auto c = std::make_unique<httplib::Client>(host, port);
  c->set_connection_timeout(kAdminTimeoutS, 0);
  c->set_read_timeout(kAdminTimeoutS, 0);
  return c;
}
}  // namespace

std::optional<std::string> LiveServer::Login(const std::string& client_id, std::string* why) {
  auto r = Admin(host_, port_)
               ->Post("/admin/login", OneMember("client_id", client_id), "application/json");
  if (!r || r->status != 200) {
    *why = r ? "POST /admin/login: HTTP " + std::to_string(r->status) : "server unreachable";
    return std::nullopt;
  }
  return r->body;
}

namespace {
std::string RefreshBody(std::string_view refresh_token, std::string_view client_id) {
  std::string body = R"({"grant_type":"refresh_token","refresh_token":)";
  base::AppendJsonString(body, refresh_token);
  body += R"(,"client_id":)";
  base::AppendJsonString(body, client_id);
  return body + "}";
}
}  // namespace

std::optional<std::string> LiveServer::Refresh(const std::string& refresh_token,
                                               const std::string& client_id, std::string* why) {
  // /v1/oauth/token: every personality answers it (fake_oauth_server/README.md, "Contracts").
  auto r = Admin(host_, port_)
               ->Post("/as/credsim-live-setup/v1/oauth/token",
                      RefreshBody(refresh_token, client_id), "application/json");
  if (!r || r->status != 200) {
    *why = r ? "the setup's refresh: HTTP " + std::to_string(r->status) : "server unreachable";
    return std::nullopt;
  }
  return r->body;
}

bool LiveServer::AddFault(const std::string& rule_json, std::string* why) {
  auto r = Admin(host_, port_)->Post("/admin/faults", rule_json, "application/json");
  if (r && r->status == 200) return true;
  *why = r ? r->body : "server unreachable";
  return false;
}

bool LiveServer::ClearFaults() {
  auto r = Admin(host_, port_)->Delete("/admin/faults");
  return r && r->status == 200;
}

bool LiveServer::AdvanceClock(int64_t ms) {
  auto r =
      Admin(host_, port_)
          ->Post("/admin/clock", "{\"advance_ms\":" + std::to_string(ms) + "}", "application/json");
  return r && r->status == 200;
}

bool LiveServer::RevokeFamily(uint32_t family_id) {
  auto r = Admin(host_, port_)
               ->Post("/admin/families/" + std::to_string(family_id) + "/revoke", "",
                      "application/json");
  return r && r->status == 200;
}

std::vector<ServerLogEntry> LiveServer::Log(uint64_t after_seq) {
  std::vector<ServerLogEntry> out;
  auto admin = Admin(host_, port_);
  simdjson::dom::parser parser;
  uint64_t since = after_seq;
  for (int page = 0; page < 64; ++page) {  // the server holds at most 4096 entries
    auto r = admin->Get("/admin/log?limit=1000&since=" + std::to_string(since));
    if (!r || r->status != 200) break;
    simdjson::dom::element doc;
    if (parser.parse(r->body).get(doc) != simdjson::SUCCESS) break;
    simdjson::dom::array entries;
    if (doc["entries"].get_array().get(entries) != simdjson::SUCCESS) break;
    size_t n = 0;
    for (simdjson::dom::element e : entries) {
      ServerLogEntry x;
      x.seq = static_cast<uint64_t>(IntAt(e, "seq"));
      x.now_ms = IntAt(e, "now_ms");
      x.endpoint = StringAt(e, "endpoint");
      x.grant = StringAt(e, "grant");
      x.outcome = StringAt(e, "outcome");
      x.label = StringAt(e, "token");
      x.fault = StringAt(e, "fault");
      x.tag = StringAt(e, "tag");
      x.status = static_cast<int>(IntAt(e, "status"));
      x.family_id = static_cast<uint32_t>(IntAt(e, "family_id"));
      x.presented_generation = static_cast<uint32_t>(IntAt(e, "presented_generation"));
      x.generation = static_cast<uint32_t>(IntAt(e, "generation"));
      since = x.seq;
      out.push_back(std::move(x));
      ++n;
    }
    if (n < 1000) break;
  }
  return out;
}

TokenInspection LiveServer::Inspect(const std::string& token) {
  TokenInspection t;
  auto r =
      Admin(host_, port_)->Post("/admin/inspect", OneMember("token", token), "application/json");
  if (!r || r->status != 200) return t;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r->body).get(doc) != simdjson::SUCCESS) return t;
  t.label = StringAt(doc, "label");
  t.kind = StringAt(doc, "kind");
  t.state = StringAt(doc, "state");
  return t;
}

bool LiveServer::ResourceAccepts(const std::string& token) {
  auto c = Admin(host_, port_);
  auto r = c->Get("/as/credsim-live-check/v1/messages", {{"Authorization", "Bearer " + token}});
  return r && r->status == 200;
}

}  // namespace credsim::live
