"""How remote each commune is from the main roads, from its stock-OSRM time to Paris.

The catalogue's ``osrm-france-communes-to-paris-2021`` gives, for every commune of
metropolitan France, the car time to Paris computed by stock OSRM. That time is a local part
(from the commune to the main roads) plus a long part that changes smoothly across the
country. :func:`commune_remoteness` removes the long part: each commune is compared with its
``NEIGHBOURS`` nearest communes (not itself), whose times are brought to its own distance to
Paris at the median pace of the file; what is left, in seconds, says how much farther from the
main roads the commune is than its neighbours (mountains, peninsulas, dead ends: positive;
communes on a motorway: negative).

Nothing derived from the file is committed: the feature is computed at run time (about a
second) and cached under ``options.cache_dir`` by the file's SHA-256. Without the file
(``MAILLAGE_OFFLINE`` and no copy), :func:`commune_remoteness` returns ``None`` with a
:class:`~maillage.errors.MaillageWarning` in French.

Measured use (``scripts/fit_travel_model.py``, ``remoteness_check``): on trips of other
references (the prefecture matrix, the extracts' French communes) the feature does not
explain the held-out error of the calibrated model, so the model's formula does not use it.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree

from maillage.errors import DataSourceError, MaillageWarning
from maillage.options import options
from maillage.sources import fetch, sha256_of
from maillage.sources.cache import load_arrays, save_arrays

__all__ = ["NEIGHBOURS", "REMOTENESS_DATASET", "commune_remoteness", "remoteness_from_times"]

REMOTENESS_DATASET = "osrm-france-communes-to-paris-2021"
"""Catalogue entry the feature is computed from."""
NEIGHBOURS = 60
"""Communes each commune is compared with (about 20 km around it)."""
_PARIS = "FR_75056"
_SCHEMA = 1


def remoteness_from_times(frame: pd.DataFrame) -> pd.Series:
    """Return the remoteness (s) of each row of the communes-to-Paris table.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``id`` (``"FR_" + code INSEE``), ``lon``, ``lat`` (WGS84) and ``duration`` (s to
        Paris), as in the catalogue file.

    Returns
    -------
    pandas.Series
        Seconds, indexed by ``code_insee``; Paris itself is left out.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("FR_75056", 2.35, 48.86, 0.0)] + [
    ...     (f"FR_0{i:04d}", 4.0 + 0.0001 * i, 48.0, 10_000.0) for i in range(80)]
    >>> frame = pd.DataFrame(rows, columns=["id", "lon", "lat", "duration"])
    >>> frame.loc[40, "duration"] += 600  # a commune 10 min farther from the main road
    >>> r = remoteness_from_times(frame)
    >>> bool(r.idxmax() == "00039" and r.max() > 500)
    True
    """
    paris = frame.loc[frame["id"] == _PARIS].iloc[0]
    rows = frame[frame["id"] != _PARIS]
    lon, lat = rows["lon"].to_numpy(dtype=float), rows["lat"].to_numpy(dtype=float)
    t = rows["duration"].to_numpy(dtype=float)
    to_paris = (np.full(len(lon), paris["lon"]), np.full(len(lat), paris["lat"]))
    d_km = np.asarray(Geod(ellps="WGS84").inv(lon, lat, *to_paris)[2]) / 1000.0
    pace = float(np.median(t / np.maximum(d_km, 1.0)))
    x, y = Transformer.from_crs(4326, 2154, always_xy=True).transform(lon, lat)
    k = min(NEIGHBOURS, len(t) - 1)
    _, idx = cKDTree(np.column_stack([x, y])).query(np.column_stack([x, y]), k=k + 1)
    idx = idx[:, 1:]
    long_part = np.median(t[idx] - pace * (d_km[idx] - d_km[:, None]), axis=1)
    codes = rows["id"].str.removeprefix("FR_").to_numpy()
    return pd.Series(t - long_part, index=pd.Index(codes, name="code_insee"), name="remoteness_s")


@functools.cache
def _computed(path: str, digest: str) -> pd.Series:
    entry = Path(options.cache_dir) / "remoteness" / f"remoteness-{digest[:16]}.npz"
    cached = load_arrays(entry, kind="remoteness", schema=_SCHEMA)
    if cached is not None:
        arrays, _ = cached
        index = pd.Index(arrays["codes"].astype(str), name="code_insee")
        return pd.Series(arrays["seconds"], index=index, name="remoteness_s")
    series = remoteness_from_times(pd.read_csv(path, dtype={"id": str}))
    entry.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"codes": series.index.to_numpy(dtype=str), "seconds": series.to_numpy()}
    save_arrays(entry, arrays, kind="remoteness", schema=_SCHEMA, meta={"sha256": digest})
    return series


def commune_remoteness() -> pd.Series | None:
    """Return how remote each commune of metropolitan France is from the main roads.

    Returns
    -------
    pandas.Series or None
        Seconds (positive: farther from the main roads than the neighbouring communes),
        indexed by ``code_insee`` (COG 2020, as in the file); ``None``, with a
        :class:`~maillage.errors.MaillageWarning`, when the file cannot be had.

    Examples
    --------
    >>> r = commune_remoteness()
    >>> r is None or bool(len(r) > 34_000 and r["29155"] > 3_600)  # Ouessant, an island
    True
    """
    try:
        (path,) = fetch(REMOTENESS_DATASET)
    except DataSourceError as exc:
        msg = (
            f"l'éloignement des communes aux grands axes n'est pas disponible : le fichier "
            f"{REMOTENESS_DATASET} manque ({exc}). Placez-le dans MAILLAGE_DATA_DIR ou "
            "autorisez le téléchargement."
        )
        warnings.warn(msg, MaillageWarning, stacklevel=2)
        return None
    return _computed(str(path), sha256_of(path)).copy()
