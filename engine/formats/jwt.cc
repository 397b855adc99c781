// JWT payload claims (time_units.h), decoded without verifying the signature: the engine only needs
// the expiry and identity hints that Codex itself reads from its own tokens.
#include <simdjson.h>

#include <cmath>

#include "engine/formats/base64url.h"
#include "engine/formats/json_tree.h"
#include "engine/formats/time_units.h"

namespace credsim::formats {
namespace {

// The decoded payload object, parsed by a parser of its own so that a JWT can be inspected while a
// store document parsed by json_dom.cc is still being read.
std::optional<simdjson::dom::object> PayloadObject(std::string_view jwt) {
  if (jwt.size() > kMaxDocumentBytes) return std::nullopt;
  const size_t first_dot = jwt.find('.');
  if (first_dot == std::string_view::npos) return std::nullopt;
  const size_t second_dot = jwt.find('.', first_dot + 1);
  // header.payload.signature: exactly three segments; the signature may be empty (alg "none").
  if (second_dot == std::string_view::npos) return std::nullopt;
  if (jwt.find('.', second_dot + 1) != std::string_view::npos) return std::nullopt;
  const std::optional<std::string> payload =
      internal::DecodeBase64Url(jwt.substr(first_dot + 1, second_dot - first_dot - 1));
  if (!payload.has_value()) return std::nullopt;
  thread_local simdjson::dom::parser parser(kMaxDocumentBytes);
  if (parser.max_depth() != kMaxNestingDepth + 1 &&
      parser.allocate(512, kMaxNestingDepth + 1) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  simdjson::dom::object object;
  if (parser.parse(*payload).get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  return object;
}

}  // namespace

std::optional<int64_t> JwtExpirySeconds(std::string_view jwt) {
  const std::optional<simdjson::dom::object> payload = PayloadObject(jwt);
  if (!payload.has_value()) return std::nullopt;
  simdjson::dom::element exp;
  if (payload->at_key("exp").get(exp) != simdjson::SUCCESS) return std::nullopt;
  int64_t seconds = 0;
  if (exp.get_int64().get(seconds) == simdjson::SUCCESS) return seconds;
  double number = 0;
  if (exp.get_double().get(number) == simdjson::SUCCESS && std::isfinite(number) &&
      std::fabs(number) < 9.2e18) {
    return static_cast<int64_t>(std::floor(number));  // NumericDate may carry a fraction
  }
  return std::nullopt;
}

std::optional<std::string> JwtStringClaim(std::string_view jwt, std::string_view claim) {
  const std::optional<simdjson::dom::object> payload = PayloadObject(jwt);
  if (!payload.has_value()) return std::nullopt;
  std::string_view value;
  if (payload->at_key(claim).get_string().get(value) != simdjson::SUCCESS) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> JwtOpenAiAccountId(std::string_view jwt) {
  const std::optional<simdjson::dom::object> payload = PayloadObject(jwt);
  if (!payload.has_value()) return std::nullopt;
  std::string_view value;
  if (payload->at_key("https://api.openai.com/auth")
          .at_key("chatgpt_account_id")
          .get_string()
          .get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return std::string(value);
}

}  // namespace credsim::formats
