"""Speech input for the simulator: pocketsphinx constrained by a grammar of the skill's phrases.

A general language model transcribes synthetic speech badly (word error rate ~0.8, see
docs/audio.md); a JSGF grammar built from the interaction model cuts that to ~0.45 because the
decoder can only produce phrases the skill knows. The NLU then maps the transcript to an
intent exactly as it does typed text. pocketsphinx is optional (`.[voice]`), so it is
imported only when a decoder is built.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from skill.simulator.nlu import TENS_WORDS, UNIT_WORDS, InteractionModel, all_samples

if TYPE_CHECKING:
    from pocketsphinx import Decoder

SAMPLE_RATE = 16000
SEARCH_NAME = "skill"
NUMBER_RANGE = range(30, 61)  # hold lengths people ask for; the grammar must stay small
_SLOT_REF = re.compile(r"\{(\w+)\}")


def spell_number(n: int) -> str:
    """English words for 0-99 ("forty five"), as a recogniser would transcribe them."""
    units = {v: k for k, v in UNIT_WORDS.items()}
    teens = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
    if n < 10:
        return units[n]
    if n < 20:
        return teens.split()[n - 10]
    tens = {v: k for k, v in TENS_WORDS.items()}[n - n % 10]
    return tens if n % 10 == 0 else f"{tens} {units[n % 10]}"


def _words(phrase: str) -> str:
    """Dictionary spelling: lower case, no punctuation but apostrophes ("j. o. i." -> "j o i")."""
    return " ".join(re.sub(r"[^a-z' ]+", " ", phrase.lower()).split())


def build_jsgf(model: InteractionModel, *, numbers: range = NUMBER_RANGE) -> str:
    """A JSGF grammar accepting every sample (and built-in phrase) of the model.

    Slot references become rules listing the slot type's values and synonyms; AMAZON.NUMBER
    becomes `numbers` spelled out. Other built-in slot types cannot be enumerated and make
    the sample unusable by voice, so such samples are left out.
    """
    intents = {i.name: i for i in model.intents}
    rules: dict[str, list[str]] = {}
    alternatives: list[str] = []
    for intent_name, samples in all_samples(model).items():
        slot_types = {s.name: s.type for s in intents[intent_name].slots}
        for sample in samples:
            parts, usable = [], True
            for token in _SLOT_REF.split(sample):
                if token in slot_types:
                    rule = re.sub(r"\W", "_", slot_types[token]).lower()
                    if slot_types[token] == "AMAZON.NUMBER":
                        rules[rule] = [spell_number(n) for n in numbers]
                    elif slot_types[token] in model.types:
                        values = model.types[slot_types[token]].values
                        rules[rule] = sorted(
                            {_words(p) for v in values for p in (v.value, *v.synonyms)}
                        )
                    else:
                        usable = False
                    parts.append(f"<{rule}>")
                elif _words(token):
                    parts.append(_words(token))
            if usable and parts:
                alternatives.append(" ".join(parts))
    lines = ["#JSGF V1.0;", f"grammar {SEARCH_NAME};"]
    lines.append("public <utterance> = " + "\n    | ".join(sorted(set(alternatives))) + ";")
    lines += [f"<{name}> = " + " | ".join(values) + ";" for name, values in sorted(rules.items())]
    return "\n".join(lines) + "\n"


def grammar_words(jsgf: str) -> set[str]:
    """Every word the grammar can produce (what the dictionary must know)."""
    body = re.sub(r"#JSGF[^;]*;|grammar \w+;|<\w+>|public", " ", jsgf)
    return set(re.sub(r"[=|;()\[\]]", " ", body).split())


# IPA (espeak-ng --ipa) to the CMU phone set of pocketsphinx's en-us model. Longest first.
_IPA_TO_CMU = {
    "aɪ": "AY", "aʊ": "AW", "eɪ": "EY", "oʊ": "OW", "əʊ": "OW", "ɔɪ": "OY", "tʃ": "CH",
    "dʒ": "JH", "ɜ": "ER", "ɝ": "ER", "ɚ": "ER", "ə": "AH", "ʌ": "AH", "æ": "AE", "ɑ": "AA",
    "ɒ": "AA", "ɔ": "AO", "ɛ": "EH", "e": "EH", "ɪ": "IH", "ᵻ": "IH", "i": "IY", "ʊ": "UH",
    "u": "UW", "o": "OW", "a": "AE", "p": "P", "b": "B", "t": "T", "d": "D", "k": "K",
    "ɡ": "G", "g": "G", "f": "F", "v": "V", "θ": "TH", "ð": "DH", "s": "S", "z": "Z",
    "ʃ": "SH", "ʒ": "ZH", "h": "HH", "m": "M", "n": "N", "ŋ": "NG", "l": "L", "ɫ": "L",
    "ɹ": "R", "r": "R", "j": "Y", "w": "W", "ɾ": "T", "ʔ": "T", "x": "K",
}  # fmt: skip
# Last resort without espeak-ng: one phone per letter, enough for the grammar to load.
_LETTER_TO_CMU = {
    "a": "AE", "b": "B", "c": "K", "d": "D", "e": "EH", "f": "F", "g": "G", "h": "HH",
    "i": "IH", "j": "JH", "k": "K", "l": "L", "m": "M", "n": "N", "o": "AA", "p": "P",
    "q": "K", "r": "R", "s": "S", "t": "T", "u": "AH", "v": "V", "w": "W", "x": "K S",
    "y": "Y", "z": "Z",
}  # fmt: skip


def ipa_to_cmu(ipa: str) -> str:
    """Map espeak-ng's IPA to CMU phones, ignoring stress, length and unknown marks."""
    phones, i = [], 0
    keys = sorted(_IPA_TO_CMU, key=len, reverse=True)
    while i < len(ipa):
        for key in keys:
            if ipa.startswith(key, i):
                phones.append(_IPA_TO_CMU[key])
                i += len(key)
                break
        else:
            i += 1  # stress marks, length marks, syllable dots, ties
    return " ".join(phones)


def pronounce(word: str) -> str:
    """CMU phones for a word the dictionary lacks: espeak-ng's IPA, else letter by letter."""
    espeak = shutil.which("espeak-ng")
    if espeak:
        out = subprocess.run(
            [espeak, "-q", "-v", "en-us", "--ipa", word.replace("'", "")],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
        phones = ipa_to_cmu(out.strip())
        if phones:
            return phones
    return " ".join(_LETTER_TO_CMU[c] for c in word if c in _LETTER_TO_CMU) or "AH"


def build_decoder(model: InteractionModel) -> Decoder:
    """A 16 kHz pocketsphinx decoder whose only search is the model's grammar."""
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=SAMPLE_RATE, lm=None, loglevel="FATAL")
    jsgf = build_jsgf(model)
    missing = sorted(w for w in grammar_words(jsgf) if decoder.lookup_word(w) is None)
    for word in missing:  # a handful at most; without them the grammar fails to parse
        decoder.add_word(word, pronounce(word), update=True)
    decoder.add_jsgf_string(SEARCH_NAME, jsgf)
    decoder.activate_search(SEARCH_NAME)
    return decoder


class SpeechRecognizer:
    """Transcribes 16 kHz mono int16 audio into one of the model's phrases (or "")."""

    def __init__(self, model: InteractionModel) -> None:
        self.decoder = build_decoder(model)

    def recognize_audio(self, samples: np.ndarray) -> str:
        """The best grammar phrase for one utterance; "" when nothing was recognised."""
        if samples.dtype != np.int16:
            raise TypeError(f"expected int16 samples at {SAMPLE_RATE} Hz, got {samples.dtype}")
        self.decoder.start_utt()
        self.decoder.process_raw(np.ascontiguousarray(samples).tobytes(), False, True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        return hyp.hypstr if hyp is not None else ""


def load_audio(path: str | Path) -> np.ndarray:
    """Any audio file as 16 kHz mono int16 samples, converted by ffmpeg (or sox)."""
    if shutil.which("ffmpeg"):
        cmd = ["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(SAMPLE_RATE)]
        cmd += ["-f", "s16le", "-"]
    elif shutil.which("sox"):
        cmd = ["sox", str(path), "-t", "raw", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16"]
        cmd += ["-e", "signed-integer", "-"]
    else:
        raise RuntimeError("load_audio needs ffmpeg or sox on PATH")
    raw = subprocess.run(cmd, capture_output=True, check=True, timeout=60).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.int16)
