"""`hamstring-coach doctor`: checks an install from the operator's side.

A tool beside the request path, like skill.audio and skill.simulator: nothing the server runs
imports it. Each module checks one group (settings, database, content, audio, clock, the public
endpoint) and returns `Check` results (report.py); each failure or warning carries the advice an
operator needs to fix it, because "FAIL" alone sends them to the source code.
"""
