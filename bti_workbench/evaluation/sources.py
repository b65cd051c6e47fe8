"""What an evaluation reads: one municipality's tables from the store (or from files).

:func:`load_evaluation` gathers the event log, report forms, staff survey and progress plan of
a municipality, its population, and the go-live dates of every municipality in the store (for
the staggered-adoption comparison). Files given directly are first imported into a temporary
store, so both ways pass the same contracts, privacy guard and checks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bti_workbench._util.periods import parse_period
from bti_workbench.evaluation.timeseries import monthly_counts
from bti_workbench.ingest.store import go_live_dates, import_files, read_table, store_status
from bti_workbench.privacy import DEFAULT_K, suppress_small
from bti_workbench.reference.municipality import Municipality, load_municipality

__all__ = [
    "EvaluationData",
    "load_evaluation",
    "monthly_panel",
    "parse_go_live",
    "publishable_panel",
    "whole_months",
]


@dataclass(frozen=True)
class EvaluationData:
    """One municipality's evaluation data.

    Attributes
    ----------
    municipality : Municipality
        Name and population (SSB 07459, from ``data/municipalities.csv``).
    period : (pandas.Timestamp, pandas.Timestamp)
        The period the indicators cover (both days included).
    event_log, report_form_1, report_form_2, staff_survey, progress_plan : pandas.DataFrame
        This municipality's rows, all dates (the analyses pick their own windows).
    go_live : pandas.Series
        Municipality → go-live date, for every municipality known (store, then parameters).
    event_logs : dict
        Municipality → event log, for every municipality in the store with a log.
    imports : pandas.DataFrame
        The import log of the store (which files, when, their sha256).
    synthetic : bool
        True when any file read says it is synthetic.
    """

    municipality: Municipality
    period: tuple[pd.Timestamp, pd.Timestamp]
    event_log: pd.DataFrame
    report_form_1: pd.DataFrame
    report_form_2: pd.DataFrame
    staff_survey: pd.DataFrame
    progress_plan: pd.DataFrame
    go_live: pd.Series
    event_logs: dict[str, pd.DataFrame]
    imports: pd.DataFrame
    synthetic: bool


_QUIET_DAYS = pd.Timedelta(days=31)


def parse_go_live(text: str, municipality: str) -> dict[str, pd.Timestamp]:
    """Go-live dates from a parameter: a date for ``municipality`` or ``4228=…,1106=…``.

    Examples
    --------
    >>> parse_go_live("4228=2018-09-01, 1106=2019-03-01", "4228")["1106"]
    Timestamp('2019-03-01 00:00:00')
    >>> parse_go_live("2018-09-01", "4228")
    {'4228': Timestamp('2018-09-01 00:00:00')}
    """
    text = (text or "").strip()
    if not text:
        return {}
    if "=" not in text:
        return {municipality: pd.Timestamp(text)}
    out = {}
    for part in text.split(","):
        place, sep, date = part.partition("=")
        if not sep:
            raise ValueError(f"go-live {part.strip()!r}: write KOMMUNENUMMER=yyyy-mm-dd")
        out[place.strip().zfill(4)] = pd.Timestamp(date.strip())
    return out


def load_evaluation(
    municipality: str,
    period: str | tuple[object, object],
    *,
    store: str | Path | None = None,
    files: Sequence[str | Path] = (),
    go_live: str = "",
) -> EvaluationData:
    """Read one municipality's evaluation data from a store, or from files.

    Parameters
    ----------
    municipality : str
        Kommunenummer.
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included (read by
        :func:`bti_workbench._util.periods.parse_period`; ``Timestamp.min`` and
        ``Timestamp.max`` are open ends).
    store : str or pathlib.Path, optional
        A store written by ``bti import``.
    files : sequence of paths, optional
        Used instead of a store: files or demo folders, imported into a temporary store
        (files without a municipality column are taken to be ``municipality``'s).
    go_live : str, default ""
        Overrides the go-live dates recorded in the store (see :func:`parse_go_live`).

    Returns
    -------
    EvaluationData
    """
    start, end = parse_period(period)
    place = load_municipality(municipality)
    if files:
        with tempfile.TemporaryDirectory(prefix="bti-eval-") as folder:
            temporary = Path(folder) / "evaluation.duckdb"
            for file in map(Path, files):
                # A demo folder names its own municipality; plain files are this one's.
                own = None if file.is_dir() else place.kommunenummer
                import_files(temporary, [file], municipality=own)
            return _from_store(temporary, place, (start, end), go_live)
    if store is None:
        raise ValueError("give a store or files")
    return _from_store(Path(store), place, (start, end), go_live)


def _from_store(
    store: Path, place: Municipality, period: tuple[pd.Timestamp, pd.Timestamp], go_live: str
) -> EvaluationData:
    code = place.kommunenummer
    status = store_status(store)
    dates = go_live_dates(store).to_dict()
    dates.update(parse_go_live(go_live, code))
    logs = read_table(store, "event-log")
    event_logs = {
        m: frame.drop(columns="municipality").reset_index(drop=True)
        for m, frame in logs.groupby("municipality", sort=True)
    }
    if code not in event_logs:
        raise ValueError(f"the store has no event log for municipality {code}")
    last = event_logs[code]["event_time"].max().normalize()
    if period[1].normalize() > last + _QUIET_DAYS and period[1] != pd.Timestamp.max:
        # Past the export's end open logs would look dropped and waits too long. A quiet month
        # is allowed: a small municipality's last event need not fall on the export's last day.
        raise ValueError(
            f"the period ends {period[1]:%Y-%m-%d}, more than a month after the last event of "
            f"the export ({last:%Y-%m-%d}); choose an end within the export"
        )

    def mine(kind: str) -> pd.DataFrame:
        return read_table(store, kind, municipality=code).reset_index(drop=True)

    imports = status.imports
    return EvaluationData(
        municipality=place,
        period=period,
        event_log=event_logs[code],
        report_form_1=mine("report-form-1"),
        report_form_2=mine("report-form-2"),
        staff_survey=mine("staff-survey"),
        progress_plan=mine("progress-plan"),
        go_live=pd.Series(dates, name="go_live", dtype="datetime64[ns]").sort_index(),
        event_logs=event_logs,
        imports=imports,
        synthetic=bool(imports["synthetic"].any()) if len(imports) else False,
    )


def whole_months(event_log: pd.DataFrame, event: str = "log_opened") -> pd.Series:
    """Monthly counts of ``event`` over the whole months of the export.

    The first month is partial unless the first event falls on the 1st (the export, or the
    tool, began within it, and new logs lag their concerns): it is left out.
    """
    counts = monthly_counts(event_log, event)
    if len(event_log) and pd.Timestamp(event_log["event_time"].min()).day > 1:
        counts = counts.iloc[1:]
    return counts


def monthly_panel(
    event_logs: dict[str, pd.DataFrame],
    event: str = "log_opened",
    *,
    per_children: bool = True,
) -> pd.DataFrame:
    """Monthly counts per municipality as a long panel for the staggered-adoption estimator.

    Parameters
    ----------
    event_logs : dict
        Municipality → event log.
    event : str, default "log_opened"
    per_children : bool, default True
        Divide by the municipality's children 0–23 and multiply by 1 000, so municipalities of
        different sizes compare.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit`` (kommunenummer), ``period`` (month), ``count`` and ``outcome``; every
        municipality over the whole months common to all logs.
    """
    counts = {m: whole_months(log, event) for m, log in event_logs.items()}
    first = max(series.index.min() for series in counts.values())
    last = min(series.index.max() for series in counts.values())
    rows = []
    for place, series in counts.items():
        children = load_municipality(place).children if per_children else 1000
        window = series.loc[first:last]
        rows.append(
            pd.DataFrame(
                {
                    "unit": place,
                    "period": window.index,
                    "count": window.to_numpy(),
                    "outcome": window.to_numpy() * 1000 / children,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def publishable_panel(panel: pd.DataFrame, k: int = DEFAULT_K) -> tuple[pd.DataFrame, list[str]]:
    """Keep the municipalities whose every monthly count passes ``suppress_small``.

    The staggered-adoption estimates are differences of these monthly rates; a municipality
    with a month below ``k`` could have it worked back from them and its published neighbours,
    so it is left out of the comparison (and named, as municipalities are not persons).

    Returns
    -------
    (panel, withheld)
        The panel without the withheld municipalities, and their numbers.
    """
    withheld = []
    for unit, rows in panel.groupby("unit", sort=True):
        counts = rows.set_index(rows["period"].astype(str))["count"].rename("count")
        if bool(suppress_small(counts.astype("int64"), k).hidden.to_numpy().any()):
            withheld.append(str(unit))
    return panel[~panel["unit"].isin(withheld)].reset_index(drop=True), withheld
