"""The simulator over HTTP: --url against a real `serve --dev` subprocess, and transport errors."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import responses as responses_lib

from skill.cli import main
from skill.simulator.transport import HttpTransport, TransportError
from tests.test_project import serve, wait_for


def _say_json(port: int, text: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["say", text, "--json", "--url", f"http://127.0.0.1:{port}/alexa"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_url_talks_to_a_running_dev_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(tmp_path, "--dev") as served:
        wait_for(f"http://127.0.0.1:{served.port}/healthz", time.monotonic() + 20)
        data = _say_json(served.port, "start the lying stretch", capsys)
        assert data["intent"] == "StartStretchIntent"
        assert data["response"]["sessionAttributes"]["routine"]["stretches"] == ["supine"]
        monkeypatch.setattr("sys.stdin", io.StringIO("open hamstring coach\nboth\nnext\n"))
        assert main(["chat", "--url", f"http://127.0.0.1:{served.port}"]) == 0
        out = capsys.readouterr().out
    assert f"talking to http://127.0.0.1:{served.port}/alexa" in out
    assert "Rep 2 of 3" in out  # "next" reached the routine: session attributes carried
    assert "(session ended by you: USER_INITIATED)" in out


@pytest.mark.slow
def test_url_of_a_verifying_server_explains_dev_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**os.environ, "SKILL_ID": "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"}
    with serve(tmp_path, env=env) as served:  # production `serve` needs its skill id
        wait_for(f"http://127.0.0.1:{served.port}/healthz", time.monotonic() + 20)
        code = main(["say", "open hamstring coach", "--url", f"http://127.0.0.1:{served.port}"])
    err = capsys.readouterr().err
    assert code == 1
    assert "answered HTTP 400: 'request verification failed" in err
    assert "run it with `serve --dev`" in err


@responses_lib.activate
def test_http_transport_errors_are_messages() -> None:
    url = "http://127.0.0.1:8000/alexa"
    transport = HttpTransport(url, timeout=0.1)
    responses_lib.add(responses_lib.POST, url, body=requests.Timeout())
    with pytest.raises(TransportError, match=r"did not answer within 0 s \(Alexa would give up"):
        transport.send({})
    responses_lib.replace(responses_lib.POST, url, body="<html>hello</html>", status=200)
    with pytest.raises(TransportError, match="did not answer with an Alexa response envelope"):
        transport.send({})
    responses_lib.replace(responses_lib.POST, url, body="oops", status=502)
    with pytest.raises(TransportError, match="answered HTTP 502: 'oops'"):
        transport.send({})
