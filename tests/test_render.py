"""How turns reach the device: plain answers, "repeat" of a forged turn, clips that are missing
or not served, the speech settings, GET /audio and the audio commands. How a set plays (one
APL-A Mixer, rendered clips, the SSML fallback) is in tests/test_render_sets.py."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from skill import cli
from skill.config import Config, ConfigError
from skill.core.content import load_content
from skill.voice import apla
from skill.voice.manifest import ClipEntry, Manifest
from skill.web.app import create_app
from tests.builders import RequestBuilder
from tests.conversation import Conversation, Reply

SEATED = ("seated hamstring stretch", "seated")
BASE = "https://coach.example.org/audio"
FIRST_CLIP = "hold-seated-30s-v0"
CONTENT = load_content()


def talk_with(config: Config) -> Conversation:
    return Conversation(create_app(config).test_client(), RequestBuilder())


def first_set(talk: Conversation) -> Reply:
    """The right leg's set of the seated stretch: three 30 s holds in one response."""
    talk.launch()
    return talk.say("StartStretchIntent", Stretch=SEATED)


def fake_clips(directory: Path, *clip_ids: str, on_disk: bool = True) -> Manifest:
    """A manifest listing `clip_ids`, with small stand-in MP3 files (the skill never decodes
    them; format and timing of real clips are tested in test_audio.py)."""
    manifest = Manifest(directory)
    for i, clip_id in enumerate(clip_ids):
        path = directory / f"{clip_id}.mp3"
        directory.mkdir(parents=True, exist_ok=True)
        if on_disk:
            path.write_bytes(b"ID3" + bytes(range(256)) * 40 + bytes([i]))
        manifest.clips[clip_id] = ClipEntry(
            id=clip_id,
            file=path.name,
            text="...",
            engine="espeak",
            engine_note="",
            duration_ms=31_650,
            cue_offsets_ms=[0, 30_000],
            sha256=f"{i:064x}",
            key="k",
        )
    manifest.save()
    return manifest


# --- what is not a set, and clips that cannot be used -------------------------------------


def test_answers_stay_plain_ssml(talk: Conversation) -> None:
    talk.launch()
    reply = talk.say("BreathingIntent")
    assert reply.directive is None
    assert reply.ssml


@pytest.mark.parametrize(
    "last",
    [
        {
            "speech": "<speak>x</speak>",
            "hold": {"stretch": "standing", "seconds": 30, "variant": 0},
        },
        {"speech": "<speak>x</speak>", "hold": {"stretch": "seated", "seconds": 600, "variant": 0}},
        {"speech": "<speak>x</speak>", "hold": {"stretch": "seated", "seconds": 30, "variant": 9}},
        {"speech": "<speak>x</speak>", "hold": {"stretch": "seated", "seconds": 30, "variant": 0}},
        {"speech": "no markup", "reprompt": None},
        {"speech": "<speak>" + "a" * 9000 + "</speak>", "reprompt": None},
    ],
)
def test_forged_last_turn_is_never_replayed(
    client: FlaskClient, builder: RequestBuilder, last: dict
) -> None:
    """A garbled or forged `last` (here without a valid "after") is dropped, not played."""
    envelope = builder.intent("AMAZON.RepeatIntent", attributes={"last": last}, new=False)
    reply = Reply(client.post("/alexa", json=envelope).get_json())
    assert reply.directive is None
    assert "a" * 100 not in reply.ssml
    assert CONTENT.phrases.get("navigation.nothing_to_repeat") in reply.text


@pytest.mark.parametrize("on_disk", [False, True])
def test_missing_clip_falls_back_to_alexas_voice(
    config: Config, tmp_path: Path, on_disk: bool
) -> None:
    """Listed but deleted, or not listed at all: the hold is spoken by Alexa, exactly."""
    clip_ids = (FIRST_CLIP,) if not on_disk else ("hold-supine-30s-v0",)
    fake_clips(tmp_path / "clips", *clip_ids, on_disk=on_disk)
    config = dataclasses.replace(config, audio_base_url=BASE, audio_dir=tmp_path / "clips")
    reply = first_set(talk_with(config))
    assert reply.directive is not None
    assert apla.audio_sources(reply.directive) == [apla.CHIME_SOURCE] * 3
    assert reply.holds == [30.0, 30.0, 30.0]


def test_without_base_url_clips_on_disk_are_not_used(config: Config, tmp_path: Path) -> None:
    fake_clips(tmp_path / "clips", FIRST_CLIP)
    reply = first_set(talk_with(dataclasses.replace(config, audio_dir=tmp_path / "clips")))
    assert apla.audio_sources(reply.directive or {}) == [apla.CHIME_SOURCE] * 3


# --- configuration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SKILL_SPEECH_MODE": "loud"}, "SKILL_SPEECH_MODE must be one of apla, ssml"),
        ({"SKILL_AUDIO_BASE_URL": "http://x.example/a"}, "must be an https:// address"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(
    env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["serve", "--dev"]) == 2
    assert message in capsys.readouterr().err


def test_settings_from_the_environment(tmp_path: Path) -> None:
    config = Config.from_env(
        {
            "SKILL_SPEECH_MODE": "SSML",
            "SKILL_AUDIO_BASE_URL": "https://a.example/clips/",
            "SKILL_AUDIO_DIR": str(tmp_path),
        }
    )
    assert (config.speech_mode, config.audio_base_url) == ("ssml", "https://a.example/clips")
    assert config.audio_dir == tmp_path
    assert Config.from_env({}).speech_mode == "apla"


# --- GET /audio ---------------------------------------------------------------------------


def fetch(client: FlaskClient, path: str, method: str = "GET", **kw: object) -> TestResponse:
    """The response, read and closed (a streamed file left open is a ResourceWarning)."""
    response = client.open(path, method=method, **kw)
    response.get_data()
    response.close()
    return response


@pytest.fixture
def clip_client(config: Config, tmp_path: Path) -> FlaskClient:
    fake_clips(tmp_path / "clips", FIRST_CLIP)
    (tmp_path / "clips" / "stray.mp3").write_bytes(b"not in the manifest")
    (tmp_path / "secret.txt").write_text("TOP-SECRET-CONTENT")
    return create_app(dataclasses.replace(config, audio_dir=tmp_path / "clips")).test_client()


def test_audio_serves_a_clip_with_caching_headers(clip_client: FlaskClient) -> None:
    response = fetch(clip_client, f"/audio/{FIRST_CLIP}.mp3")
    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert response.headers["ETag"]
    assert len(response.data) == 3 + 256 * 40 + 1
    head = fetch(clip_client, f"/audio/{FIRST_CLIP}.mp3", "HEAD")
    assert head.status_code == 200
    assert head.headers["Content-Length"] == str(len(response.data))


def test_audio_answers_range_requests(clip_client: FlaskClient) -> None:
    full = fetch(clip_client, f"/audio/{FIRST_CLIP}.mp3").data
    part = fetch(clip_client, f"/audio/{FIRST_CLIP}.mp3", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.data == full[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(full)}"
    beyond = fetch(clip_client, f"/audio/{FIRST_CLIP}.mp3", headers={"Range": "bytes=99999-"})
    assert beyond.status_code == 416


def test_audio_revalidates_with_etag(clip_client: FlaskClient) -> None:
    etag = fetch(clip_client, f"/audio/{FIRST_CLIP}.mp3").headers["ETag"]
    again = fetch(clip_client, f"/audio/{FIRST_CLIP}.mp3", headers={"If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/audio/../secret.txt",
        "/audio/%2e%2e/secret.txt",
        "/audio/..%2fsecret.txt",
        "/audio/stray.mp3",  # on disk, but not a clip the manifest lists
        "/audio/manifest.json",
        "/audio/nope.mp3",
        "/audio//etc/passwd",
    ],
)
def test_audio_serves_nothing_else(clip_client: FlaskClient, path: str) -> None:
    response = fetch(clip_client, path, follow_redirects=True)  # "//" redirects to "/"
    assert response.status_code == 404
    assert b"TOP-SECRET" not in response.data
    assert b"not in the manifest" not in response.data
    assert response.is_json


def test_audio_sees_a_rebuilt_manifest_without_restart(config: Config, tmp_path: Path) -> None:
    client = create_app(dataclasses.replace(config, audio_dir=tmp_path / "clips")).test_client()
    assert client.get(f"/audio/{FIRST_CLIP}.mp3").status_code == 404
    fake_clips(tmp_path / "clips", FIRST_CLIP)
    assert fetch(client, f"/audio/{FIRST_CLIP}.mp3").status_code == 200


# --- the audio commands -------------------------------------------------------------------


@pytest.mark.slow
def test_build_audio_renders_everything_then_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "audio"
    assert cli.main(["build-audio", "--engine", "espeak", "--out", str(out)]) == 0
    first = capsys.readouterr().out
    count = len(list(out.glob("*.mp3")))
    assert count == 21
    assert first.startswith(f"{count} rendered, 0 up to date")
    assert cli.main(["build-audio", "--engine", "espeak", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"0 rendered, {count} up to date")
    assert cli.main(["build-audio", "--engine", "espeak", "--out", str(out), "--force"]) == 0
    assert capsys.readouterr().out.startswith(f"{count} rendered")


@pytest.mark.slow
def test_render_session_command_writes_an_mp3_as_long_as_its_layout(tmp_path: Path, capsys) -> None:
    out = tmp_path / "seated.mp3"
    code = cli.main(
        ["render-session", "--stretch", "seated", "--engine", "espeak", "--out", str(out)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    real, layout = map(
        float, re.search(r"\(([\d.]+) s; layout says ([\d.]+) s\)", printed).groups()
    )
    assert abs(real - layout) <= 0.5
    assert real > 6 * 30  # six 30 s holds, plus everything around them
    assert out.stat().st_size > 0


def test_render_session_refuses_a_hold_out_of_range(tmp_path: Path, capsys) -> None:
    code = cli.main(
        ["render-session", "--stretch", "seated", "--out", str(tmp_path / "x.mp3"), "--hold", "5"]
    )
    assert code == 2
    assert "--hold must be 30 to 60 seconds" in capsys.readouterr().err
    assert not (tmp_path / "x.mp3").exists()


def test_clips_built_while_serving_are_used_without_restart(config: Config, tmp_path: Path) -> None:
    config = dataclasses.replace(config, audio_base_url=BASE, audio_dir=tmp_path / "clips")
    client = create_app(config).test_client()
    before = first_set(Conversation(client, RequestBuilder()))
    assert apla.audio_sources(before.directive or {}) == [apla.CHIME_SOURCE] * 3
    fake_clips(tmp_path / "clips", FIRST_CLIP)
    after = first_set(Conversation(client, RequestBuilder()))
    assert apla.audio_sources(after.directive or {})[0] == f"{BASE}/{FIRST_CLIP}.mp3"
    health = client.get("/healthz").get_json()
    assert health["speech"] == {"mode": "apla", "audio_base_url": BASE, "rendered_clips": 1}
