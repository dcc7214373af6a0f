"""Log lines say little about people and stay short, whatever a request held (issue 17)."""

from __future__ import annotations

import hashlib
import logging
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill import logs
from skill.logs import JsonFormatter, bounded_traceback, printable, short_user_id

USER = "amzn1.ask.account.TESTUSER"


def test_user_tags_are_keyed_per_run_not_a_hash_anyone_can_compute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the database's user ids, an unsalted sha256 prefix found a person's log lines."""
    tag = short_user_id(USER)
    assert tag is not None
    assert tag.startswith("u-")
    assert len(tag) == 12
    assert short_user_id(USER) == tag  # the same person, the same tag, all run long
    assert short_user_id(USER + "x") != tag
    assert tag != "u-" + hashlib.sha256(USER.encode()).hexdigest()[:10]
    monkeypatch.setattr(logs, "_TAG_KEY", b"another run's key")
    assert short_user_id(USER) != tag  # another run: unlinkable
    assert short_user_id(None) is None
    assert short_user_id("") is None


@given(st.text())
def test_any_str_gets_a_tag_even_with_lone_surrogates(user_id: str) -> None:
    tag = short_user_id(user_id + "\udfff")
    assert tag is not None
    assert len(tag) == 12


@given(st.one_of(st.text(), st.none(), st.integers(), st.lists(st.text())), st.integers(1, 80))
def test_printable_keeps_at_most_limit_printable_characters(value: object, limit: int) -> None:
    kept = printable(value, limit)
    if not isinstance(value, str):
        assert kept is None
        return
    assert kept is not None
    assert kept.isprintable()
    assert len(kept) <= limit
    clean = "".join(ch for ch in value if ch.isprintable())
    assert kept == clean or (kept.endswith("\u2026") and clean.startswith(kept[:-1]))


def _deep(depth: int) -> None:
    """Mutual recursion, which Python's traceback does not fold ("Previous line repeated")."""
    if depth:
        _deeper(depth - 1)
    raise KeyError("x" * 100_000)  # a message that quotes a client's input


def _deeper(depth: int) -> None:
    _deep(depth)


def test_a_traceback_in_a_log_line_is_bounded_and_keeps_its_end() -> None:
    try:
        _deep(300)
    except KeyError:
        record = logging.LogRecord("t", logging.ERROR, "", 0, "boom", (), sys.exc_info())
    line = JsonFormatter().format(record)
    assert len(line.encode()) < 2048
    assert "characters cut" in line
    assert "KeyError: 'xxxx" in line  # the error itself, at the end, is kept
    assert bounded_traceback("short\ntrace") == "short\ntrace"
