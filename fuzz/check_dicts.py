#!/usr/bin/env python3
"""Every fuzz/dict/<target>.dict names a fuzz target and parses as a libFuzzer dictionary: each
line is a comment, blank, or NAME="VALUE" where VALUE escapes only \\\\, \\" and \\xHH. A line
libFuzzer cannot parse makes it refuse the whole file, so a typo would silently cost ci/fuzz its
dictionary; this runs in ci/test instead."""
import pathlib
import re
import sys

ENTRY = re.compile(r'^[A-Za-z0-9_]*="(?:\\\\|\\"|\\x[0-9A-Fa-f]{2}|[^\\"])*"$')


def main(fuzz_dir):
    fuzz = pathlib.Path(fuzz_dir)
    targets = {p.name[:-len('_fuzzer.cc')] for p in fuzz.glob('*_fuzzer.cc')}
    errors = []
    dicts = sorted((fuzz / 'dict').glob('*.dict'))
    for path in dicts:
        if path.stem not in targets:
            errors.append(f'{path}: no fuzz target {path.stem}')
        for n, line in enumerate(path.read_text(encoding='utf-8').split('\n'), 1):
            if line and not line.startswith('#') and not ENTRY.match(line):
                errors.append(f'{path}:{n}: not NAME="VALUE": {line}')
    for error in errors:
        print(error)
    print(f'{len(dicts)} dictionaries, {len(errors)} errors')
    return 1 if errors or not dicts else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
