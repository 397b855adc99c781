#!/usr/bin/env bash
# Chained-refresh benchmark: fake_oauth_server against the npm peers oauth2-mock-server and
# oidc-provider, all measured by the same C++ load client (fake_oauth_bench) in one run.
#
#   fake_oauth_server/bench/run_peers.sh [BUILD_DIR]     (default: build-release)
#   GRANTS=1000000 REFRESHES=2000 STARTUP_RUNS=10 ...    (environment overrides)
#
# BUILD_DIR must be configured with -DCMAKE_BUILD_TYPE=Release -DCREDSIM_BENCH=ON and have the
# targets fake_oauth_server and fake_oauth_bench built. The peers are installed with npm into a
# temporary directory that is removed at exit. Prints JSON lines, then a Markdown table with ratios.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build-release}"
bench="$build/bench/fake_oauth_bench"
server="$build/bin/fake_oauth_server"
grants="${GRANTS:-1000000}"
refreshes="${REFRESHES:-2000}"
startup_runs="${STARTUP_RUNS:-10}"
for f in "$bench" "$server"; do
  [[ -x "$f" ]] || { echo "missing $f (build fake_oauth_server and fake_oauth_bench)" >&2; exit 2; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here"/peer_*.mjs "$work/"
(cd "$work" && npm init -y >/dev/null &&
  npm install --no-audit --no-fund --silent oauth2-mock-server oidc-provider >/dev/null)
peer_versions="$(cd "$work" && node -e '
  const v = n => require("./node_modules/" + n + "/package.json").version;
  console.log(`oauth2-mock-server ${v("oauth2-mock-server")}, oidc-provider ${v("oidc-provider")}, node ${process.version}`)')"

results="$work/results.jsonl"
"$bench" http --name fake_oauth_server --startup-runs "$startup_runs" --refreshes "$refreshes" \
  --grants "$grants" --client-id bench -- "$server" --seed 1 | tee -a "$results"
"$bench" http --name oauth2-mock-server --startup-runs "$startup_runs" --refreshes "$refreshes" \
  --login stdout --token-path /token --form --client-id bench \
  -- node "$work/peer_oauth2_mock_server.mjs" | tee -a "$results"
"$bench" http --name oidc-provider --startup-runs "$startup_runs" --refreshes "$refreshes" \
  --login stdout --token-path /token --form --client-id bench \
  -- node "$work/peer_oidc_provider.mjs" | tee -a "$results"
"$bench" inprocess --grants "$grants" | tee -a "$results"

echo
echo "peers: $peer_versions; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const by = n => rows.find(r => r.name === n);
  const us = by("fake_oauth_server");
  const mib = k => (k / 1024).toFixed(1);
  console.log("| server | chained refreshes/s | p50 µs | p99 µs | start-up ms (median / max) | idle RSS MiB | ours vs. it |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows.filter(r => r.refreshes !== undefined)) {
    const ratio = r === us ? "—" : (us.grants_per_s / r.grants_per_s).toFixed(1) + "×";
    console.log(`| ${r.name} | ${r.grants_per_s} | ${r.p50_us} | ${r.p99_us} | ${r.startup_ms_median} / ${r.startup_ms_max} | ${mib(r.idle_rss_kib)} | ${ratio} |`);
  }
  if (us.rss_after_kib > 0) console.log(`\nfake_oauth_server RSS after ${us.grants_total} grants over HTTP: ${mib(us.rss_after_kib)} MiB (${us.long_run_grants_per_s} grants/s sustained)`);
  const ip = by("in-process authority");
  console.log(`in-process authority: ${ip.grants} grants at ${ip.grants_per_s}/s, process RSS ${mib(ip.rss_before_kib)} -> ${mib(ip.rss_after_kib)} MiB`);
' "$results"
