#!/usr/bin/env python3
"""A registry token service for the tests (docker's token auth protocol).

  token-server.py PORT KEY CERT USER:PASSWORD

Answers GET /token?service=S&scope=repository:NAME:ACTIONS: with the right
Basic credentials, a JWT signed with KEY (RS256, CERT in its x5c header, as
the registry's rootcertbundle checks it) granting ACTIONS on NAME; without
them, 401.  Each grant is appended to ./token-server.log.
"""
import base64
import json
import os
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

port, key_path, cert_path, creds = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
with open(key_path, "rb") as f:
    key = serialization.load_pem_private_key(f.read(), None)
with open(cert_path, "rb") as f:
    cert = x509.load_pem_x509_certificate(f.read())
x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(user, service, scopes):
    now = int(time.time())
    access = []
    for scope in scopes:
        kind, name, actions = scope.split(":", 2)
        access.append({"type": kind, "name": name, "actions": actions.split(",")})
    header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
    claims = {"iss": "nook-test-issuer", "sub": user, "aud": service, "exp": now + 300, "nbf": now - 10,
              "iat": now, "jti": b64url(os.urandom(12)), "access": access}
    signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing + "." + b64url(sig)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization", "")
        given = base64.b64decode(auth[6:]).decode() if auth.startswith("Basic ") else None
        if url.path != "/token" or given != creds:
            self.send_response(401)
            self.end_headers()
            return
        scopes = q.get("scope", [])
        body = json.dumps({"token": token(creds.split(":")[0], q.get("service", [""])[0], scopes)}).encode()
        with open("token-server.log", "a") as log:
            log.write(" ".join(scopes) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", port), Handler).serve_forever()
