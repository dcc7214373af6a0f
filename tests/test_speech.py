"""The SSML composer and the hold timeline: escaping, Alexa's limits, and exact timing."""

from __future__ import annotations

import itertools

import pytest

from skill.core.content import load_content
from skill.core.speech import (
    Speech,
    hold_length_seconds,
    hold_plan,
    to_text,
)
from skill.core.timeline import VARIANTS, build_hold_timeline, estimate_speech_ms
from skill.voice.ssml import SpeechLimitError, to_ssml
from tests.checks import check_ssml, hold_lengths

CONTENT = load_content()
ALL_HOLDS = list(itertools.product(("seated", "supine"), range(30, 61), range(VARIANTS)))


def test_text_is_escaped() -> None:
    ssml = to_ssml(Speech().say('Tom & Jerry <3 "quotes"'))
    assert "Tom &amp; Jerry &lt;3" in ssml
    check_ssml(ssml)


def test_long_pauses_become_breaks_of_at_most_ten_seconds() -> None:
    ssml = to_ssml(Speech().say("a").pause(25).say("b"))
    assert ssml.count("<break") == 3
    assert '<break time="5000ms"/>' in ssml
    check_ssml(ssml)


def test_phone_numbers_use_say_as_telephone() -> None:
    speech = Speech().say("Call").phone("9048587045").say("I've put it in your app.")
    # The number ends its sentence: a full stop after it, so the next one does not run on.
    assert '<say-as interpret-as="telephone">9048587045</say-as>. I' in to_ssml(speech)
    assert to_text(speech) == "Call (904) 858-7045. I've put it in your app."


def test_limits_are_enforced() -> None:
    with pytest.raises(SpeechLimitError, match="characters"):
        to_ssml(Speech().say("word " * 2000))
    clips = Speech()
    for i in range(6):
        clips.audio(f"https://example.org/{i}.mp3", 1)
    with pytest.raises(SpeechLimitError, match="audio clips"):
        to_ssml(clips)
    with pytest.raises(SpeechLimitError, match="240"):
        to_ssml(Speech().audio("https://example.org/a.mp3", 241))
    with pytest.raises(SpeechLimitError, match="90"):
        to_ssml(Speech().audio("https://example.org/a.mp3", 91), reprompt=True)
    assert to_ssml(Speech().audio("https://example.org/a.mp3", 240))


@pytest.mark.parametrize(("stretch", "seconds", "variant"), ALL_HOLDS)
def test_every_hold_lasts_its_length_and_marks_land_close(
    stretch: str, seconds: int, variant: int
) -> None:
    timeline = build_hold_timeline(CONTENT, stretch, seconds, variant)
    length = hold_length_seconds(timeline)
    assert seconds <= length <= seconds + 1.5
    ssml = to_ssml(Speech().hold(timeline))
    check_ssml(ssml)
    assert hold_lengths(ssml) == [length]
    # each cue starts within a second of its offset by the model
    at = 0.0
    for cue, (text, gap) in zip(timeline.cues, hold_plan(timeline), strict=True):
        at = max(at, cue.offset_ms / 1000)
        assert at - cue.offset_ms / 1000 <= 1.0
        at += (estimate_speech_ms(text) + gap) / 1000


@pytest.mark.parametrize(("stretch", "seconds", "variant"), ALL_HOLDS)
def test_cues_do_not_overlap_even_at_a_slow_speaking_rate(
    stretch: str, seconds: int, variant: int
) -> None:
    """APL for Audio plays cues at exact offsets: a slow voice must still fit between them."""
    cues = build_hold_timeline(CONTENT, stretch, seconds, variant).cues
    for cue, following in itertools.pairwise(cues):
        slow_ms = len(cue.text.split()) / 2.2 * 1000 + 300
        assert cue.offset_ms + slow_ms <= following.offset_ms, (cue, following)


def test_timeline_has_every_kind_of_cue() -> None:
    kinds = {
        c.kind for v in range(VARIANTS) for c in build_hold_timeline(CONTENT, "seated", 30, v).cues
    }
    assert {"start", "form", "breathe", "halfway", "bounce", "intensity", "release"} <= kinds
    assert {f"count{n}" for n in range(1, 6)} <= kinds
    long_kinds = {c.kind for c in build_hold_timeline(CONTENT, "seated", 60, 0).cues}
    assert {"ten_left", "breathe2", "form2"} <= long_kinds


def test_ssml_is_written_in_the_voice_layer_only() -> None:
    """skill/core composes segments; markup (and Alexa's limits) live in skill/voice/ssml.py."""
    import ast
    from pathlib import Path

    from skill.core import speech

    core = Path(speech.__file__).parent
    for path in core.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("skill.voice", "skill.alexa")), path
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "<speak" not in node.value, path
                assert "<break" not in node.value, path
    for name in ("to_ssml", "break_tags", "MAX_SSML_CHARS", "SpeechLimitError"):
        assert not hasattr(speech, name), name
