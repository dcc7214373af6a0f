"""Built-in slot values as one token each, so fuzzy matching compares the words around them.

"remind me at like 7 tonight" is compared with "remind me at TIM", "hold for 45 seconds" with
"hold for NUM seconds". An utterance is read at three levels (numbers; durations, then numbers;
dates and times too), since the same words can be a number to one sample, a duration or a
time to another ("thirty seconds", "8").
"""

from __future__ import annotations

import re
from datetime import date

from skill.simulator.nlu.durations import DURATION_PHRASE, DURATION_RUN
from skill.simulator.nlu.numbers import NUMBER_PHRASE, NUMBER_RUN
from skill.simulator.nlu.slots import (
    DATE_TYPE,
    DURATION_TYPE,
    NUMBER_TYPE,
    TIME_TYPE,
    parse_value,
)
from skill.simulator.nlu.times import DATE_PHRASE, DATE_RUN, TIME_PHRASE, TIME_RUN

# Upper case never collides with a normalised word.
TOKENS = {
    NUMBER_TYPE: "NUM",
    DURATION_TYPE: "DUR",  # "a minute", "90 seconds"
    TIME_TYPE: "TIM",  # "7 pm", "seven thirty", "tonight"
    DATE_TYPE: "DAT",  # "tomorrow", "on monday"
}
# What each type's words look like in a sample's pattern (checked by `parse_value` after).
PATTERNS = {
    NUMBER_TYPE: NUMBER_PHRASE,
    DURATION_TYPE: DURATION_PHRASE,
    TIME_TYPE: TIME_PHRASE,
    DATE_TYPE: DATE_PHRASE,
}
NUMBERS, DURATIONS, TIMES = 0, 1, 2  # the levels of `tokenize`
_RUNS = (
    (DURATIONS, DURATION_TYPE, DURATION_RUN),
    (TIMES, DATE_TYPE, DATE_RUN),
    (TIMES, TIME_TYPE, TIME_RUN),
    (NUMBERS, NUMBER_TYPE, NUMBER_RUN),
)


def tokenize(text: str, level: int) -> tuple[str, dict[str, list[str]]]:
    """`text` with, by `level`, each duration as DUR, each date as DAT and each time as TIM,
    then each number as NUM; and the phrases replaced, in order, per slot type."""
    said: dict[str, list[str]] = {t: [] for t in TOKENS}
    query = text
    for needs, slot_type, run in _RUNS:
        if level < needs:
            continue

        def replace(m: re.Match[str], slot_type: str = slot_type) -> str:
            # Any day will do for a date: only whether the words are one matters here.
            if parse_value(slot_type, m.group(0), date.today()) is None:
                return m.group(0)
            said[slot_type].append(m.group(0))
            return TOKENS[slot_type]

        query = run.sub(replace, query)
    return query, said
