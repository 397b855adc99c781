#!/usr/bin/env python3
"""ci/check_examples.py CREDSIM: the example CI files a user copies still parse and still match the
programs they call. ci/github-actions.yml must be a workflow with the build, scenarios, swarm
(sharded by a matrix as wide as SWARM_SHARDS), live and fuzz-smoke jobs; every `credsim` command in
it names a real subcommand and only options that subcommand's usage lists; the presets it builds
exist. ci/k8s/swarm-indexed-job.yaml must be an Indexed Job whose shard count matches its
completions. Exit 0 when all hold, 1 with the reasons otherwise. Needs python3-yaml."""
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
problems = []


def check(ok, message):
    if not ok:
        problems.append(message)


def usage(credsim, sub):
    args = [credsim, sub, "--help"] if sub == "live" else [credsim, "--help"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=30)
    return out.stdout + out.stderr


def credsim_commands(text):
    """Each `credsim SUB ...` invocation, with shell line continuations joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    return re.findall(r"bin/credsim (\w+)([^\n|&;]*)", joined)


def main():
    credsim = sys.argv[1]
    workflow_text = (ROOT / "ci/github-actions.yml").read_text()
    workflow = yaml.safe_load(workflow_text)
    jobs = workflow.get("jobs", {})
    for job in ("build", "scenarios", "swarm", "live", "fuzz-smoke"):
        check(job in jobs, f"github-actions.yml: no job {job}")
    shards = int(workflow.get("env", {}).get("SWARM_SHARDS", "0"))
    matrix = jobs.get("swarm", {}).get("strategy", {}).get("matrix", {}).get("shard", [])
    check(matrix == list(range(shards)), f"swarm matrix {matrix} is not 0..SWARM_SHARDS-1")
    for name, job in jobs.items():
        check(job.get("runs-on") and job.get("steps"), f"job {name}: runs-on and steps required")
    presets = {p["name"] for p in json.loads((ROOT / "CMakePresets.json").read_text())
               ["configurePresets"]}
    for preset in re.findall(r"cmake --preset (\w+)", workflow_text):
        check(preset in presets, f"github-actions.yml builds preset {preset}, which does not exist")
    commands = credsim_commands(workflow_text)
    check(len(commands) >= 3, "github-actions.yml: expected credsim run, swarm and live commands")
    for sub, rest in commands:
        rest = re.sub(r"'[^']*'", "''", rest)  # a consumer's own command is not credsim's
        text = usage(credsim, sub)
        check(re.search(rf"\bcredsim {sub}\b", text), f"credsim has no subcommand {sub}")
        for option in re.findall(r"(?<![\w-])(--[a-z0-9-]+)", rest):
            check(option in text, f"credsim {sub} does not take {option} (usage: credsim {sub})")

    job = yaml.safe_load((ROOT / "ci/k8s/swarm-indexed-job.yaml").read_text())
    spec = job.get("spec", {})
    check(job.get("kind") == "Job" and spec.get("completionMode") == "Indexed",
          "swarm-indexed-job.yaml: not an Indexed Job")
    args = " ".join(spec["template"]["spec"]["containers"][0].get("args", []))
    shard = re.search(r'--shard "\$JOB_COMPLETION_INDEX/(\d+)"', args)
    check(shard and int(shard.group(1)) == spec.get("completions"),
          "swarm-indexed-job.yaml: --shard N must equal completions")
    for option in re.findall(r"(?<![\w-])(--[a-z0-9-]+)", args):
        check(option in usage(credsim, "swarm"), f"credsim swarm does not take {option}")

    for p in problems:
        print("ci/check_examples:", p)
    print("ci/check_examples:", "ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
