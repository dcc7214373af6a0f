"""JSON <-> ask-sdk-model objects, fast, and equal to what ask-sdk-core's DefaultSerializer does.

DefaultSerializer rebuilds its plan for every object of every request: it re-parses type strings,
imports the class (``__import__`` per nested object), merges the attribute map and walks the
payload reflectively. :class:`ModelCodec` does that planning once per model class and keeps it:

* ``decode(payload, type)`` builds the same objects the SDK builds from the same JSON (same
  classes, same attribute values, unknown payload keys set as extra attributes, discriminated
  subclasses, enums, dateutil datetimes). Anything off the well-trodden path (a string where an
  object belongs, an unknown enum value, an odd timestamp dateutil would have to judge, ...) is
  handed to the SDK itself, so such input behaves exactly as before: same object or same error.
* ``encode(obj)`` gives the same JSON-ready value as ``DefaultSerializer.serialize`` for any
  model object (responses, cards, any directive), dict, list, enum, date or decimal.

tests/test_codec.py proves both equalities over every model class in ask-sdk-model.
"""

from __future__ import annotations

import decimal
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from dateutil.parser import parse as parse_datetime

from skill.voice.apla import JsonReady

__all__ = ["Fallback", "JsonReady", "ModelCodec"]

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]

_LIST_RE = re.compile(r"list\[(.*)\]")  # the SDK's own patterns
_DICT_RE = re.compile(r"dict\(([^,]*), (.*)\)")
# Alexa's timestamps: 2026-11-25T19:20:30Z, optionally with up to 6 fraction digits.
_ALEXA_TIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z"
)
_PRIMITIVES = (float, bool, bytes, str, int)
_IMMUTABLE = (type(None), str, int, float, bool, Enum)


class Fallback(Exception):
    """This payload needs the SDK's own reflective path (which then decides: object or error)."""


def _utc_tzinfo_as_dateutil_gives_it() -> Any:
    """dateutil answers "...Z" with tzutc() or, where the local zone is called UTC, tzlocal()."""
    return parse_datetime("2000-01-01T00:00:00Z").tzinfo


def _decode_none(payload: Any) -> Any:
    return payload


def _needs_sdk(payload: Any) -> Any:
    raise Fallback


def _load_class(name: str) -> Any:
    """Resolve a dotted class name as the SDK does (module import, then attribute)."""
    module_name, _, class_name = name.rpartition(".")
    if not module_name:
        raise Fallback
    module = __import__(module_name, fromlist=[class_name])
    return getattr(module, class_name)


class ModelCodec:
    """One per process (thread-safe: plans are built idempotently and only ever added)."""

    def __init__(self) -> None:
        self.sdk = DefaultSerializer()
        self._decoders: dict[str | type, Decoder] = {}
        self._builders: dict[type, Decoder] = {}
        self._encoders: dict[type, Encoder] = {}
        self._utc = _utc_tzinfo_as_dateutil_gives_it()

    # -- decoding -----------------------------------------------------------------------

    def decode(self, payload: Any, obj_type: str | type, raw: str | None = None) -> Any:
        """What ``DefaultSerializer().deserialize(raw, obj_type)`` returns for the JSON
        ``raw`` (``payload`` is ``json.loads(raw)``; ``raw`` defaults to its re-dump)."""
        try:
            return self.decoder(obj_type)(payload)
        except Exception:
            return self.sdk.deserialize(json.dumps(payload) if raw is None else raw, obj_type)

    def decoder(self, obj_type: str | type) -> Decoder:
        decoder = self._decoders.get(obj_type)
        if decoder is None:
            decoder = self._decoders[obj_type] = self._compile(obj_type)
        return decoder

    def _compile(self, obj_type: str | type) -> Decoder:
        if not isinstance(obj_type, str):
            if obj_type in _PRIMITIVES or obj_type in (object, date, datetime):
                return _needs_sdk  # not needed here; the SDK knows
            return self._class_decoder(obj_type)
        if obj_type.startswith("list["):
            match = _LIST_RE.match(obj_type)
            if match is None or "," in match.group(1):
                return _needs_sdk
            return self._list_decoder(match.group(1).strip())
        if obj_type.startswith("dict("):
            match = _DICT_RE.match(obj_type)
            return _needs_sdk if match is None else self._dict_decoder(match.group(2))
        native = {
            "str": self._exact(str),
            "int": self._exact(int),
            "long": self._exact(int),
            "bool": self._exact(bool),
            "float": self._float,
            "object": _decode_none,
            "datetime": self._datetime,
            "date": self._date,
        }.get(obj_type)
        if native is not None:
            return native
        try:
            cls = _load_class(obj_type)
        except Exception:
            return _needs_sdk
        return self._class_decoder(cls)

    @staticmethod
    def _exact(kind: type) -> Decoder:
        def decode(payload: Any) -> Any:
            if payload is None or type(payload) is kind:
                return payload
            raise Fallback  # the SDK would convert (int("7"), str(7), bool("no")...) or fail

        return decode

    @staticmethod
    def _float(payload: Any) -> Any:
        kind = type(payload)
        if payload is None or kind is float:
            return payload
        if kind is int:
            return float(payload)
        raise Fallback

    def _datetime(self, payload: Any) -> Any:
        if payload is None:
            return None
        if type(payload) is not str:
            raise Fallback
        match = _ALEXA_TIME_RE.fullmatch(payload)
        if match is None:
            return parse_datetime(payload)  # exactly the SDK's parser; errors -> Fallback
        year, month, day, hour, minute, second, fraction = match.groups()
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int(fraction.ljust(6, "0")) if fraction else 0,
            tzinfo=self._utc,
        )

    @staticmethod
    def _date(payload: Any) -> Any:
        if payload is None:
            return None
        if type(payload) is not str:
            raise Fallback
        return parse_datetime(payload).date()

    def _list_decoder(self, item_type: str) -> Decoder:
        def decode(payload: Any) -> Any:
            if payload is None:
                return None
            if type(payload) is not list:
                raise Fallback
            item = self.decoder(item_type)
            return [item(value) for value in payload]

        return decode

    def _dict_decoder(self, value_type: str) -> Decoder:
        def decode(payload: Any) -> Any:
            if payload is None:
                return None
            if type(payload) is not dict:
                raise Fallback
            value = self.decoder(value_type)
            return {key: value(item) for key, item in payload.items()}

        return decode

    def _class_decoder(self, cls: Any) -> Decoder:
        if not isinstance(cls, type):
            return _needs_sdk
        if issubclass(cls, Enum):
            members = cls._value2member_map_

            def decode_enum(payload: Any) -> Any:
                if payload is None:
                    return None
                if type(payload) is str:
                    member = members.get(payload)
                    if member is not None:
                        return member
                raise Fallback  # unknown value: the SDK raises, and so must we

            return decode_enum
        if not hasattr(cls, "deserialized_types"):
            return _decode_none  # the SDK hands the payload back unchanged
        if hasattr(cls, "get_real_child_model"):
            children: dict[str, Decoder] = {}  # subclass name -> its builder, imported once

            def decode_discriminated(payload: Any) -> Any:
                if payload is None:
                    return None
                if type(payload) is not dict:
                    raise Fallback
                name = cls.get_real_child_model(payload)
                if not name:
                    raise Fallback
                build = children.get(name)
                if build is None:
                    build = children[name] = self._builder(_load_class(name))
                return build(payload)

            return decode_discriminated

        def decode_model(payload: Any) -> Any:
            if payload is None:
                return None
            return self._builder(cls)(payload)

        return decode_model

    def _builder(self, cls: Any) -> Decoder:
        builder = self._builders.get(cls)
        if builder is None:
            builder = self._builders[cls] = self._make_builder(cls)
        return builder

    def _make_builder(self, cls: Any) -> Decoder:
        """Build one model object from a dict payload, as DefaultSerializer.__deserialize_model.

        The SDK calls ``cls()`` and then sets each mapped attribute present in the payload and
        every unmapped payload key (as is). Where the defaults ``cls()`` sets are immutable we
        copy them from one prototype instead of running the constructor chain each time.
        """
        types: dict[str, str] = cls.deserialized_types
        attribute_map = dict(getattr(cls, "attribute_map", {}))
        for name in types:
            attribute_map.setdefault(name, name)
        fields: dict[str, list[tuple[str, str]]] = {}
        for attr, key in attribute_map.items():
            fields.setdefault(key, []).append((attr, types[attr]))
        plain = all(
            not hasattr(getattr(cls, attr, None), "__set__") for attr in attribute_map
        ) and not hasattr(cls, "__slots__")
        prototype = cls().__dict__ if plain else None
        if prototype is not None and not all(
            isinstance(value, _IMMUTABLE) for value in prototype.values()
        ):
            prototype = None
        decoder = self.decoder
        new = object.__new__
        table: dict[str, tuple[tuple[str, Decoder], ...]] | None = None

        def build(payload: Any) -> Any:
            nonlocal table
            if type(payload) is not dict:
                raise Fallback
            lookup = table
            if lookup is None:  # first use: look the field decoders up once, publish whole
                lookup = {
                    key: tuple((attr, decoder(kind)) for attr, kind in targets)
                    for key, targets in fields.items()
                }
                table = lookup
            if prototype is None:
                obj = cls()
                values = None
            else:
                obj = new(cls)
                values = obj.__dict__
                values.update(prototype)
            extra = None
            for key, value in payload.items():
                targets = lookup.get(key)
                if targets is None:
                    if extra is None:
                        extra = []
                    extra.append(key)
                    continue
                for attr, decode in targets:
                    if values is None:
                        setattr(obj, attr, decode(value))
                    else:
                        values[attr] = decode(value)
            if extra:
                for key in extra:
                    setattr(obj, key, payload[key])
            return obj

        return build

    # -- encoding -----------------------------------------------------------------------

    def encode(self, obj: Any) -> Any:
        """Exactly ``DefaultSerializer().serialize(obj)``."""
        if obj is None:
            return None
        kind = type(obj)
        if kind is str or kind is int or kind is bool or kind is float:
            return obj
        encoder = self._encoders.get(kind)
        if encoder is None:
            encoder = self._encoders[kind] = self._encoder_for(kind)
        return encoder(obj)

    def _encoder_for(self, kind: type) -> Encoder:
        """The SDK's isinstance ladder, decided once per type."""
        encode = self.encode
        if issubclass(kind, _PRIMITIVES):
            return _decode_none
        if issubclass(kind, list):
            return lambda obj: [encode(item) for item in obj]
        if issubclass(kind, tuple):
            return lambda obj: tuple(encode(item) for item in obj)
        if issubclass(kind, date):  # datetime too
            return lambda obj: obj.isoformat()
        if issubclass(kind, Enum):
            return lambda obj: obj.value
        if issubclass(kind, decimal.Decimal):
            return lambda obj: int(obj) if obj % 1 == 0 else float(obj)
        if issubclass(kind, JsonReady):
            return _decode_none
        if issubclass(kind, dict):
            return lambda obj: {key: encode(value) for key, value in obj.items()}
        if "deserialized_types" not in dir(kind):
            return self.sdk.serialize  # raises just as it always did
        attribute_map = dict(getattr(kind, "attribute_map", {}))
        pairs = [(attr, attribute_map.get(attr, attr)) for attr in kind.deserialized_types]
        sdk = self.sdk.serialize

        def encode_model(obj: Any) -> Any:
            own = obj.__dict__
            if "deserialized_types" in own or "attribute_map" in own:
                return sdk(obj)  # per-instance overrides: let the SDK read them
            out = {}
            for attr, key in pairs:
                value = getattr(obj, attr)
                if value is not None:
                    out[key] = encode(value)
            return out

        return encode_model
