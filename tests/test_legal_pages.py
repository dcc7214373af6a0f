"""/privacy and /terms: served by the real app, generated from policy.yaml, and unable to drift
from the database schema (every stored column must be described)."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from skill.config import Config
from skill.core.content import load_content
from skill.store.schema import metadata
from skill.web.app import create_app
from skill.web.legal.pages import described_columns, load_policy


def client_with(tmp_path: Path, months: int) -> FlaskClient:
    config = Config(
        verify_requests=False,
        database_url=f"sqlite:///{tmp_path}/p.sqlite3",
        retention_months=months,
    )
    return create_app(config).test_client()


def text_of(body: bytes) -> str:
    """The page's words as a reader sees them: tags dropped, entities decoded, spaces joined."""
    without_style = re.sub(r"<style>.*?</style>", " ", body.decode("utf-8"), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", without_style)).split())


def test_every_stored_column_is_described_by_the_policy_and_nothing_else() -> None:
    """A new column (a migration) fails here until policy.yaml says what it keeps and why."""
    stored = {
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
    }
    described = described_columns(load_policy())
    assert stored - described == set(), "stored but not in skill/web/legal/policy.yaml"
    assert described - stored == set(), "described in policy.yaml but not stored"


def test_the_policy_has_a_real_effective_date() -> None:
    policy = load_policy()
    assert isinstance(policy["effective"], date)
    assert policy["effective"] <= date.today()
    assert isinstance(policy["version"], int)


def test_privacy_page_lists_every_kept_item_the_retention_and_the_contact(tmp_path: Path) -> None:
    response = client_with(tmp_path, 12).get("/privacy")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    words = text_of(response.data)
    policy = load_policy()
    for item in policy["privacy"]["kept"]:
        assert item["name"] in words
        assert " ".join(item["why"].split()) in words
    assert (
        "If you do not use Hamstring Coach for 12 months (you start no stretch and change no "
        "setting), it deletes everything" in words
    )
    assert "When you disable Hamstring Coach in the Alexa app" in words
    clinic = load_content().clinic[policy["contact"]]
    assert f"call {clinic.name} at {clinic.display}" in words
    effective = policy["effective"]
    assert (
        f"Version {policy['version']} (retention: 12 months), effective {effective:%B} "
        f"{effective.day}, {effective.year}." in words
    )
    assert (
        "Copies of the skill's database in its operator's backups are kept for at most 30 days "
        "and deleted when they expire" in words
    )


@pytest.mark.parametrize(
    ("months", "said"),
    [
        (6, "If you do not use Hamstring Coach for 6 months (you start no stretch"),
        (1, "If you do not use Hamstring Coach for a month (you start no stretch"),
        (0, "Otherwise it keeps what is listed above until you disable the skill."),
    ],
)
def test_privacy_page_states_the_configured_retention(
    tmp_path: Path, months: int, said: str
) -> None:
    words = text_of(client_with(tmp_path, months).get("/privacy").data)
    assert said in words
    if months == 0:
        assert "If you do not use" not in words


@pytest.mark.parametrize(
    ("months", "named"),
    [(12, "(retention: 12 months)"), (1, "(retention: 1 month)"), (0, "(retention: until you")],
)
def test_the_version_line_of_both_pages_names_the_retention_in_force(
    tmp_path: Path, months: int, named: str
) -> None:
    """The policy's words follow SKILL_RETENTION_MONTHS: a changed setting shows in the line
    that names the version, never silently under the same one."""
    client = client_with(tmp_path, months)
    for page in ("/privacy", "/terms"):
        line = re.search(r"Version \d+ \([^)]*\), effective", text_of(client.get(page).data))
        assert line is not None, page
        assert named in line.group(0), page


def test_the_policy_file_names_the_test_that_guards_it() -> None:
    policy_file = Path(__file__).parents[1] / "skill" / "web" / "legal" / "policy.yaml"
    named = set(re.findall(r"tests/\w+\.py", policy_file.read_text(encoding="utf-8")))
    assert named == {f"tests/{Path(__file__).name}"}


def test_terms_say_guidance_not_advice_emergency_own_risk_and_contact(tmp_path: Path) -> None:
    response = client_with(tmp_path, 12).get("/terms")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    words = text_of(response.data)
    for said in (
        "general exercise guidance, not medical advice",
        "Check with your doctor before you start.",
        "call 911 or your local emergency number",
        "You should feel a strong stretch, never pain.",
        "at your own risk",
        "call JOI Rehab at (904) 858-7045",
    ):
        assert said in words


def test_the_disclaimer_words_are_the_skills_own(tmp_path: Path) -> None:
    """The terms repeat the safety note the skill speaks (phrases.yaml), not new claims."""
    spoken = load_content().phrases.get("launch.disclaimer")
    words = text_of(client_with(tmp_path, 12).get("/terms").data)
    assert "general exercise guidance, not medical advice" in spoken
    assert "Check with your doctor before you start" in spoken
    assert "Check with your doctor before you start" in words


@pytest.mark.parametrize(("page", "other"), [("/privacy", "/terms"), ("/terms", "/privacy")])
def test_pages_link_to_each_other_load_nothing_else_and_are_accessible(
    tmp_path: Path, page: str, other: str
) -> None:
    response = client_with(tmp_path, 12).get(page)
    body = response.data.decode("utf-8")
    assert f'href="{other}"' in body
    assert 'aria-current="page"' in body
    assert '<html lang="en">' in body
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in body
    assert body.count("<h1>") == 1
    assert "<h2>" in body
    assert "<script" not in body
    assert "<link" not in body
    assert "<img" not in body
    assert not re.search(r"(src|href)=\"(https?:)?//", body)
    assert "@import" not in body
    assert "url(" not in body
    assert "{" not in text_of(response.data)
    assert "}" not in text_of(response.data)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_head_and_caching(tmp_path: Path) -> None:
    client = client_with(tmp_path, 12)
    got = client.get("/terms")
    head = client.head("/terms")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == str(len(got.data))
    assert got.headers["Cache-Control"] == "public, max-age=86400"
    again = client.get("/terms", headers={"If-None-Match": got.headers["ETag"]})
    assert again.status_code == 304
    assert client.post("/terms").status_code == 405
