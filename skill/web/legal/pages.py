"""GET /privacy and GET /terms: the policy's words (policy.yaml) filled in with the skill's
real settings (the clinic from the content, SKILL_RETENTION_MONTHS) and rendered once per
process, as they cannot change while it runs. Self-contained HTML (inline style, no scripts,
no external fonts), so a reviewer's or a phone's browser fetches one document and nothing else.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import yaml
from flask import Flask, Response, render_template, request

from skill.core.content import Phone, load_content

POLICY_FILE = "policy.yaml"
# A day: the pages change only with a new release or setting, and a stale copy is harmless.
CACHE_CONTROL = "public, max-age=86400"
# The page loads nothing: no scripts, images or fonts; only its own inline style.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"


class PolicyError(ValueError):
    """policy.yaml is malformed; names the key."""


def load_policy() -> dict[str, Any]:
    """The policy data, checked for what the pages need (a typo fails at start-up)."""
    text = resources.files(__package__).joinpath(POLICY_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise PolicyError(f"{POLICY_FILE}: not a mapping")
    keys = ("version", "effective", "backup_days", "skill", "contact", "privacy", "terms", "page")
    for key in keys:
        if key not in data:
            raise PolicyError(f"{POLICY_FILE}: {key}: missing")
    if not isinstance(data["effective"], date):
        raise PolicyError(f"{POLICY_FILE}: effective: must be a date (YYYY-MM-DD)")
    for section in ("kept", "operational"):
        for i, item in enumerate(data["privacy"].get(section) or ()):
            if not isinstance(item, dict) or not item.get("columns"):
                raise PolicyError(f"{POLICY_FILE}: privacy.{section}[{i}]: needs columns")
    return data


def described_columns(policy: dict[str, Any]) -> set[str]:
    """Every table.column the policy describes (kept items and records not about anyone)."""
    privacy = policy["privacy"]
    return {
        column
        for section in ("kept", "operational")
        for item in privacy[section]
        for column in item["columns"]
    }


def retention_sentence(policy: dict[str, Any], months: int) -> str:
    """What the policy says about forgetting people, from SKILL_RETENTION_MONTHS (`policy`:
    the privacy section, its {skill} and {months} filled in; or the page section, whose words
    go into the version line)."""
    if months <= 0:
        return str(policy["retention_never"])
    return str(policy["retention_one_month" if months == 1 else "retention_months"])


def _fill(node: Any, fields: dict[str, Any]) -> Any:
    """The policy's texts with {skill}, {clinic}, {phone} filled in, all the way down."""
    if isinstance(node, str):
        return node.format(**fields)
    if isinstance(node, dict):
        return {key: _fill(value, fields) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(value, fields) for value in node]
    return node


@dataclass(frozen=True)
class Page:
    body: bytes
    etag: str


@functools.cache
def render_pages(retention_months: int) -> dict[str, Page]:
    """Both pages as bytes; once per process and setting (~40 ms: YAML and templates), however
    many apps are made (the tests make thousands). Rendered by a Flask app of their own, whose
    Jinja environment (autoescaping .html) sees only these templates."""
    policy = load_policy()
    clinic: Phone = load_content().clinic[policy["contact"]]
    fields = {
        "skill": policy["skill"],
        "clinic": clinic.name,
        "phone": clinic.display,
        "months": retention_months,
        "backup_days": policy["backup_days"],
    }
    privacy = _fill(policy["privacy"], fields)
    terms = _fill(policy["terms"], fields)
    effective = policy["effective"]
    page = policy["page"]
    # The retention in force is part of the version line: the policy's words follow the
    # setting, so a changed setting must show where the version does.
    common = {
        "skill": policy["skill"],
        "links": terms["links"],
        "nav_label": page["nav_label"],
        "version_line": page["version"].format(
            version=policy["version"],
            retention=retention_sentence(page, retention_months).format(**fields),
            effective=f"{effective:%B} {effective.day}, {effective.year}",
        ),
    }
    pages = {}
    with Flask(__name__, template_folder="templates").app_context():
        pages["privacy"] = render_template(
            "legal/privacy.html",
            page="privacy",
            title=privacy["title"],
            p=privacy,
            retention=retention_sentence(privacy, retention_months),
            contact=privacy["contact"],
            **common,
        )
        pages["terms"] = render_template(
            "legal/terms.html",
            page="terms",
            title=terms["title"],
            t=terms,
            contact=terms["contact"],
            **common,
        )
    return {
        name: Page(html.encode("utf-8"), hashlib.sha256(html.encode("utf-8")).hexdigest()[:32])
        for name, html in pages.items()
    }


def _view(page: Page) -> Callable[[], Response]:
    def view() -> Response:
        response = Response(page.body, mimetype="text/html")
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.set_etag(page.etag)
        return response.make_conditional(request)

    return view


def register_legal_pages(app: Flask, retention_months: int) -> None:
    """GET (and HEAD) /privacy and /terms on `app`, rendered once per process."""
    for name, page in render_pages(retention_months).items():
        app.add_url_rule(f"/{name}", name, _view(page), methods=["GET"])
