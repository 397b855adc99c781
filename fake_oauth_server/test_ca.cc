#include "fake_oauth_server/test_ca.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/assert.h"

namespace credsim::oauth {

void X509Free::operator()(X509* cert) const { X509_free(cert); }
void EvpPkeyFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

namespace {

template <auto kFree>
struct FreeWith {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};
using BignumPtr = std::unique_ptr<BIGNUM, FreeWith<BN_free>>;
using BioPtr = std::unique_ptr<BIO, FreeWith<BIO_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, FreeWith<X509_EXTENSION_free>>;

constexpr long kValidFromSecondsAgo = 3600;           // clock skew between this host and a client
constexpr long kValidForSeconds = 2L * 24 * 60 * 60;  // long enough for a soak, useless after it

bool SetRandomSerial(X509* cert) {
  unsigned char bytes[16];  // RFC 5280 §4.1.2.2: positive, unpredictable, at most 20 octets
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  BignumPtr serial(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!serial) return false;
  if (BN_is_zero(serial.get()) && BN_one(serial.get()) != 1) return false;  // zero is not allowed
  return BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool SetSubject(X509* cert, const std::string& common_name) {
  X509_NAME* name = X509_get_subject_name(cert);
  const auto add = [name](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0) == 1;
  };
  return add("O", "credsim") && add("CN", common_name);
}

// `value` is in openssl.cnf syntax ("critical,CA:TRUE"); the issuer is consulted for
// authorityKeyIdentifier, the subject for subjectKeyIdentifier.
bool AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Everything but the issuer's extensions and signature: version 3, serial, validity, subject, key.
X509Ptr NewCertificate(EVP_PKEY* subject_key, const std::string& common_name) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 || !SetRandomSerial(cert.get()) ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kValidFromSecondsAgo) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidForSeconds) == nullptr ||
      !SetSubject(cert.get(), common_name) || X509_set_pubkey(cert.get(), subject_key) != 1) {
    return nullptr;
  }
  return cert;
}

std::optional<CertifiedKey> MakeCa(std::string* why) {
  CertifiedKey ca{.key = EvpPkeyPtr(EVP_EC_gen("P-256"))};
  if (!ca.key) return OpenSslFailure(why, "cannot generate the CA key"), std::nullopt;
  ca.cert = NewCertificate(ca.key.get(), "credsim throw-away test CA");
  X509* c = ca.cert.get();
  if (c == nullptr || X509_set_issuer_name(c, X509_get_subject_name(c)) != 1 ||
      !AddExtension(c, c, NID_basic_constraints, "critical,CA:TRUE") ||
      !AddExtension(c, c, NID_key_usage, "critical,keyCertSign") ||
      !AddExtension(c, c, NID_subject_key_identifier, "hash") ||
      X509_sign(c, ca.key.get(), EVP_sha256()) <= 0) {
    return OpenSslFailure(why, "cannot make the CA certificate"), std::nullopt;
  }
  return ca;
}

std::optional<CertifiedKey> MakeLeaf(const CertifiedKey& ca,
                                     const std::vector<std::string>& dns_names, std::string* why) {
  std::string alt_names;
  for (const std::string& name : dns_names) alt_names += "DNS:" + name + ",";
  // Some clients reach the proxy's upstream by address; the leaf covers that too.
  alt_names += "IP:127.0.0.1";
  CertifiedKey leaf{.key = EvpPkeyPtr(EVP_EC_gen("P-256"))};
  if (!leaf.key) return OpenSslFailure(why, "cannot generate the leaf key"), std::nullopt;
  leaf.cert = NewCertificate(leaf.key.get(), dns_names.empty() ? "127.0.0.1" : dns_names[0]);
  X509* c = leaf.cert.get();
  X509* issuer = ca.cert.get();
  if (c == nullptr || X509_set_issuer_name(c, X509_get_subject_name(issuer)) != 1 ||
      !AddExtension(c, issuer, NID_basic_constraints, "critical,CA:FALSE") ||
      // digitalSignature: an ECDSA key signs the (EC)DHE handshake; it never encrypts.
      !AddExtension(c, issuer, NID_key_usage, "critical,digitalSignature") ||
      !AddExtension(c, issuer, NID_ext_key_usage, "serverAuth") ||
      !AddExtension(c, issuer, NID_subject_alt_name, alt_names) ||
      !AddExtension(c, issuer, NID_subject_key_identifier, "hash") ||
      !AddExtension(c, issuer, NID_authority_key_identifier, "keyid:always") ||
      X509_sign(c, ca.key.get(), EVP_sha256()) <= 0) {
    return OpenSslFailure(why, "cannot make the leaf certificate"), std::nullopt;
  }
  return leaf;
}

}  // namespace

bool IsPlainDnsName(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  char previous = '\0';
  for (const char ch : name) {
    const bool fits =
        (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
    if (!fits || (ch == '.' && previous == '.')) return false;
    previous = ch;
  }
  return true;
}

std::optional<ThrowAwayCa> MakeThrowAwayCa(const std::vector<std::string>& dns_names,
                                           std::string* why) {
  for (const std::string& name : dns_names) {
    if (!IsPlainDnsName(name)) {
      if (why != nullptr) *why = "not a plain host name for a certificate: " + name;
      return std::nullopt;
    }
  }
  std::optional<CertifiedKey> ca = MakeCa(why);
  if (!ca) return std::nullopt;
  std::optional<CertifiedKey> leaf = MakeLeaf(*ca, dns_names, why);
  if (!leaf) return std::nullopt;
  return ThrowAwayCa{.ca = std::move(*ca), .leaf = std::move(*leaf)};
}

std::string CertificatePem(X509* cert) {
  CREDSIM_ASSERT(cert != nullptr);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    ERR_clear_error();
    return "";
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

bool WritePublicFileAtomically(const std::string& path, const std::string& contents,
                               std::string* why) {
  std::string temp = path + ".tmp.XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    if (why != nullptr) *why = "cannot create a file beside " + path + ": " + std::strerror(errno);
    return false;
  }
  // The first failing step's errno is the one worth reporting; cleanup must not overwrite it.
  const auto give_up = [&](const char* step, bool fd_open) {
    const int cause = errno;
    if (fd_open) close(fd);
    unlink(temp.c_str());
    if (why != nullptr) *why = std::string(step) + " " + path + ": " + std::strerror(cause);
    return false;
  };
  if (fchmod(fd, 0644) != 0) return give_up("cannot chmod a temporary file for", true);
  for (size_t written = 0; written < contents.size();) {
    const ssize_t n = write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return give_up("cannot write a temporary file for", true);
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return give_up("cannot sync a temporary file for", true);
  if (close(fd) != 0) return give_up("cannot close a temporary file for", false);
  if (std::rename(temp.c_str(), path.c_str()) != 0) return give_up("cannot rename onto", false);
  return true;
}

bool OpenSslFailure(std::string* why, const std::string& what) {
  std::string message = what;
  char text[256];
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    ERR_error_string_n(e, text, sizeof text);
    message += ": ";
    message += text;
  }
  if (why != nullptr) *why = message;
  return false;
}

}  // namespace credsim::oauth
