"""How many Hypothesis examples a property test runs: all of them in `make test`, a fifth in `make check`.

`make check` sets KRAFT_FAST=1 (the development loop, issue 14 point 8); `make test` and CI run the full numbers.
"""

from __future__ import annotations

import os

FAST = os.environ.get("KRAFT_FAST") == "1"


def examples(full: int) -> int:
    """`full` examples, or a fifth of them (at least 10) under KRAFT_FAST=1."""
    return max(10, full // 5) if FAST else full
