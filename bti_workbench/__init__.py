"""bti_workbench: planning and evaluation workbench for BTI (Bedre tverrfaglig innsats).

The public surface is small and re-exported here; ``docs/architecture.md`` shows the layers
and the README gives the tour.

- reference data: :data:`LEVELS`, :func:`label`, :func:`service_catalogue`,
  :func:`read_ssb_07459`, :func:`load_municipality`, and :func:`data_dir` (the shipped
  scenarios, options and catalogues);
- data in: :func:`read` (one reader per contract kind, see :data:`KINDS`) and
  :func:`import_files` into the store;
- privacy: :func:`check_no_identifiers` and :func:`suppress_small`;
- simulation: :func:`load_scenario` → :func:`simulate` → :func:`summarise` for one scenario;
  :func:`compare_options` (a scenario file and option names, ``"a+b"`` combining) for a long
  table of each option's means and paired differences from the baseline. Options, figures
  (``options_table``, ``waits_by_option`` …), result files and sweeps are in
  :mod:`bti_workbench.simulation`;
- networks: :func:`service_graph` and :func:`metrics_table`;
- evaluation: :func:`load_evaluation` and :func:`indicator_table`;
- errors: every error a user sees derives from :class:`ValueError` and names the file, row,
  column or key at fault (:mod:`bti_workbench.errors`).

Examples
--------
>>> from bti_workbench import compare_options, data_dir, load_scenario, simulate, summarise
>>> sirdal = data_dir() / "scenarios" / "sirdal.yaml"
>>> result = simulate(load_scenario(sirdal), replications=4, seed=1)
>>> len(summarise(result, load_scenario(sirdal)))  # one row per replication
4
>>> table = compare_options(sirdal, ["no_bti"], replications=4, seed=1)
>>> sorted(table["option"].unique())
['baseline', 'no_bti']
"""

from bti_workbench._util.resources import data_dir
from bti_workbench._util.version import WORKBENCH_VERSION
from bti_workbench.errors import (
    ContractError,
    IdentifierError,
    PopulationFileError,
    ScenarioError,
    ServeError,
    StoreError,
    SweepError,
)
from bti_workbench.evaluation import indicator_table, load_evaluation
from bti_workbench.ingest import KINDS, import_files, read, schema
from bti_workbench.network import metrics_table, service_graph
from bti_workbench.privacy import check_no_identifiers, is_fodselsnummer, suppress_small
from bti_workbench.reference import (
    AGE_BANDS,
    LEVELS,
    Level,
    Municipality,
    by_band,
    label,
    level,
    load_municipality,
    read_municipalities,
    read_ssb_07459,
    service_catalogue,
)
from bti_workbench.simulation import (
    compare_options,
    load_scenario,
    simulate,
    summarise,
)

__version__ = WORKBENCH_VERSION

__all__ = [
    "AGE_BANDS",
    "KINDS",
    "LEVELS",
    "ContractError",
    "IdentifierError",
    "Level",
    "Municipality",
    "PopulationFileError",
    "ScenarioError",
    "ServeError",
    "StoreError",
    "SweepError",
    "by_band",
    "check_no_identifiers",
    "compare_options",
    "data_dir",
    "import_files",
    "indicator_table",
    "is_fodselsnummer",
    "label",
    "level",
    "load_evaluation",
    "load_municipality",
    "load_scenario",
    "metrics_table",
    "read",
    "read_municipalities",
    "read_ssb_07459",
    "schema",
    "service_catalogue",
    "service_graph",
    "simulate",
    "summarise",
    "suppress_small",
]
