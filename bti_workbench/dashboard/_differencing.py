"""What a service's Status page must hide because the page of all services is published too.

A reader who sees both can subtract: all services − this service = the other services' cases.
Where that difference is 1 to k − 1 it is a small cell, so the service's count is hidden
(``hide`` of :func:`bti_workbench.privacy.suppress_small` and
:func:`bti_workbench.evaluation.proportions.proportion_table`), and the audit is told what the
page of all services shows (``at_most``), so no hidden count can be pinned from the two.
Used by :func:`bti_workbench.dashboard.status_view`; nothing here is shown by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bti_workbench.privacy import SuppressedTable, suppress_small

__all__: list[str] = []


@dataclass(frozen=True, eq=False)
class Counts:
    """The raw counts behind a status page (for computation only; never shown)."""

    open_cases: pd.DataFrame
    new_logs: pd.Series
    dropped: tuple[int, int]
    parents: tuple[int, int]
    waits: pd.DataFrame
    young: tuple[int, int] = (0, 0)
    unread: tuple[int, int] | None = None  # None: the export records no readings


@dataclass(frozen=True)
class Forced:
    """What a service's page must hide because the page of all services is published too.

    The masks (``hide`` of ``suppress_small`` and ``proportion_table``) are True where the
    other services' cases (all − this service) number 1 to k − 1; :func:`forced_cells` says how
    each is built. The bounds (``at_most`` of ``suppress_small``) are what the page of all
    services tells a reader about each count of the service's.
    """

    open_cases: pd.DataFrame | None = None
    new_logs: pd.Series | None = None
    open_bounds: pd.DataFrame | None = None
    new_logs_bounds: pd.DataFrame | None = None
    dropped: pd.DataFrame | None = None
    parents: pd.DataFrame | None = None
    young: pd.DataFrame | None = None
    unread: pd.DataFrame | None = None
    decision: bool = False


def _few(others: object, k: int) -> object:
    """True where a count of the other services' cases is 1 to k − 1 (a small cell)."""
    return (others >= 1) & (others < k)


def _others_with_totals(
    everyone: pd.DataFrame | pd.Series, narrowed: pd.DataFrame | pd.Series
) -> pd.DataFrame | pd.Series:
    """The other services' cases per cell, with the totals ``suppress_small`` publishes."""
    if not all(a.equals(b) for a, b in zip(everyone.axes, narrowed.axes, strict=True)):
        raise ValueError("the narrowed counts must have the labels of the unfiltered ones")
    others = everyone - narrowed
    if (others.to_numpy() < 0).any():  # a service's cases are some of everyone's
        raise ValueError("a narrowed count exceeds the count of all cases")
    if isinstance(others, pd.Series):
        return pd.concat([others, pd.Series({"total": others.sum()}, name=others.name)])
    others = others.copy()
    others["total"] = others.sum(axis=1)
    others.loc["total"] = others.sum(axis=0)
    return others


def _share_mask(
    key: str, everyone: tuple[int, int], narrowed: tuple[int, int], k: int
) -> pd.DataFrame | None:
    """Which counts of a share to hide (``hide`` of ``proportion_table``), or None.

    Both the numerator and the denominator when the other services' numerator, denominator
    or "no" (denominator − numerator, which both pages give) is 1 to k − 1: the card then
    shows no count of the service's to subtract, and no share. Hiding one alone would leave
    the other, with the bounds the page of all services gives, for a reader to work from.
    """
    numerator = everyone[0] - narrowed[0]
    denominator = everyone[1] - narrowed[1]
    if not any(_few(n, k) for n in (numerator, denominator, denominator - numerator)):
        return None
    return pd.DataFrame({"numerator": [True], "denominator": [True]}, index=[key])


def _known_bounds(everyone: SuppressedTable) -> pd.DataFrame:
    """What the page of all cases says about each count of a service's: it is at most the
    count shown there, at most ``k − 1`` where that shows ``<k``, unbounded (NaN) at ``×``."""
    bounds = everyone.values.astype("Float64")
    if everyone.kinds_shown:
        bounds = bounds.mask(everyone.primary, float(everyone.k - 1))
    return bounds


def forced_cells(everyone: Counts, narrowed: Counts, k: int) -> Forced:
    """The cells of a service's page to hide, against the page of all cases (see
    :class:`Forced`).

    Open cases and new logs: every cell, total or not, where all − this service is 1 to
    k − 1, audited with what the page of all cases shows (its tables are the ones that page
    suppressed, so the audit's cache answers them when it was computed). Shares: see
    :func:`_share_mask`. The median: when the concerns of the other services in the period
    number 1 to k − 1.
    """
    open_cases = _few(_others_with_totals(everyone.open_cases, narrowed.open_cases), k)
    new_logs = _few(_others_with_totals(everyone.new_logs, narrowed.new_logs), k)
    return Forced(
        open_cases=open_cases if open_cases.to_numpy().any() else None,
        new_logs=new_logs if new_logs.any() else None,
        open_bounds=_known_bounds(suppress_small(everyone.open_cases, k=k)),
        new_logs_bounds=_known_bounds(suppress_small(everyone.new_logs, k=k)),
        dropped=_share_mask("dropped_batons", everyone.dropped, narrowed.dropped, k),
        parents=_share_mask("parents_participating", everyone.parents, narrowed.parents, k),
        young=_share_mask("young_person_participating", everyone.young, narrowed.young, k),
        unread=(
            _share_mask("unread_logs", everyone.unread, narrowed.unread, k)
            if everyone.unread is not None and narrowed.unread is not None
            else None
        ),
        decision=bool(_few(len(everyone.waits) - len(narrowed.waits), k)),
    )
