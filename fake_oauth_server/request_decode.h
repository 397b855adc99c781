// Decoding request bodies into the authority's TokenRequest, and small JSON objects for the admin
// API. JSON goes through simdjson's DOM parser (it validates the whole document, trailing bytes
// included) with the error-code API: nothing here throws. Forms follow RFC 6749 Appendix B.
//
// Strictness, as in the real servers: known fields must be strings, may appear once (RFC 6749
// §3.2), may not contain control characters and are at most 4 KiB; unknown fields are ignored
// (Codex sends refresh_reason). The body must be a JSON object or a form; any other media type is
// invalid_request.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "fake_oauth_server/authority.h"

namespace credsim::oauth {

enum class BodyKind { kJson, kForm, kOther };

// By the media type of a Content-Type header value (case-insensitive, parameters ignored).
BodyKind BodyKindOf(std::string_view content_type);

struct DecodedTokenRequest {
  bool ok = false;
  std::string error_description;  // when !ok: why it is invalid_request
  BodyKind kind = BodyKind::kOther;
  TokenRequest request;
  std::string grant_type_text;  // the raw grant_type (empty if absent)
};

DecodedTokenRequest DecodeTokenRequest(std::string_view content_type, std::string_view body);

// Fields by name from a JSON object or a form (`kind` chooses), for the device endpoint and the
// admin API. Non-string JSON scalars are kept in their JSON text ("5", "true", "0.25"); nested
// values are refused. nullopt (with a reason) for anything malformed.
using FlatFields = std::map<std::string, std::string, std::less<>>;
std::optional<FlatFields> DecodeFlatFields(BodyKind kind, std::string_view body, std::string* why);

// Same for a JSON array of flat objects (admin fault rules in bulk); at most 64 elements.
std::optional<std::vector<FlatFields>> DecodeFlatArray(std::string_view body, std::string* why);

// Percent-decoding for forms and query strings ('+' is a space); nullopt on a bad escape.
std::optional<std::string> FormUnescape(std::string_view text);
std::string UrlEscape(std::string_view text);

}  // namespace credsim::oauth
