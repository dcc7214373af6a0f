"""The request mix: one real conversation per user (launch, start a stretch, next set, a safety
question, session end), captured once through the skill itself on a device's clock so session
attributes are exactly what Alexa would echo back, then copied for a few hundred distinct users
and signed with the local test CA. Also a stand-in for Alexa's Settings API (the device time
zone)."""

from __future__ import annotations

import contextlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from skill.simulator.settings_api import SettingsApi
from tests.builders import APP_ID, RequestBuilder, iso
from tests.certs import CertChain, make_chain

TEMPLATE_USER = "amzn1.ask.account.TEMPLATEUSER"
TEMPLATE_DEVICE = "amzn1.ask.device.TEMPLATEDEVICE"
TEMPLATE_SESSION = "amzn1.echo-api.session.TEMPLATESESSION"
TEMPLATE_TIME = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
STEPS = ("launch", "start stretch", "next", "safety question", "session end")
SAFETY_QUESTION_AT_S = 20.0  # seconds into the left leg's set: mid-hold


def start_settings_api() -> SettingsApi:
    """A local Settings API answering every time zone lookup (launches of new sessions): the
    simulator's stand-in, with a fixed zone so every run counts the same days."""
    return SettingsApi(time_zone="America/New_York")


def capture_conversation(tmp: Path, api_url: str) -> list[str]:
    """The five request envelopes of one template user, as JSON text, on a device's clock
    (tests/conversation.py): holds count only when a later request's timestamp shows they
    played (docs/hands-free.md), so each request is sent when it would be on an Echo. The
    start plays the right leg's whole set; "next" comes once it has played (the "ready" for
    the left leg, and it counts the right leg's holds); the safety question cuts in 20 s into
    the left leg's set; the person leaves once the answer has played."""
    from skill.config import Config
    from skill.web.app import create_app
    from tests.conversation import Conversation, Reply

    app = create_app(
        Config(skill_id=APP_ID, verify_requests=False, database_url=f"sqlite:///{tmp}/cap.db")
    )
    builder = RequestBuilder(
        user_id=TEMPLATE_USER, device_id=TEMPLATE_DEVICE, api_endpoint=api_url, now=TEMPLATE_TIME
    )
    envelopes: list[str] = []

    class Recorded(Conversation):
        def post(self, envelope: dict[str, Any]) -> Reply:
            envelopes.append(json.dumps(envelope, separators=(",", ":")))
            return super().post(envelope)

    talk = Recorded(app.test_client(), builder, start=TEMPLATE_TIME)
    talk.session_id = TEMPLATE_SESSION
    talk.launch()
    talk.say("StartStretchIntent", Stretch=("seated hamstring stretch", "seated"))
    talk.say("AMAZON.NextIntent")
    talk.say("BouncingIntent", at=SAFETY_QUESTION_AT_S)
    talk.end_session("USER_INITIATED")
    return envelopes


def sent_now(template: str, now: datetime) -> str:
    """The template as if sent at `now`: its timestamp, and the timestamp of the request the
    last response answered (the session's `playing` record, echoed back by Alexa), moved by
    the same amount. The gap between the two, which says how much of the last response had
    played, is kept, and every request is fresh enough to pass verification (150 s)."""
    envelope = json.loads(template)
    sent = datetime.fromisoformat(envelope["request"]["timestamp"].replace("Z", "+00:00"))
    shift_ms = round((now - sent).total_seconds() * 1000)
    envelope["request"]["timestamp"] = iso(now)
    playing = (envelope.get("session", {}).get("attributes") or {}).get("playing")
    if isinstance(playing, dict) and isinstance(playing.get("at"), int):
        playing["at"] += shift_ms
    return json.dumps(envelope, separators=(",", ":"))


@dataclass
class Pki:
    chain: CertChain
    root_pem: Path
    chain_pem: Path


def make_pki(tmp: Path) -> Pki:
    now = datetime.now(UTC)
    chain = make_chain(not_before=now - timedelta(days=1), not_after=now + timedelta(days=30))
    root_pem = tmp / "root.pem"
    root_pem.write_bytes(chain.root.public_bytes(serialization.Encoding.PEM))
    chain_pem = tmp / "chain.pem"
    chain_pem.write_bytes(chain.pem_chain)
    return Pki(chain, root_pem, chain_pem)


def user_id(user: int) -> str:
    """The Alexa user id of the mix's user number `user` (as long as real ones)."""
    return "amzn1.ask.account.AF" + f"{user:05d}" * 30


def seed_history(database: Path, users: int, days: int) -> None:
    """Give each of the mix's users `days` days of stretching before today (a clinic's regulars,
    not first-timers), written straight into a new SQLite database with the store's schema."""
    import sqlite3

    from skill.store.progress_store import ProgressStore

    store = ProgressStore(f"sqlite:///{database}")
    store.get_profile(user_id(0))  # creates the schema
    store.close()
    today = datetime.now(UTC).date()
    rows = [  # day by day, as they were lived: everybody's first day, then the next, ...
        (user_id(user), (today - timedelta(days=back)).isoformat(), 6, 1)
        for back in range(days, 0, -1)
        for user in range(users)
    ]
    with contextlib.closing(sqlite3.connect(database)) as db, db:
        db.executemany(
            "INSERT INTO daily_progress (user_id, day, holds, sessions) VALUES (?, ?, ?, ?)", rows
        )


def write_mix(path: Path, templates: list[str], users: int, chain: CertChain) -> int:
    """users x templates signed requests, each sent now (`sent_now`), shuffled; returns the
    count."""
    now = datetime.now(UTC).replace(microsecond=0)
    fresh = [sent_now(template, now) for template in templates]
    lines = []
    for user in range(users):
        tag = f"{user:05d}"
        for step, template in enumerate(fresh):
            body = (
                template.replace(TEMPLATE_USER, user_id(user))
                .replace(TEMPLATE_DEVICE, "amzn1.ask.device.AE" + tag * 24)
                .replace(TEMPLATE_SESSION, f"amzn1.echo-api.session.bench-{tag}")
            )
            request_id = json.loads(body)["request"]["requestId"]
            body = body.replace(request_id, f"amzn1.echo-api.request.bench-{tag}-{step}")
            raw = body.encode()
            lines.append(f"{chain.sign(raw)}\t{body}\n")
    random.Random(5).shuffle(lines)
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)


def read_mix(path: Path) -> list[tuple[dict[str, str], bytes]]:
    """(headers, body) pairs of a mix file, for in-process timing."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        signature, body = line.split("\t", 1)
        headers = {
            "SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "Signature-256": signature,
        }
        pairs.append((headers, body.encode()))
    return pairs
