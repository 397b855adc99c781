#!/usr/bin/env python3
"""owner_acceptance_test.py PROBE CORPUS_DIR...: the engine reads each store as its owner does.

For every corpus file, and for a set of edge cases written here, the engine's JSON-level verdict
(acceptance_probe) is compared with the reader of the store's owner:
  - Claude files: Node's JSON.parse (Claude Code). Modelled as Python's json without NaN/Infinity
    literals (JSON.parse refuses them; ECMA-404) and without a depth limit (JSON.parse has none).
  - the agent's auth.json: Python's json (its owner is a Python program), run as is.
  - Codex's auth.json: serde_json. Modelled as Python's json without NaN/Infinity literals, with
    serde_json's default recursion limit of 128 and its refusal of lone surrogate escapes.
    Duplicated fields and numbers no f64 holds are refused by serde into Codex's structs: that is
    the store level (the Codex parser refuses them), not the JSON level compared here.

A document the owner reads but the engine refuses is a lockout (a live token nobody uses): every
one fails the test, except the known gaps listed in KNOWN_GAPS with why. A document the engine
reads but the owner refuses is harmless only when the owner could not read it anyway and the
engine keeps it as it was; those are listed in HARMLESS. Exit 0 when nothing else differs."""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

EDGE_CASES = {
    "duplicate-top": '{"a": 1, "a": 2}',
    "duplicate-oauth": '{"claudeAiOauth": {"accessToken": "x"}, "claudeAiOauth": null}',
    "huge-exponent": '{"stats": {"x": 1e400, "y": -1E+999}}',
    "huge-integer": '{"n": 123456789012345678901234567890}',
    "underflow": '{"n": 1e-400}',
    "deep-200": '{"mcpOAuth": {"n": ' + "[" * 200 + "]" * 200 + "}}",
    "deep-999": "[" * 999 + "]" * 999,
    "bom": "\ufeff{}",
    "trailing": "{} x",
    "two-documents": "{}{}",
    "leading-zero": '{"a": 01}',
    "single-quotes": "{'a': 1}",
    "comment": '{"a": 1 /* c */}',
    "trailing-comma": '{"a": 1,}',
    "lone-surrogate": '{"a": "\\ud800"}',
    "control-char": '{"a": "x\ty"}',
    "empty": "",
    "whitespace-only": " \n ",
    "unicode-escape": '{"a": "\\u00e9"}',
    "nan-literal": '{"a": NaN}',
    "infinity-literal": '{"a": -Infinity}',
}


# (format, edge case) -> why the engine may refuse what the owner reads.
KNOWN_GAPS = {
    ("claude", "lone-surrogate"): "simdjson cannot hold a lone surrogate; never seen in a store",
    ("agent", "lone-surrogate"): "simdjson cannot hold a lone surrogate; never seen in a store",
    ("agent", "nan-literal"): "Python writes NaN only when asked to; JSON.parse would refuse it",
    ("agent", "infinity-literal"): "as NaN: written only on request, refused by JSON.parse",
}
# (format, edge case) -> why the engine may read what the owner refuses.
HARMLESS = {
    ("codex", "deep-200"): "beyond serde's 128 levels: Codex cannot read it either way",
    ("codex", "deep-999"): "beyond serde's 128 levels: Codex cannot read it either way",
    ("agent", "deep-999"): "beyond Python's recursion limit: the agent cannot read it either way",
}


def depth(text: str) -> int:
    deepest = level = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (c == "\\", c != '"')
            continue
        if c == '"':
            in_string = True
        elif c in "[{":
            level += 1
            deepest = max(deepest, level)
        elif c in "]}":
            level -= 1
    return deepest


def python_reads(text: str, constants: bool) -> bool:
    def refuse(_):
        raise ValueError("a NaN/Infinity literal")
    try:
        json.loads(text) if constants else json.loads(text, parse_constant=refuse)
    except (ValueError, RecursionError):
        return False
    return True


def owner_reads(fmt: str, data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if fmt == "agent":
        return python_reads(text, constants=True)
    if fmt == "codex" and (depth(text) > 128 or "\\ud8" in text.lower() or "\\udc" in text.lower()):
        return False
    if fmt == "claude":
        # JSON.parse has no depth limit; Python's json stops at its recursion limit.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 4 * depth(text) + 100))
        try:
            return python_reads(text, constants=False)
        finally:
            sys.setrecursionlimit(limit)
    return python_reads(text, constants=False)


def main() -> int:
    probe, corpora = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp:
        edge_files = []
        for name, text in EDGE_CASES.items():
            path = Path(tmp) / f"{name}.json"
            path.write_bytes(text.encode("utf-8"))
            edge_files.append(path)
        disagreements = 0
        checked = 0
        for fmt, corpus in (("claude", "claude_credentials"), ("agent", "agent_auth"),
                            ("codex", "codex_auth")):
            files = edge_files + sorted(p for d in corpora for p in (Path(d) / corpus).glob("*")
                                        if p.is_file())
            out = subprocess.run([probe, fmt] + [str(f) for f in files], capture_output=True,
                                 text=True, check=True, timeout=120).stdout
            for line in out.splitlines():
                path, json_verdict, _store = line.split("\t")
                owner = owner_reads(fmt, Path(path).read_bytes())
                engine = json_verdict == "json-ok"
                checked += 1
                key = (fmt, Path(path).stem)
                if engine == owner or (owner and key in KNOWN_GAPS) or \
                        (engine and key in HARMLESS):
                    continue
                disagreements += 1
                what = "a lockout" if owner else "the engine reads what its owner refuses"
                print(f"{fmt}: {Path(path).name}: owner {'reads' if owner else 'refuses'}, "
                      f"engine {'reads' if engine else 'refuses'} ({what})")
    print(f"owner_acceptance_test: {checked} files checked, {disagreements} disagreement(s)")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
