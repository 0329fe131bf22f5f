"""Floor 2: raw tables -> canonical frames in Lambert-93 (EPSG:2154).

:mod:`~maillage.prepare.codes` is the one home of INSEE commune codes;
:mod:`~maillage.prepare.communes` holds :func:`load_communes`,
:mod:`~maillage.prepare.venues` :func:`load_venues` (row checks in
:mod:`~maillage.prepare.venue_checks` and :mod:`~maillage.prepare.venue_rows`),
:mod:`~maillage.prepare.support` :func:`mark_supported`, and :mod:`~maillage.prepare.grid`
:func:`load_population_grid`. The public functions are re-exported by :mod:`maillage`.
"""
