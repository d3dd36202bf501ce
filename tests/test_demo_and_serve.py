"""The two things a new user runs: `charter demo`, and `charter serve` as a real process."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from charter.cli import main
from charter.runtime import open_runtime
from charter.settings import Settings
from charter.subjects.repository import subject_count
from charter.web.app import create_app


def _demo(tmp_path: Path, database_url: str) -> tuple[str, str, Settings]:
    data_dir = tmp_path / "charter-data"
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "--database-url",
                                       database_url, "demo", "--no-serve", "--subjects", "12"],
                                env={"CHARTER_POLICY": ""})
    assert result.exit_code == 0, result.output
    login = re.search(r"login\s+(\S+)", result.output)
    password = re.search(r"password\s+(\S+)", result.output)
    assert login and password, result.output
    settings = Settings(data_dir=data_dir, database_url=database_url,
                        policy=data_dir / "charter.yaml")
    return login.group(1), password.group(1), settings


def test_demo_prepares_everything_and_prints_a_working_login(
        tmp_path: Path, database_url: str, engine: Engine) -> None:
    email, password, settings = _demo(tmp_path, database_url)
    assert email == "demo-admin@callinter.com"
    assert "CALL INTERNATIONAL" in settings.policy.read_text()
    assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600
    runtime = open_runtime(settings, engine=engine)
    with runtime.transaction() as session:
        assert subject_count(session, runtime.organization_id) == 12
    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        response = client.post("/login", data={"email": email, "password": password,
                                               "csrf_token": token.group(1)})
        assert response.status_code == 200
        assert "CALL INTERNATIONAL" in response.text and "12 <span>people" in response.text
        outbox = client.get("/outbox")  # no SMTP server: the demo's campaign waits, readable
        assert outbox.status_code == 200 and "campaign" in outbox.text
        queue = client.get("/requests")  # sample requests, one of them overdue
        assert queue.status_code == 200 and "1 overdue" in queue.text

    # a second run keeps the data and prints a fresh password
    again_email, again_password, _ = _demo(tmp_path, database_url)
    assert again_email == email and again_password != password
    with runtime.transaction() as session:
        assert subject_count(session, runtime.organization_id) == 12


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_over_http_and_logs_no_personal_data(
        tmp_path: Path, settings: Settings, cli_args: list[str], engine: Engine) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "charter", *cli_args, "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ})
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "serve died"
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        httpx.post(f"{base}/login?email=marie.dubois@example.org",
                   data={"email": "marie.dubois@example.org", "password": "x",
                         "csrf_token": "x"}, headers={"X-Forwarded-For": "203.0.113.9"})
    finally:
        server.terminate()
        log = server.communicate(timeout=15)[0].decode()
    assert "GET /healthz 200" in log and "POST /login 400" in log
    assert "marie.dubois" not in log and "203.0.113.9" not in log
