#!/usr/bin/env python3
"""A deliberately naive Claude credential consumer: what NOT to do, as a target for `credsim live`.

It makes the mistakes the public reports describe (docs/REPORTS.md), on purpose:
  - it reads the keychain item first and trusts it, although another process may have rotated the
    session into the file since (the keychain copy then holds a spent refresh token);
  - it refreshes without any lock, so two copies of it race on one refresh token;
  - it writes the new pair back into the file only, in place (not atomically), and rebuilds
    `claudeAiOauth` without `scopes` or `subscriptionType`.

`credsim live` must catch it while `credsim-engine` passes in the same world
(docs/EXTERNAL_ENGINES.md). Usage: naive_consumer.py HOME TOKEN_URL. It follows the contract: the
access token on the last line of stdout, exit 0; anything else on stderr, exit 1. Standard library
only.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
REFRESH_WINDOW_MS = 5 * 60 * 1000


def main():
    if len(sys.argv) != 3:
        print("usage: naive_consumer.py HOME TOKEN_URL", file=sys.stderr)
        return 2
    home, token_url = sys.argv[1], sys.argv[2]
    keychain = os.path.join(home, ".credsim", "keychain", "Claude Code-credentials")
    file = os.path.join(home, ".claude", ".credentials.json")
    source = keychain if os.path.exists(keychain) else file  # mistake: keychain first, trusted
    try:
        with open(source) as f:
            oauth = json.load(f)["claudeAiOauth"]
    except (OSError, ValueError, KeyError) as e:
        print(f"naive_consumer: cannot read {os.path.basename(source)}: {type(e).__name__}",
              file=sys.stderr)
        return 1
    if oauth["expiresAt"] - time.time() * 1000 < REFRESH_WINDOW_MS:
        body = json.dumps({"grant_type": "refresh_token", "refresh_token": oauth["refreshToken"],
                           "client_id": CLIENT_ID}).encode()
        request = urllib.request.Request(token_url, body, {"Content-Type": "application/json"})
        try:  # mistake: no lock around the refresh
            with urllib.request.urlopen(request, timeout=10) as response:
                grant = json.load(response)
        except urllib.error.HTTPError as e:
            print(f"naive_consumer: refresh failed: HTTP {e.code}", file=sys.stderr)
            return 1
        except OSError as e:
            print(f"naive_consumer: refresh failed: {type(e).__name__}", file=sys.stderr)
            return 1
        oauth = {  # mistake: scopes and subscriptionType dropped
            "accessToken": grant["access_token"],
            "refreshToken": grant["refresh_token"],
            "expiresAt": int(time.time() * 1000 + grant["expires_in"] * 1000),
        }
        with open(file) as f:
            doc = json.load(f)
        doc["claudeAiOauth"] = oauth
        with open(file, "w") as f:  # mistake: in place, not atomic; the keychain left stale
            json.dump(doc, f)
    print(oauth["accessToken"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
