"""Build the compact COG 2026 tables under ``data/`` from Etalab decoupage-administratif 6.0.0.

Usage::

    MAILLAGE_DATA_DIR=../shared/data python scripts/build_cog_table.py [--out data]

The JSON files are located with ``maillage.sources.fetch("etalab-decoupage-administratif-6.0.0")``
(data directory, then cache; hash-checked). The output is deterministic: rerunning on the same
input gives byte-identical files (gzip header without timestamp, sorted rows).

Outputs
-------
cog2026_communes.csv.gz
    One row per ``commune-actuelle``: code_insee, nom, departement, region, epci (SIREN of the
    EPCI à fiscalité propre, empty when none), population (populations légales 2023, municipale;
    empty in a few COM d'outre-mer), zone (metro / drom / com).
cog2026_former_codes.csv
    ancien_code -> code_insee (current), kind: ``ancien-code`` (from ``anciensCodes``),
    ``commune-deleguee`` / ``commune-associee`` (their ``chefLieu``) and
    ``arrondissement-municipal`` (Paris, Lyon, Marseille: kept at the commune level).
    Chains are resolved to a current code; identity rows are dropped. When ``anciensCodes`` and a
    ``chefLieu`` disagree, the ``chefLieu`` (current attachment of the territory) wins.
cog2026_departements.csv, cog2026_regions.csv, cog2026_epci.csv
    Codes and names.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

from maillage.sources import fetch

DATASET = "etalab-decoupage-administratif-6.0.0"
ROOT = Path(__file__).resolve().parent.parent
KIND_RANK = {
    "commune-deleguee": 0,
    "commune-associee": 1,
    "arrondissement-municipal": 2,
    "ancien-code": 3,
}


def _load(paths: list[Path]) -> dict[str, Any]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in paths}


def _csv_text(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buf.getvalue()


def commune_rows(records: list[dict], epci: list[dict]) -> list[list[Any]]:
    """Rows of the communes table, one per ``commune-actuelle``, sorted by code."""
    member_of = {m["code"]: e["code"] for e in epci for m in e["membres"]}
    rows = [
        [
            r["code"],
            r["nom"],
            r["departement"],
            r["region"],
            member_of.get(r["code"]),
            r.get("population"),
            r["zone"],
        ]
        for r in records
        if r["type"] == "commune-actuelle"
    ]
    return sorted(rows)


def former_code_rows(records: list[dict]) -> list[list[str]]:
    """Rows ``ancien_code, code_insee, kind`` with chains resolved to current codes."""
    current = {r["code"] for r in records if r["type"] == "commune-actuelle"}
    links: dict[str, tuple[str, str]] = {}

    def add(old: str, new: str, kind: str) -> None:
        if old in current or old == new:
            return
        if old not in links or KIND_RANK[kind] < KIND_RANK[links[old][1]]:
            links[old] = (new, kind)

    for r in records:
        if r["type"] == "commune-actuelle":
            for old in r.get("anciensCodes", []):
                add(old, r["code"], "ancien-code")
        elif r["type"] in ("commune-deleguee", "commune-associee"):
            add(r["code"], r["chefLieu"], r["type"])
        elif r["type"] == "arrondissement-municipal":
            add(r["code"], r["commune"], r["type"])
    rows = []
    for old, (first, kind) in links.items():
        new, seen = first, {old}
        while new not in current and new in links and new not in seen:
            seen.add(new)
            new = links[new][0]
        if new not in current:
            msg = f"former code {old} leads to {new}, which is not a current commune"
            raise ValueError(msg)
        rows.append([old, new, kind])
    return sorted(rows)


def build(out: Path) -> dict[str, int]:
    """Write every table into ``out`` and return the row count of each."""
    data = _load(fetch(DATASET))
    records = data["communes"]
    tables = {
        "cog2026_communes.csv.gz": _csv_text(
            ["code_insee", "nom", "departement", "region", "epci", "population", "zone"],
            commune_rows(records, data["epci"]),
        ),
        "cog2026_former_codes.csv": _csv_text(
            ["ancien_code", "code_insee", "kind"], former_code_rows(records)
        ),
        "cog2026_departements.csv": _csv_text(
            ["code", "nom", "region", "zone"],
            sorted([d["code"], d["nom"], d["region"], d["zone"]] for d in data["departements"]),
        ),
        "cog2026_regions.csv": _csv_text(
            ["code", "nom", "zone"],
            sorted([r["code"], r["nom"], r["zone"]] for r in data["regions"]),
        ),
        "cog2026_epci.csv": _csv_text(
            ["code", "nom", "type"],
            sorted([e["code"], e["nom"], e["type"]] for e in data["epci"]),
        ),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        raw = text.encode("utf-8")
        if name.endswith(".gz"):
            raw = gzip.compress(raw, compresslevel=9, mtime=0)
        (out / name).write_bytes(raw)
    return {name: text.count("\n") - 1 for name, text in tables.items()}


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="output folder")
    args = parser.parse_args()
    for name, count in build(args.out).items():
        print(f"{args.out / name}: {count} rows")


if __name__ == "__main__":
    main()
