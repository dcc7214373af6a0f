"""Request handlers, grouped by job. Registration order is behaviour: the first handler whose
`can_handle` is true wins, so the list below is the single place that decides it."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler

from skill.alexa.handlers.answers import (
    AnswerIntentHandler,
    BookAppointmentIntentHandler,
    InjuryCareIntentHandler,
    StatementIntentHandler,
)
from skill.alexa.handlers.coaching import HowToIntentHandler, PreferenceIntentHandler
from skill.alexa.handlers.conversation import (
    FallbackHandler,
    HelpIntentHandler,
    NoIntentHandler,
    ProgressIntentHandler,
    UnhandledRequestHandler,
    YesIntentHandler,
)
from skill.alexa.handlers.errors import CatchAllExceptionHandler
from skill.alexa.handlers.reminders import (
    CancelReminderIntentHandler,
    ChangeReminderIntentHandler,
    PermissionResponseHandler,
    ReminderStatusIntentHandler,
    SetReminderIntentHandler,
)
from skill.alexa.handlers.routine import (
    ChangeHoldLengthIntentHandler,
    HowManyLeftIntentHandler,
    NextIntentHandler,
    PauseIntentHandler,
    PreviousIntentHandler,
    RepeatIntentHandler,
    ResumeIntentHandler,
    SetHoldLengthIntentHandler,
    StartOverIntentHandler,
    StartStretchIntentHandler,
    SwitchLegsIntentHandler,
    TimeLeftIntentHandler,
)
from skill.alexa.handlers.session import (
    LaunchRequestHandler,
    SessionEndedRequestHandler,
    SkillDisabledEventHandler,
    StopIntentHandler,
)
from skill.alexa.handlers.touch import TouchHandler
from skill.alexa.screen import Presenter
from skill.core.turns import Coach
from skill.store.progress_store import ProgressStore
from skill.voice.render import SpeechRenderer

REQUEST_HANDLERS: tuple[type[AbstractRequestHandler], ...] = (
    LaunchRequestHandler,
    SessionEndedRequestHandler,
    SkillDisabledEventHandler,
    StopIntentHandler,
    StartStretchIntentHandler,
    NextIntentHandler,
    PreviousIntentHandler,
    PauseIntentHandler,
    ResumeIntentHandler,
    StartOverIntentHandler,
    SwitchLegsIntentHandler,
    HowManyLeftIntentHandler,
    TimeLeftIntentHandler,
    PreferenceIntentHandler,
    HowToIntentHandler,
    SetHoldLengthIntentHandler,
    ChangeHoldLengthIntentHandler,
    RepeatIntentHandler,
    StatementIntentHandler,
    AnswerIntentHandler,
    BookAppointmentIntentHandler,
    InjuryCareIntentHandler,
    ProgressIntentHandler,
    SetReminderIntentHandler,
    ReminderStatusIntentHandler,
    ChangeReminderIntentHandler,
    CancelReminderIntentHandler,
    PermissionResponseHandler,  # Connections.Response to the reminders permission (AskFor)
    HelpIntentHandler,
    YesIntentHandler,
    NoIntentHandler,
    TouchHandler,  # a button on the screen: the handler of the intent it stands for
    FallbackHandler,  # every other intent, AMAZON.FallbackIntent included
    UnhandledRequestHandler,  # last: anything that is not an intent
)

# Intents with a handler of their own (the consistency test ties these to the model): each
# handler names its own, so this set cannot drift from the list above.
HANDLED_INTENTS: frozenset[str] = frozenset(
    name for handler in REQUEST_HANDLERS for name in getattr(handler, "intents", ())
)


def request_handlers(
    coach: Coach,
    store: ProgressStore | None,
    renderer: SpeechRenderer | None = None,
    presenter: Presenter | None = None,
) -> list[AbstractRequestHandler]:
    return [handler(coach, store, renderer, presenter) for handler in REQUEST_HANDLERS]


def exception_handlers(coach: Coach) -> list[AbstractExceptionHandler]:
    return [CatchAllExceptionHandler(coach)]
