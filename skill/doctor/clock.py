"""The clock: Alexa signs each request with a timestamp, and the verifier refuses one more than
150 s from this host's clock (skill.alexa.verification; Amazon's "Host a Custom Skill as a Web
Service"). A wrong clock therefore fails every request while everything else looks healthy.

Two views: offline, the kernel's own synchronisation state (adjtimex(2), read-only: the state
that NTP daemons such as chrony, ntpd and systemd-timesyncd keep up to date); online, an SNTP
query (RFC 4330) to a time server, which measures the offset itself.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

from skill.doctor.report import Check, fail, ok, warn

KERNEL, NTP = "clock (kernel)", "clock (NTP)"
MAX_SKEW_S = 150  # the request verifier's tolerance (RequestVerifier max_skew_seconds)
# An NTP-synchronised clock is within milliseconds: a second off means synchronisation is not
# working, though every request still passes.
WARN_OFFSET_S = 1.0
# Fail well before the 150 s where every request fails: at 60 s the 90 s left is what a clock
# without synchronisation can drift within days (cheap oscillators, a VM resumed from pause).
FAIL_OFFSET_S = 60.0
NTP_TIMEOUT_S = 3.0
DEFAULT_NTP_SERVER = "pool.ntp.org"
TIME_ERROR = 5  # adjtimex's return value: the clock is not synchronised
STA_UNSYNC = 0x0040
ADVICE_SYNC = (
    "Run an NTP client: `timedatectl set-ntp true` (systemd-timesyncd) or install chrony; "
    "`timedatectl` shows 'System clock synchronized: yes' when it works. In a container, the "
    "host's clock is the one to fix."
)


class Timex(ctypes.Structure):
    """Linux's struct timex (<sys/timex.h>); modes 0 reads the state without changing it."""

    _fields_ = [
        ("modes", ctypes.c_uint),
        ("offset", ctypes.c_long),
        ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long),  # microseconds
        ("esterror", ctypes.c_long),
        ("status", ctypes.c_int),
        ("constant", ctypes.c_long),
        ("precision", ctypes.c_long),
        ("tolerance", ctypes.c_long),
        ("time_sec", ctypes.c_long),
        ("time_usec", ctypes.c_long),
        ("tick", ctypes.c_long),
        ("ppsfreq", ctypes.c_long),
        ("jitter", ctypes.c_long),
        ("shift", ctypes.c_int),
        ("stabil", ctypes.c_long),
        ("jitcnt", ctypes.c_long),
        ("calcnt", ctypes.c_long),
        ("errcnt", ctypes.c_long),
        ("stbcnt", ctypes.c_long),
        ("tai", ctypes.c_int),
        ("reserved", ctypes.c_int * 11),
        # Room past the struct (208 bytes on x86-64 and arm64 glibc): if some libc's struct is
        # longer, the kernel's write still lands in memory this object owns.
        ("spare", ctypes.c_char * 64),
    ]


def kernel_sync_state() -> tuple[bool, int] | None:
    """(synchronised, max error in µs) as the kernel keeps them, or None where unknown."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        timex = Timex()
        state = libc.adjtimex(ctypes.byref(timex))
    except (OSError, AttributeError):
        return None
    if state < 0:
        return None
    synced = state != TIME_ERROR and not timex.status & STA_UNSYNC
    return synced, int(timex.maxerror)


def check_kernel_clock() -> Check:
    found = kernel_sync_state()
    if found is None:
        return warn(
            KERNEL,
            "synchronisation state unknown (adjtimex not available here)",
            "Check that an NTP client runs (`timedatectl`, `chronyc tracking`), or run doctor "
            "without --offline to measure the offset.",
        )
    synced, max_error_us = found
    if not synced:
        return warn(
            KERNEL,
            "the kernel says the clock is not synchronised (no NTP client is steering it); "
            f"requests fail once it is {MAX_SKEW_S} s off",
            ADVICE_SYNC,
        )
    return ok(KERNEL, f"synchronised (estimated maximum error {max_error_us / 1000:.0f} ms)")


def parse_server(text: str) -> tuple[str, int]:
    """HOST or HOST:PORT (a bare IPv6 address or [v6]:PORT works too)."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = int(rest.removeprefix(":") or 123)
    elif text.count(":") == 1:
        host, number = text.split(":")
        port = int(number)
    else:
        host, port = text, 123
    if not host or not 0 < port < 65536:
        raise ValueError(f"not HOST or HOST:PORT (port 1-65535): {text!r}")
    return host, port


def check_ntp(server: str, timeout_s: float = NTP_TIMEOUT_S) -> Check:
    """Measure this clock against `server` with one SNTP query."""
    import ntplib  # here: `serve` imports this module's parser helpers, never the client

    from skill.doctor.network import ResolveError, address  # urllib3 too, so here as well

    host, port = parse_server(server)
    try:
        # Resolved first, within DNS_TIMEOUT_S: ntplib's own lookup has no deadline.
        ip = address(host, port, udp=True)
        response = ntplib.NTPClient().request(ip, version=4, port=port, timeout=timeout_s)
    except ResolveError as exc:
        return warn(
            NTP,
            str(exc),
            "Check this host's DNS (resolv.conf, `getent hosts NAME`), or give --ntp-server a "
            "time server's IP address; the kernel's state above still says whether the clock "
            "is synchronised.",
        )
    except (ntplib.NTPException, OSError) as exc:
        return warn(
            NTP,
            f"no answer from {server} within {timeout_s:.0f} s ({exc})",
            "Allow outgoing UDP port 123 to a time server, or name one your network allows "
            "with --ntp-server; the kernel's state above still says whether the clock is "
            "synchronised.",
        )
    offset = response.offset  # the server's time minus ours
    side = "behind" if offset > 0 else "ahead of"
    detail = f"this clock is {abs(offset):.3f} s {side} {server} (stratum {response.stratum})"
    if abs(offset) >= FAIL_OFFSET_S:
        return fail(
            NTP,
            f"{detail}: Alexa's requests are refused beyond {MAX_SKEW_S} s",
            f"Set the clock now (`chronyc makestep`, or `timedatectl set-ntp true`). {ADVICE_SYNC}",
        )
    if abs(offset) >= WARN_OFFSET_S:
        return warn(NTP, f"{detail}: synchronisation is not working", ADVICE_SYNC)
    return ok(NTP, detail)


def clock_checks(*, offline: bool, ntp_server: str) -> list[Check]:
    checks = [check_kernel_clock()]
    if not offline:
        checks.append(check_ntp(ntp_server))
    return checks
