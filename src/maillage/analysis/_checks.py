"""Checks and stamps shared by the analyses of this package (private to ``maillage.analysis``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maillage.errors import OptionError
from maillage.schema import threshold_of
from maillage.travel.protocol import TravelTimeModel

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["check_model", "check_threshold", "stamp"]


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


def stamp(
    frame: pd.DataFrame, model: TravelTimeModel, threshold_min: float, **extra: object
) -> None:
    """Record the threshold, the model and the credits in ``frame.attrs`` (in place).

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame this package has just built (never a caller's input).
    model : TravelTimeModel
        The model that produced the times.
    threshold_min : float
        The threshold used.
    **extra
        More attributes.

    Examples
    --------
    >>> import pandas as pd
    >>> from maillage import CrowFlyModel
    >>> out = pd.DataFrame()
    >>> stamp(out, CrowFlyModel(), 20.0)
    >>> out.attrs["threshold_min"], out.attrs["data_credits"]
    (20.0, [])
    """
    frame.attrs["threshold_min"] = threshold_min
    frame.attrs["travel_time_model"] = model.describe()
    frame.attrs.setdefault("data_credits", [])
    frame.attrs.update(extra)
