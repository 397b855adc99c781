// no_secret_leak: no token text appears in any trace line (and so in no report built from it).
// It checks every line for the token prefixes both personalities mint ("sk-ant-", "rt_", a JWT's
// "eyJ") and for every exact token the test registers.
//
// Deliberately NOT verified: stderr of the CLI (it prints only trace-derived text and counters),
// and redaction quality (a label like "fam1/rt3" is by design not secret).
#pragma once

#include <string>
#include <vector>

#include "sim/oracles/oracle.h"

namespace credsim::sim {

class NoSecretLeak final : public Oracle {
 public:
  const char* name() const override { return "no_secret_leak"; }
  void OnTraceLine(std::string_view line) override;
  // Exact strings that must never appear (tests register tokens they minted); bounded to 64.
  void Forbid(std::string secret);

 private:
  std::vector<std::string> forbidden_;
};

}  // namespace credsim::sim
