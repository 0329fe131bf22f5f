"""Floor 4: pure metrics on canonical frames; they see travel times only through the protocol.

One module a metric: :mod:`~maillage.analysis.origins`, :mod:`~maillage.analysis.coverage`,
:mod:`~maillage.analysis.indicators`, :mod:`~maillage.analysis.zones` (white zones),
:mod:`~maillage.analysis.catchments` (catchments and isochrones),
:mod:`~maillage.analysis.attribution`, :mod:`~maillage.analysis.siting`,
:mod:`~maillage.analysis.active`, :mod:`~maillage.analysis.years`,
:mod:`~maillage.analysis.vintages` and :mod:`~maillage.analysis.change` (why coverage changed
between two dates, with :mod:`~maillage.analysis.geography` for the communes of two dates);
shared checks in :mod:`~maillage.analysis._checks`. The functions are re-exported by :mod:`maillage` (this
package re-exports nothing, so ``maillage.analysis.coverage`` is always the module).
"""
