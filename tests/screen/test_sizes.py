"""How big the directives are: every screen kind, for a typical set and the longest set the
content allows, stays within the directive budget (schema.MAX_DIRECTIVE_BYTES, far under the
whole-response limit of docs/alexa-platform.md)."""

from __future__ import annotations

import json

import pytest

from skill.core.content import load_content
from skill.core.screens import AnswerScreen, FinishScreen, SetupScreen
from skill.screen.directive import directive_bytes, render_directive
from skill.screen.schema import MAX_DIRECTIVE_BYTES
from tests.screen.sets import longest_set, typical_set

# The whole response may be at most 120 KB (docs/alexa-platform.md); speech takes at most
# 8000 characters of SSML (4 bytes each at worst) and the rest of the envelope little.
RESPONSE_LIMIT = 120 * 1024
SPEECH_WORST = 8000 * 4


def longest_setup() -> SetupScreen:
    content = load_content()
    stretch = max(
        (content.stretch(s) for s in content.stretch_ids), key=lambda s: sum(map(len, s.setup))
    )
    steps = tuple(step.format(leg="right") for step in stretch.setup)
    return SetupScreen(stretch.id, "right", stretch.name.capitalize(), steps)


SIZED = {
    "set, typical (3 x 30 s)": typical_set(),
    "set, longest (3 x 60 s, set-up, finish)": longest_set(),
    "setup": longest_setup(),
    "finish": FinishScreen("Routine done", holds_done=120, days_this_week=7, streak_days=365),
    "answer, urgent": AnswerScreen(
        "Call 911", "Numbness or weakness in your legs: call 911 now.", "911", urgent=True
    ),
    "answer, clinic": AnswerScreen(
        "Your clinic", "Call to book a visit.", "(904) 858-7045", stretch_id="seated"
    ),
}


@pytest.mark.parametrize("name", SIZED)
def test_every_directive_fits_the_budget_and_the_response_limit(name: str) -> None:
    directive = render_directive(SIZED[name])
    size = directive_bytes(directive)
    print(f"{name}: {size} bytes")
    assert size <= MAX_DIRECTIVE_BYTES
    assert size + SPEECH_WORST < RESPONSE_LIMIT


def test_the_size_counted_is_the_compact_json_sent() -> None:
    directive = render_directive(typical_set())
    sent = json.dumps(directive, separators=(",", ":"), ensure_ascii=False).encode()
    assert directive_bytes(directive) == len(sent)


def test_a_longer_set_costs_only_its_data() -> None:
    typical, longest = (render_directive(s) for s in (typical_set(), longest_set()))
    typical_doc = len(json.dumps(typical["document"], separators=(",", ":")))
    longest_doc = len(json.dumps(longest["document"], separators=(",", ":")))
    assert abs(longest_doc - typical_doc) < 200  # one pose each: the drawings differ a little
