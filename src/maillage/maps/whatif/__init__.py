"""The what-if map: open, close or move venues and see coverage change at once."""

from __future__ import annotations

from maillage.maps.whatif.state import WhatIfState

__all__ = ["WhatIfState"]
