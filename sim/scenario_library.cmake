# The scenario library: legacy policies, the report writers, their tests and the `scenarios`
# regression gate (scenarios/README.md). Included from sim/CMakeLists.txt.
target_sources(credsim_sim PRIVATE
  policies/legacy_pool.cc
  policies/legacy_reads.cc
  policies/legacy_refresh.cc
  policies/legacy_writeback.cc
)

add_library(credsim_report STATIC
  report/html.cc
  report/junit.cc
  report/timeline.cc
  report/timeline_svg.cc
  report/verdict.cc
)
target_link_libraries(credsim_report PUBLIC credsim_sim)
target_link_libraries(credsim PRIVATE credsim_report)

credsim_test(scenario_format_test
  SOURCES scenario_test.cc
  LIBS credsim_report LABELS unit sim TIMEOUT 120)

credsim_test(report_test
  SOURCES report/junit_test.cc report/html_test.cc
  LIBS credsim_report LABELS unit sim TIMEOUT 120)

credsim_test(report_browser_test
  SOURCES report/browser_test.cc
  LIBS credsim_report LABELS sim browser TIMEOUT 180)

# The whole library under every listed policy: a legacy run that stops failing as its report
# says is a failure, and so is a reference run where any oracle fires.
add_test(NAME scenarios
  COMMAND credsim run ${PROJECT_SOURCE_DIR}/scenarios
          --junit ${CMAKE_BINARY_DIR}/scenarios-junit.xml)
set_tests_properties(scenarios PROPERTIES LABELS "scenarios;sim" TIMEOUT 300)
add_test(NAME scenarios_check COMMAND credsim check ${PROJECT_SOURCE_DIR}/scenarios)
# The published JSON Schema agrees with the parser on the library and on a few rejected files.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME scenarios_schema
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scenarios/check_schema.py
          ${PROJECT_SOURCE_DIR}/scenarios)
set_tests_properties(scenarios_schema PROPERTIES LABELS "scenarios;unit" TIMEOUT 60)
# The swarm command line: a legacy policy with tools off fails some of 20 short worlds, and each
# failure names a replay command that keeps --no-tools (the output decides; the exit code is 1).
add_test(NAME swarm_cli_no_tools
  COMMAND credsim swarm --seeds 20 --minutes 120 --policy RefreshOutsideLock --no-tools)
set_tests_properties(swarm_cli_no_tools PROPERTIES LABELS "sim" TIMEOUT 120
  PASS_REGULAR_EXPRESSION "replay: credsim replay [0-9]+ --minutes 120 --policy RefreshOutsideLock --no-tools")
# stdout and stderr into one pipe keep program order, whole lines: the wall-time line (stderr)
# comes after the summary and before the probe table (stdout), not wherever a buffer flushed.
add_test(NAME swarm_cli_output_in_order
  COMMAND sh -c "\"$1\" swarm --seeds 20 --minutes 120 --policy RefreshOutsideLock --no-tools --probes 2>&1 | awk '/refreshes granted/ { r = NR } /^swarm: [0-9.]+ s wall/ { w = NR } /^  probe / { p = NR } END { exit !(r && w == r + 1 && p > w) }'"
          sh $<TARGET_FILE:credsim>)
set_tests_properties(swarm_cli_output_in_order PROPERTIES LABELS "sim" TIMEOUT 120)
# `credsim swarm --shrink-dir`: each failing world is shrunk into a scenario file as it is found.
add_test(NAME swarm_cli_shrinks
  COMMAND credsim swarm --seeds 12 --minutes 120 --policy RefreshOutsideLock --no-tools
          --shrink-dir ${CMAKE_BINARY_DIR}/swarm-shrunk --shrink-seconds 60)
set_tests_properties(swarm_cli_shrinks PROPERTIES LABELS "sim" TIMEOUT 180
  PASS_REGULAR_EXPRESSION "shrunk: [0-9]+ -> [0-9]+ events, [0-9]+ -> [0-9]+ consumers: credsim run [^ ]*swarm-shrunk/swarm-[0-9]+[.]json")
# The search can see (docs/BENCHMARKS.md, "Bug-finding power"): the canary and seven quick
# mutants are caught within a small budget of swarm seeds, each on a seed where the reference
# holds, or this fails; a change that blinds the swarm (a world it no longer draws, an oracle that
# no longer fires) cannot land green. The second test shows the gate can fail: a mutant whose
# worlds five seeds do not draw is reported missed.
add_test(NAME search_power_gate
  COMMAND credsim mutants --seeds 60 --minutes 360 --policy CanaryNeverWritesBack
          --policy RefreshOutsideLock --policy WriteBackDropsScopes --policy WrongEndpoint
          --policy KeychainFirstRead --policy CorruptStoreReplacedByEmpty
          --policy WriteBackDropsSubscriptionType --policy Unbounded401Retry)
set_tests_properties(search_power_gate PROPERTIES LABELS "sim" TIMEOUT 300)
add_test(NAME search_power_gate_can_fail
  COMMAND credsim mutants --seeds 5 --minutes 60 --policy CooldownBlocksRefresh)
set_tests_properties(search_power_gate_can_fail PROPERTIES LABELS "sim" TIMEOUT 120
  PASS_REGULAR_EXPRESSION "0 of 1 caught within 5 seeds; never caught: CooldownBlocksRefresh")
# `credsim shrink`: the failing world of seed 13 shrunk into a scenario file that `credsim run`
# replays with its expectation met (exit 0), and its tape, which replays to the same oracle.
add_test(NAME shrink_cli
  COMMAND sh -c "\"$1\" shrink 13 --minutes 120 --policy RefreshOutsideLock --no-tools --runs 60 --out \"$2.json\" --tape-out \"$2.tape\"; test $? -eq 1 || exit 9; \"$1\" run \"$2.json\" --policy RefreshOutsideLock || exit 8; \"$1\" replay \"$2.trace.jsonl\" | grep -q '^identical:' || exit 7; \"$1\" replay --tape \"$2.tape\" --minutes 120 --policy RefreshOutsideLock --no-tools | grep -q '^no_self_inflicted_reuse'"
          sh $<TARGET_FILE:credsim> ${CMAKE_BINARY_DIR}/shrunk-13)
set_tests_properties(shrink_cli PROPERTIES LABELS "sim" TIMEOUT 120)
# `credsim run --trace` writes a trace `credsim replay` reruns line for line (exit 1: the legacy
# run fails as its report says, as recorded; the output decides).
add_test(NAME run_trace_replays
  COMMAND sh -c "\"$1\" run \"$2\" --policy KeychainFirstRead --trace \"$3\" >/dev/null; \"$1\" replay \"$3\""
          sh $<TARGET_FILE:credsim> ${PROJECT_SOURCE_DIR}/scenarios/01-keychain-expired-file-fresh.json
          ${CMAKE_BINARY_DIR}/run-trace-01.jsonl)
set_tests_properties(run_trace_replays PROPERTIES LABELS "sim" TIMEOUT 60
  PASS_REGULAR_EXPRESSION "identical: [0-9]+ lines")
set_tests_properties(scenarios_check PROPERTIES LABELS "scenarios;unit" TIMEOUT 60)
# `credsim explore`: the race a plain run misses (the legacy policy holds in the natural order) is
# found with one step out of order, written as a schedule that replays to the same trace; the
# reference holds in every order within the bound (exit 0).
add_test(NAME explore_cli
  COMMAND sh -c "\"$1\" explore \"$2\" --policy RefreshOutsideLock --window 50 --preemptions 0 | grep -q 'every oracle held' || exit 9; \"$1\" explore \"$2\" --policy RefreshOutsideLock --window 50 --out \"$3\"; test $? -eq 1 || exit 8; \"$1\" explore \"$2\" --policy RefreshOutsideLock --schedule \"$3.schedule.json\" --trace \"$3.again.jsonl\"; test $? -eq 1 || exit 7; cmp \"$3.trace.jsonl\" \"$3.again.jsonl\" || exit 6; \"$1\" explore \"$2\" --window 20 --preemptions 2"
          sh $<TARGET_FILE:credsim> ${PROJECT_SOURCE_DIR}/scenarios/explore/two-consumer-refresh-race.json
          ${CMAKE_BINARY_DIR}/explore-race)
set_tests_properties(explore_cli PROPERTIES LABELS "sim" TIMEOUT 120
  PASS_REGULAR_EXPRESSION "every oracle held in every order within the bound \\(exhaustive\\)")
# Decisions the swarm's random worlds do not reach (docs/SIMULATOR.md, "Search power"): a
# compare-and-swap lost to a writer outside the lock, and a copy adopted after a lost or refused
# answer. Exploring the lockless Claude Code races reaches each, and every order holds.
add_test(NAME explore_probes
  COMMAND sh -c "\"$1\" explore \"$2/lockless-tool-write-race.json\" --window 50 --preemptions 2 --require-probe engine.write_conflict_merged --require-probe engine.copy_adopted_after_reuse_answer && \"$1\" explore \"$2/lockless-tool-lost-answer.json\" --window 50 --preemptions 2 --require-probe engine.copy_adopted_after_lost_answer"
          sh $<TARGET_FILE:credsim> ${PROJECT_SOURCE_DIR}/scenarios/explore)
set_tests_properties(explore_probes PROPERTIES LABELS "sim" TIMEOUT 120)
add_test(NAME explore_scenarios_check COMMAND credsim check ${PROJECT_SOURCE_DIR}/scenarios/explore)
set_tests_properties(explore_scenarios_check PROPERTIES LABELS "scenarios;unit" TIMEOUT 60)
# Asking for help is not an error: usage on stdout, exit 0, for the tool and each command.
add_test(NAME cli_help
  COMMAND sh -c "for c in '' run check swarm replay shrink explore mutants policies; do \"$1\" $c --help | grep -q '^usage:' || exit 1; done"
          sh $<TARGET_FILE:credsim>)
set_tests_properties(cli_help PROPERTIES LABELS "unit" TIMEOUT 30)
