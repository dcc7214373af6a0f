"""Runs the Flask app under gunicorn, configured in code so `serve` needs no config file."""

from __future__ import annotations

import gc
import logging
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from skill.config import Config
from skill.web.app import create_app
from skill.web.retention_job import start_in_worker
from skill.web.worker import BufferingThreadWorker

log = logging.getLogger("skill.web.server")


class SkillServer(BaseApplication):  # type: ignore[misc]
    """gunicorn's embedding API: options in, our app factory as the WSGI app."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        # Everything built at start (the app, the content, the interaction model, imported
        # modules) lives as long as the process: freezing it keeps the garbage collector from
        # scanning it again on every full collection. The skill's set responses allocate enough
        # that those collections cost a quarter of a request's time (bench/README.md).
        gc.freeze()
        return self.application


class NoAccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger without the access log: our endpoint writes one structured line per
    request instead. (gunicorn builds the access line's fields on every request whenever a
    logging config is given, even when the access logger drops the line.)"""

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_options(*, host: str, port: int, workers: int, log_level: str) -> dict[str, Any]:
    """The WSGI server settings `serve` uses (the benchmark serves its apps with these too)."""
    return {
        "bind": bind_address(host, port),
        "workers": max(1, workers),
        # gthread, with each request read whole before a thread takes it: a slow client holds
        # no thread and is cut off after REQUEST_READ_SECONDS (skill/web/worker.py)
        "worker_class": BufferingThreadWorker,
        "threads": 4,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "preload_app": True,
        "accesslog": None,  # our own structured line per request replaces it
        "logger_class": NoAccessLogger,
        "logconfig_dict": json_log_config(log_level),
        "post_worker_init": start_in_worker,  # each worker's retention thread, after the fork
    }


def run_server(config: Config, *, host: str, port: int, workers: int) -> int:
    app = create_app(config)  # built once in the master; workers share it copy-on-write
    # Create or migrate the database schema now, before any worker takes a request: a migration
    # of a large database (e.g. a million days of progress: several seconds) must not run inside
    # the first person's request. A database that is down only means no progress for now.
    database = app.extensions["progress_store"].health()
    if database["status"] != "ok":
        log.warning(
            "progress store unavailable at start; people can stretch, without progress, "
            "until it is back",
            extra={"fields": {"database": database["detail"]}},
        )
    options = gunicorn_options(host=host, port=port, workers=workers, log_level=config.log_level)
    mode = "ON" if config.verify_requests else "OFF (--dev)"
    log.info(
        "serving Hamstring Coach",
        extra={
            "fields": {
                "url": f"http://{options['bind']}/alexa",
                "verification": mode,
                "skill_id": config.skill_id_status,
                "database": f"{database['backend']}: {database['detail']}",
                "retention_months": config.retention_months,
            }
        },
    )
    if config.verify_requests and not config.skill_id:  # `serve` allows it only when asked
        log.warning(
            "SKILL_ID is not set and SKILL_ACCEPT_ANY_SKILL is on: requests for any skill id "
            "are accepted; set SKILL_ID in production"
        )
    SkillServer(app, options).run()
    return 0


def json_log_config(level: str) -> dict[str, Any]:
    """gunicorn's own lines (start, workers, errors) as JSON too, like ours."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "skill.logs.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
        },
    }
