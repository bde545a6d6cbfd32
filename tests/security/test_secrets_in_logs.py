"""Secrets never reach the logs: a real server process at DEBUG, a real flow (sign-up, log-in with
a password, API calls with the JWT, a refresh, a share token used on the watch socket and an
access token on the interview socket, a failed log-in), then its whole log is searched."""

from __future__ import annotations

import json
import uuid

import httpx
from websockets.sync.client import connect

from tests.security.servers import spawn_server

JWT_SECRET = "jwt-secret-that-must-never-be-logged-" + uuid.uuid4().hex


def test_no_password_token_or_secret_is_logged(tmp_path) -> None:
    password = "Pa55word-" + uuid.uuid4().hex
    with spawn_server(tmp_path, LOG_LEVEL="debug", JWT_SECRET=JWT_SECRET) as (base, _):
        with httpx.Client(base_url=base, timeout=60) as http:
            email = f"{uuid.uuid4().hex[:10]}@example.com"
            tokens = http.post(
                "/api/auth/register", json={"email": email, "password": password, "full_name": "Secret"}
            ).json()
            login = http.post("/api/auth/login", json={"email": email, "password": password}).json()
            assert http.post("/api/auth/login", json={"email": email, "password": password + "x"}).status_code == 401
            headers = {"Authorization": f"Bearer {login['access_token']}"}
            refreshed = http.post("/api/auth/refresh", json={"refresh_token": login["refresh_token"]}).json()
            session = http.post("/api/sessions", json={"title": "secret", "num_questions": 1}, headers=headers).json()
            share = http.post(f"/api/sessions/{session['id']}/share", headers=headers).json()
            assert http.get("/api/users/me", headers={"Authorization": "Bearer " + share["token"]}).status_code == 401
        ws = base.replace("http://", "ws://")
        with connect(f"{ws}/ws/sessions/{session['id']}/watch?token={share['token']}") as watcher:
            assert json.loads(watcher.recv(timeout=30))["type"] == "event"
        with connect(f"{ws}/ws/sessions/{session['id']}?token={refreshed['access_token']}") as socket:
            assert json.loads(socket.recv(timeout=30))["type"] == "ready"
        with connect(f"{ws}/ws/sessions/{session['id']}") as socket:
            socket.send(json.dumps({"type": "auth", "token": login["access_token"]}))
            assert json.loads(socket.recv(timeout=30))["type"] == "ready"
    log = (tmp_path / "server.log").read_text()
    # The log did see the requests that carried the secrets (so their absence means something).
    assert '"POST /api/auth/login' in log and '"POST /api/auth/refresh' in log and "/watch?token=" in log
    secrets = {
        "password": password,
        "JWT secret": JWT_SECRET,
        "access token": tokens["access_token"],
        "refresh token": tokens["refresh_token"],
        "log-in access token": login["access_token"],
        "refreshed access token": refreshed["access_token"],
        "share token": share["token"],
    }
    for name, secret in secrets.items():
        # A JWT's signature alone is enough to matter: look for it as well as the whole token.
        for needle in {secret, secret.rsplit(".", 1)[-1]}:
            assert needle not in log, f"the {name} is in the server log"
