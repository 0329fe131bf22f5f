"""Home-to-work flows as a canonical table: :func:`load_commutes`.

The canonical **commutes** table has a default index and the columns
:data:`COMMUTE_COLUMNS`: ``home_code`` and ``work_code`` (COG 2026 commune codes),
``mode`` (one of :data:`COMMUTE_MODES`, NA when the file does not say) and ``workers``
(float: INSEE's counts are weighted). There is one row per home commune × work commune ×
mode.

From the raw rows of :mod:`maillage.load.commutes`:

* codes are cleaned (:func:`maillage.prepare.codes.normalise_codes`) and harmonised to
  COG 2026 (:func:`maillage.prepare.codes.harmonise_codes`): the flows of communes merged
  since the census are summed, the arrondissements municipaux of Paris, Lyon and Marseille
  are counted in their commune;
* a row that cannot be placed is rejected with its reason (unknown code, work place abroad
  or not given, workers missing or negative) and never dropped silently: the workers
  accepted plus the workers rejected are the workers read;
* a mode the file does not code is NA (counted in ``attrs["unknown_modes"]``);
* with ``arrondissements=True``, the arrondissements municipaux of Paris, Lyon and
  Marseille (:data:`ARRONDISSEMENTS`) are kept as such, home and work (FD_MOBPRO gives the
  home one in ``ARM``); :func:`maillage.prepare.cities.communes_by_arrondissement` then puts them in the communes
  frame in place of their city, so that each arrondissement has its own origins;
* with ``occupations=True``, a column ``pcs`` between ``mode`` and ``workers`` holds the
  workers' occupational group, ``"1"`` to ``"6"`` (:data:`PCS_GROUPS`), NA where the file
  does not give one; the flows are then one row per home × work × mode × group.

Examples
--------
>>> commutes = load_commutes("mobpro-reunion-2010")
>>> len(commutes), round(float(commutes["workers"].sum())), commutes["mode"].isna().all()
(446, 240200, np.True_)
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from maillage.errors import InputDataError, MaillageWarning, OptionError
from maillage.load.cog import COG_CREDITS, read_cog_table, read_departements, read_former_codes
from maillage.load.commutes import read_commute_file
from maillage.prepare.cities import ARRONDISSEMENTS
from maillage.prepare.codes import harmonise_codes, normalise_codes
from maillage.schema import check_choice
from maillage.sources import CATALOGUE, fetch
from maillage.sources.commutes import INSEE_COMMUTE_FILES, fetch_insee_commutes

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


__all__ = [
    "COMMUTE_COLUMNS",
    "COMMUTE_MODES",
    "COMMUTE_REJECT_COLUMNS",
    "MAX_WORKERS_PER_FLOW",
    "MODE_CODINGS",
    "PCS_GROUPS",
    "commutes_from_raw",
    "load_commutes",
    "plausible_workers",
    "select_commutes",
]

logger = logging.getLogger(__name__)

COMMUTE_COLUMNS = ("home_code", "work_code", "mode", "workers")
"""Columns of the canonical commutes table."""
COMMUTE_MODES = ("car", "public_transport", "walk_bike", "two_wheeler", "home")
"""Canonical modes: car (van, lorry), public transport, walking or cycling, two-wheeler
(motorised; before census vintage 2017 INSEE does not tell bicycles from motorbikes), and
working at home."""
PCS_GROUPS = {
    "1": "agriculteurs exploitants",
    "2": "artisans, commerçants et chefs d'entreprise",
    "3": "cadres et professions intellectuelles supérieures",
    "4": "professions intermédiaires",
    "5": "employés",
    "6": "ouvriers",
}
"""Occupational groups of employed people (PCS 2003 and 2020, level 1), in French."""
COMMUTE_REJECT_COLUMNS = ("row", "home_code", "work_code", "mode", "workers", "reason")
"""Columns of the rejected rows: codes and mode as found, ``row`` the 0-based row read."""

MODE_CODINGS: dict[str, dict[str, str]] = {
    "insee-trans-2017": {
        "1": "home",
        "2": "walk_bike",
        "3": "walk_bike",
        "4": "two_wheeler",
        "5": "car",
        "6": "public_transport",
    },
    "insee-trans-2016": {
        "1": "home",
        "2": "walk_bike",
        "3": "two_wheeler",
        "4": "car",
        "5": "public_transport",
    },
    "labels": {
        "VP": "car",
        "TC": "public_transport",
        "NM": "walk_bike",
        "DOMICILE": "home",
        **{m.upper(): m for m in COMMUTE_MODES},
    },
}
"""How each file coding maps to :data:`COMMUTE_MODES` (see :mod:`maillage.load.commutes`)."""

_NOT_GIVEN = ("YYYYY", "ZZZZZ")


MAX_WORKERS_PER_FLOW = 10_000_000
"""Most workers one flow row may count: above it (or infinite) the row is rejected. France
has about 30 million workers and its largest commune-to-commune flow is under a million."""


def plausible_workers(workers: pd.Series) -> pd.Series:
    """Tell which worker counts are plausible: finite, >= 0 and <= :data:`MAX_WORKERS_PER_FLOW`.

    Parameters
    ----------
    workers : pandas.Series
        Workers of flow rows (floats, NaN when missing).

    Returns
    -------
    pandas.Series
        Boolean, False for missing, negative, infinite or implausibly large counts.

    Examples
    --------
    >>> plausible_workers(pd.Series([3.0, -1.0, float("inf"), 1e300, float("nan")])).tolist()
    [True, False, False, False, False]
    """
    values = pd.to_numeric(workers, errors="coerce").astype(float)
    return values.between(0, MAX_WORKERS_PER_FLOW).fillna(False).astype(bool)


def _harmonise_unique(codes: pd.Series, *, arrondissements: bool = False) -> pd.Series:
    """Normalise and harmonise codes through their unique values (fast on millions of rows).

    With ``arrondissements``, the arrondissements municipaux are kept as current codes.
    """
    cat = pd.Categorical(codes.astype("string"))
    cleaned = normalise_codes(pd.Series(cat.categories, dtype="string"))
    known = (
        read_cog_table().index.append(pd.Index(list(ARRONDISSEMENTS))) if arrondissements else None
    )
    current = harmonise_codes(cleaned, current=known).to_numpy(dtype=object)
    out = np.full(len(codes), None, dtype=object)
    ok = cat.codes >= 0
    out[ok] = current[cat.codes[ok]]
    return pd.Series(pd.array(out, dtype="string"), index=codes.index)


def _mode(raw: pd.DataFrame) -> tuple[pd.Series, dict[str, float]]:
    coding = raw.attrs.get("mode_coding")
    if coding is None:
        return pd.Series(pd.NA, index=raw.index, dtype="string"), {}
    text = raw["mode"].astype("string").str.strip().str.upper()
    mapped = text.map(MODE_CODINGS[coding]).astype("string")
    unknown = text.notna() & mapped.isna()
    counts = raw.loc[unknown, "workers"].groupby(text[unknown]).sum()
    return mapped, {str(k): float(v) for k, v in counts.items()}


def _pcs(raw: pd.DataFrame) -> pd.Series:
    """Return the occupational group of each row, ``"1"`` to ``"6"``; NA for any other value."""
    text = raw["pcs"].astype("string").str.strip().str.slice(0, 1)
    return text.where(text.isin(list(PCS_GROUPS)), pd.NA).astype("string")


def _reasons(raw: pd.DataFrame, home: pd.Series, work: pd.Series) -> pd.Series:
    """Return the first reason each row cannot be used (NA for usable rows)."""
    found_work = raw["work"].astype("string").str.strip().str.upper()
    found_home = raw["home"].astype("string").str.strip()
    workers = raw["workers"]
    checks = [
        (workers.isna() | (workers < 0), "workers missing, negative or not a number"),
        (
            ~plausible_workers(workers),
            f"workers infinite or above {MAX_WORKERS_PER_FLOW:,} per flow",
        ),
        (found_home.isna() | found_home.eq(""), "missing home commune code"),
        (home.isna(), "unknown INSEE code '" + found_home + "' for the home commune"),
        (found_work.isna() | found_work.eq(""), "missing work commune code"),
        (found_work.isin(_NOT_GIVEN), "work place not given ('" + found_work + "')"),
        (found_work.str.startswith("99"), "work place abroad ('" + found_work + "')"),
        (work.isna(), "unknown INSEE code '" + found_work + "' for the work commune"),
    ]
    reasons = pd.Series(pd.NA, index=raw.index, dtype="string")
    for mask, text in checks:
        hit = mask.fillna(False).to_numpy(dtype=bool) & reasons.isna().to_numpy()
        value = text[hit] if isinstance(text, pd.Series) else text
        reasons[hit] = value
    return reasons


def commutes_from_raw(
    raw: pd.DataFrame, *, arrondissements: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Harmonise raw flow rows to COG 2026 and aggregate them; reject what cannot be placed.

    Parameters
    ----------
    raw : pandas.DataFrame
        From :func:`maillage.load.commutes.read_commute_file` (columns ``row, home, work,
        mode, workers``; ``attrs["mode_coding"]``).

    Returns
    -------
    commutes : pandas.DataFrame
        Canonical commutes (:data:`COMMUTE_COLUMNS`), sorted by home, work and mode;
        ``attrs["unknown_modes"]`` maps each mode value the coding does not know to its
        workers (counted with mode NA).
    rejected : pandas.DataFrame
        :data:`COMMUTE_REJECT_COLUMNS`. The workers of ``commutes`` and ``rejected`` add up
        to those of ``raw``. When ``raw`` has a ``pcs`` column, ``commutes`` has one too
        (see the module docstring).
    arrondissements : bool
        Keep the arrondissements municipaux (from ``raw["arm"]`` for the home when given).

    Examples
    --------
    >>> raw = pd.DataFrame({"row": [0, 1, 2], "home": ["75111", "49040", "33063"],
    ...     "work": ["75056", "49126", "99999"], "mode": ["VP", "VP", "TC"],
    ...     "workers": [2.0, 1.0, 4.0]})
    >>> raw.attrs["mode_coding"] = "labels"
    >>> commutes, rejected = commutes_from_raw(raw)
    >>> commutes.values.tolist()
    [['49126', '49126', 'car', 1.0], ['75056', '75056', 'car', 2.0]]
    >>> rejected[["row", "reason"]].values.tolist()
    [[2, "work place abroad ('99999')"]]
    """
    found = raw["home"]
    if arrondissements and "arm" in raw.columns:
        arm = raw["arm"].astype("string").str.strip()
        found = arm.where(arm.isin(list(ARRONDISSEMENTS)).fillna(False), raw["home"])
    home = _harmonise_unique(found, arrondissements=arrondissements)
    work = _harmonise_unique(raw["work"], arrondissements=arrondissements)
    mode, unknown_modes = _mode(raw)
    reasons = _reasons(raw, home, work)
    bad = reasons.notna().to_numpy()
    rejected = pd.DataFrame(
        {
            "row": raw["row"].to_numpy()[bad],
            "home_code": raw["home"].astype("string").to_numpy()[bad],
            "work_code": raw["work"].astype("string").to_numpy()[bad],
            "mode": raw["mode"].astype("string").to_numpy()[bad],
            "workers": raw["workers"].to_numpy(dtype=float)[bad],
            "reason": reasons.to_numpy()[bad],
        }
    ).astype({"home_code": "string", "work_code": "string", "mode": "string", "reason": "string"})
    good = pd.DataFrame({"home_code": home[~bad], "work_code": work[~bad], "mode": mode[~bad]})
    keys = ["home_code", "work_code", "mode"]
    if "pcs" in raw.columns:
        good["pcs"] = _pcs(raw)[~bad]
        keys.append("pcs")
    good["workers"] = raw["workers"][~bad].astype(float)
    commutes = good.groupby(keys, dropna=False, sort=True)["workers"].sum().reset_index()
    commutes = commutes.astype(dict.fromkeys(keys, "string"))
    commutes.attrs["unknown_modes"] = unknown_modes
    return commutes, rejected


def _as_codes(value: str | Iterable[str] | None, name: str) -> list[str] | None:
    if value is None:
        return None
    scalar = isinstance(value, str) or not hasattr(value, "__iter__")
    codes: list[str] = [value] if scalar else list(value)  # type: ignore[list-item]
    if not codes or not all(isinstance(c, str) for c in codes):
        msg = f"{name} must be a code as a string or a list of them ('04', not 4); got {value!r}"
        raise OptionError(msg)
    return codes


def _area_codes(region: str | None, departements: Iterable[str] | str | None) -> pd.Index | None:
    """COG 2026 commune codes of the area (all must match), or None without a selection."""
    regions, deps = _as_codes(region, "region"), _as_codes(departements, "departements")
    if regions is None and deps is None:
        return None
    known = read_departements()
    cog = read_cog_table()
    mask = np.ones(len(cog), dtype=bool)
    for codes, column, valid, name in (
        (regions, "region", set(known["region"]), "region"),
        (deps, "departement", set(known.index), "departement"),
    ):
        if codes is None:
            continue
        unknown = [c for c in codes if c not in valid]
        if unknown:
            msg = f"unknown {name} code(s) {unknown}; valid: {', '.join(sorted(valid))}"
            raise OptionError(msg)
        mask &= cog[column].isin(codes).to_numpy()
    if not mask.any():
        msg = f"no commune matches region={region!r} and departements={departements!r}"
        raise OptionError(msg)
    return cog.index[mask]


def _prefix(codes: pd.Index) -> set[str]:
    text = pd.Series(codes, dtype="string")
    dep = text.str.slice(0, 2).where(~text.str.startswith("97"), text.str.slice(0, 3))
    return set(dep.dropna())


def _raw_departements(area: pd.Index | None) -> set[str] | None:
    """Département prefixes of the area's codes, former codes included (read filter)."""
    if area is None:
        return None
    former = read_former_codes()
    return _prefix(area) | _prefix(pd.Index(former.index[former.isin(area)]))


def select_commutes(
    commutes: pd.DataFrame,
    *,
    region: str | None = None,
    departements: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Return the flows of the residents of an area (home commune in it), wherever they work.

    Parameters
    ----------
    commutes : pandas.DataFrame
        Canonical commutes.
    region : str, optional
        Région code (COG 2026), e.g. ``"11"`` or ``"04"`` (La Réunion).
    departements : str or iterable of str, optional
        Département codes; with ``region`` both must match.

    Returns
    -------
    pandas.DataFrame
        The matching rows (a copy, index reset).

    Raises
    ------
    OptionError
        An unknown code (the valid ones are listed) or an empty area.

    Examples
    --------
    >>> flows = pd.DataFrame({"home_code": ["97411", "75056"], "work_code": ["97411", "92050"],
    ...     "mode": pd.array([pd.NA, "car"], dtype="string"), "workers": [3.0, 1.0]})
    >>> select_commutes(flows, region="04")["home_code"].tolist()
    ['97411']
    """
    area = _area_codes(region, departements)
    if area is None:
        return commutes.copy()
    keep = commutes["home_code"].isin(_with_arrondissements(area)).to_numpy()
    return commutes[keep].reset_index(drop=True)


def _with_arrondissements(area: pd.Index) -> pd.Index:
    """Return the area's codes and the arrondissements municipaux of its cities."""
    cities = pd.Series(ARRONDISSEMENTS)
    return area.append(pd.Index(cities.index[cities.isin(area)]))


def _resolve(source: str | Path) -> tuple[Path, list[str], int | None]:
    """Return (local file, credits, vintage) for a catalogue name, an INSEE name or a path."""
    if isinstance(source, str) and source in CATALOGUE:
        dataset = CATALOGUE[source]
        digits = "".join(ch for ch in dataset.vintage if ch.isdigit())[:4]
        return fetch(source)[0], [source], int(digits) if digits else None
    if isinstance(source, str) and source in INSEE_COMMUTE_FILES:
        entry = INSEE_COMMUTE_FILES[source]
        return fetch_insee_commutes(source), [entry.credit], entry.vintage
    path = Path(source)
    if not path.is_file():
        commute_names = [n for n, d in CATALOGUE.items() if d.reader == "commutes"]
        known = ", ".join([*commute_names, *INSEE_COMMUTE_FILES])
        msg = f"source {str(source)!r} is neither a commute file nor a catalogue name ({known})"
        raise InputDataError(msg)
    return path, [f"{path.name} (fichier utilisateur)"], None


def _plausible_sum(workers: pd.Series) -> float:
    """Workers summed over the plausible counts (a count of 1e300 would swamp every total)."""
    return float(workers[plausible_workers(workers).to_numpy()].sum())


_NAMED = {*CATALOGUE, *INSEE_COMMUTE_FILES}


def _summary(rejected: pd.DataFrame, source: str) -> str:
    by_reason = rejected.groupby(rejected["reason"].str.replace(r"'.*'", "'…'", regex=True))
    parts = [
        f"{int(n)} × {reason} ({w:,.0f} workers)"
        for reason, n, w in zip(
            by_reason.size().index,
            by_reason.size(),
            by_reason["workers"].agg(_plausible_sum),
            strict=True,
        )
    ]
    return (
        f"{source}: {len(rejected)} row(s) cannot be placed and are left out "
        f"({_plausible_sum(rejected['workers']):,.0f} workers): {'; '.join(parts[:5])}"
    )


def _nothing_kept(raw: pd.DataFrame, source: str | Path, with_area: bool) -> str:
    """Say in French why no flow is kept: an empty file, flows of other communes, all rejected."""
    name = Path(str(source)).name
    read = int(raw.attrs.get("rows_read", len(raw)))
    if read == 0:
        why = "le fichier n'a aucune ligne de flux (en-tête seul)"
    elif len(raw) == 0 and with_area:
        why = f"aucune de ses {read:,} lignes ne part d'une commune de la zone".replace(",", " ")
    else:
        why = "toutes ses lignes sont rejetées, hors de la zone ou d'un autre mode"
    return f"{name} : aucun flux domicile-travail retenu ({why}) ; les navettes comptent 0 actif"


def _check_modes(modes: str | Iterable[str] | None) -> list[str] | None:
    if modes is None:
        return None
    wanted = [modes] if isinstance(modes, str) else list(modes)
    wrong = [m for m in wanted if m not in COMMUTE_MODES]
    if wrong or not wanted:
        raise OptionError(f"modes must be among {list(COMMUTE_MODES)}; got {modes!r}")
    return wanted


def load_commutes(
    source: str | Path,
    *,
    region: str | None = None,
    departements: str | Iterable[str] | None = None,
    modes: str | Iterable[str] | None = None,
    columns: Mapping[str, str] | None = None,
    errors: Literal["raise", "warn", "report"] = "warn",
    occupations: bool = False,
    arrondissements: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load home-to-work flows as canonical commutes, harmonised to COG 2026.

    Parameters
    ----------
    source : str or path
        A catalogued file (``"mobpro-idf-2014-modes"``, ``"mobpro-idf-2014-distances"``,
        ``"mobpro-reunion-2010"``), one of INSEE's national files by vintage
        (``"insee-flows-2021"``, ``"insee-fd-mobpro-2019"``: see
        :data:`maillage.sources.commutes.INSEE_COMMUTE_FILES`), or a file: R data, an
        INSEE flows or FD_MOBPRO file (CSV, zip, Parquet), or a plain CSV / Parquet OD table.
    region : str, optional
        Keep the flows of the residents of this région (COG 2026 code, overseas included:
        ``"04"`` is La Réunion), wherever they work.
    departements : str or iterable of str, optional
        Same, for départements.
    modes : str or iterable of str, optional
        Keep only these modes (:data:`COMMUTE_MODES`); flows of unknown mode are then left out.
    columns : mapping, optional
        For a plain OD table: ``{column in the file: canonical name}`` with canonical names
        ``home_code``, ``work_code``, ``workers`` and optionally ``mode``.
    errors : {"warn", "raise", "report"}
        Rows that cannot be placed (unknown codes, work place abroad): summarised in a
        :class:`~maillage.errors.MaillageWarning` (``"warn"``), an
        :class:`~maillage.errors.InputDataError` (``"raise"``), or returned (``"report"``).
    occupations : bool
        Keep the workers' occupational group (column ``pcs``, ``"1"`` to ``"6"``, NA where
        the file does not give it), for :class:`maillage.CommuteScenario`'s telework rates
        by group. ``attrs["pcs_column"]`` names the file's column (None: the file has none,
        and a scenario uses the national rate).
    arrondissements : bool
        Keep Paris, Lyon and Marseille by arrondissement municipal (home and work) when
        the file gives it (FD_MOBPRO, INSEE's flows files, Île-de-France 2014); use
        :func:`maillage.communes_by_arrondissement` for the communes frame then.
        ``attrs["arrondissements"]`` says whether any flow has one.

    Returns
    -------
    commutes : pandas.DataFrame
        :data:`COMMUTE_COLUMNS`; ``attrs`` ``data_credits``, ``source``, ``vintage``,
        ``layout``, ``workers_read``, ``workers_rejected``, ``unknown_modes``.
    rejected : pandas.DataFrame
        With ``errors="report"``: :data:`COMMUTE_REJECT_COLUMNS`. Without an area or
        ``modes``, the workers of ``commutes`` and ``rejected`` add up to the workers read;
        with an area, rejected rows whose home commune lies outside it are left out.

    Raises
    ------
    OptionError
        Unknown area code, mode or ``errors``.
    InputDataError
        Unreadable source; with ``errors="raise"``, rows that cannot be placed.
    ColumnError
        A required column is missing (the columns found are listed).
    ImportError
        An R data file without the optional package ``rdata`` (``pip install rdata``).

    Examples
    --------
    >>> from pathlib import Path
    >>> import maillage
    >>> sample = Path(maillage.__file__).parents[2] / "tests" / "data" / "fd_mobpro_sample.csv"
    >>> gironde, rejected = load_commutes(sample, departements="33", modes="car", errors="report")
    >>> gironde["work_code"].tolist(), gironde["workers"].tolist()
    (['33063', '33281'], [2.5, 1.5])
    >>> rejected["reason"].tolist()
    ["work place abroad ('99999')", "unknown INSEE code '33999' for the work commune"]
    """
    check_choice("errors", errors, ("raise", "warn", "report"))
    wanted_modes = _check_modes(modes)
    area = _area_codes(region, departements)
    path, credits, vintage = _resolve(source)
    raw = read_commute_file(
        path,
        columns=columns,
        departements=_raw_departements(area),
        vintage=vintage,
        occupations=occupations,
        arrondissements=arrondissements,
    )
    commutes, rejected = commutes_from_raw(raw, arrondissements=arrondissements)
    unknown_modes = commutes.attrs["unknown_modes"]
    if area is not None:
        commutes = commutes[commutes["home_code"].isin(_with_arrondissements(area)).to_numpy()]
        placed = _harmonise_unique(rejected["home_code"])
        rejected = rejected[(placed.isna() | placed.isin(area)).to_numpy()]
    if wanted_modes is not None:
        commutes = commutes[commutes["mode"].isin(wanted_modes).fillna(False).to_numpy()]
    commutes = commutes.reset_index(drop=True)
    rejected = rejected.reset_index(drop=True)
    commutes.attrs = {
        "data_credits": [*credits, *COG_CREDITS],
        # a catalogue name as given, a file by its name only: no path of the user's machine
        # ever reaches an output
        "source": str(source) if str(source) in _NAMED else Path(source).name,
        "vintage": raw.attrs.get("vintage"),
        "layout": raw.attrs.get("layout"),
        "workers_read": _plausible_sum(raw["workers"]),
        "workers_rejected": _plausible_sum(rejected["workers"]),
        "unknown_modes": unknown_modes,
    }
    if occupations:
        commutes.attrs["pcs_column"] = raw.attrs.get("pcs_column")
    if arrondissements:
        codes = pd.concat([commutes["home_code"], commutes["work_code"]])
        commutes.attrs["arrondissements"] = bool(codes.isin(list(ARRONDISSEMENTS)).any())
    logger.info(
        "%s: %d flows, %.0f workers kept; %d rows rejected",
        source,
        len(commutes),
        commutes["workers"].sum(),
        len(rejected),
    )
    if len(commutes) == 0:
        warnings.warn(_nothing_kept(raw, source, area is not None), MaillageWarning, stacklevel=2)
    if len(rejected) and errors == "raise":
        raise InputDataError(_summary(rejected, str(source)))
    if len(rejected) and errors == "warn":
        warnings.warn(_summary(rejected, str(source)), MaillageWarning, stacklevel=2)
    return (commutes, rejected) if errors == "report" else commutes
