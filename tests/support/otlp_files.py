"""Read what the collector's file exporter wrote (OTLP JSON, one batch per line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def attribute_value(v: dict[str, Any]) -> Any:
    """The Python value of one OTLP JSON ``AnyValue``."""
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in v:
            return v[key]
    if "intValue" in v:
        return int(v["intValue"])
    return v


def read_spans(path: Path) -> list[dict[str, Any]]:
    """Every span in the file, with ``attrs``, ``resource`` and ``scope`` (name) added."""
    if not path.exists():
        return []
    spans: list[dict[str, Any]] = []
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            batch = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines) - 1:
                continue  # the collector is still writing this line; the next read has it
            raise
        for rs in batch.get("resourceSpans", []):
            resource = {
                a["key"]: attribute_value(a["value"])
                for a in rs.get("resource", {}).get("attributes", [])
            }
            for ss in rs.get("scopeSpans", []):
                scope = ss.get("scope", {}).get("name", "")
                for span in ss.get("spans", []):
                    span["attrs"] = {
                        a["key"]: attribute_value(a["value"]) for a in span.get("attributes", [])
                    }
                    span["resource"] = resource
                    span["scope"] = scope
                    spans.append(span)
    return spans


def ancestors(span: dict[str, Any], spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The parent chain of ``span`` within its trace, nearest first."""
    by_id = {s["spanId"]: s for s in spans if s["traceId"] == span["traceId"]}
    chain: list[dict[str, Any]] = []
    current = span
    while current.get("parentSpanId") and current["parentSpanId"] in by_id:
        current = by_id[current["parentSpanId"]]
        if current in chain:  # a malformed cycle; never expected
            break
        chain.append(current)
    return chain
