"""The report's PNG images: a figure drawn off screen, saved without software version nor date.

The same figure gives the same bytes (no ``Software`` metadata), so a rerun rewrites identical
files. matplotlib is loaded only when an image is drawn.
"""

from __future__ import annotations

import io
from typing import Any

__all__ = ["DPI", "PRINT_DPI", "new_figure", "pdf_bytes", "png_bytes"]

DPI = 150
"""Resolution of the report's images, in dots per inch."""
PRINT_DPI = 300
"""Resolution of ``map.png``, the map one prints or puts in a deliberation."""
_PNG_META = {"Software": None}
_PDF_META = {"Creator": None, "Producer": None, "CreationDate": None}


def new_figure(figsize: tuple[float, float]) -> Any:
    """Return a matplotlib ``Figure`` of ``figsize`` inches, drawn off screen (Agg).

    Parameters
    ----------
    figsize : tuple of float
        Width and height in inches.

    Returns
    -------
    matplotlib.figure.Figure
        A figure with its Agg canvas, outside pyplot (never shown, never kept).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - heavy, loaded only when an image is drawn
    from matplotlib.figure import Figure  # noqa: PLC0415 - heavy, loaded only when an image is drawn

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Any, *, dpi: int = DPI) -> bytes:
    """Return ``fig`` as PNG bytes, cropped to its content, without metadata that changes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    dpi : int
        Resolution.

    Returns
    -------
    bytes
        The PNG file.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata=_PNG_META, bbox_inches="tight")
    return buffer.getvalue()


def pdf_bytes(fig: Any) -> bytes:
    """Return ``fig`` as a vector PDF, cropped to its content, without date nor software.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.

    Returns
    -------
    bytes
        The PDF file: the same figure gives the same bytes.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf", metadata=_PDF_META, bbox_inches="tight")
    return buffer.getvalue()
