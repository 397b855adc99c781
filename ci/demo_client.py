#!/usr/bin/env python3
"""Small HTTP client for ci/demo: a PKCE login, an API call, a raw refresh, admin calls.

Prints token-free summaries only; a token response goes to a file given on the command line (0600).
Usage:
  demo_client.py login BASE OUT.json            # authorization code + PKCE S256, write the answer
  demo_client.py api BASE TOKEN_FILE            # POST /v1/messages with the token read from a file
  demo_client.py replay BASE REFRESH_TOKEN_FILE # present a refresh token directly (expect a refusal)
  demo_client.py admin BASE METHOD PATH [JSON]  # admin API
"""
import base64
import hashlib
import json
import os
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request

CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
REDIRECT = "http://127.0.0.1:1/callback"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def request(method, url, body=None, content_type="application/json", headers=None):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def login(base, out):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT,
        "code_challenge": challenge, "code_challenge_method": "S256", "state": "demo",
        "scope": "user:inference user:profile"})
    status, headers, _ = request("GET", f"{base}/oauth/authorize?{query}")
    location = headers.get("Location") or headers.get("location") or ""
    if status != 302 or "code=" not in location:
        sys.exit(f"authorize: expected 302 with a code, got {status}")
    code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]
    body = json.dumps({"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                       "redirect_uri": REDIRECT, "client_id": CLIENT_ID})
    status, _, text = request("POST", f"{base}/v1/oauth/token", body)
    if status != 200:
        sys.exit(f"token: expected 200, got {status}: {text}")
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    answer = json.loads(text)
    print(f"  PKCE login: 302 -> code -> 200, expires_in={answer['expires_in']}s scope='{answer['scope']}'")


def api(base, token_file):
    token = open(token_file).read().strip()
    status, _, text = request("POST", f"{base}/v1/messages", "{}", headers={"Authorization": f"Bearer {token}"})
    print(f"  POST /v1/messages -> {status}" + ("" if status == 200 else f" {text.strip()}"))
    return status


def replay(base, rt_file):
    rt = open(rt_file).read().strip()
    body = json.dumps({"grant_type": "refresh_token", "refresh_token": rt, "client_id": CLIENT_ID})
    status, _, text = request("POST", f"{base}/v1/oauth/token", body)
    print(f"  replaying the consumed refresh token -> {status} {text.strip()}")
    return status


def admin(base, method, path, body=None):
    status, _, text = request(method, f"{base}{path}", body)
    return status, text


def main():
    cmd, base = sys.argv[1], sys.argv[2]
    if cmd == "login":
        login(base, sys.argv[3])
    elif cmd == "api":
        sys.exit(0 if api(base, sys.argv[3]) == 200 else 1)
    elif cmd == "replay":
        sys.exit(0 if replay(base, sys.argv[3]) in (400, 401) else 1)
    elif cmd == "admin":
        status, text = admin(base, sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
        print(text)
        sys.exit(0 if 200 <= status < 300 else 1)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
