"""The request mix: one real conversation per user (launch, start a stretch, next hold, a safety
question, session end), captured once through the skill itself so session attributes are exactly
what Alexa would echo back, then copied for a few hundred distinct users and signed with the
local test CA. Also a stand-in for Alexa's Settings API (the device time zone)."""

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


def start_settings_api() -> SettingsApi:
    """A local Settings API answering every time zone lookup (launches of new sessions): the
    simulator's stand-in, with a fixed zone so every run counts the same days."""
    return SettingsApi(time_zone="America/New_York")


def capture_conversation(tmp: Path, api_url: str) -> list[str]:
    """The five request envelopes of one template user, as JSON text."""
    from skill.config import Config
    from skill.web.app import create_app

    app = create_app(
        Config(skill_id=APP_ID, verify_requests=False, database_url=f"sqlite:///{tmp}/cap.db")
    )
    client = app.test_client()
    builder = RequestBuilder(
        user_id=TEMPLATE_USER, device_id=TEMPLATE_DEVICE, api_endpoint=api_url, now=TEMPLATE_TIME
    )
    attrs: dict[str, Any] = {}
    kw = {"session_id": TEMPLATE_SESSION, "new": True}
    make = [
        lambda: builder.launch(attributes=attrs, **kw),
        lambda: builder.intent(
            "StartStretchIntent",
            {"Stretch": ("seated hamstring stretch", "seated")},
            attributes=attrs,
            **kw,
        ),
        lambda: builder.intent("AMAZON.NextIntent", attributes=attrs, **kw),
        lambda: builder.intent("BouncingIntent", attributes=attrs, **kw),
        lambda: builder.session_ended("USER_INITIATED", attributes=attrs, **kw),
    ]
    envelopes = []
    for step in make:
        envelope = step()
        result = client.post("/alexa", json=envelope)
        assert result.status_code == 200, result.get_data(as_text=True)
        attrs = result.get_json().get("sessionAttributes") or {}
        kw["new"] = False
        envelopes.append(json.dumps(envelope, separators=(",", ":")))
    return envelopes


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
    """users x templates signed requests, timestamped now, shuffled; returns the count."""
    stamp = iso(datetime.now(UTC))
    lines = []
    for user in range(users):
        tag = f"{user:05d}"
        for step, template in enumerate(templates):
            body = (
                template.replace(TEMPLATE_USER, user_id(user))
                .replace(TEMPLATE_DEVICE, "amzn1.ask.device.AE" + tag * 24)
                .replace(TEMPLATE_SESSION, f"amzn1.echo-api.session.bench-{tag}")
                .replace(iso(TEMPLATE_TIME), stamp)
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
