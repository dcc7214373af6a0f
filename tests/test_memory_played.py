"""Progress that lasts, counted as it plays (docs/hands-free.md, "Counting what was played"):
a hold is stored once a later request's timestamp shows it played, and a set that no request
settled is offered again at the next launch."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.builders import RequestBuilder, new_session_id
from tests.conversation import Conversation
from tests.test_memory import SEATED, TUESDAY, WEDNESDAY, store_of


def test_holds_count_once_a_later_request_shows_they_played(
    client: FlaskClient, builder: RequestBuilder
) -> None:
    talk = Conversation(client, builder, start=TUESDAY)
    store = store_of(client)

    def counted() -> tuple[int, int]:
        summary = store.summary(builder.user_id, TUESDAY.date())
        return summary.total_holds, summary.total_sessions

    talk.say("StartStretchIntent", Stretch=SEATED)
    assert counted() == (0, 0)  # the right leg's set is playing: nothing has played yet
    talk.say("AMAZON.NextIntent")  # "ready" once it has played
    assert counted() == (3, 0)
    helped = talk.say("AMAZON.HelpIntent", at=0)  # cut in at once: the left leg counts nothing
    assert counted() == (3, 0)
    assert "You're on rep 1 of 3, left leg" in helped.text
    left = talk.say("AMAZON.ResumeIntent")  # the left leg's set again, from its first hold
    assert left.playing is not None
    assert [index for index, _, _ in left.playing["holds"]] == [3, 4, 5]
    assert counted() == (3, 0)
    talk.end_session("EXCEEDED_MAX_REPROMPTS")  # silence after the last set settles it
    assert counted() == (6, 1)
    assert store.get_profile(builder.user_id).resume_point is None
    talk.wait(3600)
    assert "stretched on 1 day this week" in talk.launch().text


def test_a_set_never_settled_is_offered_again_next_time(
    client: FlaskClient, builder: RequestBuilder
) -> None:
    """A device that goes silent without a SessionEndedRequest: the set it last played is not
    counted (it may not have played), and the next launch offers exactly that set."""
    talk = Conversation(client, builder, start=TUESDAY)
    talk.say("StartStretchIntent", Stretch=SEATED)
    talk.say("AMAZON.NextIntent")  # the right leg counted; the left leg's set plays
    talk.wait(24 * 3600)
    # The next day, a new session on the same device (no SessionEndedRequest came).
    talk.attributes, talk.session_id, talk.new = {}, new_session_id(), True
    offer = talk.launch()
    assert "Your left leg of the seated hamstring stretch is next" in offer.text
    assert store_of(client).summary(builder.user_id, WEDNESDAY.date()).total_holds == 3
    left = talk.say("AMAZON.YesIntent")
    assert left.playing is not None
    assert [index for index, _, _ in left.playing["holds"]] == [3, 4, 5]
