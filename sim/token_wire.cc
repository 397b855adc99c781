#include "sim/token_wire.h"

#include <string_view>

#include "engine/formats/json_tree.h"
#include "fake_oauth_server/json_writer.h"

namespace credsim::sim {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> FormUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool Assign(oauth::TokenRequest& r, std::string_view key, std::string value) {
  if (key == "grant_type") {
    r.grant_type = oauth::ParseGrantType(value);
  } else if (key == "refresh_token") {
    r.refresh_token = std::move(value);
  } else if (key == "client_id") {
    r.client_id = std::move(value);
  } else if (key == "scope") {
    r.scope = std::move(value);
  } else if (key == "code") {
    r.code = std::move(value);
  } else if (key == "code_verifier") {
    r.code_verifier = std::move(value);
  } else if (key == "redirect_uri") {
    r.redirect_uri = std::move(value);
  } else {
    return false;  // unknown fields are ignored, as the real servers do (refresh_reason)
  }
  return true;
}

DecodedRequest DecodeForm(std::string_view body) {
  DecodedRequest out;
  size_t start = 0;
  for (int fields = 0; start <= body.size() && fields < 64; ++fields) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view pair = body.substr(start, end - start);
    const size_t eq = pair.find('=');
    if (!pair.empty()) {
      if (eq == std::string_view::npos) return {false, "form field without '='", {}};
      auto key = FormUnescape(pair.substr(0, eq));
      auto value = FormUnescape(pair.substr(eq + 1));
      if (!key || !value) return {false, "bad percent escape in form", {}};
      Assign(out.request, *key, std::move(*value));
    }
    start = end + 1;
  }
  out.ok = true;
  return out;
}

DecodedRequest DecodeJson(std::string_view body) {
  auto tree = formats::ParseJsonTree(body);
  if (!tree.ok() || !tree.value().is_object()) return {false, "body is not a JSON object", {}};
  DecodedRequest out;
  for (const formats::JsonMember& m : tree.value().members) {
    if (m.value.kind != formats::JsonKind::kString) {
      if (m.key == "grant_type" || m.key == "refresh_token" || m.key == "client_id") {
        return {false, m.key + " must be a string", {}};
      }
      continue;
    }
    Assign(out.request, m.key, m.value.string);
  }
  out.ok = true;
  return out;
}

}  // namespace

DecodedRequest DecodeTokenRequest(const engine::HttpRequest& http) {
  const std::string_view type = http.content_type;
  if (type.starts_with("application/json")) return DecodeJson(http.body);
  if (type.starts_with("application/x-www-form-urlencoded")) return DecodeForm(http.body);
  return {false, "unsupported content type", {}};
}

bool IsTokenEndpoint(const oauth::Personality& personality, const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t path_at = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::string_view path =
      path_at == std::string::npos ? std::string_view("/") : std::string_view(url).substr(path_at);
  for (std::string_view p : personality.token_paths) {
    if (!p.empty() && p == path) return true;
  }
  return false;
}

engine::HttpResult EncodeTokenReply(const oauth::TokenReply& reply,
                                    const oauth::Personality& personality) {
  engine::HttpResult out;
  out.transport = engine::HttpResult::Transport::kResponse;
  out.status = reply.status;
  oauth::JsonWriter w;
  w.BeginObject();
  if (reply.ok()) {
    const oauth::IssuedTokens& t = reply.tokens;
    w.Field("access_token", t.access_token).Field("token_type", "Bearer");
    w.Field("expires_in", t.expires_in_s).Field("refresh_token", t.refresh_token);
    w.Field("scope", t.scope);
    if (!t.id_token.empty()) w.Field("id_token", t.id_token);
  } else if (reply.error.shape == oauth::ErrorShape::kOpenAiNested) {
    w.Key("error").BeginObject().Field("message", reply.error.description);
    w.Field("type", "invalid_request_error").Key("param").Null();
    w.Field("code", reply.error.nested_code.empty() ? reply.error.error : reply.error.nested_code);
    w.EndObject();
  } else {
    w.Field("error", reply.error.error).Field("error_description", reply.error.description);
  }
  (void)personality;
  w.EndObject();
  out.body = w.Take();
  return out;
}

engine::HttpResult InvalidRequestReply(const std::string& why) {
  engine::HttpResult out;
  out.transport = engine::HttpResult::Transport::kResponse;
  out.status = 400;
  oauth::JsonWriter w;
  w.BeginObject().Field("error", "invalid_request").Field("error_description", why).EndObject();
  out.body = w.Take();
  return out;
}

}  // namespace credsim::sim
