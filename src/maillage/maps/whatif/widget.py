"""The what-if map as a Jupyter widget: :func:`explore`.

Why this stack
--------------
* **anywidget** (one small pure-Python package over ipywidgets 8): the same widget runs in
  JupyterLab, Notebook 7 and VS Code with nothing to build or enable, and it saves its state
  in the notebook, so an exported notebook still shows the last map (read-only).
* **a hand-written front end** (``front.js``, ``front.css``, about 300 lines, no
  dependency): the communes are drawn once as SVG paths (a région's 4,300 communes,
  simplified to 200 m, about 1 MB sent once); an update sends only one class number and one
  white-zone flag per commune, the venues and the panel (a few tens of kB), and the browser
  only repaints fills. Nothing is fetched from a CDN and no tile is needed: the map works
  offline. ipyleaflet would send GeoJSON layers again at each change and needs tiles for a
  background; lonboard draws on WebGL, which a headless or remote browser may lack.
* **incremental updates** (:class:`~maillage.maps.whatif.state.WhatIfState`): a click
  recomputes only the origins the changed venue can reach or served.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from maillage.analysis.siting import suggest_sites
from maillage.analysis.uncertainty import headline_range
from maillage.errors import InputDataError, MaillageError
from maillage.maps.whatif import payload
from maillage.maps.whatif.state import WhatIfState

if TYPE_CHECKING:
    from maillage.travel.protocol import TravelTimeModel

__all__ = ["explore"]

_HERE = Path(__file__).resolve().parent
_INSTALL = (
    "maillage.explore needs anywidget: pip install 'maillage[explore]' (or pip install anywidget)"
)


def _widget_class() -> type:
    try:
        import anywidget  # noqa: PLC0415 - optional dependency ([explore] extra)
        import traitlets  # noqa: PLC0415 - installed with anywidget ([explore] extra)
    except ImportError as err:
        raise ImportError(_INSTALL) from err

    class WhatIf(_WhatIfMixin, anywidget.AnyWidget):
        _esm = _HERE / "front.js"
        _css = _HERE / "front.css"
        shapes: Any = traitlets.Dict().tag(sync=True)
        fills: Any = traitlets.List().tag(sync=True)
        white: Any = traitlets.List().tag(sync=True)
        titles: Any = traitlets.List().tag(sync=True)
        legend: Any = traitlets.Dict().tag(sync=True)
        venue_marks: Any = traitlets.List().tag(sync=True)
        panel: Any = traitlets.Dict().tag(sync=True)
        headline_state: Any = traitlets.Dict().tag(sync=True)
        proposals: Any = traitlets.List().tag(sync=True)
        threshold_min: Any = traitlets.Float(20.0).tag(sync=True)
        horizon_min: Any = traitlets.Float(60.0).tag(sync=True)
        read_only_notice: Any = traitlets.Unicode(payload.READ_ONLY_NOTICE).tag(sync=True)

    return WhatIf


class _WhatIfMixin:
    """The Python side of the what-if widget (the synced traits are the widget class's)."""

    state: WhatIfState
    _start_cov: pd.DataFrame
    _start_head: dict[str, Any]
    _range: dict[str, float] | None
    _sites: gpd.GeoDataFrame | None

    def _setup(self, state: WhatIfState, *, simplify_m: float) -> None:
        self.state = state
        self._range = None
        self._sites = None
        self._start_cov = state.commune_figures()
        self._start_head = state.headline(self._start_cov)
        w: Any = self
        w.horizon_min = state.horizon_min
        w.threshold_min = state.threshold_min
        w.shapes = payload.commune_shapes(state.communes, simplify_m=simplify_m)
        w.legend = payload.legend(state.threshold_min)
        w.proposals = []
        if callable(getattr(state.model, "trip_errors", None)):
            self._range = self._range_now()
            self._start_head.update(self._range or {})
        self._refresh(0.0)
        w.observe(self._on_threshold, names="threshold_min")
        w.on_msg(self._on_message)

    def __repr__(self) -> str:
        """Say in French what the map shows: the text a viewer without widgets displays."""
        state = getattr(self, "state", None)
        if state is None:
            return "Carte « et si » (maillage.explore)"
        head = state.headline()
        share = f"{head['share_within_threshold'] * 100:.1f} %".replace(".", ",")
        return (
            f"Carte « et si » (maillage.explore) : {share} de la population à "
            f"{head['threshold_min']:g} min ou moins, {head['venues_open']} lieux ouverts, "
            f"{len(state.history)} changement(s) depuis le départ"
        )

    # ------------------------------------------------------------------ Python API

    @property
    def headline(self) -> dict[str, Any]:
        """The panel's figures: ``share_within_threshold``, ``residents_beyond``, ...

        ``residents_second_choice`` counts the residents with a second venue within the
        threshold; the range (``share_within_threshold_low`` / ``_high``) is there once
        :meth:`compute_range` has run on the current state.
        """
        head = self.state.headline()
        if self._range:
            head.update(self._range)
        return head

    @property
    def scenario(self) -> gpd.GeoDataFrame:
        """The venues as they now stand, ``hypothetical=True`` for those added or moved here.

        A canonical venues frame (``venue_id``, ``name``, ``supported``, points in the
        working CRS, the census's other columns kept), ready for
        ``write_report(..., venues=widget.scenario)`` or ``.to_file(...)``.
        """
        rows = []
        for _, v in self.state.open_venues():
            row = dict(v.attributes)
            row.update(venue_id=v.venue_id, name=v.name, supported=v.supported)
            row.update(hypothetical=v.hypothetical, geometry=shapely.Point(v.x, v.y))
            rows.append(row)
        frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=self.state.crs)
        frame["hypothetical"] = frame["hypothetical"].astype(bool)
        census = self.state.venues_in
        for column in census.columns.intersection(frame.columns).drop("geometry", errors="ignore"):
            try:  # the census's types (NA years stay NA once written to a file)
                frame[column] = frame[column].astype(census[column].dtype)
            except (TypeError, ValueError):
                continue
        if "code_insee" in frame:  # the commune a hypothetical venue stands in
            new = frame["hypothetical"].to_numpy() & frame["code_insee"].isna().to_numpy()
            communes = self.state.communes
            hit = communes.sindex.query(frame.geometry[new], predicate="within")
            codes = frame["code_insee"].astype(object).to_numpy().copy()
            codes[np.flatnonzero(new)[hit[0]]] = communes.index.to_numpy()[hit[1]]
            frame["code_insee"] = pd.array(codes, dtype=census["code_insee"].dtype)
        frame.attrs = dict(census.attrs)
        return frame

    def add(self, point: Any, *, name: str | None = None, venue_id: str | None = None) -> str:
        """Open a hypothetical venue at ``point``; return its ``venue_id``.

        ``point`` is a shapely Point in the communes' CRS, or ``(lon, lat)`` in degrees.
        """
        where = self._point(point)
        return str(self._change(lambda: self.state.add(where, name=name, venue_id=venue_id)))

    def close(self, venue_id: str | None = None) -> None:
        """Close the open venue ``venue_id``; without one, close the widget (ipywidgets)."""
        if venue_id is None:
            super().close()  # type: ignore[misc]
            return
        self._change(lambda: self.state.close(venue_id))

    def move(self, venue_id: str, point: Any) -> None:
        """Move the open venue ``venue_id`` to ``point`` (as :meth:`add` takes it)."""
        where = self._point(point)
        self._change(lambda: self.state.move(venue_id, where))

    def undo(self) -> bool:
        """Undo the last change; False when there is none."""
        return bool(self.state.history) and bool(self._change(self.state.undo))

    def reset(self) -> None:
        """Go back to the starting venues (and to the starting range, at the same threshold)."""
        self._change(self.state.reset)
        if self.state.threshold_min == self._start_head["threshold_min"]:
            span = {k: v for k, v in self._start_head.items() if k.endswith(("_low", "_high"))}
            self._range = span or None
            self._refresh(0.0)

    def compute_range(self, *, level: float = 0.8) -> dict[str, float] | None:
        """Compute the headline's range for the current venues (None if the model gives none)."""
        self._range = self._range_now(level=level)
        self._refresh(0.0)
        return self._range

    def _range_now(self, *, level: float = 0.8) -> dict[str, float] | None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            span = headline_range(
                self.state.communes,
                self.scenario,
                model=self.state.model,
                threshold_min=self.state.threshold_min,
                level=level,
                origins=self.state.origins,
            )
        return span

    def suggest(self, k: int = 5) -> gpd.GeoDataFrame:
        """Show and return ``k`` sites of :func:`maillage.suggest_sites` for the current venues."""
        origins = gpd.GeoDataFrame(
            self.state.origin_frame(), geometry=self.state.origins.geometry, crs=self.state.crs
        )
        origins.attrs["threshold_min"] = self.state.threshold_min
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sites = suggest_sites(
                origins,
                k=k,
                model=self.state.model,
                threshold_min=self.state.threshold_min,
                communes=self.state.communes,
                venues=self.scenario,
            )
        self._sites = sites.reset_index(drop=True)
        self._show_sites()
        return sites

    def accept(self, rank: int) -> str:
        """Open the suggested site of rank ``rank`` (1 = first); return its ``venue_id``."""
        if self._sites is None or not (self._sites["rank"] == rank).any():
            raise InputDataError(f"rank={rank!r}: no such suggested site; call suggest() first")
        row = self._sites[self._sites["rank"] == rank].iloc[0]
        name = f"Site proposé n° {rank} ({row.get('nom', row['candidate_id'])})"
        vid = self.add(row.geometry, name=name)
        self._sites = self._sites[self._sites["rank"] != rank].reset_index(drop=True)
        self._show_sites()
        return vid

    # ------------------------------------------------------------------ internals

    def _point(self, point: Any) -> shapely.Point:
        if isinstance(point, tuple | list) and len(point) == 2:
            deg = gpd.GeoSeries([shapely.Point(*map(float, point))], crs="EPSG:4326")
            return deg.to_crs(self.state.crs).iloc[0]
        if not isinstance(point, shapely.Point):
            raise InputDataError(f"point must be a shapely Point or (lon, lat), got {point!r}")
        return point

    def _change(self, func: Any) -> Any:
        start = time.perf_counter()
        out = func()
        self._range = None
        self._refresh(time.perf_counter() - start)
        return out

    def _show_sites(self) -> None:
        w: Any = self
        if self._sites is None or len(self._sites) == 0:
            w.proposals = []
            return
        deg = self._sites.to_crs("EPSG:4326")
        w.proposals = [
            {
                "rank": int(r["rank"]),
                "label": f"n° {int(r['rank'])} : {r.get('nom', r['candidate_id'])}",
                "gain_population": float(r["gain_population"]),
                "lon": float(p.x),
                "lat": float(p.y),
            }
            for (_, r), p in zip(self._sites.iterrows(), deg.geometry, strict=True)
        ]

    def _refresh(self, seconds: float) -> None:
        """Send the new fills, venues and panel (one message each)."""
        w: Any = self
        cov = self.state.commune_figures()
        head = self.state.headline(cov)
        if self._range:
            head.update(self._range)
        fills, white, titles = payload.fills(cov, getattr(self, "_sent", None))
        self._sent = (cov[["time_min", "covered"]], titles)
        with w.hold_sync():
            w.fills, w.white, w.titles = fills, white, titles
            w.venue_marks = payload.venue_marks(
                [v for _, v in self.state.open_venues()], self.state.crs
            )
            w.headline_state = head
            w.legend = payload.legend(self.state.threshold_min)
            w.panel = {
                "rows": payload.panel_rows(head, self._start_head_at(self.state.threshold_min)),
                "changed": payload.changed_communes(cov, self._start_at(cov)),
                "history": [s.label for s in self.state.history],
                "can_undo": bool(self.state.history),
                "can_range": callable(getattr(self.state.model, "trip_errors", None))
                and not self._range,
                "update_ms": round(seconds * 1000),
            }

    def _start_at(self, cov: pd.DataFrame) -> pd.DataFrame:
        if self.state.threshold_min == self._start_head["threshold_min"]:
            return self._start_cov
        t = self.state.threshold_min
        return self._start_cov.assign(covered=self._start_cov["time_min"] <= t)

    def _start_head_at(self, threshold_min: float) -> dict[str, Any]:
        if threshold_min != self._start_head["threshold_min"]:
            saved = (self.state.t1, self.state.v1, self.state.t2, self.state.v2)
            snap = self.state._start
            self.state.t1, self.state.v1, self.state.t2, self.state.v2 = (
                snap.t1, snap.v1, snap.t2, snap.v2,
            )  # fmt: skip
            try:
                return self.state.headline()
            finally:
                self.state.t1, self.state.v1, self.state.t2, self.state.v2 = saved
        return self._start_head

    def _on_threshold(self, change: dict[str, Any]) -> None:
        try:
            self.state.set_threshold(float(change["new"]))
        except MaillageError as err:
            self._send_error(str(err))
            w: Any = self
            w.threshold_min = self.state.threshold_min  # the slider goes back
            return
        self._range = None
        self._refresh(0.0)

    def _send_error(self, text: str) -> None:
        w: Any = self
        w.send({"type": "error", "text": f"Changement impossible : {text}"})

    def _on_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        kind = content.get("type")
        w: Any = self
        try:
            if kind == "ping":
                w.send({"type": "pong"})
            elif kind == "add":
                self.add((content["lon"], content["lat"]))
            elif kind == "close":
                self.close(str(content["venue_id"]))
            elif kind == "move":
                self.move(str(content["venue_id"]), (content["lon"], content["lat"]))
            elif kind in {"undo", "reset"}:
                getattr(self, kind)()
            elif kind == "suggest":
                self.suggest()
            elif kind == "accept":
                self.accept(int(self._sites["rank"].iloc[int(content["index"])]))  # type: ignore[index]
            elif kind == "range":
                self.compute_range()
        except MaillageError as err:
            self._send_error(str(err))
            self._refresh(0.0)


def explore(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    threshold_min: float = 20.0,
    horizon_min: float | None = None,
    grid: gpd.GeoDataFrame | None = None,
    simplify_m: float = 200.0,
) -> Any:
    """Return a what-if map of coverage for Jupyter: open, close or move venues and see.

    The map shows the communes by access time (the classes and colours of the report's
    map), the white zones outlined, the venues (filled when publicly supported, orange when
    hypothetical). Click the map to open a venue there, click a venue to close it, drag it to
    move it; the panel gives the headline (share within the threshold, residents beyond it,
    in white zones, with a second venue within it), its change since the start, the
    communes that changed side, a threshold slider, undo and reset, and the sites of
    :func:`maillage.suggest_sites` on request, to accept one by one. The same changes are
    methods (``add``, ``close``, ``move``, ``undo``, ``reset``, ``suggest``, ``accept``),
    the figures ``headline``, the venues as they now stand ``scenario``.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, with ``population`` (``nom`` for the names).
    venues : geopandas.GeoDataFrame
        The venues of the starting state.
    model : TravelTimeModel
        Any travel-time model: :func:`maillage.default_model` or a road network.
    threshold_min : float, default 20
        Access threshold (minutes); the slider goes up to ``horizon_min``.
    horizon_min : float, optional
        Time up to which each venue's reach is kept (default: twice the threshold, at
        least 60 min).
    grid : geopandas.GeoDataFrame, optional
        Population grid, as in :func:`maillage.coverage`.
    simplify_m : float, default 200
        Simplification of the commune outlines sent to the browser (metres).

    Returns
    -------
    anywidget.AnyWidget
        The widget (display it as the last expression of a cell).

    Raises
    ------
    ImportError
        When anywidget is not installed (``pip install 'maillage[explore]'``).

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> widget = explore(communes, venues.iloc[:1], model=CrowFlyModel(), threshold_min=20)  # doctest: +SKIP
    >>> widget.add((0.5, 45.0), name="Nouveau lieu")  # doctest: +SKIP
    'hypothetique-1'
    """
    cls = _widget_class()
    state = WhatIfState(
        communes, venues, model=model, threshold_min=threshold_min, horizon_min=horizon_min,
        grid=grid,
    )  # fmt: skip
    widget = cls()
    widget._setup(state, simplify_m=simplify_m)
    return widget
