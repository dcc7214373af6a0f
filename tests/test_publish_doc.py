"""docs/publish.md stays true to the repository: its commands, links, paths and lists.

A publishing guide goes stale quietly: a renamed option, a moved file, a new place that says
"911". These tests read the page as an operator would follow it and check each thing it names
against the real thing: the CLI parser, the files, the database schema, the content files and
the simulator's copy of the interaction model.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from skill.cli import build_parser, main
from skill.store.schema import daily_progress_table, profiles_table
from tests.checks import check_response

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "publish.md"
TEXT = DOC.read_text(encoding="utf-8")
FLAT = " ".join(TEXT.split())  # for phrases that a line break may split

# Issue 18's commands that other changes add (interface fixed in the issue's brief). Named
# here so that a failure on a branch without them says why, instead of an argparse usage line.
COMMANDS_FROM_ISSUE_18 = {
    "package": "`hamstring-coach package --endpoint URL [--out DIR]` (the skill package)",
    "doctor": "`hamstring-coach doctor [--url URL] [--offline]` (the install check)",
}
# Options of those commands the guide relies on, as the brief fixes them.
SPEC_COMMANDS = (
    ["package", "--endpoint", "https://coach.example.org/alexa", "--out", "build/alexa"],
    ["package", "--endpoint", "https://coach.example.org/alexa", "--privacy-url", "https://x/p"],
    ["package", "--endpoint", "https://coach.example.org/alexa", "--terms-url", "https://x/t"],
    ["doctor", "--url", "https://coach.example.org/alexa"],
    ["doctor", "--offline"],
)
# Where a path named in the guide must be a file or folder of this repository. Anything else
# in backticks (build/alexa/..., /etc/..., .ask/...) is made by a command or lives elsewhere.
REPO_DIRS = ("skill", "docs", "tests", "interaction_model", "deploy", "audio", "bench")
REPO_FILES = {"Dockerfile", ".dockerignore", "README.md", "CHANGELOG.md", "pyproject.toml"}
CONTENT = ROOT / "skill" / "core" / "content"
MODELS = ROOT / "interaction_model"
# The data files a clinic edits: content, interaction models, the store listing, the policy.
DATA_FILES = (
    "skill/core/content/*.yaml",
    "interaction_model/*.json",
    "skill/publish/*.yaml",
    "skill/web/legal/*.yaml",
)
DATA_DIRS = r"(?:skill/core/content|interaction_model|skill/publish|skill/web/legal)"
LISTING = ROOT / "skill" / "publish" / "listing.yaml"


def _without_fences(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def _section(start: str, end: str) -> str:
    """The guide's text from the line holding `start` up to `end` (exclusive)."""
    begin = TEXT.index(start)
    return TEXT[begin : TEXT.index(end, begin)]


def _commands() -> list[str]:
    """Every `hamstring-coach ...` the guide tells someone to type: in code blocks and spans."""
    found = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", TEXT, flags=re.S | re.M):
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("hamstring-coach"):
                found.append(line)
    found += re.findall(r"`(hamstring-coach(?: [^`]*)?)`", _without_fences(TEXT))
    return found


def _argv(command: str) -> list[str]:
    words = shlex.split(command, comments=True)
    assert words[0] == "hamstring-coach", command
    return words[1:]


def _subcommands() -> dict[str, object]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return dict(action.choices)  # type: ignore[arg-type]


def _parse(argv: list[str]) -> str | None:
    """None if the real parser takes these arguments, else why not."""
    name = argv[0]
    if name not in _subcommands():
        why = COMMANDS_FROM_ISSUE_18.get(name, "no such subcommand")
        return f"`{name}` is not a subcommand of this build: {why}"
    if argv[1:] in ([], ["--help"]):  # a mention of the command itself
        return None
    try:
        build_parser().parse_args(argv)
    except SystemExit as exc:
        return f"the parser refuses it (exit status {exc.code})"
    return None


def test_the_guide_names_commands_at_all() -> None:
    names = {_argv(c)[0] for c in _commands()}
    assert {"check", "package", "doctor", "say", "nlu-eval"} <= names


@pytest.mark.parametrize("command", sorted(set(_commands())))
def test_every_command_in_the_guide_parses(command: str) -> None:
    problem = _parse(_argv(command))
    assert problem is None, f"docs/publish.md: {command!r}: {problem}"


@pytest.mark.parametrize("argv", SPEC_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_the_interface_the_guide_relies_on(argv: list[str]) -> None:
    problem = _parse(argv)
    assert problem is None, f"hamstring-coach {' '.join(argv)}: {problem}"
    for option in argv[1:]:
        if option.startswith("--"):
            assert option in TEXT, f"docs/publish.md does not say how to use {option}"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(markdown: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *$", _without_fences(markdown.read_text()), re.M):
        slug = _slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _relative_links() -> list[str]:
    links = re.findall(r"\[[^\]]*\]\(([^)\s]+)\)", _without_fences(TEXT))
    return [link for link in links if not re.match(r"[a-z]+:", link)]


def test_the_guide_links_the_other_docs() -> None:
    targets = {link.split("#")[0] for link in _relative_links()}
    assert {"deploy.md", "doctor.md", "privacy.md", "alexa-platform.md", "failures.md"} <= targets


@pytest.mark.parametrize("link", sorted(set(_relative_links())))
def test_every_relative_link_points_into_the_repository(link: str) -> None:
    path, _, anchor = link.partition("#")
    target = (DOC.parent / path).resolve() if path else DOC
    assert target.exists(), f"docs/publish.md links to {link}: no such file"
    if anchor and target.suffix == ".md":
        assert anchor in _anchors(target), f"docs/publish.md links to {link}: no such heading"


def _repo_paths() -> list[str]:
    spans = re.findall(r"`([^`\s]+)`", _without_fences(TEXT))
    paths = []
    for span in spans:
        if not re.fullmatch(r"[\w.\-/]+", span):
            continue
        if span in REPO_FILES or (span.split("/")[0] in REPO_DIRS and "/" in span):
            paths.append(span)
    return paths


def test_the_guide_names_the_files_an_operator_edits() -> None:
    named = set(_repo_paths())
    assert {"skill/core/content/clinic.yaml", "interaction_model/en-US.json"} <= named
    assert "skill/store/schema.py" in named


@pytest.mark.parametrize("path", sorted(set(_repo_paths())))
def test_every_path_in_the_guide_exists(path: str) -> None:
    assert (ROOT / path).exists(), f"docs/publish.md names {path}: it does not exist"


def test_what_is_kept_lists_every_column_the_skill_keeps_about_a_person() -> None:
    """The privacy line of the checklist: every per-person column, by name. A new column
    (a new kind of data kept) fails this until the guide, and its reader, know of it."""
    line = _section("**No health data kept.**", "- [ ] **Unsigned")
    for table in (profiles_table, daily_progress_table):
        assert f"`{table.name}`" in line
        for column in table.columns:
            assert f"`{column.name}`" in line, f"{table.name}.{column.name} is not listed"


def _files_saying(pattern: str) -> set[str]:
    found = set()
    for path in sorted(p for pattern in DATA_FILES for p in ROOT.glob(pattern)):
        if re.search(pattern, path.read_text(encoding="utf-8"), flags=re.I):
            found.add(path.relative_to(ROOT).as_posix())
    return found


def test_every_file_that_says_the_emergency_number_is_listed() -> None:
    """Outside the US the number must change everywhere it is said or listened for."""
    listed = _section("**The emergency number outside the US.**", "**Locale and countries.**")
    saying = _files_saying(r"\b911\b|nine one one")
    assert saying, "no content file says 911: update this test and the guide"
    for path in saying:
        assert f"`{path}`" in listed, f"{path} says the emergency number; the guide omits it"
    assert "`tests/test_answer_lengths.py`" in listed
    named = set(re.findall(rf"`({DATA_DIRS}/[^`]+)`", listed))
    assert named <= saying, f"listed but saying no emergency number: {named - saying}"


def _clinic_words() -> set[str]:
    """The first word of each clinic name in clinic.yaml, and its spoken letters if it is an
    acronym ("JOI" is also "j. o. i." in the interaction model)."""
    clinic = yaml.safe_load((CONTENT / "clinic.yaml").read_text(encoding="utf-8"))
    words = {entry["name"].split()[0] for entry in clinic.values()}
    spelled = {". ".join(w.lower()) + "." for w in words if w.isupper() and len(w) <= 5}
    return words | spelled


def test_every_file_that_names_the_clinic_is_listed() -> None:
    listed = _section("## What to change for another clinic", "**The invocation name**")
    pattern = "|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in _clinic_words())
    naming = _files_saying(pattern)
    assert "skill/core/content/clinic.yaml" in naming
    for path in naming:
        assert f"`{path}`" in listed, f"{path} names the clinic; the guide omits it"


def test_the_invocation_name_is_the_models() -> None:
    model = json.loads((MODELS / "en-US.json").read_text(encoding="utf-8"))
    invocation = model["interactionModel"]["languageModel"]["invocationName"]
    assert f'currently "{invocation}"' in FLAT
    assert f'"Alexa, open {invocation}"' in FLAT


def _one_shots() -> list[tuple[str, str]]:
    table = _section("- [ ] **One-shot phrases work.**", "- [ ] **The three example phrases")
    return re.findall(r'\| "Alexa, (ask [^"]+)" \| `([\w.]+)` \|', table)


def test_the_one_shot_table_is_there() -> None:
    assert len(_one_shots()) >= 4


@pytest.mark.parametrize(("phrase", "intent"), _one_shots())
def test_each_one_shot_phrase_reaches_its_intent(
    phrase: str, intent: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a reviewer tries: the invocation and a request in one breath, a new session, the
    intent the guide promises, matched on a sample (not guessed), and a valid answer."""
    model = json.loads((MODELS / "en-US.json").read_text(encoding="utf-8"))
    invocation = model["interactionModel"]["languageModel"]["invocationName"]
    assert phrase.startswith(f"ask {invocation} ")
    assert main(["say", phrase, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["request"]["type"] == "IntentRequest"
    assert data["request"]["session"]["new"] is True
    assert data["intent"] == intent, data["nlu"]
    assert data["nlu"]["method"] in ("exact", "phrase"), data["nlu"]
    check_response(data["response"])


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def test_the_privacy_answers_are_the_listings() -> None:
    """The console route copies the guide's table: it must say what the package says."""
    answers = yaml.safe_load(LISTING.read_text(encoding="utf-8"))["privacy"]
    table = _section("| Question | Answer | Why |", "A clinic that changes what")
    assert answers, "skill/publish/listing.yaml has no privacy answers"
    for key, value in answers.items():
        row = f"| `{_camel(key)}` | `{json.dumps(value)}` |"
        assert row in table, f"docs/publish.md should answer {_camel(key)} with {value}"
