"""A simulated Echo: one utterance in, the skill's answer out, the session kept in between.

`Device.say` does what Alexa does with a spoken sentence: launch phrases open the skill,
"ask hamstring coach to …" opens it with a request, anything else goes to the open session
as the intent the local NLU recognises. Saying nothing plays the reprompt, then ends the
session (EXCEEDED_MAX_REPROMPTS); "quit" or "exit" leaves (USER_INITIATED).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from skill.resources import interaction_model_path
from skill.simulator.envelopes import DeviceSession, EnvelopeFactory
from skill.simulator.nlu import Recognition, Recognizer, load_model, normalize, parse_launch
from skill.simulator.playback import Measure, estimate_measure
from skill.simulator.render import Rendered, play, render_text
from skill.simulator.transport import Transport, TransportError

MODEL_PATH = interaction_model_path("en-US")
QUIT_WORDS = frozenset({"quit", "exit", "exit simulator", "quit simulator"})


@lru_cache(maxsize=4)
def recognizer_for(model_path: Path, skill_id: str) -> Recognizer:
    """Built once per model and skill id: it is immutable and takes ~0.5 s to build."""
    return Recognizer(load_model(model_path), skill_id=skill_id)


@dataclass(frozen=True)
class Exchange:
    """One turn: what was said, what it became, what was sent and what came back."""

    utterance: str
    recognition: Recognition | None = None
    request: dict[str, Any] | None = None  # None: nothing was sent (e.g. a reprompt replay)
    response: dict[str, Any] | None = None
    rendered: Rendered | None = None
    note: str = ""  # how the device read the utterance, when that is not obvious
    leave: bool = False  # the person asked to leave the simulator

    @property
    def text(self) -> str:
        parts = [f"({self.note})"] if self.note else []
        if self.rendered is not None:
            parts.append(render_text(self.rendered))
        return "\n".join(parts)


class Device:
    """Drives turns through a transport, carrying the session as an Echo does."""

    def __init__(
        self,
        transport: Transport,
        factory: EnvelopeFactory | None = None,
        recognizer: Recognizer | None = None,
        measure: Measure | None = None,
    ) -> None:
        self.transport = transport
        self.factory = factory or EnvelopeFactory()
        self.recognizer = recognizer or recognizer_for(MODEL_PATH, self.factory.application_id)
        self.measure = measure or estimate_measure()
        self.session = DeviceSession()
        self._reprompt: Rendered | None = None  # what silence replays, once
        self._silences = 0

    @property
    def invocation_name(self) -> str:
        return self.recognizer.model.invocation_name

    def say(self, text: str) -> Exchange:
        """One utterance, typed or recognised from speech."""
        words = normalize(text)
        if not words:
            return self.silence()
        self._silences = 0
        if words in QUIT_WORDS:
            return self.quit(text)
        launch = parse_launch(text, self.invocation_name)
        if launch.kind == "launch":
            self.session.begin()
            return self._send(text, self.factory.launch(self.session))
        note = ""
        utterance = launch.utterance if launch.kind == "intent" else text
        assert utterance is not None
        if not self.session.open:
            self.session.begin()
            if launch.kind == "none":
                note = f"no session open: sent as 'ask {self.invocation_name} to {text.strip()}'"
        recognition = self.recognizer.recognize(utterance)
        envelope = self.factory.intent(recognition, self.session)
        return self._send(text, envelope, recognition, note)

    def silence(self) -> Exchange:
        """The person says nothing: Alexa speaks the reprompt once, then ends the session."""
        if not self.session.open:
            return Exchange("", note="nothing is listening: say 'open hamstring coach'")
        self._silences += 1
        if self._silences == 1 and self._reprompt is not None:
            replay = Rendered(self._reprompt.reprompt, (), None, None, False)
            return Exchange("", rendered=replay, note="you said nothing: Alexa reprompts")
        return self.end_session("EXCEEDED_MAX_REPROMPTS", "", "you said nothing again")

    def quit(self, text: str = "quit") -> Exchange:
        """Leave: a SessionEndedRequest (USER_INITIATED) if a session is open."""
        if not self.session.open:
            return Exchange(text, leave=True)
        exchange = self.end_session("USER_INITIATED", text, "session ended by you")
        return replace(exchange, leave=True)

    def end_session(self, reason: str, utterance: str, note: str) -> Exchange:
        envelope = self.factory.session_ended(reason, self.session)
        self.session.close()
        self._reprompt = None
        response = self.transport.send(envelope)
        return Exchange(utterance, None, envelope, response, None, f"{note}: {reason}")

    def _send(
        self,
        text: str,
        envelope: dict[str, Any],
        recognition: Recognition | None = None,
        note: str = "",
    ) -> Exchange:
        try:
            response = self.transport.send(envelope)
        except TransportError:
            if self.session.new:
                self.session.close()  # the session never started on the skill's side
            raise
        self.session.carry(response)
        rendered = play(response, self.measure)
        self._reprompt = rendered if rendered.reprompt and not rendered.ends_session else None
        return Exchange(text, recognition, envelope, response, rendered, note)
