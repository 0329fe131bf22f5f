"""The yearly report folder: compute a :class:`Report`, write its files, compare with last year.

Floors inside the package: :mod:`~maillage.report.model` (the value) ←
:mod:`~maillage.report.sections` (its optional parts, one module each: census, comparison
with a previous report, years, series, commutes) ← :mod:`~maillage.report.build` (computes
it) ← :mod:`~maillage.report.page` and :mod:`~maillage.report.files` (render it in memory) ←
:mod:`~maillage.report.folder` and :mod:`~maillage.report.save` (write it).

Examples
--------
>>> from maillage.report import REPORT_FILES
>>> REPORT_FILES[-1]
'report.html'
"""

from maillage.report.build import build_report, make_summary
from maillage.report.change_text import change_sentence, change_table
from maillage.report.model import REPORT_FILES, Report
from maillage.report.numbers import fr_number, fr_percent
from maillage.report.save import save_report, write_report
from maillage.report.sections.comparison import read_previous
from maillage.schema import SUMMARY_KEYS

__all__ = [
    "REPORT_FILES",
    "SUMMARY_KEYS",
    "Report",
    "build_report",
    "change_sentence",
    "change_table",
    "fr_number",
    "fr_percent",
    "make_summary",
    "read_previous",
    "save_report",
    "write_report",
]
