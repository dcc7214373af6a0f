"""Text normalisation shared by samples and utterances: case, punctuation, contractions, fillers."""

from __future__ import annotations

import re

CONTRACTIONS = {
    "what's": "what is", "whats": "what is", "that's": "that is", "thats": "that is",
    "there's": "there is", "it's": "it is", "how's": "how is", "where's": "where is",
    "when's": "when is", "who's": "who is", "let's": "let us", "lets": "let us",
    "i'm": "i am", "im": "i am",
    "i'd": "i would", "i'll": "i will", "i've": "i have", "ive": "i have",
    "you're": "you are", "we're": "we are", "they're": "they are", "we'll": "we will",
    "don't": "do not", "dont": "do not", "doesn't": "does not", "doesnt": "does not",
    "didn't": "did not", "didnt": "did not", "can't": "can not", "cant": "can not",
    "cannot": "can not", "won't": "will not", "isn't": "is not", "isnt": "is not",
    "aren't": "are not", "shouldn't": "should not", "wouldn't": "would not",
    "couldn't": "could not", "haven't": "have not", "hasn't": "has not", "wasn't": "was not",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "ok": "okay",
    # Typed shorthand for spoken words: what was said is "are", not "r".
    "r": "are", "u": "you", "ur": "your", "rn": "right now", "gimme": "give me",
    "lemme": "let me", "kinda": "kind of", "sorta": "sort of", "cuz": "because",
}  # fmt: skip
# Hesitations: dropped wherever they occur, in every mode; Alexa's speech recognition leaves
# them out of the text it matches. "like" is not here: "i would like to" needs it.
HESITATIONS = frozenset({"um", "umm", "uh", "uhm", "er", "erm", "hmm", "hm", "mm", "ah"})
# Dropped wherever they occur, except in strict mode: politeness and the wake word carry no
# intent, but Alexa only guarantees a match for what the samples say.
# Interjections of effort or annoyance ("phew, done", "ugh, my back") are dropped the same way;
# "ow" and "ouch" are not: they say something hurts.
INTERJECTIONS = frozenset(
    {"ugh", "urgh", "argh", "phew", "whew", "oof", "gosh", "geez", "jeez", "yo", "bro", "dude",
     "lol", "omg", "fr"}
)  # fmt: skip
FILLER_WORDS = HESITATIONS | INTERJECTIONS | {"please", "alexa"}
# Dropped only at the start of an utterance, and only when something follows them, so that
# "okay" alone still means yes and "so" inside a sentence is kept.
LEADING_FILLERS = ("okay so", "so", "well", "hey", "oh", "okay", "alright", "right", "and")
TRAILING_FILLERS = ("thank you", "thanks")
# Said before what the person means, mid-stretch: "wait, my leash keeps sliding off". Not
# dropped by `normalize` ("wait" alone pauses, "wait for me between holds" is a preference):
# the recogniser tries what follows them when the whole utterance matches no sample.
INTERRUPTIONS = ("wait", "hang on", "hold on", "sorry", "oh wait")
SLOT_REF = re.compile(r"\{(\w+)\}")
# "uh huh" and "mm hmm" are one word of agreement, not a hesitation and a "huh?": joined
# before hesitations are dropped, in samples and utterances alike.
AGREEMENT = re.compile(r"\b(uh|mm|mhm) +(huh|hmm|hm)\b")


def normalize(text: str, *, strict: bool = False) -> str:
    """Lower case, no punctuation, contractions expanded, fillers dropped.

    Applied to samples and utterances alike, so "what's" and "what is" compare equal in both
    directions and a sample containing a filler ("yes please") still matches itself.
    `strict` drops only hesitations (um, uh, er, erm, hmm, ah): the form in which an
    utterance is guaranteed to match a sample on Alexa.
    """
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^a-z0-9'_ ]+", " ", text)
    text = AGREEMENT.sub(lambda m: m.group(1) + m.group(2), text)
    dropped = HESITATIONS if strict else FILLER_WORDS
    words: list[str] = []
    for raw in text.split():
        word = raw.strip("'")
        if not word or word in dropped:
            continue
        words.extend(CONTRACTIONS.get(word, word).split())
    if strict:
        return " ".join(words)
    changed = True
    while changed:
        changed = False
        for lead in LEADING_FILLERS:
            n = len(lead.split())
            if words[:n] == lead.split() and len(words) > n:
                words, changed = words[n:], True
        for tail in TRAILING_FILLERS:
            n = len(tail.split())
            if words[-n:] == tail.split() and len(words) > n:
                words, changed = words[:-n], True
    return " ".join(words)


def normalize_sample(sample: str, *, strict: bool = False) -> tuple[str, list[str]]:
    """Normalise a sample but keep its slot references, returned in order as `{Name}`."""
    names = SLOT_REF.findall(sample)
    marked = SLOT_REF.sub(lambda m: f" zzslot{names.index(m.group(1))}zz ", sample)
    text = normalize(marked, strict=strict)
    return re.sub(r"zzslot(\d+)zz", lambda m: "{" + names[int(m.group(1))] + "}", text), names
