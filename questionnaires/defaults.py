"""The default instruments shipped with the app (questionnaires/instruments/*.json, in Chinese)."""

from __future__ import annotations

import json
from pathlib import Path

from .definition import Definition, parse_rows

DIRECTORY = Path(__file__).resolve().parent / "instruments"
KINDS = ("student", "teacher", "principal", "county")


def default_source(kind: str) -> dict:
    return json.loads((DIRECTORY / f"{kind}.json").read_text(encoding="utf-8"))


def default_definition(kind: str) -> tuple[dict, Definition]:
    """The file's title and introduction, and its parsed definition (which must be clean)."""
    source = default_source(kind)
    definition, errors = parse_rows(list(enumerate(source["rows"], start=2)))
    if errors:
        raise ValueError(f"{kind}.json: {[e.as_dict() for e in errors]}")
    return {"title": source["title"], "intro": source.get("intro", "")}, definition
