"""What every handler shares: the conversation's state (one SessionState, read and written
once per request by skill/alexa/session_attributes.py), and replying.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.interfaces.alexa.presentation.apla import RenderDocumentDirective

from skill.alexa.memory import open_memory
from skill.alexa.permissions import ask_for_reminders, consent_card
from skill.alexa.screen import Presenter, shows_screens
from skill.alexa.session_attributes import read_session
from skill.alexa.time_zone import device_time_zone, zone_info
from skill.core.playback import Playback, Settled, elapsed_ms, settle
from skill.core.preferences import Preferences
from skill.core.routine import RoutineLimits, RoutineState, Stage
from skill.core.session_state import Expect, SessionState, clean_time_zone
from skill.core.set_screens import placed
from skill.core.turn_screens import turn_screen
from skill.core.turns import Coach, Turn
from skill.screen.directive import USER_EVENT
from skill.store.progress_store import ProgressStore
from skill.voice.render import Rendered, SpeechRenderer, SpokenTurn
from skill.voice.ssml import to_ssml


class Conversation:
    """Typed access to this conversation's state, and the one way to answer."""

    def __init__(
        self,
        handler_input: HandlerInput,
        coach: Coach,
        store: ProgressStore | None = None,
        renderer: SpeechRenderer | None = None,
        presenter: Presenter | None = None,
    ) -> None:
        self.handler_input = handler_input
        self.coach = coach
        self.renderer = renderer or SpeechRenderer(coach.content)
        self.presenter = presenter or Presenter()
        self.box = read_session(handler_input, coach.content)
        self.limits = RoutineLimits.of(coach.content)
        self.memory = open_memory(handler_input, store, self._time_zone)
        self.settled = self._settle()

    def _now_ms(self) -> int:
        return int(self.memory.request_time().timestamp() * 1000)

    def _settle(self) -> Settled | None:
        """Count the holds of the last response that had played when this request came (by
        the two requests' timestamps, skill/core/playback.py); the record is then spent."""
        playing, state = self.state.playing, self.state.routine
        if playing is None or state is None:
            return None
        lag = self._lag_ms()
        settled = settle(state, playing.plan, elapsed_ms(playing, self._now_ms(), lag))
        self._change(routine=settled.state, playing=None)
        self.memory.record(len(settled.newly), settled.finished)
        if settled.newly:
            done = {hold.stretch_id for hold in settled.newly}
            prefs = self.preferences
            if not done <= prefs.known:
                self.preferences = prefs.knowing(done)
        if settled.state != state:  # the resume point kept at delivery still holds otherwise
            self.keep_resume_point(settled.state)
        return settled

    def _lag_ms(self) -> int:
        """How much later than the moment the person acted this request's timestamp is: the
        wake word and recognition for speech; none for a touch, whose timestamp is the touch
        itself, on the very clock the screen counted down by."""
        if is_request_type(USER_EVENT)(self.handler_input):
            return 0
        return self.coach.content.routine.playback_lag_seconds * 1000

    @property
    def interrupted(self) -> bool:
        """This request cut a hold short (it starts again, or goes on, as the handler says)."""
        return self.settled is not None and self.settled.interrupted is not None

    @property
    def preferences(self) -> Preferences:
        """The person's coaching preferences: the session's, else the profile's (read once,
        then carried in the session)."""
        if self.state.prefs is None:
            stored = self.memory.profile.preferences
            prefs = Preferences.from_dict(stored, self.coach.content.stretch_ids)
            if not self.memory.available:
                return prefs
            self._change(prefs=prefs)
        return self.state.prefs or Preferences()

    @preferences.setter
    def preferences(self, prefs: Preferences) -> None:
        self._change(prefs=prefs)
        self.memory.update(preferences=prefs.to_dict() or None)

    @property
    def state(self) -> SessionState:
        return self.box.state

    def _change(self, **fields: Any) -> None:
        state = self.box.state
        if any(getattr(state, name) is not value for name, value in fields.items()):
            self.box.state = replace(state, **fields)

    def _time_zone(self) -> ZoneInfo:
        """The device's time zone, asked at most once per session (kept in the state)."""
        if self.state.time_zone is None:
            asked = clean_time_zone(device_time_zone(self.handler_input))
            self._change(time_zone=asked or "UTC")
        return zone_info(self.state.time_zone or "UTC")

    @property
    def zone_name(self) -> str:
        """The person's zone name (a reminder's timeZoneId): the session's, asked if need be."""
        self._time_zone()
        return self.state.time_zone or "UTC"

    def local_now(self) -> datetime:
        """The request's time as the person's naive local wall time."""
        moment = self.memory.request_time().astimezone(self._time_zone())
        return moment.replace(tzinfo=None, microsecond=0)

    def change(self, **fields: Any) -> None:
        """Set session state fields (those no property of this class covers)."""
        self._change(**fields)

    @property
    def routine(self) -> RoutineState | None:
        return self.state.routine

    @routine.setter
    def routine(self, state: RoutineState | None) -> None:
        self._change(routine=state)

    @property
    def hold_seconds(self) -> int:
        """This conversation's choice, else the person's saved preference, else the default.
        The profile is read only when the conversation has no choice of its own."""
        if self.state.hold_seconds is not None:
            return self.state.hold_seconds
        saved = self.memory.profile.hold_seconds
        if self.limits.hold_ok(saved):
            return int(saved)  # type: ignore[arg-type]
        return self.coach.content.routine.hold_seconds_default

    @hold_seconds.setter
    def hold_seconds(self, value: int) -> None:
        self._change(hold_seconds=value)
        self.memory.update(hold_seconds=value)

    def carry_saved_preferences(self) -> None:
        """At launch, after the profile was read anyway: the person's hold length (saved, or
        the default when none is saved) goes into the session, so the turns that follow need
        no database read for it. Not when the read failed: a later turn may still find it."""
        if self.state.hold_seconds is None and self.memory.available:
            self._change(hold_seconds=self.hold_seconds)
        if self.state.prefs is None and self.memory.available:
            self._change(prefs=self.preferences)

    @property
    def expects(self) -> Expect | None:
        return self.state.expects

    def keep_resume_point(self, state: RoutineState) -> None:
        """Keep the place to resume from (none once the routine is finished)."""
        if state.stage is Stage.FINISHED:
            self.memory.update(resume_point=None)
        else:
            at = self.memory.request_time().isoformat()
            self.memory.update(resume_point={"routine": state.to_dict(), "at": at})

    def disclaimer_due(self) -> bool:
        """Once per person: remembered across conversations, and within this one even when
        the database is down. Once the profile says it was heard, the session remembers it,
        so the rest of the conversation never reads the profile again just for this."""
        if self.state.disclaimer_heard:
            return False
        if self.memory.profile.disclaimer_heard:
            self._change(disclaimer_heard=True)
            return False
        return True

    def mark_disclaimer_heard(self) -> None:
        self._change(disclaimer_heard=True)
        self.memory.update(disclaimer_heard=True)

    def reply(self, turn: Turn) -> Response:
        """Build the response from a turn and remember how it was composed, for "repeat".

        A conversation that opens with a one-shot request ("ask hamstring coach to start the
        seated stretch") hears the disclaimer first, unless the turn is emergency advice, a
        safety answer or a phone number: those come first, and the disclaimer waits for the
        next turn that is none of them (starting a stretch, or the next launch).
        """
        if (
            not (turn.urgent or turn.answer_first)
            and self.handler_input.request_envelope.session
            and self.disclaimer_due()
        ):
            turn = self.coach.with_disclaimer(turn)
            self.mark_disclaimer_heard()
        if not turn.end_session and turn.replay is None:
            raise ValueError("an open session needs a turn that can be repeated")
        playing = None
        if turn.play is not None and not turn.end_session:
            playing = Playback(self._now_ms(), turn.play)
        self._change(
            last=None if turn.end_session else turn.replay, expects=turn.expects, playing=playing
        )
        return self.say(turn)

    def say(self, turn: Turn) -> Response:
        """The response for `turn`, changing nothing in the conversation's state ("repeat")."""
        reprompt = to_ssml(turn.reprompt, reprompt=True) if turn.reprompt else None
        asks_alexa = turn.ask_reminder_permission is not None  # Alexa's question follows
        if not turn.end_session and reprompt is None and not asks_alexa:
            raise ValueError("an open session needs a reprompt")
        return self.respond(
            self.renderer.render(SpokenTurn.from_speech(turn.speech)), reprompt, turn
        )

    def respond(
        self, rendered: Rendered, reprompt: str | None, turn: Turn | None = None
    ) -> Response:
        """outputSpeech first, then the APL-A document: Alexa never overlaps the two. On a
        device with a screen, the turn's screen too, its clock where the set's audio starts."""
        builder = self.handler_input.response_builder
        if turn is not None and turn.ask_reminder_permission is not None:
            return self._ask_reminder_permission(rendered, turn.ask_reminder_permission)
        if rendered.ssml:
            builder.speak(rendered.ssml)
        if rendered.directive is not None:
            builder.add_directive(RenderDocumentDirective(**_directive_kwargs(rendered.directive)))
        if turn is not None and shows_screens(self.handler_input):
            # Every turn replaces the screen: the device keeps the last one up otherwise.
            screen = turn_screen(self.coach.content, turn, self.state.routine)
            shown = self.presenter.screen_directive(self.handler_input, placed(screen, turn.speech))
            if shown is not None:
                builder.add_directive(shown)
        end = turn.end_session if turn else reprompt is None
        if reprompt and not end:
            builder.ask(reprompt)
        if turn and turn.reminder_permission_card:
            builder.set_card(consent_card())
        elif turn and turn.card:
            builder.set_card(self.presenter.card(turn.card))
        builder.set_should_end_session(end)
        return builder.response

    def _ask_reminder_permission(self, rendered: Rendered, token: str) -> Response:
        """Alexa asks for the reminders permission itself and answers with a
        Connections.Response (token = the schedule's token). Amazon's example response
        carries the directive alone: no reprompt and no shouldEndSession, which would compete
        with Alexa's own question; our speech says why first (Amazon's guidelines ask for
        that), and nothing else goes with it (no APL-A, no screen)."""
        builder = self.handler_input.response_builder
        if rendered.ssml:
            builder.speak(rendered.ssml)
        builder.add_directive(ask_for_reminders(token))
        return builder.response


def _directive_kwargs(directive: dict[str, Any]) -> dict[str, Any]:
    return {
        "token": directive["token"],
        "document": directive["document"],
        "datasources": directive.get("datasources") or None,
    }


class CoachHandler(AbstractRequestHandler):
    """A request handler with the coach (content) and the progress store at hand.

    An intent handler names the intents it handles in `intents`; `can_handle` matches them,
    and the package's HANDLED_INTENTS is the union over the handler list."""

    intents: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        coach: Coach,
        store: ProgressStore | None = None,
        renderer: SpeechRenderer | None = None,
        presenter: Presenter | None = None,
    ) -> None:
        self.coach = coach
        self.store = store
        self.renderer = renderer or SpeechRenderer(coach.content)
        self.presenter = presenter or Presenter()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input) and (
            get_intent_name(handler_input) in self.intents
        )

    def conversation(self, handler_input: HandlerInput) -> Conversation:
        return Conversation(handler_input, self.coach, self.store, self.renderer, self.presenter)


def slot_value(handler_input: HandlerInput, name: str) -> tuple[str | None, str | None]:
    """A slot's (resolved id, heard words); id only when entity resolution matched."""
    request = handler_input.request_envelope.request
    intent = getattr(request, "intent", None)
    slot = (intent.slots or {}).get(name) if intent else None
    if slot is None:
        return None, None
    resolved = None
    resolutions = slot.resolutions.resolutions_per_authority if slot.resolutions else None
    for authority in resolutions or []:
        status = authority.status if authority else None
        code = status.code.value if status and status.code else ""
        first = authority.values[0] if code == "ER_SUCCESS_MATCH" and authority.values else None
        if first is not None and first.value is not None and isinstance(first.value.id, str):
            resolved = first.value.id
            break
    return resolved, slot.value
