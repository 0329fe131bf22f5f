"""map.png and map-impression.pdf of a real report: layout, titles, print quality.

The report covers Charente-Maritime with the CGET 2019 census. The legend, the north arrow
and the scale bar sit in a band right beside the map (measured on the matplotlib artists'
extents, not over an empty area); the title says "en voiture"; map.png is 300 dpi and the
print export a vector PDF.
"""

from __future__ import annotations

import io

import pytest
from charente import charente_report
from PIL import Image

from maillage.maps import plot_coverage
from maillage.report import REPORT_FILES
from maillage.report.files import _map_figure, render_file
from maillage.report.images import new_figure


@pytest.fixture(scope="module")
def report():
    return charente_report()


@pytest.fixture(scope="module")
def drawn(report):
    fig = new_figure((10, 10))
    ax = plot_coverage(
        report.communes,
        report.venues,
        white_zones=report.white_zones,
        credits=report.credits,
        ax=fig.add_subplot(),
    )
    fig.canvas.draw()
    return fig, ax


def _map_box(ax, frame):
    """Window extent of the drawn communes (the map itself), in pixels."""
    minx, miny, maxx, maxy = frame.total_bounds
    (x0, y0), (x1, y1) = ax.transData.transform([(minx, miny), (maxx, maxy)])
    return x0, y0, x1, y1


def test_legend_arrow_and_scale_sit_right_beside_the_map(report, drawn):
    fig, ax = drawn
    renderer = fig.canvas.get_renderer()
    x0, y0, x1, y1 = _map_box(ax, report.communes)
    inch = fig.dpi
    legend = ax.get_legend().get_window_extent(renderer)
    bars = [a for a in ax.artists if type(a).__name__ == "AnchoredSizeBar"]
    arrows = [t for t in ax.texts if t.get_text() == "N"]
    assert len(bars) == 1 and len(arrows) == 1
    scale = bars[0].get_window_extent(renderer)
    arrow = arrows[0].get_window_extent(renderer)
    for box in (legend, scale, arrow):
        assert box.x0 >= x1 - 1, "right of the map, never over it"
        assert box.x0 - x1 < 0.6 * inch, "less than 0.6 inch from the map"
        assert y0 <= box.y0 and box.y1 <= y1 + 2, "within the map's height"
    assert abs(legend.y1 - y1) < 2, "the legend starts at the top edge of the map"
    assert legend.y0 > arrow.y1 > arrow.y0 > scale.y1, "stacked: legend, arrow, scale bar"
    assert y1 - scale.y0 < 0.6 * (y1 - y0), "the column stays in the upper part of the map"
    # the map takes the width the band leaves, the band ends near the figure's edge
    assert x1 - x0 > 0.45 * fig.bbox.width
    assert fig.bbox.x1 - legend.x1 < 0.2 * fig.bbox.width
    title = ax.title.get_window_extent(renderer)
    assert 0 <= title.y0 - y1 < 0.3 * inch, "title just above the map"


def test_legend_has_an_entry_for_every_symbol(drawn):
    _, ax = drawn
    texts = [t.get_text().replace("\n", " ") for t in ax.get_legend().get_texts()]
    for entry in ("0 – 10 min", "30 min et plus", "Limite de département"):
        assert entry in texts
    assert any(t.startswith("Zone blanche") for t in texts)
    assert "Lieu : coworking" in texts and "Lieu soutenu (plein)" in texts
    assert "en voiture" in ax.get_legend().get_title().get_text().replace("\n", " ")


def test_map_png_is_titled_en_voiture_and_printable_at_300_dpi(report):
    title = _map_figure(report).axes[0].get_title()
    assert title.startswith("Charente-Maritime – temps d'accès en voiture au lieu le plus proche")
    data = render_file(report, "map.png")
    image = Image.open(io.BytesIO(data))
    dpi = image.info["dpi"]
    assert round(dpi[0]) == round(dpi[1]) == 300
    assert min(image.size) >= 2000, image.size  # about 17 cm at 300 dpi
    assert render_file(report, "map.png") == data, "same report, same bytes"


def test_print_export_is_a_vector_pdf_in_every_report(report):
    assert "map-impression.pdf" in REPORT_FILES
    data = render_file(report, "map-impression.pdf")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/Subtype /Image" not in data, "drawn in vectors, not an embedded picture"
    assert b"CreationDate" not in data, "no date: the same report gives the same bytes"
    assert render_file(report, "map-impression.pdf") == data


def test_default_titles_say_en_voiture(report):
    fig = new_figure((6, 6))
    ax = plot_coverage(report.communes, ax=fig.add_subplot(), threshold_min=20)
    assert ax.get_title().startswith("Temps d'accès en voiture au lieu le plus proche")


def test_the_map_is_drawn_once_for_the_png_and_the_pdf_with_the_same_bytes(report, monkeypatch):
    from maillage.report import files
    from maillage.report.images import PRINT_DPI, pdf_bytes, png_bytes

    fresh_png = png_bytes(files._draw_map(report), dpi=PRINT_DPI)
    fresh_pdf = pdf_bytes(files._draw_map(report))
    drawn = []
    draw = files._draw_map
    monkeypatch.setattr(files, "_draw_map", lambda r: drawn.append(r) or draw(r))
    monkeypatch.setattr(files, "_drawn", [])
    assert render_file(report, "map.png") == fresh_png
    assert render_file(report, "map-impression.pdf") == fresh_pdf
    assert len(drawn) == 1
    other = charente_report()  # another report is drawn anew
    render_file(other, "map.png")
    assert len(drawn) == 2
