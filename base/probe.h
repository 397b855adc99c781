// Coverage probes: named states a search should reach ("sometimes" assertions). An assertion says
// a bad state never happens; a probe says an interesting state happens at least once over a
// search, so a generator that has quietly stopped drawing the worlds that matter is visible.
//
// Each probe is an object at namespace scope, so it is registered before main runs and one that
// never fires still shows up, with zero hits (`credsim swarm --probes`, `--require-probes`). The
// catalogues are engine/probes.h (the engine's decisions) and sim/probes.h (the world's states).
//
// Header-only and dependency-free, like base/assert.h, so every layer can declare probes without
// linking the others. Hits are relaxed atomics: the fake server hits probes from many threads,
// and a count never feeds back into a run, so runs stay deterministic.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/assert.h"

namespace credsim::base {

class Probe;

// Every probe linked into the program, in registration order (across files: unspecified; list
// them through SortedProbes for a stable order).
inline std::vector<Probe*>& ProbeRegistry() {
  static std::vector<Probe*> probes;  // a function-local static: safe during static init
  return probes;
}

class Probe {
 public:
  // `name`: "layer.what_happened", unique; `meaning`: one line for the probe table.
  Probe(std::string_view name, std::string_view meaning) : name_(name), meaning_(meaning) {
    CREDSIM_ASSERT(!name.empty() && !meaning.empty());
    CREDSIM_ASSERT(name.find('.') != std::string_view::npos, "names are layer.what_happened");
    for (const Probe* p : ProbeRegistry()) {
      CREDSIM_ASSERT(p->name_ != name, "two probes with one name");
    }
    ProbeRegistry().push_back(this);
  }
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  void Hit() { hits_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::string_view name() const { return name_; }
  std::string_view meaning() const { return meaning_; }

 private:
  std::string_view name_, meaning_;
  std::atomic<uint64_t> hits_{0};
};

inline std::vector<const Probe*> SortedProbes() {
  std::vector<const Probe*> probes(ProbeRegistry().begin(), ProbeRegistry().end());
  std::sort(probes.begin(), probes.end(),
            [](const Probe* a, const Probe* b) { return a->name() < b->name(); });
  return probes;
}

// The hit count of every probe, in SortedProbes order: take one before and one after a run to
// learn which probes that run reached.
inline std::vector<uint64_t> ProbeHits() {
  std::vector<uint64_t> hits;
  for (const Probe* p : SortedProbes()) hits.push_back(p->hits());
  return hits;
}

}  // namespace credsim::base
