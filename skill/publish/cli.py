"""`hamstring-coach package`: the skill package for the developer console or ASK CLI.

Registered by `add_commands` so skill/cli.py needs one line for it. Exit status: 0 the package
was written and follows Amazon's rules, 1 it was written but breaks a rule (each listed), 2 the
options or the listing cannot make a package (nothing written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from skill.publish.manifest import CERTIFICATE_TYPES


def add_commands(sub: Any) -> None:
    """Register `package` on the main parser's subcommands."""
    package = sub.add_parser(
        "package",
        help="write the skill package (skill.json, interaction model, icons) for Alexa",
        description="Write the skill package in ASK CLI's layout, DIR/skill-package/: skill.json "
        "with the store listing, privacy answers, endpoint and events, the interaction model "
        "and the icons; then check it against Amazon's manifest rules. Upload it with ASK CLI "
        "or copy the values into the developer console (docs/publish.md).",
    )
    package.add_argument(
        "--endpoint",
        required=True,
        metavar="URL",
        help="the public HTTPS URL Alexa posts to, e.g. https://coach.example.org/alexa "
        "(port 443 only)",
    )
    package.add_argument(
        "--out",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="folder that gets skill-package/ (its files are replaced, nothing else is touched)",
    )
    package.add_argument(
        "--privacy-url",
        metavar="URL",
        help="privacy policy URL (default: https://HOST/privacy on the endpoint's host, which "
        "`serve` publishes)",
    )
    package.add_argument(
        "--terms-url",
        metavar="URL",
        help="terms of use URL (default: https://HOST/terms on the endpoint's host)",
    )
    package.add_argument(
        "--certificate",
        choices=sorted(CERTIFICATE_TYPES),
        default="trusted",
        help="the endpoint's certificate: trusted (from a certificate authority), wildcard "
        "(a trusted *.domain certificate) or self-signed (testing only, uploaded separately)",
    )
    package.set_defaults(func=cmd_package)


def cmd_package(args: argparse.Namespace) -> int:
    """Write and check the package; say where it is and what to do next."""
    from skill.publish.listing import ListingError, load_listing
    from skill.publish.manifest import build_manifest
    from skill.publish.package import validate_package, write_package
    from skill.publish.urls import UrlError, check_endpoint, check_page_url, same_origin

    try:
        endpoint = check_endpoint(args.endpoint)
        privacy = check_page_url(
            args.privacy_url or same_origin(endpoint, "/privacy"), "--privacy-url"
        )
        terms = check_page_url(args.terms_url or same_origin(endpoint, "/terms"), "--terms-url")
        listing = load_listing()
    except (UrlError, ListingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.out.exists() and not args.out.is_dir():
        print(f"error: --out {args.out} is a file, not a folder", file=sys.stderr)
        return 2
    manifest = build_manifest(
        listing,
        endpoint=endpoint,
        certificate=args.certificate,
        privacy_url=privacy,
        terms_url=terms,
    )
    try:
        root = write_package(args.out, manifest, listing.locale)
    except OSError as exc:
        print(f"error: cannot write the package under {args.out}: {exc}", file=sys.stderr)
        return 2
    problems = validate_package(root, endpoint=endpoint, locale=listing.locale)
    if problems:
        print(f"error: {root} breaks Amazon's manifest rules:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"package ok: {root}")
    print(f"  endpoint {endpoint} ({CERTIFICATE_TYPES[args.certificate]} certificate)")
    print(f"  privacy policy {privacy}")
    print(f"  terms of use {terms}")
    print(
        f"  {len(listing.example_phrases)} example phrases, checked against the interaction model"
    )
    if args.certificate == "self-signed":
        print(
            "note: a self-signed certificate is for testing only; upload it in the developer "
            "console, and use a trusted certificate before certification",
            file=sys.stderr,
        )
    return 0
