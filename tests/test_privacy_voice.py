"""Asking the skill by voice what it keeps about you (issue 18).

A transcript showed "how long do you keep my data" reaching the fallback ("Sorry, I can't help
with that ..."). These tests say it the way a person does, typed into the simulator (its NLU
reads the checkout's interaction model) and through the real Flask endpoint: outside a
routine, in the middle of a hold (the place is kept), and one-shot with the invocation name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skill.config import Config
from skill.core.content import load_content
from skill.simulator.device import Device
from skill.simulator.nlu import Recognizer, load_model
from skill.simulator.transport import InProcessTransport
from tests.conversation import Conversation
from tests.test_conversation import SEATED, during

MODEL_FILE = Path(__file__).resolve().parent.parent / "interaction_model" / "en-US.json"
ANSWER = load_content().answers["PrivacyIntent"].text
FALLBACK = "can't help with that"


@pytest.fixture
def device(config: Config) -> Device:
    return Device(InProcessTransport(config), recognizer=Recognizer(load_model(MODEL_FILE)))


def said(device: Device, utterance: str) -> str:
    """What the device plays back; the session must stay open (asking never ends it)."""
    exchange = device.say(utterance)
    assert exchange.response is not None, utterance
    assert exchange.response["response"].get("shouldEndSession") is not True, exchange.text
    return exchange.text


def test_the_answer_says_what_is_kept_and_names_no_month_count() -> None:
    """Static words stay true whatever SKILL_RETENTION_MONTHS is: the policy page says how long."""
    for kept in ("stretching days and counts", "settings", "where you stopped", "reminder"):
        assert kept in ANSWER
    assert "never what you say" in ANSWER
    assert "Disabling the skill deletes it" in ANSWER
    assert "privacy policy" in ANSWER
    assert not re.search(r"\d|month|year", ANSWER)


@pytest.mark.parametrize(
    "utterance",
    [
        "how long do you keep my data",
        "what do you keep about me",
        "what do you know about me",
        "do you record me",
        "delete my data",
        "what's your privacy policy",
    ],
)
def test_asked_in_a_session_the_answer_comes_and_the_start_is_offered(
    device: Device, utterance: str
) -> None:
    said(device, "open hamstring coach")
    text = said(device, utterance)
    assert ANSWER in text
    assert FALLBACK not in text
    assert "Would you like to start a stretch now?" in text


def test_asked_mid_hold_the_place_is_kept(talk: Conversation) -> None:
    start = talk.say("StartStretchIntent", Stretch=SEATED)
    reply = talk.say("PrivacyIntent", at=during(start, 1))  # asked during rep 2
    assert ANSWER in reply.text
    assert not reply.ended
    resumed = talk.say("AMAZON.ResumeIntent")
    assert "Rep 2 of 3, right leg" in resumed.text


def test_asked_mid_routine_by_voice_then_resume(device: Device) -> None:
    said(device, "open hamstring coach")
    said(device, "start the seated stretch")
    text = said(device, "@90s wait are you recording me")  # 90 s in: rep 2 is being held
    assert ANSWER in text
    assert FALLBACK not in text
    assert "Ready for rep 2 on your right leg?" in text
    assert "Rep 2 of 3, right leg" in said(device, "resume")


def test_one_shot_with_the_invocation_name(device: Device) -> None:
    exchange = device.say("ask hamstring coach what do you keep about me")
    assert exchange.recognition is not None
    assert exchange.recognition.intent == "PrivacyIntent"
    assert exchange.request is not None
    assert exchange.request["session"]["new"] is True
    assert ANSWER in exchange.text
    assert exchange.response is not None
    assert exchange.response["response"].get("shouldEndSession") is not True
