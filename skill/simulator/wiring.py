"""From command-line options to a ready Device: transport, envelopes, NLU, Settings API.

The Settings API stand-in's server also serves the Reminders API stand-in: its permission
(`--reminders-permission`), failure mode (`--reminders-api-fails`) and the device's voice
consent (`--no-voice-consent`) come from the options.

Shared by `chat` and `say`; imports the skill only when called, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack

from skill.config import Config
from skill.resources import interaction_model_path
from skill.simulator.clips import ClipLookup
from skill.simulator.clock import DeviceClock
from skill.simulator.device import Device, recognizer_for
from skill.simulator.display import DEFAULT_DEVICE, RUNTIME_MAX_VERSION, display_for
from skill.simulator.envelopes import EnvelopeFactory
from skill.simulator.nlu import DEFAULT_SKILL_ID
from skill.simulator.playback import Measure, estimate_measure
from skill.simulator.reminders_api import Permission, RemindersApi
from skill.simulator.settings_api import SettingsApi
from skill.simulator.transport import HttpTransport, InProcessTransport, Transport


def open_device(
    args: argparse.Namespace, stack: ExitStack, measure: Measure | None = None
) -> Device:
    """Transport, envelopes, NLU and clock for the chosen options (errors: ValueError).

    `--realtime` answers play in real time, so the device's clock is the wall clock; otherwise
    it moves by what each answer plays (skill.simulator.clock). `--device` gives it a screen.
    """
    try:
        model_path = interaction_model_path(args.locale)
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from None
    config = Config.from_env(verify_requests=False)
    transport: Transport = HttpTransport(args.url) if args.url else InProcessTransport(config)
    reminders = RemindersApi(permission=Permission(getattr(args, "reminders_permission", "ask")))
    reminders.set_failure(getattr(args, "reminders_api_fails", None))
    api = stack.enter_context(SettingsApi(reminders=reminders))
    app_id = config.skill_id or DEFAULT_SKILL_ID
    apl = getattr(args, "apl_max_version", None) or RUNTIME_MAX_VERSION
    display = display_for(getattr(args, "device", None) or DEFAULT_DEVICE, apl)
    factory = EnvelopeFactory(
        application_id=app_id,
        locale=args.locale,
        api_endpoint=api.url,
        display=display,
        scopes=reminders.scopes,
    )
    reminders.register(factory.api_access_token)
    recognizer = recognizer_for(model_path, app_id)
    clips = ClipLookup.for_audio_dir(config.audio_dir)
    clock = DeviceClock(realtime=bool(getattr(args, "realtime", False)))
    return Device(
        transport,
        factory,
        recognizer,
        measure or estimate_measure(clips.ms),
        clock,
        reminders=reminders,
        voice_consent=not getattr(args, "no_voice_consent", False),
    )
