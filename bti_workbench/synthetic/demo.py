"""Synthetic demo data: every contract for one municipality, consistent with each other.

An individual-level case process (:mod:`bti_workbench.synthetic.cases`) drives everything:
concerns arrive from the municipality's children, are decided at level 0, open a baton log at
level 1, bring in a second service at level 2 and more at level 3, move up and down, hand the
baton over, sometimes drop it, renew consent, and close. Here, report forms are aggregated
from that log; staff and collaboration surveys and the progress plan are drawn to match; and
every contract's file and the demo store are written. Same seed, same bytes. Every file says
that it is synthetic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from bti_workbench._util.resources import data_dir
from bti_workbench.ingest.contracts import column_specs, item_catalogue
from bti_workbench.reference.municipality import Municipality, load_municipality
from bti_workbench.synthetic.cases import (
    CaseProcess,
    DemoAssumptions,
    Ids,
    Staff,
    build_staff,
    run_cases,
)

__all__ = [
    "DEMO_FILES",
    "DEMO_STORE",
    "SYNTHETIC_NOTE",
    "generate_demo",
    "write_demo",
    "write_demo_store",
]

#: The note at the top of every demo file and in its ``manifest.json``.
SYNTHETIC_NOTE = "SYNTETISKE DATA / SYNTHETIC DATA – no real people"

#: File name → contract kind (None: a plain table for the dashboard).
DEMO_FILES: dict[str, str | None] = {
    "event_log.csv": "event-log",
    "report_form_1.csv": "report-form-1",
    "report_form_2.csv": "report-form-2",
    "staff_survey.csv": "staff-survey",
    "collaboration_survey.csv": "collaboration-survey",
    "organisation.csv": "organisation",
    "progress_plan.csv": "progress-plan",
    "population.csv": None,
    "services.csv": None,
}


_BARRIERS = (
    "Lite tid til å oppdatere loggen",
    "Usikkerhet om samtykke",
    "Vanskelig å få tak i PPT",
    "Foreldrene ønsket ikke logg",
    "Uklart hvem som har stafettpinnen",
    "Teknisk trøbbel med innlogging",
)
_SURVEY_SERVICES = (
    "kindergarten",
    "school",
    "health_station",
    "school_health",
    "ppt",
    "child_welfare",
    "mental_health",
    "nav",
)


def _monthly(frame: pd.DataFrame, key: str, time: str) -> dict[tuple, pd.DataFrame]:
    """Split rows by (key, calendar month of ``time``) once, for cheap look-ups."""
    if frame.empty:
        return {}
    months = frame[time].dt.to_period("M")
    return {k: g for k, g in frame.groupby([frame[key], months], sort=False)}


def _report_form_2(
    log: pd.DataFrame, process: CaseProcess, kommunenummer: str, rng, a: DemoAssumptions
) -> pd.DataFrame:
    holding = pd.DataFrame(
        process.holding, columns=["case_id", "actor_id", "service", "unit", "start", "stop"]
    )
    levels = pd.DataFrame(process.levels, columns=["case_id", "level", "start", "stop"])
    opened = log[log["event"] == "log_opened"].groupby("case_id")["event_time"].min()
    meetings = _monthly(
        pd.DataFrame(process.meetings, columns=["case_id", "time", "actor_id", "parent"]),
        "actor_id",
        "time",
    )
    given = log.loc[log["event"] == "consent_given", ["case_id", "event_time"]]
    given = given.merge(holding[["case_id", "actor_id", "start", "stop"]], on="case_id")
    given = given[(given["start"] <= given["event_time"]) & (given["event_time"] <= given["stop"])]
    given = given.drop_duplicates(["case_id", "event_time"], keep="last")  # the new holder
    consents = _monthly(given, "actor_id", "event_time")
    opened_by = _monthly(log[log["event"] == "log_opened"], "actor_id", "event_time")
    entries_by = _monthly(log[log["event"] == "entry_added"], "actor_id", "event_time")
    empty = pd.DataFrame({"case_id": [], "parent": []})
    rows = []
    months = pd.period_range(pd.Timestamp(a.start), pd.Timestamp(a.end), freq="M")
    for month in months:
        p0, p1 = month.start_time, month.end_time.normalize()
        p1_end = p1 + pd.Timedelta(days=1)
        active = holding[(holding["start"] < p1_end) & (holding["stop"] >= p0)]
        active = active[active["case_id"].isin(opened.index)]
        active = active[active["case_id"].map(opened) < p1_end]
        at_month_end = levels[(levels["start"] < p1_end) & (levels["stop"] >= p1_end)]
        level_of = dict(zip(at_month_end["case_id"], at_month_end["level"], strict=True))
        for (actor, service, unit), held in active.groupby(["actor_id", "service", "unit"]):
            at_end = set(held.loc[held["stop"] >= p1_end, "case_id"]) & set(level_of)
            by_level = pd.Series([level_of[c] for c in at_end], dtype="int64").value_counts()
            m = meetings.get((actor, month), empty)
            parents = set(m.loc[m["parent"].astype(bool), "case_id"]) & at_end
            n_opened = len(opened_by.get((actor, month), ()))
            n_consents = len(consents.get((actor, month), ()))
            entries = len(entries_by.get((actor, month), ()))
            hours = round((1.5 * len(m) + 0.25 * entries + 0.5 * n_opened) * 2) / 2
            useful = int(rng.choice([1, 2, 3, 4, 5], p=[0.05, 0.1, 0.25, 0.35, 0.25]))
            rows.append(
                {
                    "municipality": kommunenummer,
                    "unit": unit,
                    "service": service,
                    "baton_holder_id": actor,
                    "period_start": p0,
                    "period_end": p1,
                    "logs_opened": n_opened,
                    "active_level_1": int(by_level.get(1, 0)),
                    "active_level_2": int(by_level.get(2, 0)),
                    "active_level_3": int(by_level.get(3, 0)),
                    "parents_participating": len(parents),
                    "consents_given": n_consents,
                    "meetings_held": len(m),
                    "hours_used": hours,
                    "usefulness": pd.NA if rng.random() < 0.1 else useful,
                    "barriers": _BARRIERS[int(rng.integers(len(_BARRIERS)))]
                    if rng.random() < 0.25
                    else "",
                }
            )
    return pd.DataFrame(rows, columns=list(column_specs("report-form-2")))


def _report_form_1(municipality: Municipality, staff: Staff, ids: Ids, rng) -> pd.DataFrame:
    rows = []
    for service in ("kindergarten", "health_station", "school", "school_health"):
        if service not in staff.units:
            continue
        units = staff.units[service]
        per_unit = max(1, round(municipality.services.loc[service, "staff_fte"] / len(units)))
        for unit in units:
            trained = int(rng.binomial(per_unit, 0.8))
            rows.append(
                {
                    "municipality": municipality.kommunenummer,
                    "unit": unit,
                    "service": service,
                    "superuser_id": ids.new("S"),
                    "report_date": pd.Timestamp(2018, 3, 1),
                    "staff_in_unit": per_unit,
                    "staff_trained": trained,
                    "meetings_held": int(rng.integers(1, 4)),
                    "case_discussed": bool(rng.random() < 0.9),
                    "action_guide_reviewed": bool(rng.random() < 0.85),
                    "fictional_log_created": bool(rng.random() < 0.6),
                    "barriers": _BARRIERS[int(rng.integers(len(_BARRIERS)))]
                    if rng.random() < 0.4
                    else "",
                }
            )
    return pd.DataFrame(rows, columns=list(column_specs("report-form-1")))


def _staff_survey(municipality: Municipality, ids: Ids, rng, a: DemoAssumptions) -> pd.DataFrame:
    items = list(item_catalogue().index)
    base = dict(zip(items, rng.normal(0.0, 0.4, len(items)), strict=True))
    rows = []
    for wave, day, shift in (
        ("baseline", dt.date(2017, 11, 15), 0.0),
        ("follow_up", dt.date(2019, 5, 15), a.survey_improvement),
    ):
        for service in _SURVEY_SERVICES:
            if service not in municipality.services.index:
                continue
            n = max(2, round(municipality.services.loc[service, "staff_fte"] * 0.5))
            for _ in range(n):
                person = rng.normal(0, 0.6)
                row = {
                    "respondent_id": ids.new("R"),
                    "municipality": municipality.kommunenummer,
                    "wave": wave,
                    "date": pd.Timestamp(day) + pd.Timedelta(days=int(rng.integers(0, 14))),
                    "service": service,
                    "role": "leader" if rng.random() < 0.1 else "staff",
                }
                for item in items:
                    latent = 3.1 + base[item] + shift + person + rng.normal(0, 0.7)
                    row[item] = (
                        pd.NA if rng.random() < 0.04 else int(np.clip(np.rint(latent), 1, 5))
                    )
                rows.append(row)
    return pd.DataFrame(rows, columns=[*column_specs("staff-survey"), *items])


def _collaboration_survey(log: pd.DataFrame, municipality: Municipality, rng) -> pd.DataFrame:
    shared = log[log["role"].isin(["baton_holder", "participant"])]
    pairs = shared.groupby("case_id")["service"].agg(lambda s: sorted(set(s)))
    counts: dict[tuple[str, str], int] = {}
    for services in pairs:
        for i, x in enumerate(services):
            for y in services[i + 1 :]:
                counts[(x, y)] = counts.get((x, y), 0) + 1
    responding = [s for s in _SURVEY_SERVICES if s in municipality.services.index]
    rows = []
    frequencies = ["never", "yearly", "quarterly", "monthly", "weekly"]
    for x in responding:
        for y in responding:
            if x == y:
                continue
            n = counts.get(tuple(sorted((x, y))), 0)
            step = int(np.clip(np.floor(np.log1p(n) * 1.2 + rng.normal(0.8, 0.7)), 0, 4))
            trust = int(np.clip(np.rint(rng.normal(2.6 + 0.15 * step, 0.6)), 1, 4))
            value = int(np.clip(np.rint(rng.normal(2.5 + 0.2 * step, 0.6)), 1, 4))
            rows.append(
                {
                    "municipality": municipality.kommunenummer,
                    "date": pd.Timestamp(2019, 5, 20),
                    "respondent_service": x,
                    "partner_service": y,
                    "frequency": frequencies[step],
                    "trust": trust,
                    "value": value,
                }
            )
    return pd.DataFrame(rows, columns=list(column_specs("collaboration-survey")))


def _organisation(municipality: Municipality) -> pd.DataFrame:
    path = data_dir() / "organisation" / "sirdal.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for group in doc["groups"]:
        for member in group["members"]:
            if member["service"] not in municipality.services.index and member["service"] not in (
                "public_health",
                "administration",
            ):
                continue
            title = member["title"]
            if municipality.kommunenummer != "4228":
                title = title.replace("Sirdal", municipality.name)
                title = title.replace("Sinnes skule", "skole 1").replace("Tonstad skule", "skole 2")
                title = title.replace("Øvre Sirdal barnehage", "barnehage 1")
                title = title.replace("Tonstad barnehage", "barnehage 2")
            rows.append(
                {
                    "group": group["group"],
                    "kind": group["kind"],
                    "meetings_per_year": float(group["meetings_per_year"]),
                    "hours_per_meeting": float(group["hours_per_meeting"]),
                    "service": member["service"],
                    "title": title,
                }
            )
    return pd.DataFrame(rows, columns=list(column_specs("organisation")))


def _progress_plan(rng) -> pd.DataFrame:
    from bti_workbench.ingest.readers import read_progress_plan

    plan = read_progress_plan(data_dir() / "progress_plan" / "sirdal_2018_h1.csv")
    as_of = pd.Timestamp(2018, 7, 1)
    status, done = [], []
    for deadline in plan["deadline"]:
        draw = rng.random()
        if deadline < as_of and draw < 0.85:
            status.append("done")
            done.append(deadline + pd.Timedelta(days=int(np.clip(rng.normal(2, 8), -20, 30))))
        elif draw > 0.97:
            status.append("cancelled")
            done.append(pd.NaT)
        else:
            status.append("planned")
            done.append(pd.NaT)
    return plan.assign(status=status, done_date=done)


def generate_demo(
    municipality: Municipality, seed: int, assumptions: DemoAssumptions | None = None
) -> dict[str, pd.DataFrame]:
    """Generate every contract for a municipality from one seeded case process.

    Parameters
    ----------
    municipality : Municipality
        Its population drives the concerns; its services the staff and units.
    seed : int
        The same seed gives the same tables.
    assumptions : DemoAssumptions, optional
        The stated assumptions of the case process; default: :class:`DemoAssumptions`.

    Returns
    -------
    dict
        File name (see :data:`DEMO_FILES`) → table.

    See Also
    --------
    bti_workbench.synthetic.cases.run_cases : The case process behind every table.
    write_demo : The tables written as files.

    Examples
    --------
    >>> tables = generate_demo(load_municipality("4228"), seed=1)
    >>> sorted(tables)[:2]
    ['collaboration_survey.csv', 'event_log.csv']
    """
    a = assumptions or DemoAssumptions()
    rng = np.random.default_rng(seed)
    # What the event log gained later (log readings, evaluation dates) comes from a stream of
    # its own, so every other row and table stays as the same seed made it before.
    extras = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    ids = Ids(rng)
    staff = build_staff(municipality, ids)
    process = run_cases(municipality, rng, ids, staff, a, extras)
    log = process.event_log()
    population = (
        municipality.population.rename("persons")
        .reset_index()
        .assign(
            kommunenummer=municipality.kommunenummer,
            kommunenavn=municipality.name,
            source=municipality.population_source,
        )[["kommunenummer", "kommunenavn", "age", "persons", "source"]]
    )
    return {
        "event_log.csv": log,
        "report_form_1.csv": _report_form_1(municipality, staff, ids, rng),
        "report_form_2.csv": _report_form_2(log, process, municipality.kommunenummer, rng, a),
        "staff_survey.csv": _staff_survey(municipality, ids, rng, a),
        "collaboration_survey.csv": _collaboration_survey(log, municipality, rng),
        "organisation.csv": _organisation(municipality),
        "progress_plan.csv": _progress_plan(rng),
        "population.csv": population,
        "services.csv": municipality.services.reset_index(),
    }


def _to_csv(frame: pd.DataFrame, path: Path, header_note: str) -> None:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            values = out[column]
            with_time = bool((values.dropna() != values.dropna().dt.normalize()).any())
            fmt = "%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d"
            out[column] = values.dt.strftime(fmt)
        elif pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map({True: "ja", False: "nei"})
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"# {header_note}\n")
        out.to_csv(fh, index=False, lineterminator="\n", float_format="%.2f")


def write_demo(
    out: str | Path,
    kommunenummer: str | int = "4228",
    seed: int = 1,
    population_file: str | Path | None = None,
    go_live: str | dt.date | None = None,
) -> list[Path]:
    """Write the demo files for a municipality into ``out``, all or nothing.

    Parameters
    ----------
    out : str or pathlib.Path
        Folder to write (created if needed; files of the same names are replaced).
    kommunenummer : str or int
        The municipality, e.g. ``"4228"`` (Sirdal).
    seed : int
        The same seed gives the same bytes.
    population_file : str or pathlib.Path, optional
        SSB 07459 file; defaults to ``data/municipalities.csv``.
    go_live : str or datetime.date, optional
        When BTI goes live in all units (before it, only the trial keeps logs); defaults to
        :attr:`DemoAssumptions.go_live`. Recorded in ``manifest.json``.

    Returns
    -------
    list of pathlib.Path
        The files written.

    See Also
    --------
    generate_demo : The tables, in memory.
    write_demo_store : Several municipalities imported into a store.

    Examples
    --------
    >>> import tempfile
    >>> files = write_demo(tempfile.mkdtemp(), "4228", seed=1)
    >>> sorted(path.name for path in files)[:2]
    ['collaboration_survey.csv', 'event_log.csv']
    """
    municipality = load_municipality(kommunenummer, population_file)
    assumptions = DemoAssumptions()
    if go_live is not None:
        assumptions = dataclasses.replace(assumptions, go_live=pd.Timestamp(go_live).date())
    tables = generate_demo(municipality, seed, assumptions)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    note = (
        f"{SYNTHETIC_NOTE}. bti demo-data --municipality {municipality.kommunenummer} "
        f"--seed {seed} ({municipality.name})"
    )
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        for name, frame in tables.items():
            _to_csv(frame, staging / name, note)
        manifest = {
            "synthetic": True,
            "note": SYNTHETIC_NOTE,
            "municipality": municipality.kommunenummer,
            "name": municipality.name,
            "seed": seed,
            "go_live": assumptions.go_live.isoformat(),
            "population_source": municipality.population_source,
            "population_exact": municipality.population_exact,
            "files": {name: kind for name, kind in DEMO_FILES.items()},
            "rows": {name: len(frame) for name, frame in tables.items()},
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        written = []
        for path in sorted(staging.iterdir()):
            os.replace(path, out / path.name)
            written.append(out / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


#: The demo store: municipalities with their seeds and go-live dates (staggered on purpose).
DEMO_STORE = (("4228", 1, "2018-09-01"), ("1106", 7, "2019-03-01"), ("3807", 3, "2019-09-01"))


def write_demo_store(
    path: str | Path, municipalities: tuple[tuple[str, int, str], ...] = DEMO_STORE
) -> Path:
    """Write demo data for several municipalities and import it into a new store at ``path``.

    The store is built beside ``path`` and moved into place when complete, so running it again
    replaces the demo store whole. Use a path of its own (``data/store/demo.duckdb``), never a
    store with real imports.

    Parameters
    ----------
    path : str or pathlib.Path
        The store to write (replaced whole).
    municipalities : sequence of (kommunenummer, seed, go-live)
        Defaults to :data:`DEMO_STORE`: Sirdal live 1 September 2018, Haugesund 1 March 2019,
        Skien 1 September 2019.

    Returns
    -------
    pathlib.Path
        ``path``.

    See Also
    --------
    write_demo : One municipality's files.
    bti_workbench.ingest.store.import_files : The import used.
    """
    from bti_workbench.ingest.store import import_files

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".demo-store-", dir=path.parent) as folder:
        folders = []
        for kommunenummer, seed, go_live in municipalities:
            target = Path(folder) / kommunenummer
            write_demo(target, kommunenummer, seed, go_live=go_live)
            folders.append(target)
        built = Path(folder) / "store.duckdb"
        import_files(built, folders)
        os.replace(built, path)
    return path
