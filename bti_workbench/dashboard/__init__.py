"""What the leaders' dashboard shows, as plain functions: one view per page.

Each function returns a frozen dataclass of plotly figures, tables and texts in Norwegian
(``lang="nb"``, the default) or English, built on the library (evaluation, network,
simulation). The view modules hold no Panel code: :mod:`~bti_workbench.dashboard.leader_app`
(the Panel app) lays the views out, :mod:`~bti_workbench.dashboard.serve` builds the
``panel serve`` command behind ``bti serve``, :mod:`~bti_workbench.dashboard.credentials`
checks who may log in, and :mod:`~bti_workbench.dashboard.panel_setup` is Panel's ``--setup``
script. This ``__init__`` imports none of those four.
Every figure from case data has passed :func:`bti_workbench.privacy.suppress_small` with a
threshold the operator sets (never a viewer); simulated figures come from a scenario's
assumptions and are not case data.

- :func:`status_view` — where the municipality stands today (cards with intervals and
  trends), for a period and a service (:func:`status_services`);
- :func:`load_view` — a scenario's load with options and sliders (:data:`SLIDERS`,
  :func:`overrides_from_sliders`), cached; :func:`municipality_scenarios` lists what the
  page offers a municipality;
- :func:`collaboration_view` — the service network of a period (:func:`periods`);
- :func:`evaluation_view` — staff surveys before and after, the indicators;
- :func:`plan_view` — the progress plan.
"""

from bti_workbench.dashboard.collaboration import CollaborationView, collaboration_view, periods
from bti_workbench.dashboard.evaluation import EvaluationView, evaluation_view
from bti_workbench.dashboard.load import (
    SLIDERS,
    LoadView,
    Slider,
    load_view,
    overrides_from_sliders,
    slider_values,
)
from bti_workbench.dashboard.progress_plan import PlanView, plan_view
from bti_workbench.dashboard.status import FLAGS, Card, StatusView, status_services, status_view
from bti_workbench.simulation.scenario.choices import ScenarioChoice, municipality_scenarios

__all__ = [
    "FLAGS",
    "SLIDERS",
    "Card",
    "CollaborationView",
    "EvaluationView",
    "LoadView",
    "PlanView",
    "ScenarioChoice",
    "Slider",
    "StatusView",
    "collaboration_view",
    "evaluation_view",
    "load_view",
    "municipality_scenarios",
    "overrides_from_sliders",
    "periods",
    "plan_view",
    "slider_values",
    "status_services",
    "status_view",
]
