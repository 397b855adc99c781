// The probe table of a search (base/probe.h): for every registered probe, how many worlds reached
// it and how often. `credsim swarm --probes` prints it; `--require-probes` fails on a zero row.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace credsim::sim {

class ProbeTally {
 public:
  ProbeTally();
  // Around each world: which probes that world reached (hits counted since BeforeWorld).
  void BeforeWorld();
  void AfterWorld();
  // One row per probe, sorted by name: worlds that reached it, total hits, what it means.
  void Print(std::FILE* out) const;
  // Probes no world reached, by name.
  std::vector<std::string> Unreached() const;

 private:
  std::vector<uint64_t> before_;
  std::vector<uint64_t> worlds_;
  std::vector<uint64_t> hits_;
};

}  // namespace credsim::sim
