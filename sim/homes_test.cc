// Homes: several user accounts, containers or machines in one world. A store path may link to
// another home's file (a shared mount), or be a private copy of the same session. Each test
// states the layout's consequence from the definitions in world_config.h (InitialStore::link_home,
// LockTopology::kFile), not from recorded output.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/choice.h"
#include "sim/run.h"
#include "sim/world.h"

namespace credsim::sim {
namespace {

using engine::StoreId;
using engine::StoreKind;

// Not constexpr: clang 14 cannot evaluate libstdc++'s constexpr std::string (the fuzz preset).
const StoreId kFile{StoreKind::kClaudeFile, ""};

std::string Describe(const RunResult& r) {
  std::string out;
  for (const Violation& v : r.violations) out += FormatViolation(v, false) + "\n";
  for (const Outage& o : r.outages) out += "outage " + DescribeOutage(o) + "\n";
  return out;
}

// A world run to its end, kept so a test can read its stores.
struct FinishedWorld {
  explicit FinishedWorld(const WorldConfig& c) : choices(c.seed), world(c, choices, trace) {
    world.Run();
  }
  PrngChoices choices;
  Trace trace;
  World world;
};

bool Traced(const RunResult& r, const std::string& event) {
  return std::any_of(r.index.begin(), r.index.end(),
                     [&](const Trace::IndexEntry& e) { return e.event == event; });
}

// Two homes whose ~/.claude/.credentials.json is a symlink to one file in a third: four busy
// processes, short tokens and a slow network, so refreshes in both homes overlap often.
WorldConfig LinkedFleet() {
  WorldConfig c;
  c.seed = 11;
  c.duration_ms = 6 * kHourMs;
  c.access_ttl_ms = kHourMs;
  c.net_latency_ms_min = 200;
  c.net_latency_ms_max = 2000;
  c.stores = {{.id = kFile, .home = "shared"},
              {.id = kFile, .home = "box-a", .link_home = "shared"},
              {.id = kFile, .home = "box-b", .link_home = "shared"}};
  for (const char* home : {"box-a", "box-b"}) {
    for (int i = 0; i < 2; ++i) {
      c.consumers.push_back({.name = std::string(home) + "-" + std::to_string(i),
                             .need_every_ms_min = 5 * kSecondMs,
                             .need_every_ms_max = 20 * kSecondMs,
                             .home = home});
    }
  }
  return c;
}

TEST(Homes, LinkedHomesShareOneFileAndTheLockBesideIt) {
  const WorldConfig c = LinkedFleet();
  const FinishedWorld run(c);
  const World& world = run.world;
  const StoreState* shared = world.store(StorePath{"shared", kFile});
  const StoreState* link = world.store(StorePath{"box-a", kFile});
  ASSERT_TRUE(shared && link);
  EXPECT_GE(shared->summary.generation, 6u) << "hourly rotations land in the shared file";
  EXPECT_EQ(link->link_home, "shared") << "the engine writes through the link";
  EXPECT_FALSE(link->exists) << "a link has no bytes of its own";

  RunResult r = RunWorld(c, {});
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.summary.reuse_seen, 0u) << "the lock beside the file excludes both homes";
}

TEST(Homes, HomeLocksAloneLetTwoHomesRaceOnTheirSharedFile) {
  WorldConfig c = LinkedFleet();
  for (ConsumerSpec& s : c.consumers) s.lock = LockTopology::kHome;
  RunResult r = RunWorld(c, {});
  EXPECT_GT(r.summary.reuse_seen, 0u) << "each home's lock excludes only its own processes";
  // One chain, every consumer judged: each of those reuses is the engines' own doing.
  EXPECT_FALSE(r.ok());
}

TEST(Homes, ARenameOverTheLinkForksTheChain) {
  WorldConfig c = LinkedFleet();
  c.consumers.resize(1);
  c.consumers[0].policy = "claude-code-cli";  // renames a temp file over the path
  c.consumers.push_back({.name = "ref-b",
                         .need_every_ms_min = 5 * kMinuteMs,
                         .need_every_ms_max = 5 * kMinuteMs,
                         .home = "box-b"});
  c.stores[0].expired = true;  // Claude Code refreshes at its first use
  const FinishedWorld run(c);
  const World& world = run.world;
  const StoreState* a = world.store(StorePath{"box-a", kFile});
  const StoreState* b = world.store(StorePath{"box-b", kFile});
  const StoreState* shared = world.store(StorePath{"shared", kFile});
  ASSERT_TRUE(a && b && shared);
  EXPECT_FALSE(a->link_home.has_value()) << "box-a's path is now a private regular file";
  EXPECT_FALSE(a->symlink);
  EXPECT_EQ(b->link_home, "shared") << "box-b still reads the shared file";
  EXPECT_GT(a->summary.generation, shared->summary.generation) << "the chain forked";

  RunResult r = RunWorld(c, {.keep_index = true});
  EXPECT_TRUE(Traced(r, "store.symlink_replaced"));
  // The reference in box-b is refused the shared file's spent token; its successor sits in a
  // file box-b cannot read: an outage with that cause, reported, not hidden.
  ASSERT_FALSE(r.outages.empty()) << Describe(r);
  EXPECT_EQ(r.outages[0].consumer, "ref-b");
  EXPECT_EQ(r.outages[0].cause, "out_of_reach");
}

TEST(Homes, PrivateCopiesForkAndTheOutageSaysWhy) {
  // A credentials file copied to a second machine (the headless-login workaround of report 32):
  // two files, one chain. The first machine to refresh spends the other's copy.
  WorldConfig c;
  c.duration_ms = 4 * kHourMs;
  c.access_ttl_ms = kHourMs;
  c.stores = {{.id = kFile, .home = "laptop"}, {.id = kFile, .home = "server"}};
  c.consumers = {{.name = "laptop",
                  .need_every_ms_min = kMinuteMs,
                  .need_every_ms_max = kMinuteMs,
                  .home = "laptop"},
                 {.name = "server",
                  .need_every_ms_min = kMinuteMs,
                  .need_every_ms_max = kMinuteMs,
                  .start_ms = 90 * kMinuteMs,
                  .home = "server"}};
  RunResult r = RunWorld(c, {});
  // Nobody judged could have seen the successor: no reuse is self-inflicted, and the server's
  // outage names the cause.
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_GT(r.summary.reuse_seen, 0u);
  ASSERT_EQ(r.outages.size(), 1u) << Describe(r);
  EXPECT_EQ(r.outages[0].consumer, "server");
  EXPECT_EQ(r.outages[0].cause, "out_of_reach");
}

TEST(Homes, ReplaceSymlinkEventLeavesAPrivateCopyOfTheTarget) {
  WorldConfig c = LinkedFleet();
  c.consumers.resize(1);
  c.consumers[0].need_every_ms_min = c.consumers[0].need_every_ms_max = kDayMs;  // idle
  c.duration_ms = kHourMs;
  c.events = {
      {.at_ms = kMinuteMs, .kind = EventKind::kReplaceSymlink, .store = kFile, .home = "box-b"}};
  const FinishedWorld run(c);
  const World& world = run.world;
  const StoreState* b = world.store(StorePath{"box-b", kFile});
  const StoreState* shared = world.store(StorePath{"shared", kFile});
  ASSERT_TRUE(b && shared);
  EXPECT_FALSE(b->link_home.has_value());
  EXPECT_EQ(b->bytes, shared->bytes) << "the same pair, now in two files";
}

TEST(Homes, AReloginWritesItsConsumersHomeOnly) {
  WorldConfig c;
  c.duration_ms = kHourMs;
  c.stores = {{.id = kFile, .home = "laptop"}, {.id = kFile, .home = "server"}};
  c.consumers = {
      {.name = "s", .need_every_ms_min = kDayMs, .need_every_ms_max = kDayMs, .home = "server"}};
  c.events = {{kMinuteMs, EventKind::kRelogin, "s"}};
  const FinishedWorld run(c);
  const World& world = run.world;
  EXPECT_EQ(world.store(StorePath{"server", kFile})->summary.family, 2u);
  EXPECT_EQ(world.store(StorePath{"laptop", kFile})->summary.family, 1u);
}

}  // namespace
}  // namespace credsim::sim
