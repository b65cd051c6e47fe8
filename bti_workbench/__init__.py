"""bti_workbench: planning and evaluation workbench for BTI (Bedre tverrfaglig innsats).

The public surface is small and re-exported here; see the README for the tour.
"""

from bti_workbench.contracts import KINDS, schema
from bti_workbench.io import ContractError, read
from bti_workbench.labels import label
from bti_workbench.levels import LEVELS, Level, level
from bti_workbench.municipality import Municipality, load_municipality
from bti_workbench.population import AGE_BANDS, by_band, read_municipalities, read_ssb_07459
from bti_workbench.privacy import (
    IdentifierError,
    check_no_identifiers,
    is_fodselsnummer,
    suppress_small,
)
from bti_workbench.services import service_catalogue

__version__ = "0.1.0"

__all__ = [
    "AGE_BANDS",
    "KINDS",
    "LEVELS",
    "ContractError",
    "IdentifierError",
    "Level",
    "Municipality",
    "by_band",
    "check_no_identifiers",
    "is_fodselsnummer",
    "label",
    "level",
    "load_municipality",
    "read",
    "read_municipalities",
    "read_ssb_07459",
    "schema",
    "service_catalogue",
    "suppress_small",
]
