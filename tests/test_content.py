"""Content files: faithful to the article, and a broken file is reported by file and key."""

from __future__ import annotations

from typing import Any

import pytest

import skill.core.content as content_module
from skill.core.content import ContentError, load_content


def test_article_facts() -> None:
    content = load_content()
    assert content.routine.hold_seconds_default == 30
    assert content.routine.reps_per_leg == 3
    assert content.routine.legs == ("right", "left")
    assert content.clinic["rehab"].display == "(904) 858-7045"
    assert content.clinic["rehab"].dial == "9048587045"
    assert content.clinic["injury_care"].display == "(904) JOI-2000"
    assert content.clinic["injury_care"].dial_pretty == "(904) 564-2000"
    seated = " ".join(content.stretch("seated").setup)
    for fact in ("sturdy chair", "heel on the floor", "knee straight", "chest up", "lean forward"):
        assert fact in seated
    supine = " ".join(content.stretch("supine").setup)
    for fact in ("on your back", "dog leash", "knee straight", "toward your face"):
        assert fact in supine


def test_phrases_render_and_rotate() -> None:
    phrases = load_content().phrases
    first = phrases.get("hold.done_rep", 0, rep=1, reps=3, leg="right")
    second = phrases.get("hold.done_rep", 1, rep=1, reps=3, leg="right")
    assert first != second
    with pytest.raises(KeyError, match=r"no key 'nope\.nope'"):
        phrases.get("nope.nope")


def _broken(monkeypatch: pytest.MonkeyPatch, file: str, mutate: Any) -> ContentError:
    real_read = content_module._read

    def fake_read(name: str) -> dict[str, Any]:
        data = real_read(name)
        if name == file:
            mutate(data)
        return data

    load_content.cache_clear()
    monkeypatch.setattr(content_module, "_read", fake_read)
    try:
        with pytest.raises(ContentError) as info:
            load_content()
    finally:
        monkeypatch.undo()
        load_content.cache_clear()
    return info.value


@pytest.mark.parametrize(
    ("file", "mutate", "key"),
    [
        ("stretches.yaml", lambda d: d["routine"].pop("reps_per_leg"), "routine.reps_per_leg"),
        (
            "stretches.yaml",
            lambda d: d["routine"].update(hold_seconds_min=10),
            "routine.hold_seconds_min",
        ),
        (
            "stretches.yaml",
            lambda d: d["stretches"]["seated"].update(setup=[]),
            "stretches.seated.setup",
        ),
        ("stretches.yaml", lambda d: d["stretches"].pop("supine"), "stretches.supine"),
        ("cues.yaml", lambda d: d.update(breathe=["ok", 5]), "breathe[1]"),
        ("cues.yaml", lambda d: d.update(halfway=["Half {way"]), "halfway[0]"),
        ("phrases.yaml", lambda d: d["launch"].update(welcome=""), "launch.welcome"),
        ("phrases.yaml", lambda d: d["hold"].update(rep_intro="Rep {rep.x}"), "hold.rep_intro"),
        ("answers.yaml", lambda d: d["BouncingIntent"].pop("text"), "BouncingIntent.text"),
        ("clinic.yaml", lambda d: d["rehab"].update(dial="555"), "rehab.dial"),
    ],
)
def test_broken_content_names_file_and_key(
    monkeypatch: pytest.MonkeyPatch, file: str, mutate: Any, key: str
) -> None:
    error = _broken(monkeypatch, file, mutate)
    assert error.file == file
    assert error.key == key
    assert file in str(error)


def test_missing_file_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(content_module, "CONTENT_PACKAGE", "skill.alexa.handlers")
    load_content.cache_clear()
    try:
        with pytest.raises(ContentError, match="file is missing"):
            load_content()
    finally:
        monkeypatch.undo()
        load_content.cache_clear()
