"""Names of the areas behind INSEE codes (départements, EPCI), from the COG tables."""

from __future__ import annotations

import pandas as pd

from maillage.load.cog import read_departements, read_epci

__all__ = ["with_area_names"]


def with_area_names(table: pd.DataFrame) -> pd.DataFrame:
    """Add the COG name of each département and EPCI after its code.

    Parameters
    ----------
    table : pandas.DataFrame
        With ``level`` (``"departement"``, ``"epci"`` or another level, left unnamed) and
        ``code``.

    Returns
    -------
    pandas.DataFrame
        A copy with a ``name`` column right after ``code``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"level": ["departement", "area"], "code": ["33", "x"]})
    >>> with_area_names(table)["name"].tolist()
    ['Gironde', <NA>]
    """
    names = {"departement": read_departements()["nom"], "epci": read_epci()["nom"]}
    found = [
        names[lvl].get(code) if lvl in names else None
        for lvl, code in zip(table["level"], table["code"], strict=True)
    ]
    out = table.copy()
    out.insert(out.columns.get_loc("code") + 1, "name", pd.array(found, dtype="string"))
    return out
