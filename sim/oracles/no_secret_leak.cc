#include "sim/oracles/no_secret_leak.h"

namespace credsim::sim {

void NoSecretLeak::Forbid(std::string secret) {
  if (forbidden_.size() < 64 && !secret.empty()) forbidden_.push_back(std::move(secret));
}

void NoSecretLeak::OnTraceLine(std::string_view line) {
  static constexpr std::string_view kPrefixes[] = {"sk-ant-", "\"rt_", "eyJ"};
  for (std::string_view p : kPrefixes) {
    if (line.find(p) != std::string_view::npos) {
      Fire("", 0, "token-looking text (" + std::string(p) + ") in a trace line");
      return;
    }
  }
  for (const std::string& s : forbidden_) {
    if (line.find(s) != std::string_view::npos) {
      Fire("", 0, "a registered secret appears in a trace line");
      return;
    }
  }
}

}  // namespace credsim::sim
