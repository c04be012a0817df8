"""Counts as analysts see them: never a person, and no cell small enough to single one out.

Every table goes through ``suppress``. A count from 1 to the threshold less one is hidden; when
a table's cells add up to a total that is shown (a *partition*: every member in exactly one
row), more cells are hidden until the hidden ones, worked out together from the total, still
say no more than "fewer than the threshold" about any one of them. Hidden cells all look the
same, whichever rule hid them, so that none can be told apart. A population smaller than the
threshold is not shown at all (``Table.empty``).

Filtered views add rules against differencing (``liaison.insights.selection`` explains them):
a cell is also hidden when the same cell one filter wider holds 1 to the threshold less one
more people (``narrower_than``), or when the unfiltered view hides it; and a table whose hidden
cells cannot be protected by others (``exposed``) shows no row at all (``Table.withheld``).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

K = TypeVar("K", bound=Hashable)


def threshold() -> int:
    return max(1, int(settings.LIAISON_DEFAULT_SUPPRESSION_THRESHOLD))


def suppress(
    counts: Mapping[K, int],
    limit: int,
    *,
    partition: bool = True,
    also: Collection[K] = (),
) -> dict[K, int | None]:
    """``counts`` with every cell from 1 to ``limit - 1`` hidden (None), and the non-zero
    cells of ``also`` (hidden for another reason: see ``narrower_than``).

    For a partition (the cells add up to a total that is shown), the total minus the shown
    cells gives the sum of the hidden ones, each known to be at least 1 (zeros are shown). So
    the smallest other non-zero cells are hidden as well until at least two are hidden and
    their sum leaves room for any one of them to be ``limit - 1`` or more: then no hidden cell
    can be worked out, nor narrowed below what "fewer than ``limit``" already says. When there
    are not enough non-zero cells for that, the hidden ones stay exposed (``exposed``): the
    caller must then show none of the table.

    For a table whose cells overlap (a member counted under several skills), no sum is shown
    and only the small cells are hidden.
    """
    hidden = {k for k, v in counts.items() if 0 < v < limit or (v > 0 and k in also)}
    if partition:
        while hidden and not _protected(counts, hidden, limit):
            others = [(v, str(k), k) for k, v in counts.items() if k not in hidden and v > 0]
            if not others:
                break
            hidden.add(min(others, key=lambda t: (t[0], t[1]))[2])
    return {k: (None if k in hidden else v) for k, v in counts.items()}


def _protected(counts: Mapping[K, int], hidden: Collection[K], limit: int) -> bool:
    return len(hidden) > 1 and sum(counts[k] for k in hidden) - (len(hidden) - 1) >= limit - 1


def exposed(counts: Mapping[K, int], shown: Mapping[K, int | None], limit: int) -> bool:
    """The hidden cells of a partition ``suppress`` could not protect: the total and the
    shown cells would give them away (one hidden cell, or too few people in them)."""
    hidden = [k for k, v in shown.items() if v is None]
    return bool(hidden) and not _protected(counts, hidden, limit)


def narrower_than(counts: Mapping[K, int], wider: Iterable[Mapping[K, int]], limit: int) -> set[K]:
    """Cells that 1 to ``limit - 1`` people separate from the same cell of a wider count
    (the same table with one filter fewer): showing both would tell that few people apart."""
    out: set[K] = set()
    for other in wider:
        out |= {k for k, v in counts.items() if 0 < other.get(k, 0) - v < limit}
    return out


@dataclass
class Row:
    key: str
    label: str
    count: int | None  # None: hidden
    share: float | None = None  # per cent of the table's total, when both are shown
    extra: list[Any] = field(default_factory=list)  # values of Table.columns

    @property
    def hidden(self) -> bool:
        return self.count is None


@dataclass
class Table:
    """One panel: labelled counts of a population, already suppressed."""

    key: str
    title: str
    rows: list[Row]
    total: int | None  # the population counted; None when it is itself too small to show
    partition: bool = True  # every member of the population in exactly one row
    unit: str = ""  # what is counted, e.g. "members", "respondents"
    note: str = ""
    columns: list[str] = field(default_factory=list)  # headers of Row.extra
    summary: list[tuple[str, str]] = field(default_factory=list)  # e.g. ("median", "12")
    withheld: bool = False  # no row shown: its hidden cells could not be protected

    @property
    def empty(self) -> bool:
        """Nothing countable to show: nobody, fewer people than the threshold, or withheld."""
        return not self.total or not self.rows

    @property
    def largest(self) -> int:
        return max((r.count for r in self.rows if r.count is not None), default=0)

    @property
    def any_hidden(self) -> bool:
        return any(r.hidden for r in self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "unit": self.unit,
            "total": self.total,
            "partition": self.partition,
            "note": self.note,
            "columns": self.columns,
            "summary": [{"label": a, "value": b} for a, b in self.summary],
            "withheld": self.withheld,
            "rows": [
                {
                    "key": r.key,
                    "label": r.label,
                    "count": r.count,
                    "hidden": r.hidden,
                    "share": r.share,
                    "extra": r.extra,
                }
                for r in self.rows
            ],
        }


def table(
    key: str,
    title: str,
    counts: Mapping[str, int],
    labels: Mapping[str, str],
    *,
    total: int,
    partition: bool = True,
    limit: int | None = None,
    unit: str = "",
    note: str = "",
    keep_zero: bool = True,
    also: Collection[str] = (),
) -> Table:
    """A suppressed table of ``counts`` (in the order of ``labels``, then any other key) over
    a population of ``total``. A population of 1 to ``limit - 1`` shows nothing at all, nor
    does a partition whose hidden cells (small ones, and those of ``also``) cannot be
    protected (``withheld``)."""
    limit = threshold() if limit is None else limit
    if 0 < total < limit:
        return Table(key, title, [], None, partition, unit, note)
    keys = [k for k in labels if k in counts or keep_zero]
    keys += [k for k in counts if k not in labels]
    full = {k: int(counts.get(k, 0)) for k in keys}
    shown = suppress(full, limit, partition=partition, also=also)
    if partition and exposed(full, shown, limit):
        return withheld(Table(key, title, [], total, partition, unit, note))
    rows = [Row(k, str(labels.get(k, k)), shown[k], share(shown[k], total)) for k in keys]
    return Table(key, title, rows, total, partition, unit, note)


def withheld(t: Table) -> Table:
    """``t`` with no row: any figure in it could be worked out from the others and the total."""
    t.rows = []
    t.withheld = True
    t.summary = []
    t.note = _(
        "Not shown: any figure here would let someone work out another about fewer than "
        "%(n)s people."
    ) % {"n": threshold()}
    return t


def share(count: int | None, total: int | None) -> float | None:
    """``count`` in per cent of ``total``, when both are shown."""
    if count is None or not total:
        return None
    return round(100 * count / total, 1)
