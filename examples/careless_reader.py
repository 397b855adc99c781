#!/usr/bin/env python3
"""A deliberately careless reader of Claude Code's credentials file: a target for
`credsim fuzz-store` (docs/FUZZ_STORE.md), which must flag every mistake below while
`credsim-engine` passes the same cases.

Its mistakes, each one seen in real tools' store handling:
  - it loads the file with json.loads and no error handling: a BOM, a torn or a doubled document
    ends in a traceback instead of a clear refusal;
  - it takes the tokens and the expiry with regular expressions, so the first of two duplicated
    keys wins (JSON.parse, the owner's reader, keeps the last) and \\u escapes are not decoded;
  - it refreshes whenever the access token it found does not look like one;
  - it logs the new refresh token to stderr "for debugging";
  - it writes the file back without the members it does not know, through a temp file created with
    the default mode (0644 under the usual umask), and with Python's json.dumps, which writes
    1e400 as `Infinity`, a document JSON.parse refuses.

Usage: careless_reader.py HOME TOKEN_URL. Prints the access token as its last stdout line.
Standard library only.
"""
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"


def first(pattern, text):
    match = re.search(pattern, text)
    return match.group(1) if match else ""


def refresh(token_url, refresh_token):
    body = json.dumps({"grant_type": "refresh_token", "refresh_token": refresh_token,
                       "client_id": CLIENT_ID}).encode()
    request = urllib.request.Request(token_url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def main():
    home, token_url = sys.argv[1], sys.argv[2]
    path = os.path.join(home, ".claude", ".credentials.json")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)  # mistake: a refused document is a traceback
    access = first(r'"accessToken"\s*:\s*"([^"]*)"', text)  # mistake: first match, raw text
    refresh_token = first(r'"refreshToken"\s*:\s*"([^"]*)"', text)
    expires_at = int(first(r'"expiresAt"\s*:\s*(\d+)', text) or 0)
    if access.startswith("sk-ant-oat") and expires_at > time.time() * 1000 + 5 * 60 * 1000:
        print(access)
        return 0
    try:
        grant = refresh(token_url, refresh_token)
    except urllib.error.HTTPError as e:
        print(f"careless_reader: refresh failed: HTTP {e.code}", file=sys.stderr)
        return 1
    print(f"careless_reader: debug: new refresh token {grant['refresh_token']}", file=sys.stderr)
    doc["claudeAiOauth"] = {  # mistake: scopes, subscriptionType and unknown members dropped
        "accessToken": grant["access_token"],
        "refreshToken": grant["refresh_token"],
        "expiresAt": int(time.time() * 1000 + grant["expires_in"] * 1000),
    }
    temp = path + ".tmp"
    with open(temp, "w", encoding="utf-8") as f:  # mistake: default mode, not 0600
        f.write(json.dumps(doc))  # mistake: inf becomes Infinity
    os.replace(temp, path)
    print(grant["access_token"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
