"""What the simulator shows for a response: SSML as prose with its pauses, APL-A as a timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.core.content import load_content
from skill.core.timeline import build_hold_timeline, estimate_speech_ms
from skill.simulator.clips import ClipLookup
from skill.simulator.playback import (
    Sound,
    apla_playback,
    estimate_measure,
    format_offset,
    ssml_playback,
    ssml_sounds,
)
from skill.simulator.render import play, render_text, speech_text, timeline_lines
from skill.voice import apla
from skill.voice.manifest import ClipEntry, Manifest

# --- rendering ----------------------------------------------------------------------------


def test_ssml_pauses_are_summed_and_shown() -> None:
    ssml = (
        '<speak>Hold it. <break time="10000ms"/> <break time="10000ms"/>'
        '<break time="5s"/> Release. <break time="517ms"/>Good.</speak>'
    )
    sounds = ssml_sounds(ssml)
    assert sounds == [
        Sound("speech", "Hold it."),
        Sound("pause", ms=25000),
        Sound("speech", "Release."),
        Sound("pause", ms=517),
        Sound("speech", "Good."),
    ]
    rendered = play(
        {"response": {"outputSpeech": {"type": "SSML", "ssml": ssml}}}, estimate_measure()
    )
    assert speech_text(rendered.speech) == "Hold it. [pause 25 s] Release. [pause 0.5 s] Good."


def test_ssml_phone_numbers_and_audio() -> None:
    ssml = (
        '<speak>Call <say-as interpret-as="telephone">9048587045</say-as> now. '
        '<audio src="soundbank://soundlibrary/musical/amzn_sfx_bell_short_chime_01"/>'
        '<audio src="https://example.org/audio/hold-seated-30s-v0.mp3"/>'
        '<prosody rate="slow">Ten &amp; <amazon:emotion name="excited" intensity="low">'
        "done</amazon:emotion></prosody></speak>"
    )
    rendered = play(
        {"response": {"outputSpeech": {"type": "SSML", "ssml": ssml}}}, estimate_measure()
    )
    assert speech_text(rendered.speech) == (
        "Call 904-858-7045 now. [audio: amzn_sfx_bell_short_chime_01] "
        "[audio: hold-seated-30s-v0] Ten & done"
    )


def test_rendered_clips_are_timed_from_the_manifest() -> None:
    manifest = Manifest(Path("audio"))
    manifest.clips["get-ready"] = ClipEntry(
        "get-ready", "get-ready.mp3", "Three. Two. One.", "espeak", "", 3250, [0], "", ""
    )
    measure = estimate_measure(ClipLookup(manifest).ms)
    ssml = '<speak><audio src="https://coach.example.org/audio/get-ready.mp3"/> Go.</speak>'
    played = ssml_playback(ssml, measure)
    assert [(c.at_ms, c.duration_ms) for c in played.cues][:1] == [(0, 3250)]
    assert played.cues[1].at_ms == 3250
    unknown = ssml_playback('<speak><audio src="https://x.org/other.mp3"/></speak>', measure)
    assert unknown.length_ms == 0  # not rendered here: nothing to time it by


def test_malformed_ssml_still_shows_the_words() -> None:
    assert ssml_sounds("<speak>Broken <b>tag</speak>") == [Sound("speech", "Broken tag")]


def test_apla_hold_document_plays_as_an_exact_timeline() -> None:
    content = load_content()
    timeline = build_hold_timeline(content, "seated", 30, 0)
    directive = apla.hold_document(timeline, intro_ssml="Get ready.", outro_ssml="Nice work.")
    playback = apla_playback(directive, estimate_measure())
    intro_ms = estimate_speech_ms("Get ready.")
    spoken = [(c.at_ms, c.sound.text) for c in playback.cues if c.sound.kind == "speech"]
    expected = [(intro_ms + c.offset_ms, c.text) for c in timeline.cues]
    assert spoken[1:-1] == expected
    assert spoken[0] == (0, "Get ready.")
    # Sequencer: the bell follows the Mixer, which lasts until the release cue has been said.
    mixer_end = intro_ms + timeline.length_ms + estimate_speech_ms(timeline.cues[-1].text)
    bell = next(c for c in playback.cues if c.sound.kind == "audio")
    assert (bell.at_ms, bell.duration_ms) == (mixer_end, 2000)
    assert spoken[-1] == (mixer_end + 2000, "Nice work.")
    assert playback.length_ms == mixer_end + 2000 + estimate_speech_ms("Nice work.")


def test_apla_timeline_lines_read_like_a_device() -> None:
    content = load_content()
    timeline = build_hold_timeline(content, "seated", 30, 0)
    rendered = play(
        {"response": {"directives": [apla.hold_document(timeline)], "shouldEndSession": False}},
        estimate_measure(),
    )
    lines = timeline_lines(rendered.documents[0])
    assert lines[0] == "  0:00.0  Stretch, and hold."
    assert f"  0:15.0  {timeline.cues[3].text}" in lines  # the halfway cue, at 15 s
    bell_ms = 30_000 + estimate_speech_ms(timeline.cues[-1].text)  # after "And release."
    assert lines[-1] == f"  {format_offset(bell_ms)}  [audio: amzn_sfx_bell_short_chime_01]"
    assert lines[-1].startswith("  0:30.8  ")
    text = render_text(rendered)
    assert text.startswith("Alexa:\n  [APL-A audio, 32.8 s]\n    0:00.0  Stretch, and hold.")
    assert "0:25.0  Five." in text


def test_apla_selector_mixer_and_when() -> None:
    doc = {
        "type": apla.DIRECTIVE_TYPE,
        "document": {
            "mainTemplate": {
                "items": [
                    {"type": "Speech", "content": "never", "when": False},
                    apla.mixer(
                        {"type": "Selector", "items": [
                            {"type": "Speech", "content": "skipped", "when": "${false}"},
                            apla.sequencer(apla.silence(1500), apla.speech("chosen")),
                        ]},
                        apla.sequencer(apla.silence(4000), apla.speech("later")),
                    ),
                ]
            }
        },
    }  # fmt: skip
    playback = apla_playback(doc, estimate_measure())
    spoken = [(c.at_ms, c.sound.text) for c in playback.cues if c.sound.kind == "speech"]
    assert spoken == [(1500, "chosen"), (4000, "later")]
    assert playback.length_ms == 4000 + estimate_speech_ms("later")


@pytest.mark.parametrize(
    ("ms", "text"), [(0, "0:00.0"), (15000, "0:15.0"), (62540, "1:02.5"), (599960, "10:00.0")]
)
def test_format_offset(ms: int, text: str) -> None:
    assert format_offset(ms) == text
