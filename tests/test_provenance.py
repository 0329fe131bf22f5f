"""The provenance a frame carries in ``DataFrame.attrs`` is named in one place.

Every key the source code writes or reads (``.attrs["key"]``, ``.attrs.get("key")``) is a
member of :class:`maillage.schema.Provenance`, with its meaning; none is left undocumented.
"""

from __future__ import annotations

import re
from pathlib import Path

from maillage.schema import PROVENANCE_MEANING, Provenance

SRC = Path(__file__).resolve().parent.parent / "src" / "maillage"
KEY = re.compile(r"\.attrs(?:\.get\(|\[)\s*[\"']([a-z_]+)[\"']")


def test_every_attrs_key_of_the_code_is_a_provenance_key():
    used: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        for key in KEY.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, str(path.relative_to(SRC)))
    assert len(used) > 30  # the scan finds the keys (data_credits, census, threshold_min…)
    unknown = {k: where for k, where in used.items() if k not in Provenance.__members__.values()}
    assert unknown == {}, f"add these keys to maillage.schema.Provenance: {unknown}"


def test_every_key_has_its_meaning():
    assert set(PROVENANCE_MEANING) == set(Provenance)
    assert all(len(text) > 10 for text in PROVENANCE_MEANING.values())
