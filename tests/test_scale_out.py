"""Scale-out: two `serve` processes share one PostgreSQL; a conversation that alternates
between them (as a load balancer would send it) ends with the right progress."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from skill.store.progress_store import ProgressStore
from tests import pg
from tests.builders import RequestBuilder, new_session_id
from tests.checks import check_response
from tests.conversation import Reply
from tests.test_project import serve, wait_for

SEATED = ("seated hamstring stretch", "seated")


def post(port: int, envelope: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/alexa",
        data=json.dumps(envelope).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        body = json.loads(response.read())
    check_response(body)
    return body


@pytest.mark.postgres
def test_two_servers_share_one_postgres(postgres_server_url: str, tmp_path: Path) -> None:
    with pg.fresh_schema(postgres_server_url) as url:
        env = {**os.environ, "SKILL_DATABASE_URL": url}
        with serve(tmp_path, "--dev", env=env) as one, serve(tmp_path, "--dev", env=env) as two:
            ports = [one.port, two.port]
            for port in ports:
                wait_for(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 30)
            builder = RequestBuilder()
            session_id, attributes = new_session_id(), {}
            # The right leg's set, "ready" once it has played (the left leg's set, the last),
            # then "no" to hearing the week and "no" to the offer of a reminder: each request
            # settles the set before it.
            turns = [
                ("StartStretchIntent", {"Stretch": SEATED}),
                ("AMAZON.NextIntent", {}),
                ("AMAZON.NoIntent", {}),
                ("AMAZON.NoIntent", {}),
            ]
            clock = datetime.now(UTC).replace(microsecond=0)
            today = clock.date()
            replies = []
            for i, (intent, slots) in enumerate(turns):
                builder.now = clock  # sent once the last response has played, as a device would
                envelope = builder.intent(
                    intent, slots, session_id=session_id, attributes=attributes, new=i == 0
                )
                reply = Reply(post(ports[i % 2], envelope))  # alternate between the two servers
                replies.append(reply)
                attributes = reply.attributes
                clock += timedelta(seconds=reply.plays_seconds + 1)
            assert "You've finished the seated hamstring stretch" in replies[1].text
            assert replies[-1].ended, "the seated stretch should have finished"
            builder.now = clock
            # A new conversation on the other server knows the person (disclaimer heard).
            launch = post(ports[1], builder.launch(session_id=new_session_id(), new=True))
            assert "Welcome back" in launch["response"]["outputSpeech"]["ssml"]
            for port in ports:
                health = json.loads(
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").read()
                )
                assert health["database"]["backend"] == "postgresql"
        store = ProgressStore(url)
        try:
            summary = store.summary(builder.user_id, today)
            assert summary.total_holds == 6
            assert summary.total_sessions == 1
            assert store.get_profile(builder.user_id).disclaimer_heard
        finally:
            store.close()
