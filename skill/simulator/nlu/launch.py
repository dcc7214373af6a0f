"""One-shot phrases: "ask hamstring coach to ..." split into launch and utterance."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

LAUNCH_WORDS = r"(?:open|launch|start|begin|load|run|use|play|resume|enable|talk to)"
CONNECTING_WORDS = r"(?:and|to|for|about|whether|if|that|by|with|using|from)"
_WAKE = re.compile(r"^(?:hey |okay |ok )?(?:alexa|echo|computer|amazon)\b ?")


@dataclass(frozen=True)
class LaunchParse:
    """What a one-shot phrase asks for: open the skill, send it an utterance, or neither."""

    kind: Literal["launch", "intent", "none"]
    utterance: str | None = None


def parse_launch(text: str, invocation_name: str) -> LaunchParse:
    """Split "ask hamstring coach to start the seated stretch" into launch + utterance.

    Follows Alexa's documented forms: "<launch word> <name> [<connector> <utterance>]",
    "ask|tell <name> [<connector>] <utterance>" and "<utterance> <using|from|with> <name>".
    """
    t = re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("\u2019", "'"))
    t = _WAKE.sub("", " ".join(t.split()))
    name = re.escape(" ".join(invocation_name.lower().split()))
    if re.fullmatch(rf"(?:{LAUNCH_WORDS} |ask |tell )?{name}", t):
        return LaunchParse("launch")
    for pattern in (
        rf"(?:ask|tell) {name} (?:{CONNECTING_WORDS} )?(?P<u>.+)",
        rf"{LAUNCH_WORDS} {name} {CONNECTING_WORDS} (?P<u>.+)",
        rf"(?P<u>.+?) (?:using|with|from|in|on|via) {name}",
    ):
        m = re.fullmatch(pattern, t)
        if m:
            return LaunchParse("intent", m.group("u"))
    return LaunchParse("none")
