"""Alexa's own side of a permission request: the skill's AskFor, her prompt, the answer.

When a response carries `Connections.SendRequest` name "AskFor", Alexa (not the skill) asks
the person with a standard prompt the skill cannot change, hears the answer and sends the
skill a `Connections.Response`: status code 200 and payload.status ACCEPTED, DENIED or
NOT_ANSWERED (Amazon, "Set Up Voice Permissions for Reminders"). On a device that cannot ask
by voice the simulator answers with a non-200 status at once (`--no-voice-consent`; the exact
code Amazon sends was not found documented: 400 here). The directive's shape is Amazon's:
payload @type AskForPermissionsConsentRequest, @version "2" (version 1 "still works"),
permissionScopes [{permissionScope, consentLevel ACCOUNT | PERSON}].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from skill.simulator.nlu import Recognizer, normalize
from skill.simulator.reminders_api import FAILURES, SCOPE, Permission, RemindersApi

SEND_REQUEST = "Connections.SendRequest"
ASK_FOR = "AskFor"
# Amazon's standard prompts AskForConsentReminders / AskForConsentRetryReminders (same text).
PROMPT = "Do you give {skill} permission to update your reminders? You can say I approve or no."
NO_VOICE_STATUS = ("400", "This device cannot ask for permissions by voice.")
ACCEPTED, DENIED, NOT_ANSWERED = "ACCEPTED", "DENIED", "NOT_ANSWERED"
_LABELS = {SCOPE: "reminders"}
_YES = frozenset({"i approve", "approve", "i do", "allow", "allow it", "yes i approve"})
_NO = frozenset({"i do not approve", "do not approve", "deny", "i do not", "do not allow"})
COMMAND = re.compile(r"\[\s*reminders\b(?P<rest>[^\]]*)\]", re.IGNORECASE)
COMMAND_HELP = (
    "The Reminders API stand-in takes typed commands: '[reminders list]', '[reminders ok]',\n"
    f"'[reminders fail 429]' ({', '.join(FAILURES)}), '[reminders permission granted]' (or "
    "denied, ask: as if set in the Alexa app)."
)


@dataclass(frozen=True)
class AskFor:
    """A permission request the skill sent: the scopes as sent, and its token."""

    token: str
    scopes: tuple[dict[str, str], ...]

    @property
    def labels(self) -> str:
        """ "reminders" (or the scope names) for what chat prints."""
        return ", ".join(
            _LABELS.get(s["permissionScope"], s["permissionScope"]) for s in self.scopes
        )

    def record(self) -> dict[str, Any]:
        return {"scopes": [s["permissionScope"] for s in self.scopes], "token": self.token}


def ask_for(response_envelope: dict[str, Any]) -> tuple[AskFor | None, str]:
    """The AskFor directive in a response, or None; and what is wrong with it, if anything."""
    response = response_envelope.get("response") or {}
    for directive in response.get("directives") or []:
        if not isinstance(directive, dict) or directive.get("type") != SEND_REQUEST:
            continue
        if directive.get("name") != ASK_FOR:
            return None, f"a {SEND_REQUEST} named {directive.get('name')!r} is not simulated"
        return _read(directive)
    return None, ""


def _read(directive: dict[str, Any]) -> tuple[AskFor | None, str]:
    payload = directive.get("payload") or {}
    bad = "the skill's AskFor is malformed, Alexa would not ask: "
    if payload.get("@type") != "AskForPermissionsConsentRequest":
        return None, bad + "payload @type must be AskForPermissionsConsentRequest"
    if payload.get("@version") != "2":
        return None, bad + 'payload @version must be "2" (the current form)'
    scopes = payload.get("permissionScopes")
    if not isinstance(scopes, list) or not scopes:
        return None, bad + "payload.permissionScopes must be a non-empty list"
    for scope in scopes:
        if not isinstance(scope, dict) or not isinstance(scope.get("permissionScope"), str):
            return None, bad + "each permissionScopes entry needs a permissionScope"
        if scope.get("consentLevel") not in ("ACCOUNT", "PERSON"):
            return None, bad + "consentLevel must be ACCOUNT or PERSON"
    token = directive.get("token", "")
    if not isinstance(token, str):
        return None, bad + "token must be a string"
    return AskFor(token, tuple(scopes)), ""


def prompt(skill_name: str) -> str:
    return PROMPT.format(skill=skill_name)


def answer_of(spoken: str, recognizer: Recognizer) -> str | None:
    """ACCEPTED, DENIED, or None when Alexa would not understand (she asks again)."""
    words = normalize(spoken)
    if words in _NO:
        return DENIED
    if words in _YES:
        return ACCEPTED
    recognition = recognizer.recognize(spoken)
    if recognition.method in ("exact", "phrase"):
        if recognition.intent == "AMAZON.YesIntent":
            return ACCEPTED
        if recognition.intent == "AMAZON.NoIntent":
            return DENIED
    return None


def payload(ask: AskFor, status: str) -> dict[str, Any]:
    """The Connections.Response payload for `status` (Amazon: payload.status)."""
    return {"status": status, "permissionScopes": [dict(s) for s in ask.scopes]}


def settle(api: RemindersApi | None, ask: AskFor, status: str) -> None:
    """What the answer does to the account: ACCEPTED grants the scope, DENIED refuses it."""
    if api is None or not any(s["permissionScope"] == SCOPE for s in ask.scopes):
        return
    if status == ACCEPTED:
        api.permission = Permission.GRANTED
    elif status == DENIED and api.permission is not Permission.GRANTED:
        api.permission = Permission.DENIED


def command(rest: str, api: RemindersApi | None) -> str:
    """Run a typed `[reminders ...]` command on the stand-in; what it did."""
    if api is None:
        return "no Reminders API stand-in on this device; nothing done"
    words = rest.lower().split()
    if words == ["list"]:
        held = api.describe()
        return "reminders: " + ("; ".join(held) if held else "none")
    if words == ["ok"]:
        api.set_failure(None)
        return "the Reminders API answers normally"
    if len(words) == 2 and words[0] == "fail" and words[1] in FAILURES:
        api.set_failure(words[1])
        what = "time out" if words[1] == "timeout" else f"answer HTTP {words[1]}"
        return f"the Reminders API will {what} until '[reminders ok]'"
    if len(words) == 2 and words[0] == "permission" and words[1] in set(Permission):
        api.permission = Permission(words[1])
        return f"the reminders permission is now {words[1]} (as if set in the Alexa app)"
    return f"unknown reminders command {rest.strip()!r}. {COMMAND_HELP}"
