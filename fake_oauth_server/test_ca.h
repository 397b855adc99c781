// A throw-away certificate authority made at run time, for the CONNECT proxy (connect_proxy.h).
//
// Why: a client with a fixed https token URL (Claude Code,
// docs/REAL_CLIENTS.md#claude-code-endpoints) can be pointed at the fake server only by a proxy
// that terminates its TLS, and the client must trust whoever signed the proxy's certificate. A CA
// generated at start-up, whose private key exists only in this process's memory, means no key is
// ever checked in or left on disk, and the certificate a test tells its client to trust is
// worthless once the process exits.
//
// Shapes chosen for Node 20's TLS stack (what Claude Code runs on): EC P-256 keys, SHA-256
// signatures, a subjectAltName on the leaf (Node ignores the CN), short validity.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace credsim::oauth {

struct X509Free {
  void operator()(X509* cert) const;
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const;
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// Always false; `why` (if not null) becomes `what` followed by every queued OpenSSL error, and the
// thread's error queue is drained so the next failure does not report this one's causes.
bool OpenSslFailure(std::string* why, const std::string& what);

struct CertifiedKey {
  X509Ptr cert;
  EvpPkeyPtr key;
};

// The CA (CN "credsim throw-away test CA", CA:TRUE critical, keyUsage keyCertSign, valid from one
// hour ago, to tolerate clock skew, for two days) and one leaf it signed for `dns_names` plus
// IP:127.0.0.1 (extendedKeyUsage serverAuth).
struct ThrowAwayCa {
  CertifiedKey ca;
  CertifiedKey leaf;
};

// A name fit for a subjectAltName: lower-case letters, digits, '-' and '.', 1..253 characters, no
// empty label. Anything else is refused rather than escaped, because the name is also matched
// against CONNECT targets and must mean exactly one host.
bool IsPlainDnsName(const std::string& name);

// nullopt with a reason in *why on any OpenSSL failure or an unfit name.
std::optional<ThrowAwayCa> MakeThrowAwayCa(const std::vector<std::string>& dns_names,
                                           std::string* why);

// The certificate as PEM text (what a client's trust store takes, e.g. NODE_EXTRA_CA_CERTS).
std::string CertificatePem(X509* cert);

// Writes `contents` to `path` through a temporary file in the same directory and a rename, so a
// client that polls for the file never reads half of it. Mode 0644: only public data goes here.
bool WritePublicFileAtomically(const std::string& path, const std::string& contents,
                               std::string* why);

}  // namespace credsim::oauth
