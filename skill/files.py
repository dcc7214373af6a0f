"""Publishing a finished temp file under its real name, readable as any new file would be.

`tempfile.mkstemp` creates files with mode 0600 whatever the umask, so a clip or manifest
written that way could not be read by a web server running as another user. Before the
atomic rename the temp file gets the mode `open()` would have given it: 0666 minus the umask.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

_lock = threading.Lock()


def current_umask() -> int:
    """The process umask, without changing it where Linux says it (/proc/self/status)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    found = re.search(r"^Umask:\s*([0-7]+)$", status, re.MULTILINE)
    if found:
        return int(found.group(1), 8)
    with _lock:  # elsewhere: set and restore (another thread could create a file in between)
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def publish(tmp: Path | str, target: Path | str) -> None:
    """chmod `tmp` to 0666 & ~umask, then os.replace it onto `target`."""
    os.chmod(tmp, 0o666 & ~current_umask())
    os.replace(tmp, target)
