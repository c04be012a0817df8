"""Which filtered views may be shown: the rule against differencing.

Suppression (``aggregates.suppress``) protects each table on its own. Filters open other
tables, and a figure hidden in one view must not come back as the difference between two
others: with Germany's 9 women and 3 men both hidden, "Germany" (12) minus "Germany, women"
(9) would give the 3 men; with France shown (9) and Germany and Italy hidden, the total (17)
minus "Germany" (6) would give Italy (2); "registered from February" against the total gives
January, month by month.

**The rule** (query-set-size control, extended to the table a filter cuts). A view under the
filters F is shown only when, for each filter f of F:

1. the view under F without f may be shown (and so on, down to the unfiltered view), and
2. the rows f keeps are shown in that wider view's table of f's dimension (``Cut``): all of
   them, or all the rows it leaves out. Then the filtered total is already a sum of figures
   the wider view shows, and opening the view tells nothing that table hid.

"Shown in that table" means as the page shows it, cells hidden by the rules below included.
A shown cell is 0 or at least k (the threshold), and hidden cells together hold at least k
(``aggregates.suppress``), so this implies the usual form of the rule: the filtered
population n is 0 or at least k, and so is p_f - n, p_f being the population without f. It
is stronger: a row hidden only to protect another (Germany above) is refused as well, and a
refused view is refused whatever its size, so that "too few" and "refused" cannot be told
apart (which would tell a small row from its protector).

Within a view shown, each table's cells follow the same idea one step (``dashboard``): a cell
is hidden when the same cell one filter wider holds 1 to k - 1 more people
(``aggregates.narrower_than``), or when the unfiltered view hides it; then the usual
complementary suppression; a partition whose hidden cells cannot be protected (one non-zero
cell, hidden) shows no row (``aggregates.withheld``). The unfiltered view has no filter: none
of this adds a query or changes a figure there.

The check reads the in-scope members once, grouped by the filtered dimensions only (a few
hundred groups), and works out every view between the unfiltered one and the one asked for
from that.

**Limits** (what this does not prove). Whole-cube protection of every combination of
dimensions (linked tables) is not attempted: a complementary cell hidden in one filtered
view may be shown by another filtered view, and cells are checked against views one filter
wider (and the unfiltered one), not against every wider view. Differences over time (the
same view read before and after new registrations) are not prevented. Closing these fully
needs protecting the whole cube at once or perturbing counts (cell-key noise).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from liaison.insights.aggregates import exposed, narrower_than, suppress
from liaison.insights.filters import Cut

# The in-scope members grouped by the cuts' dimensions: (keys in the order of the cuts, count).
Cube = Sequence[tuple[tuple[str, ...], int]]


def allowed(cube: Cube, cuts: Sequence[Cut], limit: int) -> bool:
    """Whether the view under all ``cuts`` may be shown (the module's rule)."""
    return _Lattice(cube, cuts, limit).allowed(frozenset(range(len(cuts))))


class _Lattice:
    """Every view between the unfiltered one and the one asked for, as sets of cut numbers,
    worked out from the cube (memoised: at most 2^6 views of 6 tables)."""

    def __init__(self, cube: Cube, cuts: Sequence[Cut], limit: int) -> None:
        self.cuts = list(cuts)
        self.limit = limit
        self._rows: dict[frozenset[int], list[tuple[tuple[str, ...], int]]] = {
            frozenset(): [(keys, n) for keys, n in cube if n]
        }
        self._tables: dict[tuple[frozenset[int], int], dict[str, int]] = {}
        self._shown: dict[tuple[frozenset[int], int], dict[str, int | None] | None] = {}
        self._allowed: dict[frozenset[int], bool] = {frozenset(): True}

    def rows(self, view: frozenset[int]) -> list[tuple[tuple[str, ...], int]]:
        if view not in self._rows:
            last = max(view)
            cut = self.cuts[last]
            self._rows[view] = [r for r in self.rows(view - {last}) if cut.keeps(r[0][last])]
        return self._rows[view]

    def table(self, view: frozenset[int], column: int) -> dict[str, int]:
        """The view's counts by the dimension of cut ``column``."""
        if (view, column) not in self._tables:
            counts: Counter[str] = Counter()
            for keys, n in self.rows(view):
                counts[keys[column]] += n
            self._tables[(view, column)] = dict(counts)
        return self._tables[(view, column)]

    def shown(self, view: frozenset[int], column: int) -> dict[str, int | None] | None:
        """That table as the page shows it; None when it shows no row at all."""
        if (view, column) not in self._shown:
            counts = self.table(view, column)
            total = sum(counts.values())
            result: dict[str, int | None] | None
            if 0 < total < self.limit:
                result = None
            else:
                also: set[str] = set()
                if view:
                    wider = [self.table(view - {i}, column) for i in view]
                    also = narrower_than(counts, wider, self.limit)
                    root = self.shown(frozenset(), column)
                    also |= set(counts) if root is None else {k for k in root if root[k] is None}
                result = suppress(counts, self.limit, also=also)
                if exposed(counts, result, self.limit):
                    result = None
            self._shown[(view, column)] = result
        return self._shown[(view, column)]

    def allowed(self, view: frozenset[int]) -> bool:
        if view not in self._allowed:
            self._allowed[view] = all(
                self.allowed(view - {i}) and self._derivable(view - {i}, i) for i in view
            )
        return self._allowed[view]

    def _derivable(self, wider: frozenset[int], column: int) -> bool:
        """The rows cut ``column`` keeps are all shown in the wider view's table, or all the
        rows it leaves out are (zeros are shown)."""
        shown = self.shown(wider, column)
        if shown is None:
            return False
        cut = self.cuts[column]
        kept = [v for k, v in shown.items() if cut.keeps(k)]
        left = [v for k, v in shown.items() if not cut.keeps(k)]
        return None not in kept or None not in left
