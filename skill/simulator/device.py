"""A simulated Echo: one utterance in, the skill's answer out, the session kept in between.

`Device.say` does what Alexa does with a spoken sentence: launch phrases open the skill,
"ask hamstring coach to …" opens it with a request, anything else goes to the open session
as the intent the local NLU recognises. Saying nothing plays the reprompt, then ends the
session (EXCEEDED_MAX_REPROMPTS); "quit" or "exit" leaves (USER_INITIATED).

Every request carries the device's time (skill.simulator.clock): a line may begin with a time
prefix (`@12s pause`, `+1d open hamstring coach`). A wait longer than the microphone listens
lets the session time out first, as it would on an Echo.

A device with a screen (`Display`: an Echo Show, a Fire TV) shows the APL documents the skill
sends and says so in each request; `[tap pause]` presses a button on what it shows at that
moment (skill.simulator.screen), sent as the UserEvent a touch sends. Brackets never come out of
speech recognition, so a typed touch cannot be mistaken for something said.

When the skill asks for a permission (Connections.SendRequest AskFor), Alexa asks with her own
prompt and the next words answer it: the device sends the Connections.Response (see
skill.simulator.consent). `[reminders ...]` commands set the Reminders API stand-in's modes.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from skill.resources import interaction_model_path
from skill.simulator import consent
from skill.simulator.clock import DeviceClock, When, split_when, timestamp
from skill.simulator.consent import AskFor
from skill.simulator.display import Shown, render_directive
from skill.simulator.envelopes import DeviceSession, EnvelopeFactory
from skill.simulator.exchange import Exchange
from skill.simulator.nlu import Recognition, Recognizer, load_model, normalize, parse_launch
from skill.simulator.playback import Measure, estimate_measure
from skill.simulator.reminders_api import RemindersApi
from skill.simulator.render import INDENT, Rendered, play
from skill.simulator.screen import ScreenReport, report, view_at
from skill.simulator.settings_api import local_time_zone
from skill.simulator.transport import Transport, TransportError

MODEL_PATH = interaction_model_path("en-US")
QUIT_WORDS = frozenset({"quit", "exit", "exit simulator", "quit simulator"})
TAP = re.compile(r"\[\s*tap\b(?P<name>[^\]]*)\]", re.IGNORECASE)  # "[tap pause]"
TAP_HELP = "A touch on the screen is typed in brackets: '[tap pause]', '@12s [tap next]'."


@lru_cache(maxsize=4)
def recognizer_for(model_path: Path, skill_id: str) -> Recognizer:
    """Built once per model and skill id: it is immutable and takes ~0.5 s to build."""
    return Recognizer(load_model(model_path), skill_id=skill_id)


class Device:
    """Drives turns through a transport, carrying the session as an Echo does."""

    def __init__(
        self,
        transport: Transport,
        factory: EnvelopeFactory | None = None,
        recognizer: Recognizer | None = None,
        measure: Measure | None = None,
        clock: DeviceClock | None = None,
        reminders: RemindersApi | None = None,
        voice_consent: bool = True,
    ) -> None:
        self.transport = transport
        self.clock = clock or DeviceClock()
        self.factory = factory or EnvelopeFactory()
        base = recognizer or recognizer_for(MODEL_PATH, self.factory.application_id)
        # "tomorrow" is the day after the moment it is said, in the zone the Settings API
        # stand-in tells the skill (this machine's), not the day the simulator started.
        self._zone = ZoneInfo(local_time_zone())
        self._said_at = self.clock.reply()
        self.recognizer = base.dated(lambda: self._said_at.astimezone(self._zone).date())
        self.measure = measure or estimate_measure()
        self.session = DeviceSession()
        self.display = self.factory.display  # None: no screen
        self.shown: Shown | None = None  # the document on screen, while the session lasts
        self._reprompt: Rendered | None = None  # what silence replays, once
        self._silences = 0
        self.reminders = reminders  # the Reminders API stand-in the skill calls, if any
        self.voice_consent = voice_consent  # False: a device that cannot ask by voice
        self.asked: AskFor | None = None  # a permission request Alexa is waiting to hear
        self._unclear = 0  # answers to it Alexa did not understand
        self._changes = reminders.changes if reminders is not None else 0

    @property
    def invocation_name(self) -> str:
        return self.recognizer.model.invocation_name

    def say(self, text: str) -> Exchange:
        """One utterance, typed or recognised from speech, maybe after a time prefix."""
        try:
            when, spoken = split_when(text)
        except ValueError as exc:
            return Exchange(text, note=str(exc))
        tap = TAP.fullmatch(spoken.strip())
        if tap is not None:
            return self.tap(text, when, tap.group("name"))
        typed = consent.COMMAND.fullmatch(spoken.strip())
        if typed is not None:
            return Exchange(text, note=consent.command(typed.group("rest"), self.reminders))
        words = normalize(spoken)
        if words and self.asked is not None and words not in QUIT_WORDS:
            at, timing = self._moment(when)
            self._silences = 0
            return self.consent_answer(text, spoken, at, timing)
        if not words:
            if when is not None:
                return Exchange(
                    text, note=f"say something after {when.text} (a blank line is silence)"
                )
            return self.silence()
        at, timing = self._moment(when)
        self._silences = 0
        if words in QUIT_WORDS:
            return self.quit(text, at, timing)
        launch = parse_launch(spoken, self.invocation_name)
        if launch.kind == "launch":
            self.session.begin()
            envelope = self.factory.launch(self.session, at, self._visual())
            return self._send(text, envelope, at, note=timing)
        notes = [timing]
        utterance = launch.utterance if launch.kind == "intent" else spoken
        assert utterance is not None
        if not self.session.open:
            self.session.begin()
            if launch.kind == "none":
                notes.append(
                    f"no session open: sent as 'ask {self.invocation_name} to {spoken.strip()}'"
                )
        self._said_at = at
        recognition = self.recognizer.recognize(utterance)
        envelope = self.factory.intent(recognition, self.session, at, self._visual())
        return self._send(text, envelope, at, recognition, _join(notes))

    def tap(self, text: str, when: When | None, name: str) -> Exchange:
        """A finger on the button called `name` (its label or action) at the prefix's time.

        Sends what the button's SendEvent sends; a device without a touch screen, an empty
        screen or no such button sends nothing, and the note lists what can be tapped.
        """
        name = " ".join(name.split())
        if self.display is None:
            note = "this device has no screen to touch (try --device echo-show-8); nothing sent"
            return Exchange(text, note=note)
        if not self.display.touch:
            note = f"the {self.display.device} has no touch screen; nothing sent"
            return Exchange(text, note=note)
        if self.shown is None:
            return Exchange(text, note="nothing on the screen to tap yet; nothing sent")
        at, timing = self._moment(when)
        shown = self.shown
        if shown is None:  # the wait outlasted the session: the screen went back home
            gone = "the screen has gone with the session; nothing sent"
            return Exchange(text, note=_join([timing, gone]))
        view = view_at(shown.directive, self.display.viewport, shown.elapsed_ms(at))
        button = view.find(name) if name else None
        if button is None:
            what = f"no button {name!r} on the screen" if name else "tap which button?"
            shows = "it shows no buttons now"
            if view.buttons:
                shows = f"its buttons are {view.labels} (e.g. [tap {view.buttons[0].action}])"
            return Exchange(text, note=_join([timing, f"{what}: {shows}; nothing sent"]))
        self._silences = 0
        arguments = list(button.arguments)
        touch = {"token": shown.token, "arguments": arguments, "source": button.source()}
        envelope = self.factory.user_event(touch, self.session, at, self._visual())
        return self._send(text, envelope, at, note=_join([timing, f"you tapped {button.label}"]))

    def _visual(self) -> dict[str, Any] | None:
        """The visual context while a document is on screen."""
        return self.shown.visual_context() if self.shown is not None else None

    def _moment(self, when: When | None) -> tuple[datetime, str]:
        """When the utterance is sent, and a note on its timing (empty for a plain reply).

        Said after the microphone has closed, it comes after the silence path has run: the
        reprompt, and the session's end (EXCEEDED_MAX_REPROMPTS), each at its own time.
        """
        if when is None:
            return self.clock.reply(), ""
        at, note = self.clock.when(when)
        before = []
        while self.session.open and not self.clock.realtime and at > self.clock.timeout():
            missed = self.silence()
            if missed.request is None:
                before.append(f"Alexa reprompted at {timestamp(missed.at or at)}")
            else:
                before.append(f"the session timed out at {timestamp(missed.at or at)}")
        return at, _join([", ".join(before), note])  # in the order it happened

    def silence(self) -> Exchange:
        """The person says nothing: Alexa speaks the reprompt once, then ends the session.

        Each comes when the microphone gives up listening (clock.LISTEN_MS after the end of
        what played), so the SessionEndedRequest carries the time a device would send it.
        """
        if not self.session.open:
            return Exchange("", note="nothing is listening: say 'open hamstring coach'")
        self._silences += 1
        at = self.clock.timeout()
        if self.asked is not None:
            return self.send_consent(self.asked, consent.NOT_ANSWERED, "", at, "you said nothing")
        if self._silences == 1 and self._reprompt is not None:
            replay = Rendered(self._reprompt.reprompt, (), None, None, False)
            self.clock.played(at, replay.length_ms)
            note = "you said nothing: Alexa reprompts"
            return Exchange("", rendered=replay, note=note, at=at)
        return self.end_session("EXCEEDED_MAX_REPROMPTS", "", "you said nothing again", at)

    def quit(self, text: str = "quit", at: datetime | None = None, timing: str = "") -> Exchange:
        """Leave: a SessionEndedRequest (USER_INITIATED) if a session is open."""
        if not self.session.open:
            return Exchange(text, leave=True, note=timing)
        exchange = self.end_session(
            "USER_INITIATED", text, _join([timing, "session ended by you"]), at
        )
        return replace(exchange, leave=True)

    def end_session(
        self, reason: str, utterance: str, note: str, at: datetime | None = None
    ) -> Exchange:
        """Send a SessionEndedRequest at `at` (default: a reply's time) and close the session."""
        at = at or self.clock.reply()
        envelope = self.factory.session_ended(reason, self.session, at, self._visual())
        self.session.close()
        self.asked = None
        self.shown = None
        self._reprompt = None
        response = self.transport.send(envelope)
        self.clock.played(at, 0)  # a SessionEndedRequest gets no speech
        return Exchange(utterance, None, envelope, response, None, f"{note}: {reason}", at=at)

    def _send(
        self,
        text: str,
        envelope: dict[str, Any],
        at: datetime,
        recognition: Recognition | None = None,
        note: str = "",
    ) -> Exchange:
        try:
            response = self.transport.send(envelope)
        except TransportError:
            if self.session.new:
                self.session.close()  # the session never started on the skill's side
            raise
        ask, problem = consent.ask_for(response)
        self.asked, self._unclear = ask, 0
        if ask is None:
            self.session.carry(response)
        else:  # Alexa asks, then the skill's session goes on (Amazon: it "continues")
            self.session.new = False
            self.session.attributes = dict(response.get("sessionAttributes") or {})
        rendered = play(response, self.measure)
        if ask is not None:
            rendered = replace(rendered, ends_session=False)
        self.clock.played(at, rendered.length_ms)
        self._reprompt = rendered if rendered.reprompt and not rendered.ends_session else None
        screen, note = self._show(response, at, _join([note, problem]))
        exchange = Exchange(
            text, recognition, envelope, response, rendered, note, at=at, screen=screen
        )
        exchange = replace(exchange, reminders=self._reminders_changed())
        if ask is None:
            return exchange
        prompt = consent.prompt(self.skill_name)
        record = {"asked": ask.record(), "prompt": prompt, "answer": None, "code": None}
        if self.voice_consent:
            asks = (f"{INDENT}[Alexa asks for permission: {ask.labels}]", f"Alexa: {prompt}")
            return replace(exchange, consent=record, alexa=asks)
        cannot = f"{INDENT}[Alexa cannot ask for permission by voice here: {ask.labels}]"
        record["prompt"] = None
        followed = self.send_consent(ask, None, "", self.clock.reply(), "")
        return replace(exchange, consent=record, alexa=(cannot,), followed=followed)

    @property
    def skill_name(self) -> str:
        """The name Alexa says in her prompts ("Hamstring Coach")."""
        return self.invocation_name.title()

    def consent_answer(self, text: str, spoken: str, at: datetime, timing: str) -> Exchange:
        """The person's words after Alexa's permission prompt: she understands them or asks
        once more (Amazon: she "re-prompts the user with a rephrased question"), then sends
        the skill ACCEPTED, DENIED or NOT_ANSWERED."""
        ask = self.asked
        assert ask is not None
        status = consent.answer_of(spoken, self.recognizer)
        if status is None and self._unclear == 0:
            self._unclear = 1
            self.clock.played(at, 0)
            again = "Alexa did not understand your answer: she asks again"
            prompt = consent.prompt(self.skill_name)
            record = {"asked": ask.record(), "prompt": prompt, "answer": None, "code": None}
            return Exchange(
                text,
                note=_join([timing, again]),
                at=at,
                consent=record,
                alexa=(f"Alexa: {prompt}",),
            )
        heard = "you answered Alexa" if status else "Alexa did not understand you twice"
        return self.send_consent(
            ask, status or consent.NOT_ANSWERED, text, at, _join([timing, heard])
        )

    def send_consent(
        self, ask: AskFor, status: str | None, text: str, at: datetime, note: str
    ) -> Exchange:
        """Send the skill the Connections.Response to `ask`: code 200 and payload.status
        `status`; None: a device that cannot ask by voice (a non-200 code, no payload)."""
        self.asked, self._unclear = None, 0
        if status is None:
            code, payload = consent.NO_VOICE_STATUS, None
        else:
            consent.settle(self.reminders, ask, status)
            code, payload = ("200", "OK"), consent.payload(ask, status)
        envelope = self.factory.connections_response(
            consent.ASK_FOR, code, payload, ask.token, self.session, at, self._visual()
        )
        sent = f"Alexa sends the skill Connections.Response {code[0]} {status or code[1]}"
        exchange = self._send(text, envelope, at, note=_join([note, sent]))
        record = {"asked": ask.record(), "prompt": None, "answer": status, "code": code[0]}
        return exchange if exchange.consent is not None else replace(exchange, consent=record)

    def _reminders_changed(self) -> tuple[str, ...] | None:
        """The reminders the stand-in holds for this user, if they changed since last asked."""
        api = self.reminders
        if api is None or api.changes == self._changes:
            return None
        self._changes = api.changes
        return tuple(api.describe(self.factory.api_access_token))

    def _show(
        self, response: dict[str, Any], at: datetime, note: str
    ) -> tuple[ScreenReport | None, str]:
        """Put a RenderDocument on the screen (it appears as the answer starts); the report.

        The screen is kept while the session lasts (an answer without a document leaves it
        as it is) and cleared with it. A device without a screen shows nothing, and says so if
        the skill sent it a document all the same.
        """
        directive = render_directive(response)
        screen = None
        if directive is not None and self.display is None:
            note = _join([note, "the skill sent an APL screen to a device without one"])
        elif directive is not None and self.display is not None:
            self.shown = Shown(directive, at, self.display.max_version)
            screen = report(directive, self.display.viewport)
        if not self.session.open:
            self.shown = None
        return screen, note


def _join(notes: list[str]) -> str:
    return "; ".join(n for n in notes if n)
