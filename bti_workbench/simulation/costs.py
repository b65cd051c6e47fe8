"""What an organisation option costs, in NOK per year.

Two parts, as in Ibestad's and Sirdal's budgets:

- the organisation: each group of the organisation contract (meetings a year × people ×
  hours per meeting × hourly rate) plus fixed posts (FTE × NOK per FTE-year);
- the case work: the hours the open cases need (case work, meeting shares, travel) from a
  simulation, plus the meeting hours of the other services at the table, × hourly rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bti_workbench.simulation.model import compile_model
from bti_workbench.simulation.output import FlowResult
from bti_workbench.simulation.scenario.types import WEEKS_PER_YEAR, Scenario

__all__ = ["case_work_cost", "organisation_cost"]


def organisation_cost(scenario: Scenario) -> pd.DataFrame:
    """The fixed cost of the organisation, one row per group or post.

    Parameters
    ----------
    scenario : Scenario
        A scenario with or without ``costs``.

    Returns
    -------
    pandas.DataFrame
        ``item, kind (group|post), hours_per_year, nok_per_year``; empty without costs.

    See Also
    --------
    case_work_cost : the part that depends on the cases.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> s = load_scenario(data_dir() / "scenarios" / "sirdal.yaml")
    >>> table = organisation_cost(s)
    >>> int(table.loc[table["item"] == "project_leader", "nok_per_year"].iloc[0])
    160000
    """
    columns = ["item", "kind", "hours_per_year", "nok_per_year"]
    costs = scenario.costs
    if costs is None:
        return pd.DataFrame(columns=columns)
    rows = []
    for group in costs.groups.itertuples(index=False):
        hours = float(group.meetings_per_year * group.people * group.hours_per_meeting)
        rows.append((group.group, "group", hours, hours * costs.hourly_rate_nok))
    for name, (fte, price) in costs.posts.items():
        rows.append((name, "post", np.nan, fte * price))
    return pd.DataFrame(rows, columns=columns)


def case_work_cost(scenario: Scenario, result: FlowResult, warmup_weeks: int = 0) -> pd.DataFrame:
    """Hours and NOK per year of case work, per replication (weeks after the warm-up).

    Parameters
    ----------
    scenario : Scenario
        The scenario that was run (its hourly rate and meetings).
    result : FlowResult
        Its run, either engine.
    warmup_weeks : int
        Weeks up to this one are left out.

    Returns
    -------
    pandas.DataFrame
        ``replication, hours_per_year, nok_per_year`` (NaN NOK without costs).

    See Also
    --------
    organisation_cost : the fixed part.
    bti_workbench.simulation.analysis.summarise : ``cost.case_work`` and ``cost.total``.
    """
    model = compile_model(scenario)
    rate = scenario.costs.hourly_rate_nok if scenario.costs else np.nan
    services = result.services[result.services["week"] > warmup_weeks]
    demanded = services.groupby("replication")["hours_demanded"].sum()
    levels = result.levels[result.levels["week"] > warmup_weeks]
    weeks = levels["week"].nunique()
    active = levels.pivot_table(
        index="replication", columns="level", values="active", aggfunc="sum"
    ).reindex(columns=range(4), fill_value=0)
    other = active.to_numpy() @ model.other_meeting_hours
    replications = active.index
    demanded = demanded.reindex(replications, fill_value=0.0).to_numpy()
    hours_per_year = (demanded + other) / max(weeks, 1) * WEEKS_PER_YEAR
    return pd.DataFrame(
        {
            "replication": replications,
            "hours_per_year": hours_per_year,
            "nok_per_year": hours_per_year * rate,
        }
    )
