"""Reference data every layer reads: the BTI levels, the services, the label catalogue
(bokmål and English) with the numbers written as each language writes them, the population
(SSB 07459) and the municipalities."""

from bti_workbench._util.numbers import format_nok, format_number, format_share, format_weeks
from bti_workbench.reference.figures import (
    population_bars,
)
from bti_workbench.reference.labels import (
    catalogue,
    label,
    languages,
)
from bti_workbench.reference.levels import (
    LEVELS,
    Level,
    level,
)
from bti_workbench.reference.municipality import (
    Municipality,
    default_services,
    load_municipalities,
    load_municipality,
)
from bti_workbench.reference.population import (
    AGE_BANDS,
    age_band,
    band_totals,
    by_band,
    read_municipalities,
    read_ssb_07459,
)
from bti_workbench.reference.services import (
    SCOPES,
    SECTORS,
    service_catalogue,
    service_ids,
    services_overview,
)

__all__ = [
    "AGE_BANDS",
    "LEVELS",
    "SCOPES",
    "SECTORS",
    "Level",
    "Municipality",
    "age_band",
    "band_totals",
    "by_band",
    "catalogue",
    "default_services",
    "format_nok",
    "format_number",
    "format_share",
    "format_weeks",
    "label",
    "languages",
    "level",
    "load_municipalities",
    "load_municipality",
    "population_bars",
    "read_municipalities",
    "read_ssb_07459",
    "service_catalogue",
    "service_ids",
    "services_overview",
]
