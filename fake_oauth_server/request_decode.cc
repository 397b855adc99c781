#include "fake_oauth_server/request_decode.h"

#include <simdjson.h>

#include <array>

namespace credsim::oauth {
namespace {

constexpr size_t kMaxFieldBytes = 4096;
constexpr size_t kMaxFields = 64;
constexpr size_t kMaxJsonBytes = 1 << 20;  // the HTTP front refuses far smaller bodies first

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool HasControlCharacter(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// The token request fields this server reads; everything else is ignored.
struct KnownField {
  std::string_view name;
  std::string TokenRequest::*member;  // nullptr: grant_type (kept as text)
};
constexpr std::array<KnownField, 8> kKnownFields = {{
    {"grant_type", nullptr},
    {"refresh_token", &TokenRequest::refresh_token},
    {"code", &TokenRequest::code},
    {"code_verifier", &TokenRequest::code_verifier},
    {"redirect_uri", &TokenRequest::redirect_uri},
    {"client_id", &TokenRequest::client_id},
    {"device_code", &TokenRequest::device_code},
    {"scope", &TokenRequest::scope},
}};

// Stores one field into the request; false (with a reason) if it breaks a rule.
bool Accept(DecodedTokenRequest& out, std::array<bool, kKnownFields.size()>& seen,
            std::string_view key, std::optional<std::string_view> value) {
  for (size_t i = 0; i < kKnownFields.size(); ++i) {
    if (kKnownFields[i].name != key) continue;
    if (seen[i]) {
      out.error_description = "parameter included more than once: " + std::string(key);
      return false;
    }
    seen[i] = true;
    if (!value) {
      out.error_description = std::string(key) + " must be a string";
      return false;
    }
    if (value->size() > kMaxFieldBytes || HasControlCharacter(*value)) {
      out.error_description = std::string(key) + " is malformed";
      return false;
    }
    if (kKnownFields[i].member == nullptr) {
      out.grant_type_text = *value;
    } else {
      out.request.*(kKnownFields[i].member) = *value;
    }
    return true;
  }
  return true;  // unknown: ignored
}

bool DecodeJsonBody(std::string_view body, DecodedTokenRequest& out) {
  if (body.size() > kMaxJsonBytes) {
    out.error_description = "body too large";
    return false;
  }
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
    out.error_description = "body is not valid JSON";
    return false;
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    out.error_description = "body must be a JSON object";
    return false;
  }
  std::array<bool, kKnownFields.size()> seen{};
  size_t fields = 0;
  for (auto field : obj) {
    if (++fields > kMaxFields) {
      out.error_description = "too many fields";
      return false;
    }
    std::string_view s;
    const bool is_string = field.value.get_string().get(s) == simdjson::SUCCESS;
    if (!Accept(out, seen, field.key,
                is_string ? std::optional<std::string_view>(s) : std::nullopt)) {
      return false;
    }
  }
  return true;
}

// Calls fn(key, value) for each pair; false on a bad escape or too many pairs.
template <typename Fn>
bool ForEachFormPair(std::string_view body, std::string* why, Fn fn) {
  size_t pairs = 0;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t end = body.find('&', pos);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view pair = body.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;
    if (++pairs > kMaxFields) {
      *why = "too many parameters";
      return false;
    }
    const size_t eq = pair.find('=');
    const std::optional<std::string> key = FormUnescape(pair.substr(0, eq));
    const std::optional<std::string> value =
        FormUnescape(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) {
      *why = "malformed percent-encoding";
      return false;
    }
    if (!fn(*key, *value)) return false;
  }
  return true;
}

bool DecodeFormBody(std::string_view body, DecodedTokenRequest& out) {
  std::array<bool, kKnownFields.size()> seen{};
  return ForEachFormPair(body, &out.error_description,
                         [&](const std::string& k, const std::string& v) {
                           return Accept(out, seen, k, std::string_view(v));
                         });
}

bool FlatFromObject(simdjson::dom::object obj, FlatFields& out, std::string* why) {
  size_t fields = 0;
  for (auto field : obj) {
    if (++fields > kMaxFields) {
      *why = "too many fields";
      return false;
    }
    std::string value;
    std::string_view s;
    switch (field.value.type()) {
      case simdjson::dom::element_type::STRING:
        if (field.value.get_string().get(s) != simdjson::SUCCESS) {
          *why = "unreadable string";
          return false;
        }
        value = s;
        break;
      case simdjson::dom::element_type::ARRAY:
      case simdjson::dom::element_type::OBJECT:
        *why = "field " + std::string(field.key) + " must be a scalar";
        return false;
      default:
        value = simdjson::to_string(field.value);
        break;
    }
    if (value.size() > kMaxFieldBytes) {
      *why = "field too long";
      return false;
    }
    if (!out.emplace(std::string(field.key), std::move(value)).second) {
      *why = "duplicate field " + std::string(field.key);
      return false;
    }
  }
  return true;
}

}  // namespace

BodyKind BodyKindOf(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  std::string media = Lower(content_type.substr(0, semi));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.pop_back();
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.erase(0, 1);
  if (media == "application/json") return BodyKind::kJson;
  if (media == "application/x-www-form-urlencoded") return BodyKind::kForm;
  return BodyKind::kOther;
}

DecodedTokenRequest DecodeTokenRequest(std::string_view content_type, std::string_view body) {
  DecodedTokenRequest out;
  out.kind = BodyKindOf(content_type);
  if (out.kind == BodyKind::kOther) {
    out.error_description =
        "Content-Type must be application/json or application/x-www-form-urlencoded";
    return out;
  }
  if (body.empty()) {
    out.error_description = "request body is empty";
    return out;
  }
  const bool decoded =
      out.kind == BodyKind::kJson ? DecodeJsonBody(body, out) : DecodeFormBody(body, out);
  if (!decoded) return out;
  out.request.grant_type = ParseGrantType(out.grant_type_text);
  out.ok = true;
  return out;
}

std::optional<FlatFields> DecodeFlatFields(BodyKind kind, std::string_view body, std::string* why) {
  FlatFields out;
  if (kind == BodyKind::kForm) {
    const bool ok = ForEachFormPair(body, why, [&](const std::string& k, const std::string& v) {
      if (v.size() > kMaxFieldBytes || !out.emplace(k, v).second) {
        *why = "duplicate or oversized field " + k;
        return false;
      }
      return true;
    });
    if (!ok) return std::nullopt;
    return out;
  }
  if (kind != BodyKind::kJson) {
    *why = "Content-Type must be application/json";
    return std::nullopt;
  }
  if (body.empty()) return out;  // an empty body is an empty object: all defaults
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (body.size() > kMaxJsonBytes || parser.parse(body.data(), body.size()).get(doc) ||
      doc.get_object().get(obj)) {
    *why = "body must be a JSON object";
    return std::nullopt;
  }
  if (!FlatFromObject(obj, out, why)) return std::nullopt;
  return out;
}

std::optional<std::vector<FlatFields>> DecodeFlatArray(std::string_view body, std::string* why) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array arr;
  if (body.size() > kMaxJsonBytes || parser.parse(body.data(), body.size()).get(doc) ||
      doc.get_array().get(arr)) {
    *why = "body must be a JSON array";
    return std::nullopt;
  }
  std::vector<FlatFields> out;
  for (auto element : arr) {
    simdjson::dom::object obj;
    if (out.size() >= 64 || element.get_object().get(obj)) {
      *why = "expected at most 64 objects";
      return std::nullopt;
    }
    FlatFields fields;
    if (!FlatFromObject(obj, fields, why)) return std::nullopt;
    out.push_back(std::move(fields));
  }
  return out;
}

std::optional<std::string> FormUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      const int hi = hex(text[i + 1]);
      const int lo = hex(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string UrlEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace credsim::oauth
