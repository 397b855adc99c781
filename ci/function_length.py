#!/usr/bin/env python3
"""Function length: a function a reader cannot hold on one screen is split into named steps, and
a long one states its invariants (TigerBeetle's TIGER_STYLE draws the line at 70 lines; here 100
fails and 70 without an assertion is listed).

Checks every function defined at namespace scope in the given .cc files (a body closed by "}"
alone at column 0, the layout clang-format gives this code base). Fails on a function over MAX_LINES lines; lists, without
failing, the ones over ASSERT_LINES lines that state no assertion (CREDSIM_ASSERT or assert).
"""
import re
import sys

MAX_LINES = 100
ASSERT_LINES = 70
SKIP_STARTS = (' ', '\t', '}', '#', '/', 'namespace', 'struct', 'class', 'enum', 'union',
               'extern', 'using', 'template')


def functions(path):
    """(name, first line, body lines, assertions) of every function defined at namespace scope.

    clang-format leaves the body indented and the closing brace alone at column 0; the signature
    starts at the last column-0 line above the body (continuation lines are indented)."""
    lines = open(path, encoding='utf-8').read().split('\n')
    for j, line in enumerate(lines):
        if line != '}':
            continue
        k = j - 1
        while k > 0 and (lines[k] == '' or lines[k][0] in ' \t#'):
            k -= 1
        head = lines[k]
        if head.startswith(('namespace', 'struct', 'class', 'enum', 'union', 'extern', '}', '//')):
            continue
        opening = next((i for i in range(k, j) if lines[i].endswith('{')), None)
        if opening is None:
            continue
        signature = ' '.join(part.strip() for part in lines[k:opening + 1])
        name = re.search(r'([A-Za-z_~][A-Za-z_0-9:~]*(?:operator\S+)?)\s*\(', signature)
        if not name or ')' not in signature or re.match(r'[^(]*=', signature):
            continue  # an initializer, not a function
        body = lines[opening + 1:j]
        asserts = sum(1 for b in body if re.search(r'\b(CREDSIM_ASSERT|assert)\(', b))
        yield name.group(1), k + 1, len(body), asserts


def main(paths):
    too_long, unasserted = [], []
    for path in paths:
        for name, line, length, asserts in functions(path):
            if length > MAX_LINES:
                too_long.append(f'{path}:{line} {name}: {length} lines')
            elif length > ASSERT_LINES and asserts == 0:
                unasserted.append(f'{path}:{line} {name}: {length} lines')
    for entry in unasserted:
        print(f'ci/tidy: note: over {ASSERT_LINES} lines with no assertion: {entry}')
    for entry in too_long:
        print(f'ci/tidy: function over {MAX_LINES} lines (split it): {entry}')
    return 1 if too_long else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
