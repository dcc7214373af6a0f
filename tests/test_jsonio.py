"""skill.web.jsonio gives the standard library's values and errors, faster where msgspec can."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skill.logs import json_line
from skill.web import jsonio

# Any JSON value the standard library can write, including what msgspec refuses (NaN and
# infinities, lone surrogates) and integers past 64 bits.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=20,
)


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values, with NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=300)
@given(json_values, st.booleans())
def test_loads_gives_the_standard_librarys_value(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    body = text.encode("utf-8", "surrogatepass")
    assert same(jsonio.loads(body), json.loads(body))
    assert same(jsonio.loads(text), json.loads(text))


@settings(max_examples=300)
@given(st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
def test_loads_fails_exactly_when_the_standard_library_fails(body: bytes) -> None:
    try:
        expected = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        with pytest.raises(type(exc)):
            jsonio.loads(body)
    else:
        assert same(jsonio.loads(body), expected)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"a": NaN}', "NaN"),
        (b'{"a": 1e400}', "too large for a float"),
        (b'{"a": "\\ud800"}', "lone surrogate"),
        ('{"a": 1}'.encode("utf-16"), "UTF-16 with BOM"),
    ],
)
def test_where_msgspec_refuses_the_standard_library_decides(body: bytes, why: str) -> None:
    with pytest.raises(msgspec.DecodeError):
        msgspec.json.decode(body)
    assert same(jsonio.loads(body), json.loads(body)), why


def test_big_integers_stay_exact() -> None:
    body = b'{"a": 123456789012345678901234567890, "b": -9223372036854775809}'
    assert jsonio.loads(body) == {"a": 123456789012345678901234567890, "b": -(2**63) - 1}
    assert jsonio.dumps({"a": 2**70}) == b'{"a":1180591620717411303424}'


@settings(max_examples=300)
@given(json_values)
def test_dumps_writes_the_same_value(value: Any) -> None:
    written = jsonio.dumps(value)
    assert isinstance(written, bytes)
    loaded = json.loads(written)
    assert same(loaded, value) or same(loaded, _nulled(value))


def _nulled(value: Any) -> Any:
    """`value` with NaN and infinities as null, as msgspec writes them (json.dumps writes the
    non-JSON `NaN`)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_nulled(v) for v in value]
    if isinstance(value, dict):
        return {k: _nulled(v) for k, v in value.items()}
    return value


def test_dumps_falls_back_for_what_msgspec_will_not_write() -> None:
    assert jsonio.dumps({"lone": "\ud800"}) == json.dumps({"lone": "\ud800"}).encode()
    with pytest.raises(TypeError):
        jsonio.dumps({"obj": object()})


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (
            {"msg": "ok", "n": 1, "x": [1.5, None, True]},
            {"msg": "ok", "n": 1, "x": [1.5, None, True]},
        ),
        ({"at": datetime(2026, 11, 25, 10, 0, tzinfo=UTC)}, {"at": "2026-11-25T10:00:00Z"}),
        ({"ids": {7}}, {"ids": [7]}),
        ({"obj": ValueError("boom")}, {"obj": "boom"}),
        ({"lone": "\ud800"}, {"lone": "\ud800"}),
        ({"big": 2**70, "text": "caf\u00e9"}, {"big": 2**70, "text": "caf\u00e9"}),
    ],
)
def test_a_log_line_is_one_json_object_whatever_the_fields(
    value: dict[str, Any], written: dict[str, Any]
) -> None:
    line = json_line(value)
    assert "\n" not in line
    assert json.loads(line) == written


def test_configured_logging_writes_complete_json_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from skill.logs import configure_logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    for flag in ("logThreads", "logProcesses", "logMultiprocessing", "_srcfile"):
        monkeypatch.setattr(logging, flag, getattr(logging, flag))  # restored afterwards
    configure_logging("INFO")
    logging.getLogger("skill.web.app").info("alexa request", extra={"fields": {"status": 200}})
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("skill.store.progress_store").exception("save failed")
    first, second = capsys.readouterr().err.splitlines()
    line = json.loads(first)
    assert line.pop("ts").endswith("Z")
    assert line == {
        "level": "info",
        "logger": "skill.web.app",
        "msg": "alexa request",
        "status": 200,
    }
    error = json.loads(second)
    assert (error["level"], error["msg"]) == ("error", "save failed")
    assert "ValueError: boom" in error["exc"]


@given(st.lists(st.floats(min_value=0, max_value=4e9, allow_nan=False), min_size=1, max_size=20))
def test_log_timestamps_are_exact_across_seconds(moments: list[float]) -> None:
    """The formatter keeps the last second's text; every line still gets its own time."""
    import logging
    import time

    from skill.logs import JsonFormatter

    formatter = JsonFormatter()
    for created in sorted(moments) + moments + [1764115199.9996, 1764115200.0, 1764115200.0004]:
        record = logging.LogRecord("skill.web.app", logging.INFO, "", 0, "alexa request", (), None)
        record.created, record.msecs = created, (created - int(created)) * 1000
        stamp = json.loads(formatter.format(record))["ts"]
        whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
        assert stamp == f"{whole}.{int(record.msecs):03d}Z"


def _has_lone_surrogate(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    return False


@settings(max_examples=300)
@given(json_values, st.booleans())
def test_loads_request_refuses_lone_surrogates_and_is_loads_otherwise(
    value: Any, ascii_only: bool
) -> None:
    """A lone surrogate (only the standard library lets one through) is no text: it failed the
    database and the log line's user tag further on (issue 17)."""
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    if _has_lone_surrogate(value):
        with pytest.raises(UnicodeError):
            jsonio.loads_request(body)
    else:
        assert same(jsonio.loads_request(body), json.loads(body))


@pytest.mark.parametrize(
    "body",
    [b'{"a": "\\udfff"}', b'{"\\ud800": 1}', b'["\\ud83d"]', '["\\udc00"]'.encode("utf-16")],
)
def test_loads_request_refuses_each_place_a_lone_surrogate_hides(body: bytes) -> None:
    assert json.loads(body) is not None  # the standard library takes it
    with pytest.raises(UnicodeError):
        jsonio.loads_request(body)
    assert jsonio.loads_request(b'["\\ud83d\\ude00"]') == ["\U0001f600"]  # a pair is text
