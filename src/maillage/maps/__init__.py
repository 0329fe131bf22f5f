"""Maps of coverage: static (matplotlib), interactive (folium) and evolution over years.

Every function takes ``ax=`` / ``m=`` and returns the Axes / Map; nothing is shown or saved
(saving is :mod:`maillage.report`'s job).
"""

from __future__ import annotations

from maillage.maps._style import DEFAULT_BINS_MIN, TimeClasses, class_colours, classify_times
from maillage.maps.commutes import plot_commute_savings
from maillage.maps.evolution import plot_share_by_year, plot_years
from maillage.maps.interactive import LAYER_NAMES, explore_coverage
from maillage.maps.static import plot_coverage

__all__ = [
    "DEFAULT_BINS_MIN",
    "LAYER_NAMES",
    "TimeClasses",
    "class_colours",
    "classify_times",
    "explore_coverage",
    "plot_commute_savings",
    "plot_coverage",
    "plot_share_by_year",
    "plot_years",
]
