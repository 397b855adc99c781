#include "sim/probes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "base/probe.h"
#include "engine/probes.h"
#include "sim/run.h"
#include "sim/swarm.h"

namespace credsim::sim {
namespace {

uint64_t HitsOf(std::string_view name) {
  for (const base::Probe* p : base::SortedProbes()) {
    if (p->name() == name) return p->hits();
  }
  ADD_FAILURE() << "no probe named " << name;
  return 0;
}

TEST(Probes, EveryProbeIsRegisteredBeforeMainWithAUniqueLayeredName) {
  const auto probes = base::SortedProbes();
  EXPECT_GE(probes.size(), 30u);
  std::set<std::string_view> names;
  for (const base::Probe* p : probes) {
    EXPECT_TRUE(p->name().starts_with("engine.") || p->name().starts_with("sim.")) << p->name();
    EXPECT_FALSE(p->meaning().empty()) << p->name();
    EXPECT_TRUE(names.insert(p->name()).second) << p->name();
  }
  EXPECT_EQ(base::ProbeHits().size(), probes.size());
}

TEST(Probes, ARunHitsTheProbesOfWhatItDid) {
  const uint64_t served = HitsOf("engine.valid_copy_served");
  const uint64_t granted = HitsOf("engine.rotation_granted");
  const uint64_t lost = HitsOf("sim.rotation_answer_lost");
  WorldConfig w;
  w.duration_ms = 2 * kHourMs;
  w.access_ttl_ms = 30 * kMinuteMs;
  w.stores = {{{engine::StoreKind::kClaudeFile, ""}}};
  w.consumers = {ConsumerSpec{.name = "c0"}};
  ASSERT_TRUE(RunWorld(w, {}).ok());
  EXPECT_GT(HitsOf("engine.valid_copy_served"), served);
  EXPECT_GT(HitsOf("engine.rotation_granted"), granted);
  EXPECT_EQ(HitsOf("sim.rotation_answer_lost"), lost);  // nothing was lost in this world
}

TEST(Probes, TheLockKeptForAnUnsavedPairIsReached) {
  // Every store refuses writes right after the first rotation: the engine parks nothing (the
  // rescue store refuses too) and keeps the locks until a store takes the pair.
  const uint64_t kept = HitsOf("engine.locks_kept_for_unsaved_pair");
  WorldConfig w;
  w.duration_ms = 2 * kHourMs;
  w.access_ttl_ms = 30 * kMinuteMs;
  w.stores = {{{engine::StoreKind::kClaudeFile, ""}}};
  w.consumers = {ConsumerSpec{.name = "c0"}, ConsumerSpec{.name = "c1"}};
  w.faults.store_write_fail_per_million = 1'000'000;
  w.faults_until_ms = kHourMs;
  const RunResult r = RunWorld(w, {});
  EXPECT_TRUE(r.ok()) << FormatViolation(r.violations.front(), true);
  EXPECT_GT(HitsOf("engine.locks_kept_for_unsaved_pair"), kept);
}

}  // namespace
}  // namespace credsim::sim
