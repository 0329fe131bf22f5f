"""Charente-Maritime with the CGET 2019 census of tiers-lieux: the small real report of the map tests."""

from __future__ import annotations

import maillage
from maillage.report import Report, build_report


def charente_report() -> Report:
    """Build the report of Charente-Maritime (460 communes) with the straight-line model."""
    communes = maillage.load_communes(departements=["17"])
    venues, _ = maillage.load_venues("cget-tiers-lieux-2019", departements=["17"], errors="report")
    return build_report(
        communes=communes,
        venues=venues,
        model=maillage.CrowFlyModel(),
        area="Charente-Maritime",
        data_credits=maillage.credits(
            ["cget-tiers-lieux-2019", "etalab-decoupage-administratif-6.0.0"]
        ),
    )
