r"""The page's identity: its title, subtitle, introduction, date, version and data vintages.

The text of the page is edited through the options of the report (``title``, ``subtitle``,
``intro``: :func:`maillage.report.build_report`, ``--title``, ``--subtitle``, ``--intro``),
never in ``report.html``. The introduction is Markdown, of which a small safe subset is
rendered (:func:`markdown_html`); everything else is escaped. The production date is today's,
or that of ``SOURCE_DATE_EPOCH`` when set (reproducible builds).

Examples
--------
>>> markdown_html("Un **bilan** de *l'accès*.\n\n- un\n- deux")
"<p>Un <strong>bilan</strong> de <em>l'accès</em>.</p>\n<ul><li>un</li><li>deux</li></ul>"
>>> markdown_html("<script>x</script> [site](https://anct.gouv.fr)")
'<p>&lt;script&gt;x&lt;/script&gt; <a href="https://anct.gouv.fr">site</a></p>'
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from typing import TYPE_CHECKING

from maillage.report.numbers import fr_date, fr_dates_in

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "GLOSSARY",
    "IDENTITY_CSS",
    "PAGE_KEYS",
    "default_title",
    "glossary_html",
    "header_html",
    "markdown_html",
    "production_date",
]

PAGE_KEYS = (
    "title",
    "subtitle",
    "intro",
    "year",
    "produced_on",
    "maillage_version",
    "data_vintages",
    "command",
)
"""Keys of ``summary.json`` that say what the page is: its title, subtitle and introduction
(Markdown), the year of the venues counted (``null``: all those given), the production date
(ISO), maillage's version, each catalogued dataset with its vintage and use (its reader),
and the command line
that produced the report (``""`` from Python). They follow the figures, before the sections'
keys."""

IDENTITY_CSS = (
    ".provenance{color:#444;font-size:.9em;margin:.2em 0 1em}"
    ".sous-titre{font-size:1.15em;color:#333;margin:.2em 0}"
    ".intro{border-left:3px solid #ccc;padding-left:.8em}"
    ".glossaire dt{font-weight:bold;margin-top:.4em}.glossaire dd{margin-left:1em}"
)
"""Style of the header, the introduction and the glossary."""

GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "Temps d'accès",
        "durée du trajet en voiture entre le lieu de résidence et le lieu le plus proche, "
        "en minutes.",
    ),
    (
        "Seuil d'accès",
        "temps d'accès au-delà duquel un habitant est compté comme éloigné ; une commune dont "
        "le temps moyen le dépasse est en zone blanche.",
    ),
    (
        "Zone blanche",
        "ensemble des communes dont le temps d'accès moyen de leurs habitants dépasse le seuil.",
    ),
    (
        "Part des habitants (part couverte)",
        "part des habitants à moins du seuil de tout lieu, comptés habitant par habitant "
        "depuis leur lieu de résidence.",
    ),
    (
        "Fourchette",
        "valeurs basse et haute d'un chiffre quand les temps de trajet sont estimés : elles "
        "tiennent compte de l'écart mesuré entre l'estimation et les temps réels.",
    ),
    (
        "EPCI",
        "établissement public de coopération intercommunale : communauté de communes, "
        "communauté d'agglomération, communauté urbaine ou métropole.",
    ),
    ("Temps médian", "la moitié des habitants est plus près, l'autre moitié plus loin."),
)
"""The words of the page that need a definition, with it."""


def production_date() -> dt.date:
    """Return the date the report is produced: today, or ``SOURCE_DATE_EPOCH`` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


def default_title(area: str, *, year: int | None) -> str:
    """Return the title of a page given none: the territory, and the year when one is chosen.

    Examples
    --------
    >>> default_title("Creuse (23)", year=None), default_title("Creuse (23)", year=2020)
    ('Accès aux lieux – Creuse (23)', 'Accès aux lieux – Creuse (23) – lieux ouverts en 2020')
    """
    title = f"Accès aux lieux – {area}"
    return title if year is None else f"{title} – lieux ouverts en {int(year)}"


_INLINE = (
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"\*(.+?)\*"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]]+)\]\((https?://[^\s)&\"<>]+)\)"), r'<a href="\2">\1</a>'),
)


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    for pattern, replacement in _INLINE:
        out = pattern.sub(replacement, out)
    return out


def _block(lines: list[str]) -> str:
    first = lines[0]
    heading = re.match(r"(#{1,3})\s+(.*)", first)
    if heading and len(lines) == 1:
        level = len(heading.group(1)) + 2  # "#" is below the page's h2
        return f"<h{level}>{_inline(heading.group(2))}</h{level}>"
    if all(re.match(r"[-*]\s+", line) for line in lines):
        items = "".join(f"<li>{_inline(re.sub(r'^[-*]\s+', '', ln))}</li>" for ln in lines)
        return f"<ul>{items}</ul>"
    return f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>"


def markdown_html(text: str) -> str:
    """Render a small, safe subset of Markdown as HTML; everything else is escaped.

    Paragraphs (separated by a blank line), headings (``#``, ``##``, ``###``), lists (lines
    starting with ``-`` or ``*``), ``**bold**``, ``*italics*`` and links to ``http(s)://``
    addresses. No raw HTML, no image, no script: ``<`` and ``&`` are written as text.

    Parameters
    ----------
    text : str
        The Markdown text.

    Returns
    -------
    str
        HTML fragments, one per block.
    """
    blocks: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            if re.match(r"#{1,3}\s", line) and blocks[-1]:
                blocks.append([])
            blocks[-1].append(line.rstrip())
            if re.match(r"#{1,3}\s", line):
                blocks.append([])
        elif blocks[-1]:
            blocks.append([])
    return "\n".join(_block(lines) for lines in blocks if lines)


def _vintages(vintages: Iterable[Mapping[str, object]]) -> str:
    """Return each dataset with its vintage (left out when its name already says it).

    The travel times the model was fitted on come together, by their vintages.
    """
    parts, fitted = [], []
    for entry in vintages:
        vintage = fr_date(str(entry.get("vintage", "")))
        if entry.get("use") == "travel-times":
            fitted.append(vintage)
            continue
        name = fr_dates_in(str(entry.get("dataset", "")))
        parts.append(name if vintage in name else f"{name} ({vintage})")
    if fitted:
        parts.append(f"temps de trajet de référence du modèle ({', '.join(fitted)})")
    return html.escape(" ; ".join(parts))


def header_html(summary: Mapping[str, object]) -> str:
    """Return the page's header: title, subtitle, date, version, data vintages, introduction.

    Parameters
    ----------
    summary : dict
        ``summary.json``: ``title``, ``subtitle``, ``intro``, ``produced_on``,
        ``maillage_version`` and ``data_vintages``.

    Returns
    -------
    str
        HTML.
    """
    title = html.escape(str(summary.get("title") or ""))
    parts = [f"<h1>{title}</h1>"]
    if summary.get("subtitle"):
        parts.append(f'<p class="sous-titre">{html.escape(str(summary["subtitle"]))}</p>')
    line = "Rapport produit"
    if summary.get("produced_on"):
        line += f" le {html.escape(fr_date(str(summary['produced_on'])))}"
    if summary.get("maillage_version"):
        line += f" avec maillage {html.escape(str(summary['maillage_version']))}"
    vintages = summary.get("data_vintages")
    if isinstance(vintages, list) and vintages:
        line += f". Données : {_vintages(vintages)}"
    parts.append(f'<p class="provenance">{line}.</p>')
    if summary.get("intro"):
        parts.append(f'<div class="intro">{markdown_html(str(summary["intro"]))}</div>')
    return "\n".join(parts)


def glossary_html() -> str:
    """Return the glossary of the page (:data:`GLOSSARY`) as a definition list."""
    rows = "".join(
        f"<dt>{html.escape(word)}</dt><dd>{html.escape(text)}</dd>" for word, text in GLOSSARY
    )
    return f'<h2 id="glossaire">Glossaire</h2>\n<dl class="glossaire">{rows}</dl>'
