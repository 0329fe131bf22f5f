"""The what-if map: open, close or move venues and see coverage change at once.

:func:`explore` returns the Jupyter widget (:mod:`maillage.maps.whatif.widget`, the reasons
for its stack in that module's docstring); :class:`WhatIfState` is the incremental state
behind it, usable without Jupyter.
"""

from __future__ import annotations

from maillage.maps.whatif.state import WhatIfState
from maillage.maps.whatif.widget import explore

__all__ = ["WhatIfState", "explore"]
