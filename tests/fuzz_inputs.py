"""Seeded hostile inputs for POST /alexa: the fuzz test (tests/test_web_fuzz.py) and the long run
(`python -m bench.fuzz`) draw from the same families, so a long run's failure is reproduced by
its seed and case number.

Families: real envelopes (every intent of the interaction model, at each stage of a routine)
mutated in random places; real envelopes carrying hostile session attributes (infinite and NaN
numbers, nesting thousands deep, a routine of 12,000 stretches, the wrong type in every state
field, 50 KB of junk); malformed JSON (deep nesting, huge integers, lone surrogates, invalid
UTF-8, UTF-16/32 bodies with a BOM, cut bodies, random bytes); envelopes whose names, user or
application id are hostile; and odd content types. Each case says whether it is sent signed
(a valid signature over the hostile body, so it passes verification and reaches the skill).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.builders import APP_ID, RequestBuilder

ROOT = Path(__file__).resolve().parent.parent
# The Settings API (time zone) of every fuzzed envelope: a closed local port, so a lookup fails
# at once and nothing leaves the machine.
API_ENDPOINT = "http://127.0.0.1:9"
# Deep nesting is spliced into the JSON text where this marker stands, so building a case never
# recurses (json.dumps of a 5,000-deep list would).
NEST = "\u0000NEST\u0000"
SLOTS: dict[str, dict[str, Any]] = {
    "StartStretchIntent": {"Stretch": ("the strap stretch", "supine")},
    "HowToIntent": {"Stretch": ("the chair stretch", "seated")},
    "SetHoldLengthIntent": {"Seconds": "45"},
    "BodyStatementIntent": {"Statement": "my leg hurts"},
    "CantDoIntent": {"Task": "sit on the floor"},
}
STATE_FIELDS = ("v", "routine", "hold_seconds", "disclaimer_heard", "expects", "tz", "last")
STATE_FIELDS += ("playing", "prefs")
ROUTINE_FIELDS = ("v", "stretches", "reps", "hold", "pos", "stage", "done")
CONTENT_TYPES = (
    "text/plain",
    "",
    "application/x-www-form-urlencoded",
    "application/json; charset=utf-16",
    "APPLICATION/JSON",
    "application/json;" + "x" * 5000,
)


@dataclass(frozen=True)
class FuzzCase:
    """One request: the body bytes, its content type, whether it is signed, its family."""

    family: str
    body: bytes
    content_type: str = "application/json"
    signed: bool = False


def intent_names() -> list[str]:
    model = json.loads((ROOT / "interaction_model" / "en-US.json").read_text())
    return [intent["name"] for intent in model["interactionModel"]["languageModel"]["intents"]]


def base_envelopes(builder: RequestBuilder, states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Launch, session end, skill events, and every intent with each of `states` (real session
    attributes, e.g. from a conversation: before, during and after a routine)."""
    envelopes = [
        builder.launch(),
        builder.session_ended(),
        builder.skill_event(),
        builder.skill_event("AlexaSkillEvent.SkillEnabled"),
    ]
    for attributes in [{}, *states]:
        for name in intent_names():
            envelopes.append(builder.intent(name, SLOTS.get(name), attributes=attributes))
    return envelopes


def fuzz_builder(now: Any = None) -> RequestBuilder:
    return RequestBuilder(application_id=APP_ID, api_endpoint=API_ENDPOINT, now=now)


class Fuzzer:
    """`cases(n)`: n hostile requests, the same for the same seed and base envelopes."""

    def __init__(self, seed: int, envelopes: list[dict[str, Any]], signed_share: float = 0.3):
        self.rng = random.Random(seed)
        self.envelopes = envelopes
        self.states = [e["session"]["attributes"] for e in envelopes if e.get("session")]
        self.states = [s for s in self.states if s] or [{"v": 2}]
        self.signed_share = signed_share
        self.families = (
            (self.mutated, 40),
            (self.hostile_attributes, 25),
            (self.malformed_json, 15),
            (self.hostile_names, 10),
            (self.application_ids, 5),
            (self.content_types, 5),
        )

    def cases(self, count: int) -> Iterator[FuzzCase]:
        makers = [maker for maker, _ in self.families]
        weights = [weight for _, weight in self.families]
        for _ in range(count):
            yield self.rng.choices(makers, weights)[0]()

    # -- pieces

    def envelope(self) -> dict[str, Any]:
        return copy.deepcopy(self.rng.choice(self.envelopes))

    def value(self, depth: int = 0) -> Any:
        """A random JSON value, with the odd numbers and strings that break code."""
        rng = self.rng
        pick = rng.randrange(14 if depth < 3 else 10)
        if pick == 0:
            return None
        if pick == 1:
            return rng.choice([True, False])
        if pick == 2:
            return rng.choice([0, -1, 1, 2**31, 2**63, -(2**64), 10**30, 7])
        if pick == 3:
            return rng.choice([float("inf"), float("-inf"), float("nan"), 1e308, -0.0, 0.5])
        if pick == 4:
            return rng.choice(["", "seated", "45", "active", "UTC", "Europe/Paris", "start"])
        if pick == 5:
            return "".join(
                chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0x2FFFF)]))
                for _ in range(rng.randrange(1, 20))
            )
        if pick == 6:  # lone surrogates now and then (a body with one is refused whole)
            odd = ["\x00", "\u202e", "\r\n", "\x1b[2J", "\ufeff", "\udfff"]
            return rng.choice(odd) * rng.randrange(1, 4)
        if pick == 7:
            return "x" * rng.choice([1_000, 10_000, 50_000])
        if pick == 8:
            return NEST
        if pick == 9:
            return rng.randrange(-(10**6), 10**6)
        if pick < 12:
            return [self.value(depth + 1) for _ in range(rng.randrange(4))]
        return {self.key(): self.value(depth + 1) for _ in range(rng.randrange(4))}

    def key(self) -> str:
        return self.rng.choice(["", "v", "routine", "type", "x", "\x00", "k" * 300, "0"])

    def dump(self, envelope: Any, *, ascii_only: bool | None = None) -> bytes:
        """JSON text as a careless or hostile client writes it (NaN, Infinity, raw or escaped
        non-ASCII, lone surrogates as escapes or as invalid UTF-8), with deep nesting spliced."""
        if ascii_only is None:
            ascii_only = self.rng.random() < 0.5
        text = json.dumps(envelope, ensure_ascii=ascii_only)
        marker = json.dumps(NEST, ensure_ascii=ascii_only)
        while marker in text:
            depth = self.rng.choice([50, 200, 500, 900, 990, 1_000, 3_000, 20_000])
            opener, closer = self.rng.choice([("[", "]"), ('{"a":', "}")])
            text = text.replace(marker, opener * depth + "1" + closer * depth, 1)
        return text.encode("utf-8", "surrogatepass")

    def case(self, family: str, body: bytes, content_type: str = "application/json") -> FuzzCase:
        return FuzzCase(family, body, content_type, self.rng.random() < self.signed_share)

    # -- families

    def mutated(self) -> FuzzCase:
        """A real envelope with one to five random edits: a key dropped, a value replaced or
        added, anywhere in the tree."""
        envelope = self.envelope()
        for _ in range(self.rng.randrange(1, 6)):
            containers = list(_containers(envelope))
            container = self.rng.choice(containers)
            keys = list(container) if isinstance(container, dict) else list(range(len(container)))
            action = self.rng.choice(["drop", "replace", "replace", "add"])
            if action == "drop" and keys:
                del container[self.rng.choice(keys)]
            elif action == "replace" and keys:
                container[self.rng.choice(keys)] = self.value()
            elif isinstance(container, dict):
                container[self.key()] = self.value()
            else:
                container.append(self.value())
        return self.case("mutated", self.dump(envelope))

    def hostile_attributes(self) -> FuzzCase:
        """A real request whose session attributes are a real state with hostile fields."""
        envelope = self.envelope()
        session = envelope.setdefault("session", fuzz_builder()._session("s", {}, False))
        state = copy.deepcopy(self.rng.choice(self.states))
        rng = self.rng
        for _ in range(rng.randrange(1, 4)):
            field = rng.choice(STATE_FIELDS)
            pick = rng.randrange(7)
            routine = state.get("routine")
            if pick == 6:  # JSON has one number type: 3 and 3.0 (or 0 and -0.0) are equal
                state = _ints_as_floats(state, rng)
                continue
            if pick == 0 and isinstance(routine, dict):
                routine[rng.choice(ROUTINE_FIELDS)] = self.value()
            elif pick == 1 and isinstance(routine, dict):
                routine["stretches"] = [rng.choice(["seated", "supine", "standing"])] * rng.choice(
                    [1_000, 12_000]
                )
            elif pick == 2:
                state[field] = rng.choice([float("inf"), float("nan"), -1e308, 2**64, NEST])
            elif pick == 3:
                state["junk" if rng.random() < 0.5 else field] = "x" * 50_000
            elif pick == 4:
                state[field] = {"kind": self.value(), "keys": [NEST], "holds": [[0, 0, 1]] * 5_000}
            else:
                state[field] = self.value()
        session["attributes"] = state if rng.random() < 0.95 else self.value()
        return self.case("attributes", self.dump(envelope))

    def malformed_json(self) -> FuzzCase:
        rng = self.rng
        body = self.dump(self.envelope(), ascii_only=True)
        pick = rng.randrange(9)
        if pick == 0:
            depth = rng.choice([999, 1_000, 5_000, 60_000])
            body = b"[" * depth + b"]" * depth
        elif pick == 1:
            body = b'{"a":' + b"9" * rng.choice([4_300, 4_301, 5_000, 100_000]) + b"}"
        elif pick == 2:  # a lone surrogate where a person's id, a name or a key goes
            target = rng.choice([b'"amzn1.ask.account', b'"AMAZON.', b'"v"', b'"LaunchRequest'])
            body = body.replace(
                target, target[:1] + rng.choice([b"\\udfff", b"\\ud800"]) + target[1:]
            )
        elif pick == 3:  # invalid UTF-8 spliced in
            cut = rng.randrange(len(body))
            body = (
                body[:cut] + rng.choice([b"\xff", b"\xc3", b"\xed\xbf\xbf", b"\x80"]) + body[cut:]
            )
        elif pick == 4:
            body = body.decode().encode(rng.choice(["utf-16", "utf-32", "utf-16-be", "utf-8-sig"]))
        elif pick == 5:
            body = body[: rng.randrange(len(body))]
        elif pick == 6:
            body = rng.randbytes(rng.randrange(1, 200))
        elif pick == 7:
            body = rng.choice([b"", b"null", b"[]", b'"x"', b"1e400", b"NaN", b"{}", b" "])
        else:
            body = body.replace(b"true", b"tru", 1).replace(b"}", b",}", 1)
        return self.case("json", body)

    def hostile_names(self) -> FuzzCase:
        """Request type, intent name, user id and session id as long or unprintable text."""
        envelope = self.envelope()
        junk = self.rng.choice(
            [
                "T" * 125_000,
                "\x1b[31m\n" * 1_000,
                "\udfff" * 10,
                "LaunchRequest" + "\x00" * 50,
                "AMAZON.HelpIntent\u202e" * 200,
            ]
        )
        where = self.rng.choice(["type", "intent", "user", "session", "request_id"])
        if where == "type":
            envelope["request"]["type"] = junk
        elif where == "intent":
            envelope["request"]["intent"] = {"name": junk, "confirmationStatus": "NONE"}
        elif where == "user":
            envelope["context"]["System"]["user"] = {"userId": junk}
            if "session" in envelope:
                envelope["session"]["user"] = {"userId": junk}
        elif where == "session" and "session" in envelope:
            envelope["session"]["sessionId"] = junk
        else:
            envelope["request"]["requestId"] = junk
        return self.case("names", self.dump(envelope))

    def application_ids(self) -> FuzzCase:
        """The application id missing or of the wrong type, in the context, the session or both
        (issue 17 finding 2)."""
        envelope = self.envelope()
        system = envelope["context"]["System"]
        session = envelope.get("session", {})
        for holder in self.rng.sample([system, session], self.rng.randrange(1, 3)):
            pick = self.rng.randrange(5)
            if pick == 0:
                holder.pop("application", None)
            elif pick == 1:
                holder["application"] = {}
            elif pick == 2:
                holder["application"] = {"applicationId": self.value()}
            elif pick == 3:
                holder["application"] = self.value()
            else:
                holder["application"] = {"applicationId": "amzn1.ask.skill.someone-else"}
        return self.case("application", self.dump(envelope))

    def content_types(self) -> FuzzCase:
        body = self.dump(self.envelope())
        return self.case("content-type", body, self.rng.choice(CONTENT_TYPES))


def _ints_as_floats(node: Any, rng: random.Random) -> Any:
    """`node` with some of its ints (each one in three) as the equal float, 0 as 0.0 or -0.0."""
    if isinstance(node, int) and not isinstance(node, bool) and rng.random() < 1 / 3:
        return float(node) if node else rng.choice([0.0, -0.0])
    if isinstance(node, list):
        return [_ints_as_floats(item, rng) for item in node]
    if isinstance(node, dict):
        return {key: _ints_as_floats(value, rng) for key, value in node.items()}
    return node


def _containers(node: Any) -> Iterator[dict[str, Any] | list[Any]]:
    """Every dict and list in node, node first (the places a mutation can happen)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            yield item
            stack.extend(item)
