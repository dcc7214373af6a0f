"""The server's own retention job: each worker process runs a daemon thread that, shortly after
start and then every hour, tries to take today's retention run (skill.store.retention). The
claim is a row in the database, so one worker of one host does each day's work and the others
find it taken at the cost of one INSERT; a worker that did or saw today's run waits for the
next UTC day. A thread per worker, not one in gunicorn's master: the master forks the workers
and must stay small; the claim makes the count of workers and hosts irrelevant.
"""

from __future__ import annotations

import logging
import random
import threading
from datetime import date

from skill.store.errors import StoreUnavailable
from skill.store.progress_store import ProgressStore
from skill.store.retention import ClockSuspect, forget_inactive

log = logging.getLogger(__name__)

FIRST_RUN_AFTER_S = (60.0, 180.0)  # after a worker starts: its start-up and first requests first
CHECK_EVERY_S = 3600.0  # a failed run is tried again this soon; a done day waits for the next


class RetentionJob:
    """Forgets people not seen for `months` months, once a day; `months` 0: never starts."""

    def __init__(self, store: ProgressStore, months: int) -> None:
        self.store = store
        self.months = months
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._done_on: date | None = None  # the UTC day whose run this process did or saw taken

    def start(self) -> None:
        """Start the thread in this process (a gunicorn worker, after the fork); idempotent."""
        if self.months <= 0:
            log.info("retention off (SKILL_RETENTION_MONTHS=0): nobody is forgotten")
            return
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        if self._stop.wait(random.uniform(*FIRST_RUN_AFTER_S)):
            return
        while True:
            self.run_due()
            if self._stop.wait(CHECK_EVERY_S):
                return

    def run_due(self) -> bool:
        """Today's run, unless this process already did or saw it; True if this call did it."""
        today = self.store.seen.today()
        if self._done_on == today:
            return False
        try:
            run = forget_inactive(self.store, self.months, today=today)
        except ClockSuspect as err:  # nothing done; tried again within the hour
            log.error("%s", err)
            return False
        except StoreUnavailable as err:  # logged by the store; tried again within the hour
            log.warning("retention run postponed: %s", err)
            return False
        except Exception:  # a bug must not kill the thread for the rest of the process
            log.exception("retention run failed")
            return False
        self._done_on = today
        return run.claimed


def start_in_worker(worker: object) -> None:
    """gunicorn's post_worker_init hook: start the retention thread of the worker's app (the
    Flask app of create_app; other apps served with these options have none)."""
    app = getattr(worker, "wsgi", None)
    job = getattr(app, "extensions", {}).get("retention_job")
    if isinstance(job, RetentionJob):
        job.start()
