#include "sim/cli/probe_table.h"

#include "base/assert.h"
#include "base/probe.h"

namespace credsim::sim {

ProbeTally::ProbeTally()
    : before_(base::ProbeHits()), worlds_(before_.size(), 0), hits_(before_.size(), 0) {}

void ProbeTally::BeforeWorld() { before_ = base::ProbeHits(); }

void ProbeTally::AfterWorld() {
  const std::vector<uint64_t> now = base::ProbeHits();
  CREDSIM_ASSERT(now.size() == before_.size(), "probes register before main, never later");
  for (size_t i = 0; i < now.size(); ++i) {
    const uint64_t delta = now[i] - before_[i];
    hits_[i] += delta;
    worlds_[i] += delta > 0 ? 1 : 0;
  }
}

void ProbeTally::Print(std::FILE* out) const {
  const std::vector<const base::Probe*> probes = base::SortedProbes();
  std::fprintf(out, "probes: %zu registered, %zu never reached\n", probes.size(),
               Unreached().size());
  std::fprintf(out, "  %-46s %8s %10s  %s\n", "probe", "worlds", "hits", "meaning");
  for (size_t i = 0; i < probes.size(); ++i) {
    std::fprintf(out, "  %-46.*s %8llu %10llu  %.*s\n", static_cast<int>(probes[i]->name().size()),
                 probes[i]->name().data(), (unsigned long long)worlds_[i],
                 (unsigned long long)hits_[i], static_cast<int>(probes[i]->meaning().size()),
                 probes[i]->meaning().data());
  }
}

std::vector<std::string> ProbeTally::Unreached() const {
  const std::vector<const base::Probe*> probes = base::SortedProbes();
  std::vector<std::string> names;
  for (size_t i = 0; i < probes.size(); ++i) {
    if (worlds_[i] == 0) names.emplace_back(probes[i]->name());
  }
  return names;
}

}  // namespace credsim::sim
