"""`policytekst serve` as a user starts it: the command, a real uvicorn server on 127.0.0.1, real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the web app needs the [web] extra (pip install -e '.[web]'; make test does)")
httpx = pytest.importorskip("httpx", reason="httpx is in the [web] extra")

ROOT = Path(__file__).resolve().parents[1]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_without_a_corpus_says_so_in_one_line(tmp_path):
    from typer.testing import CliRunner

    from policytekst.cli import app

    done = CliRunner().invoke(app, ["serve", "--corpus", str(tmp_path / "none")])
    assert done.exit_code == 1
    message = done.stderr if done.stderr_bytes is not None else done.output
    assert len(message.strip().splitlines()) == 1 and "Traceback" not in message
    assert "none" in message and not (tmp_path / "none").exists()


@pytest.mark.slow
def test_serve_answers_on_localhost_only(demo_corpus):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "policytekst", "serve", "--corpus", str(demo_corpus.directory),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env())
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                response = httpx.get(f"{base}/api/docs", timeout=10)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read()
                assert time.time() < deadline, "the server did not answer within 60 s"
                time.sleep(0.3)
        assert response.status_code == 200 and len(response.json()) == len(demo_corpus.documents())
        assert httpx.get(f"{base}/", timeout=30).status_code == 200
        assert httpx.get(f"{base}/api/docs", headers={"host": "attacker.example"}, timeout=10).status_code == 400
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert f"127.0.0.1:{port}" in stderr and "warning" not in stderr.lower()
