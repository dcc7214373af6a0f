"""APL for Audio documents: structure, exact cue offsets, and the validator catching breakage."""

from __future__ import annotations

import copy
import json

import pytest

from skill.core.content import load_content
from skill.core.timeline import VARIANTS, build_hold_timeline
from skill.voice.apla import (
    CHIME_SOURCE,
    DIRECTIVE_TYPE,
    clip_document,
    hold_document,
    validate_document,
)


@pytest.fixture(scope="module")
def timeline():
    return build_hold_timeline(load_content(), "seated", 45, 1)


@pytest.fixture
def doc(timeline):
    return hold_document(timeline, "<speak>Rep 2 of 3, right leg.</speak>", "Nice work.")


def root(directive: dict) -> dict:
    (item,) = directive["document"]["mainTemplate"]["items"]
    return item


def test_envelope(doc, timeline):
    assert doc["type"] == DIRECTIVE_TYPE
    assert doc["token"] == timeline.clip_id
    assert doc["datasources"] == {}
    document = doc["document"]
    assert document["type"] == "APLA"
    assert document["version"] == "0.91"
    assert document["mainTemplate"]["parameters"] == ["payload"]
    assert json.loads(json.dumps(doc)) == doc


def test_sequence_is_intro_cues_chime_outro(doc):
    seq = root(doc)
    assert seq["type"] == "Sequencer"
    kinds = [c["type"] for c in seq["items"]]
    assert kinds == ["Speech", "Mixer", "Audio", "Speech"]
    intro, _, bell, outro = seq["items"]
    assert intro["contentType"] == "SSML"
    assert intro["content"] == "<speak>Rep 2 of 3, right leg.</speak>"
    assert outro["content"] == "<speak>Nice work.</speak>"  # wrapped for APL-A
    assert bell["source"] == CHIME_SOURCE


def test_each_cue_has_its_exact_silence(doc, timeline):
    mixer = root(doc)["items"][1]
    tracks = mixer["items"]
    assert len(tracks) == len(timeline.cues)
    for track, cue in zip(tracks, timeline.cues, strict=True):
        if cue.offset_ms == 0:
            assert track == {"type": "Speech", "contentType": "PlainText", "content": cue.text}
            continue
        assert track["type"] == "Sequencer"
        pause, said = track["items"]
        assert pause == {"type": "Silence", "duration": cue.offset_ms}
        assert isinstance(pause["duration"], int)
        assert said["content"] == cue.text


@pytest.mark.parametrize("seconds", [30, 45, 60])
@pytest.mark.parametrize("variant", range(VARIANTS))
@pytest.mark.parametrize("stretch", ["seated", "supine"])
def test_every_hold_document_validates(stretch, seconds, variant):
    t = build_hold_timeline(load_content(), stretch, seconds, variant)
    for chime in (True, False):
        directive = hold_document(t, "Get ready.", "Well held.", chime=chime)
        assert validate_document(directive, timeline=t) == []
    assert validate_document(hold_document(t, None, None), timeline=t) == []


def test_no_container_holds_only_silence(doc):
    def walk(c):
        yield c
        for child in c.get("items", []):
            yield from walk(child)

    for c in walk(root(doc)):
        if c["type"] in ("Sequencer", "Mixer"):
            assert any(k["type"] != "Silence" for k in c["items"])


def test_clip_document(tmp_path):
    url = "https://audio.example.com/hold-seated-30s-v0.mp3"
    directive = clip_document(url, "Rep 1 of 3.", None, token="rep1")
    items = root(directive)["items"]
    assert [c["type"] for c in items] == ["Speech", "Audio"]
    assert items[1]["source"] == url
    assert validate_document(directive, clip_seconds={url: 31.0}) == []


@pytest.mark.parametrize(
    ("breakage", "problem"),
    [
        (lambda d: root(d)["items"][1]["items"][1]["items"].pop(1), "Silence"),
        (lambda d: root(d)["items"][1]["items"][2]["items"][0].update(duration=8999), "cues[2]"),
        (lambda d: root(d)["items"][1]["items"][2]["items"][0].update(duration=1.5), "int"),
        (lambda d: root(d)["items"][1]["items"][3]["items"][0].update(duration=-1), "int"),
        (lambda d: root(d)["items"].append({"type": "Video"}), "not allowed"),
        (lambda d: root(d)["items"][2].update(source="http://x/a.mp3"), "https"),
        (lambda d: root(d)["items"][0].update(content="<speak>a & b</speak>"), "well-formed"),
        (lambda d: root(d)["items"][0].update(content="no speak tag"), "<speak>"),
        (lambda d: root(d)["items"].append({"type": "Silence", "duration": 250_000}), "240"),
        (lambda d: d["document"].update(version="1.0"), "version"),
        (lambda d: d["document"]["mainTemplate"].pop("items"), "items"),
        (lambda d: d.update(token=object()), "JSON"),
    ],
)
def test_validator_reports_broken_documents(doc, timeline, breakage, problem):
    broken = copy.deepcopy(doc)
    breakage(broken)
    problems = validate_document(broken, timeline=timeline)
    assert any(problem in p for p in problems), problems


def test_silence_alone_is_reported():
    directive = clip_document("https://x.example/a.mp3")
    directive["document"]["mainTemplate"]["items"] = [{"type": "Silence", "duration": 1000}]
    assert any("Silence alone" in p for p in validate_document(directive))


def test_single_item_form_is_accepted(doc, timeline):
    # APL allows `item` (one component) as well as `items`.
    template = doc["document"]["mainTemplate"]
    template["item"] = template.pop("items")[0]
    assert validate_document(doc, timeline=timeline) == []
