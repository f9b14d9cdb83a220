"""JSON writer: the report contract (``Report.to_dict()``), validated by ``report.schema.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from locreview.model import Report

#: The JSON Schema of the report contract, shipped in the package.
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


def load_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) the JSON report conforms to."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def dumps(data: Any) -> str:
    """Serialise ``data`` the way every JSON output of locreview is written."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def write(report: Report, out: TextIO, **_: Any) -> None:
    """Write the report as JSON."""
    out.write(dumps(report.to_dict()))
    out.write("\n")
