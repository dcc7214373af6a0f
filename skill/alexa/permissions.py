"""The reminders permission: whether the person granted it, and the two ways to ask for it.

Amazon's rules (docs/reminders.md; the voice permissions and reminders overview pages): a skill
may create a reminder only with the customer's permission for the scope below; it asks by voice
with a `Connections.SendRequest` directive named "AskFor" (Alexa then says its own question and
answers the skill with a `Connections.Response` request), or, where voice consent is not
possible, sends the AskForPermissionsConsent card to the Alexa app.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.ui import AskForPermissionsConsentCard

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
ASK_FOR = "AskFor"  # the SendRequest's name, and the Connections.Response's
# The Connections.Response's payload status (Amazon's three values).
ACCEPTED, DENIED, NOT_ANSWERED = "ACCEPTED", "DENIED", "NOT_ANSWERED"


def has_reminders_permission(handler_input: HandlerInput) -> bool:
    """`context.System.user.permissions.scopes[REMINDERS_SCOPE].status` is GRANTED."""
    context = handler_input.request_envelope.context
    system = context.system if context else None
    user = system.user if system else None
    permissions = user.permissions if user else None
    scopes = permissions.scopes if permissions else None
    scope = scopes.get(REMINDERS_SCOPE) if isinstance(scopes, dict) else None
    status = getattr(scope, "status", None)
    return getattr(status, "value", status) == "GRANTED"


def ask_for_reminders(token: str) -> SendRequestDirective:
    """Alexa asks the person for the reminders permission (version 2 of the request, as
    Amazon's page shows it); `token` comes back in the Connections.Response as it was sent."""
    return SendRequestDirective(
        name=ASK_FOR,
        payload={
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [{"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}],
        },
        token=token,
    )


def consent_card() -> AskForPermissionsConsentCard:
    """The card that lets the person allow reminders in the Alexa app."""
    return AskForPermissionsConsentCard(permissions=[REMINDERS_SCOPE])


def consent_status(payload: Any) -> str | None:
    """ACCEPTED, DENIED or NOT_ANSWERED from a Connections.Response payload, else None.

    Amazon's prose says `payload.status`; its example JSON puts "status" beside the entries of
    `permissionScopes`. Both places are read, the documented one first."""
    if not isinstance(payload, dict):
        return None
    found = payload.get("status")
    if not isinstance(found, str):
        scopes = payload.get("permissionScopes")
        entries = scopes if isinstance(scopes, list) else []
        found = next(
            (
                entry.get("status")
                for entry in entries
                if isinstance(entry, dict) and isinstance(entry.get("status"), str)
            ),
            None,
        )
    return found if found in (ACCEPTED, DENIED, NOT_ANSWERED) else None
