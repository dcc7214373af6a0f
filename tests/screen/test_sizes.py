"""How big the directives are: every hold screen the real coach sends (every stretch choice,
hold length, hold, intro, preference, lead and the disclaimer: tests/screen/coach_sets.py),
and every other screen kind, stays within the directive budget (schema.MAX_DIRECTIVE_BYTES,
far under the whole-response limit of docs/alexa-platform.md)."""

from __future__ import annotations

import json
from functools import cache

import pytest

from skill.core.content import load_content
from skill.core.screens import FinishScreen, Screen
from skill.screen.directive import directive_bytes, render_directive
from skill.screen.schema import MAX_DIRECTIVE_BYTES, validate_directive
from tests.screen.coach_sets import coach, every_set_screen

# The whole response may be at most 120 KB (docs/alexa-platform.md); speech takes at most
# 8000 characters of SSML (4 bytes each at worst) and the rest of the envelope little.
RESPONSE_LIMIT = 120 * 1024
SPEECH_WORST = 8000 * 4


def fits(size: int) -> bool:
    return size <= MAX_DIRECTIVE_BYTES and size + SPEECH_WORST < RESPONSE_LIMIT


@cache
def set_sizes() -> list[tuple[int, str]]:
    """(bytes, turn) of every distinct hold screen the coach sends, smallest first."""
    return sorted((directive_bytes(render_directive(s)), name) for name, s in every_set_screen())


def test_every_hold_screen_the_coach_sends_fits_the_budget() -> None:
    sizes = set_sizes()
    largest, name = sizes[-1]
    print(f"{len(sizes)} hold screens; largest {largest} bytes ({name}); smallest {sizes[0][0]}")
    assert len(sizes) > 5000
    assert fits(largest), (largest, name)
    # and the largest is a directive a device accepts
    screens = dict(every_set_screen())
    assert validate_directive(render_directive(screens[name])) == []


def other_screens() -> dict[str, Screen]:
    """Every answer, the set-up of each stretch, a clinic's number, and a finish screen with
    the largest numbers it can show."""
    content = load_content()
    said = coach()
    found: dict[str, Screen] = {}
    for key in content.answers:
        found[f"answer {key}"] = said.answer_turn(key, None).screen  # type: ignore[assignment]
    for stretch_id in content.stretch_ids:
        found[f"setup {stretch_id}"] = said.how_to_turn(None, stretch_id).screen  # type: ignore[assignment]
    for key in content.clinic:
        found[f"clinic {key}"] = said.booking_turn(key, None).screen  # type: ignore[assignment]
    found["finish"] = FinishScreen(
        "Routine done", holds_done=120, days_this_week=7, streak_days=365
    )
    return found


@pytest.mark.parametrize("name", other_screens())
def test_every_other_screen_fits_the_budget(name: str) -> None:
    screen = other_screens()[name]
    assert screen is not None, name
    size = directive_bytes(render_directive(screen))
    print(f"{name}: {size} bytes")
    assert fits(size)


def test_the_size_counted_is_the_compact_json_sent() -> None:
    _, screen = every_set_screen()[0]
    directive = render_directive(screen)
    sent = json.dumps(directive, separators=(",", ":"), ensure_ascii=False).encode()
    assert directive_bytes(directive) == len(sent)


def test_a_longer_set_costs_only_its_data_and_drawings() -> None:
    """The smallest and the largest hold screen send the same document but for the poses
    they draw: what grows is the data source."""
    screens = dict(every_set_screen())
    (_, smallest), (_, largest) = set_sizes()[0], set_sizes()[-1]
    small, large = (render_directive(screens[name])["document"] for name in (smallest, largest))
    assert {**small, "graphics": None} == {**large, "graphics": None}
    poses = set(small["graphics"]) | set(large["graphics"])
    for name in poses & set(small["graphics"]) & set(large["graphics"]):
        assert small["graphics"][name] == large["graphics"][name]
