"""Names vulture cannot see used: read by getattr, set for a library, or required by a
signature that a library calls. Each entry says which."""

# ruff: noqa: B018, F821
from bench.report import Round
from skill.core.content import CuePools, Phone, Stretch

# Content schema fields: required in the YAML so the content owner's file is complete and
# validated; cue pools are picked by name (CuePools.pick uses getattr).
Stretch.short_name
Phone.purpose
CuePools.get_ready
CuePools.breathe
CuePools.bounce
CuePools.intensity
CuePools.ten_left

# Read by name in bench/report.py (Results.p(app, conc, "p50_ms")).
Round.p50_ms
Round.p99_ms

# Set on objects a library reads: argparse's sub-parser formatter, sqlite3's isolation
# level, werkzeug's Cache-Control header.
_.formatter_class
_.isolation_level
_.public

# Parameters of signatures a library calls positionally: DB-API execute, gunicorn's
# Logger.access, socketserver's handle_error; tests.certs caches one key per role name.
parameters
resp
client_address
role

# tests/verification/test_cert_connect.py: the stand-in server's behaviours, picked by name
# (getattr(self, "_" + mode)), and socketserver's handler class, swapped by a test.
_._stall
_._drip_connect
_._relay
_.RequestHandlerClass
