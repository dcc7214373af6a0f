"""Sets on the device (docs/hands-free.md, "One clock per response"): one APL-A Mixer with
every cue and bell at its offset, the SSML fallback saying the same cues by the timing model,
and rendered clips standing in for whole holds (skill/voice/set_render.py)."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from skill.config import Config
from skill.core import routine
from skill.core.preferences import Preferences
from skill.core.sets import SetTimeline
from skill.core.timeline import estimate_speech_ms
from skill.core.turns import Coach
from skill.voice import apla, render
from skill.voice.render import SpokenTurn
from skill.voice.set_render import set_ssml, timing_problems
from skill.voice.ssml import SPEAK_CLOSE, SPEAK_OPEN
from tests.checks import apla_lines, check_ssml, mixer_cues
from tests.conversation import Conversation
from tests.test_render import BASE, CONTENT, FIRST_CLIP, fake_clips, first_set, talk_with

SET_CLIPS = ("hold-seated-30s-v0", "hold-seated-30s-v1", "hold-seated-30s-v2")  # right, reps 1-3
NO_CLIPS = (None, None, None)


def first_set_timeline() -> SetTimeline:
    """The set that `first_set` plays, composed by the coach directly."""
    outcome = routine.start(("seated",), CONTENT.routine.reps_per_leg, 30)
    assert outcome.step is not None
    turn = Coach(CONTENT).set_turn(outcome.step, outcome.state, Preferences())
    found = SpokenTurn.from_speech(turn.speech).set
    assert found is not None
    return found


def the_mixer(directive: dict) -> dict:
    """The document's one Mixer (the set's clock)."""
    mixers = [
        c
        for _, c in apla._walk(directive["document"]["mainTemplate"]["items"][0], "r")
        if c.get("type") == "Mixer"
    ]
    assert len(mixers) == 1
    return mixers[0]


def ssml_hold_lengths(ssml: str) -> list[float]:
    """Seconds from each start cue to its release cue in SSML, by the timing model; the
    release cue may run on into the words after the set (nothing is timed after it)."""
    cues, lengths, at = CONTENT.cues, [], None
    for kind, value in check_ssml(ssml):
        if kind == "text" and value in cues.start:
            at = 0
        elif at is not None and kind == "text" and value.startswith(tuple(cues.release)):
            lengths.append(at / 1000)
            at = None
        if at is not None:
            at += estimate_speech_ms(value) if kind == "text" else value
    return lengths


# --- APL-A, the default -------------------------------------------------------------------


def test_set_is_one_apla_mixer_with_every_cue_at_its_offset(talk: Conversation) -> None:
    reply = first_set(talk)
    timeline = first_set_timeline()
    directive = reply.directive
    assert directive is not None
    assert directive["token"] == "set-hold-seated-30s-v0-3"
    assert apla.validate_document(directive) == []
    assert timing_problems(timeline, NO_CLIPS) == []
    tracks = mixer_cues(the_mixer(directive))
    lead_at, lead = tracks[0]
    assert lead_at == 0  # the lead-in opens the clock
    assert "edge of a sturdy chair" in lead
    bells = [(h.end_ms, f"[audio {apla.CHIME_SOURCE}]") for h in timeline.holds]
    cues = [(c.offset_ms, c.text) for c in timeline.all_cues()]
    assert sorted(tracks[1:]) == sorted(cues + bells)
    assert reply.holds == [30.0, 30.0, 30.0]
    # The record of what plays is the document's own clock: start cue to release cue and bell.
    assert reply.playing is not None
    said_at = {at: [text for when, text in tracks if when == at] for at, _ in tracks}
    for _, start_ms, end_ms in reply.playing["holds"]:
        assert any(text in CONTENT.cues.start for text in said_at[start_ms])
        assert any(text in CONTENT.cues.release for text in said_at[end_ms])
        assert f"[audio {apla.CHIME_SOURCE}]" in said_at[end_ms]


def test_the_lead_in_is_in_the_document_and_the_prompt_follows_the_set(
    talk: Conversation,
) -> None:
    reply = first_set(talk)
    # No outputSpeech: Alexa would say it before the document and shift the whole clock.
    assert reply.ssml == ""
    root = (reply.directive or {})["document"]["mainTemplate"]["items"][0]
    assert [item["type"] for item in root["items"]] == ["Mixer", "Speech"]
    lines = apla_lines(reply.directive or {})
    assert lines[-2] == f"[audio {apla.CHIME_SOURCE}]"  # the last release's bell
    assert "Switch to your left leg, and say ready when you are" in lines[-1]
    assert reply.response["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert not reply.ended


def test_hold_length_change_reaches_the_document(talk: Conversation) -> None:
    first_set(talk)
    talk.say("SetHoldLengthIntent", Seconds="45")
    reply = talk.say("AMAZON.NextIntent")  # the left leg's set
    assert reply.holds == [45.0, 45.0, 45.0]
    assert (reply.directive or {})["token"].startswith("set-hold-seated-45s-")


def test_repeat_at_once_plays_the_same_document_again(talk: Conversation) -> None:
    first = first_set(talk)
    again = talk.say("AMAZON.RepeatIntent", at=0)  # nothing of it has played yet
    assert again.directive == first.directive
    assert again.ssml == first.ssml
    assert again.response["reprompt"] == first.response["reprompt"]


def test_repeat_mid_set_goes_on_from_the_hold_cut_short(talk: Conversation) -> None:
    first = first_set(talk)
    assert first.playing is not None
    _, start_ms, end_ms = first.playing["holds"][1]
    again = talk.say("AMAZON.RepeatIntent", at=(start_ms + end_ms) / 2000)  # mid rep 2
    assert again.playing is not None
    assert [index for index, _, _ in again.playing["holds"]] == [1, 2]  # rep 1 is not replayed
    assert again.holds == [30.0, 30.0]  # rep 2 again from its start
    assert (again.directive or {})["token"] == "set-hold-seated-30s-v1-2"


# --- SSML, the fallback -------------------------------------------------------------------


def test_ssml_mode_has_no_directive_and_each_hold_lasts_its_length(config: Config) -> None:
    talk = talk_with(dataclasses.replace(config, speech_mode="ssml"))
    reply = first_set(talk)
    assert "directives" not in reply.response or not reply.response["directives"]
    lengths = ssml_hold_lengths(reply.ssml)
    assert len(lengths) == 3
    assert min(lengths) >= 30.0  # by the estimate: it can only run late, never short
    assert reply.text.startswith("Let's do the seated hamstring stretch")  # the lead-in first
    assert reply.text.endswith("Switch to your left leg, and say ready when you are.")
    again = talk.say("AMAZON.RepeatIntent", at=0)
    assert again.ssml == reply.ssml


def test_the_ssml_fallback_says_the_cues_of_the_apla_document_in_the_same_order(
    config: Config,
) -> None:
    said = first_set(talk_with(config)).text
    ssml = first_set(talk_with(dataclasses.replace(config, speech_mode="ssml")))
    bell = f"[audio {apla.CHIME_SOURCE}] "
    assert ssml.text == said.replace(bell, "")  # the same words; SSML has no bell


def test_the_ssml_fallback_breaks_fill_the_time_to_each_cue() -> None:
    """Each cue is said at its offset by the timing model: the lead-in and every cue before it,
    plus the breaks, add up to the cue's offset (or run late, never early)."""
    timeline = first_set_timeline()
    tokens = check_ssml(SPEAK_OPEN + set_ssml(timeline, NO_CLIPS) + SPEAK_CLOSE)
    at, said_at = 0, []
    for kind, value in tokens:
        if kind == "text":
            said_at.append((at, value))
            at += estimate_speech_ms(value)
        else:
            at += value
    cues = timeline.all_cues()
    timed = said_at[len(said_at) - len(cues) :]
    assert [text for _, text in timed] == [c.text for c in cues]
    for (when, _), cue in zip(timed, cues, strict=True):
        assert when >= cue.offset_ms
        assert when - cue.offset_ms < 1500  # late only by words the estimate ran over


@pytest.mark.parametrize("check", ["validate_document", "timing_problems"])
def test_a_set_document_that_fails_validation_falls_back_to_ssml(
    talk: Conversation,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    check: str,
) -> None:
    if check == "validate_document":
        monkeypatch.setattr(apla, "validate_document", lambda *a, **k: ["broken on purpose"])
    else:  # two voices at once, by the timing model
        monkeypatch.setattr(render, "timing_problems", lambda *a, **k: ["cues overlap"])
    with caplog.at_level(logging.WARNING, logger="skill.voice.render"):
        reply = first_set(talk)
    assert reply.directive is None
    assert "APL-A set document rejected" in caplog.text
    lengths = ssml_hold_lengths(reply.ssml)
    assert len(lengths) == 3
    assert min(lengths) >= 30.0
    assert reply.playing is not None  # still counted as it plays
    assert [index for index, _, _ in reply.playing["holds"]] == [0, 1, 2]


# --- rendered clips -----------------------------------------------------------------------


def serving(config: Config, tmp_path: Path, *clip_ids: str, mode: str = "apla") -> Config:
    fake_clips(tmp_path / "clips", *clip_ids)
    return dataclasses.replace(
        config, audio_base_url=BASE, audio_dir=tmp_path / "clips", speech_mode=mode
    )


def test_a_rendered_clip_stands_in_for_its_whole_hold_inside_the_mixer(
    config: Config, tmp_path: Path
) -> None:
    reply = first_set(talk_with(serving(config, tmp_path, FIRST_CLIP)))
    timeline = first_set_timeline()
    assert reply.directive is not None
    chime = apla.CHIME_SOURCE
    assert apla.audio_sources(reply.directive) == [f"{BASE}/{FIRST_CLIP}.mp3", *[chime] * 3]
    tracks = mixer_cues(the_mixer(reply.directive))
    first, second = timeline.holds[0], timeline.holds[1]
    assert (first.start_ms, f"[audio {BASE}/{FIRST_CLIP}.mp3]") in tracks  # at the hold's start
    assert (first.end_ms, f"[audio {chime}]") in tracks  # the bell stays at its release
    said = set(tracks)
    assert not any((c.offset_ms, c.text) in said for c in first.cues())  # the clip says these
    assert all((c.offset_ms, c.text) in said for c in second.cues())  # Alexa says rep 2's
    assert reply.holds == [30.0, 30.0]  # the clip's hold is timed by the clip itself
    assert reply.playing is not None
    assert [index for index, _, _ in reply.playing["holds"]] == [0, 1, 2]


def test_clips_for_every_hold_leave_alexa_only_the_words_between(
    config: Config, tmp_path: Path
) -> None:
    reply = first_set(talk_with(serving(config, tmp_path, *SET_CLIPS)))
    timeline = first_set_timeline()
    assert reply.directive is not None
    urls = [f"{BASE}/{clip_id}.mp3" for clip_id in SET_CLIPS]
    assert [s for s in apla.audio_sources(reply.directive) if s != apla.CHIME_SOURCE] == urls
    tracks = mixer_cues(the_mixer(reply.directive))
    spoken = sorted((at, text) for at, text in tracks[1:] if not text.startswith("[audio"))
    assert spoken == [(c.offset_ms, c.text) for c in timeline.cues]  # count-ins and rests
    assert reply.holds == []


def test_rendered_clips_play_as_ssml_audio_in_the_fallback(config: Config, tmp_path: Path) -> None:
    reply = first_set(talk_with(serving(config, tmp_path, *SET_CLIPS, mode="ssml")))
    tokens = check_ssml(reply.ssml)
    assert [value for kind, value in tokens if kind == "audio"] == [
        f"{BASE}/{clip_id}.mp3" for clip_id in SET_CLIPS
    ]
    assert "alf" not in reply.ssml  # "Halfway", "That's halfway": the clips say the cues
    assert reply.text.count("Three. Two. One.") == 3  # Alexa still counts each one in


def test_a_hold_picked_up_midway_is_spoken_not_played_from_its_clip(
    config: Config, tmp_path: Path
) -> None:
    talk = talk_with(serving(config, tmp_path, *SET_CLIPS))
    first = first_set(talk)
    assert first.playing is not None
    _, start_ms, end_ms = first.playing["holds"][0]
    answer = talk.say("TimeLeftIntent", at=(start_ms + end_ms) / 2000)  # mid rep 1
    assert "seconds left in this hold" in answer.text
    sources = apla.audio_sources(answer.directive or {})
    assert f"{BASE}/{SET_CLIPS[0]}.mp3" not in sources  # the clip would start it over
    assert f"{BASE}/{SET_CLIPS[1]}.mp3" in sources  # rep 2 is whole: its clip plays


def test_just_count_holds_are_spoken_not_played_from_their_clips(
    config: Config, tmp_path: Path
) -> None:
    talk = talk_with(serving(config, tmp_path, *SET_CLIPS))
    first_set(talk)
    counted = talk.say("JustCountIntent", at=0)  # the set again, with only the count
    assert counted.directive is not None
    assert apla.audio_sources(counted.directive) == [apla.CHIME_SOURCE] * 3  # clips say it all
    assert counted.holds == [30.0, 30.0, 30.0]
    assert not any(line in counted.text for line in CONTENT.cues.breathe)
    assert any(line in counted.text for line in CONTENT.cues.halfway)


def test_more_clips_than_ssml_may_hold_are_all_spoken(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "MAX_AUDIO_TAGS", 2)
    reply = first_set(talk_with(serving(config, tmp_path, *SET_CLIPS, mode="ssml")))
    assert all(kind != "audio" for kind, _ in check_ssml(reply.ssml))
    assert len(ssml_hold_lengths(reply.ssml)) == 3
