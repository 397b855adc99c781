// PKCE (RFC 7636): only S256 is accepted. `plain` is allowed by the RFC but no client credsim
// models uses it, and accepting it would let a client that forgot to hash pass against this server
// and fail against the real ones.
#pragma once

#include <string>
#include <string_view>

namespace credsim::oauth {

// BASE64URL(SHA256(ASCII(code_verifier))), RFC 7636 §4.2.
std::string S256Challenge(std::string_view code_verifier);

// RFC 7636 §4.1: 43..128 characters of [A-Z a-z 0-9 - . _ ~].
bool IsWellFormedVerifier(std::string_view code_verifier);

// A challenge is the base64url of 32 bytes: exactly 43 characters of the base64url alphabet.
bool IsWellFormedS256Challenge(std::string_view code_challenge);

// True when the verifier is well formed and hashes to the challenge (compared in constant time).
bool VerifyS256(std::string_view code_verifier, std::string_view code_challenge);

}  // namespace credsim::oauth
