"""Communes whose side of the threshold only the road network can tell.

With a model that knows its measured error (the calibrated straight-line default),
:func:`maillage.analysis.uncertainty.uncertain_communes` flags the communes whose time is
within the threshold with the model's faster variant and beyond it with the slower one. The
report writes the flag (``uncertain``) and the commune's time under both variants
(``time_min_low``, ``time_min_high``) into ``communes.csv`` and ``coverage.gpkg``, counts them
in ``summary.json`` (``uncertain_communes``, ``uncertain_population``), lists them on the page
and outlines them on both maps. A model that reads the road network gives no flag: the
columns, keys and section are left out.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from maillage.analysis.uncertainty import uncertain_flags, variant_times
from maillage.report.columns import COLUMNS
from maillage.report.numbers import fr_number, fr_residents
from maillage.travel.protocol import ErrorBounded

if TYPE_CHECKING:
    import geopandas as gpd

    from maillage.report.model import Report
    from maillage.travel.protocol import TravelTimeModel

__all__ = [
    "UNCERTAIN_COLUMNS",
    "UNCERTAIN_TITLE",
    "uncertain_frame",
    "uncertain_section",
    "uncertain_summary",
]

UNCERTAIN_COLUMNS = ("uncertain", "time_min_low", "time_min_high")
"""Columns added to the communes when the model knows its error."""
UNCERTAIN_TITLE = "À confirmer avec le réseau routier"
"""French name of the uncertain communes: section of the page, layer and legend of the maps."""
LEVEL = 0.8
"""Share of real trips meant to lie between the model's faster and slower variants."""
_SHOWN = 30


def uncertain_frame(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    origins: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    threshold_min: float,
) -> pd.DataFrame | None:
    """Return :data:`UNCERTAIN_COLUMNS` per commune, or ``None`` for a model without error.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The territory, indexed by ``code_insee``.
    venues : geopandas.GeoDataFrame
        The venues of the report.
    origins : geopandas.GeoDataFrame
        The origins of the report's coverage (``detail=True``): their times are computed
        again with the model's faster and slower variants.
    model : TravelTimeModel
        The report's model.
    threshold_min : float
        Access threshold in minutes.

    Returns
    -------
    pandas.DataFrame or None
        Indexed like ``communes``: ``uncertain`` (bool), ``time_min_low`` and
        ``time_min_high`` (the commune's time with the faster and the slower variant).
    """
    if not isinstance(model, ErrorBounded):  # road engines: the times are not estimates
        return None
    fast, slow = variant_times(
        communes, venues, model=model, threshold_min=threshold_min, level=LEVEL, origins=origins
    )
    return pd.DataFrame(
        {
            "uncertain": uncertain_flags(fast, slow, threshold_min).to_numpy(),
            "time_min_low": fast.to_numpy(dtype=float),
            "time_min_high": slow.to_numpy(dtype=float),
        },
        index=communes.index,
    )


def uncertain_summary(communes: pd.DataFrame) -> dict[str, int]:
    """Return the ``summary.json`` keys ``uncertain_communes`` and ``uncertain_population``.

    Parameters
    ----------
    communes : pandas.DataFrame
        The report's communes, with ``population`` and, when the model knows its error,
        ``uncertain``.

    Returns
    -------
    dict
        Empty without the ``uncertain`` column.

    Examples
    --------
    >>> frame = pd.DataFrame({"population": [100, 250, 40], "uncertain": [True, False, True]})
    >>> uncertain_summary(frame)
    {'uncertain_communes': 2, 'uncertain_population': 140}
    """
    if "uncertain" not in communes.columns:
        return {}
    flags = communes["uncertain"].astype(bool)
    return {
        "uncertain_communes": int(flags.sum()),
        "uncertain_population": round(float(communes.loc[flags, "population"].sum())),
    }


def uncertain_section(report: Report) -> list[str]:
    """Return the page section that lists the uncertain communes (none without the flag).

    Parameters
    ----------
    report : maillage.report.Report
        The report.

    Returns
    -------
    list of str
        HTML fragments: a title, a sentence and a table of the most populous uncertain
        communes (population, time, time with the faster and the slower variant).
    """
    communes = report.communes
    if "uncertain" not in communes.columns:
        return []
    t = f"{report.summary['threshold_min']:g}"
    flagged = communes[communes["uncertain"].astype(bool)]
    head = [f"<h2>{html.escape(UNCERTAIN_TITLE)}</h2>"]
    if flagged.empty:
        return [
            *head,
            f"<p>Aucune commune ne change de côté du seuil de {t} min dans la marge d'erreur "
            "du modèle : le classement des communes ne dépend pas de cette marge.</p>",
        ]
    pop = round(float(flagged["population"].sum()))
    rows = flagged.sort_values(["population", "time_min"], ascending=[False, True]).head(_SHOWN)
    names = communes["nom"] if "nom" in communes.columns else pd.Series(dtype=str)
    body = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} à {}</td></tr>".format(
            html.escape(_label(code, names.get(code))),
            fr_number(row["population"]),
            fr_number(row["time_min"], 1),
            fr_number(row["time_min_low"], 1),
            fr_number(row["time_min_high"], 1),
        )
        for code, row in rows.iterrows()
    )
    more = f" (les {_SHOWN} plus peuplées ci-dessous)" if len(flagged) > _SHOWN else ""
    return [
        *head,
        f"<p><b>{fr_number(len(flagged))} communes</b> (environ {fr_residents(pop, uncertain=True)} "
        "habitants) sont à "
        f"moins de {t} min avec des temps pris au bas de la marge d'erreur du modèle et à plus "
        f"de {t} min avec des temps pris en haut : de quel côté du seuil elles sont, seul un "
        f"calcul sur le réseau routier peut le dire{more}. Un tireté les entoure sur les cartes ; "
        "la liste complète est dans <code>communes.csv</code> (colonne "
        f"« {html.escape(COLUMNS['uncertain'].name)} »).</p>",
        "<table><tr><th>Commune</th><th>Population</th><th>Temps estimé (min)</th>"
        f"<th>Marge d'erreur (min)</th></tr>{body}</table>",
    ]


def _label(code: object, name: object) -> str:
    return str(code) if name is None or pd.isna(name) else f"{name} ({code})"
