#!/usr/bin/env python3
"""Validates scenario files against scenarios/scenario.schema.json (JSON Schema 2020-12).

`credsim check` is the authority on scenario files; this test keeps the published schema, which
editors use for completion and users may use in their own CI, from drifting away from it: every
file the parser accepts in the library must validate, and a few files it rejects must not.
Exit codes: 0 all as expected, 1 a mismatch, 2 usage or a missing dependency.
"""
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    print("check_schema: python3-jsonschema is missing (ci/deps installs it)", file=sys.stderr)
    sys.exit(2)


def main(argv):
    if len(argv) != 2:
        print("usage: check_schema.py SCENARIO_DIR", file=sys.stderr)
        return 2
    directory = pathlib.Path(argv[1])
    schema = json.loads((directory / "scenario.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(p for p in directory.glob("*.json") if p.name != "scenario.schema.json")
    failed = 0
    for path in files:
        errors = sorted(validator.iter_errors(json.loads(path.read_text())), key=str)
        for error in errors[:3]:
            print(f"{path.name}: {error.json_path}: {error.message}")
        failed += bool(errors)
    # Files the parser rejects (scenario_test.cc has the parser's side) must not validate either.
    base = json.loads(files[0].read_text())
    rejected = {
        "unknown top-level key": {**base, "durration": "1h"},
        "unknown event": {**base, "events": [{"at": "1m", "do": "explode"}]},
        "unknown outage cause": {**base, "expect": {"reference": {"outages": [
            {"consumer": "*", "cause": "bad_luck", "window": ["0s", "1m"]}]}}},
        "unknown oracle": {**base, "expect": {"X": {"oracle": "nope", "consumer": "*",
                                                     "window": ["0s", "1m"]}}},
        "bad lock": {**base, "consumers": [{"name": "a", "lock": "dir"}]},
    }
    for what, doc in rejected.items():
        if validator.is_valid(doc):
            print(f"schema accepts a file credsim check rejects: {what}")
            failed += 1
    print(f"{len(files) + len(rejected) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
