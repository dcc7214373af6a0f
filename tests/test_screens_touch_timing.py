"""A touch on the screen is settled on the screen's own clock: it has no wake word and no
speech recognition, so the voice's lag (playback_lag_seconds, skill/core/content/
stretches.yaml) does not apply to it. A tap on Next or Stop just after a release counts the
hold whose countdown the person watched reach 0; the same word said then does not."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from skill.core.content import load_content
from tests.conversation import Reply
from tests.test_screens_alexa import touch, twins

CONTENT = load_content()


def released_s(reply: Reply, hold: int) -> float:
    """When the `hold`-th hold of a response ends ("and release"), in s into it."""
    assert reply.playing is not None
    return float(reply.playing["holds"][hold][2]) / 1000


def holds_done(reply: Reply) -> int:
    """The holds the skill counted, as the goodbye card says them."""
    assert reply.card is not None
    found = re.search(r"(\d+) of \d+", reply.card.get("text") or reply.card.get("content") or "")
    assert found is not None, reply.card
    return int(found.group(1))


def test_next_tapped_just_after_a_release_counts_that_hold(client: FlaskClient) -> None:
    """A touch has no wake word and no recognition: its timestamp is the touch, on the clock
    the screen counted down by (already at 0, "Rest" showing). Saying "next" at the same
    moment still does not count the hold: the words were begun 2 s (the voice's lag) before."""
    spoken, touched = twins(client)
    after = released_s(touched.replies[-1], 0) + 1
    touch(touched, ["next"], at=after)
    spoken.say("AMAZON.NextIntent", at=after)
    assert holds_done(touch(touched, ["stop"], at=1)) == 1
    assert holds_done(spoken.say("AMAZON.StopIntent", at=1)) == 0


def test_stop_tapped_just_after_the_last_release_leaves_the_routine_finished(
    client: FlaskClient,
) -> None:
    spoken, touched = twins(client)
    for talk in (spoken, touched):
        talk.say("AMAZON.NextIntent")  # "ready": the left leg, the routine's last set
    last = touched.replies[-1]
    assert last.playing is not None
    after = released_s(last, -1) + 1
    bye = touch(touched, ["stop"], at=after)
    assert holds_done(bye) == 6
    unfinished = CONTENT.phrases.get("stop.summary", done="", total="", name="").split("  ")[0]
    assert unfinished not in bye.text  # a finished routine: no "you finished 5 of 6"
    said = spoken.say("AMAZON.StopIntent", at=after)
    assert holds_done(said) == 5
    assert unfinished in said.text
