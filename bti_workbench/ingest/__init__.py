"""Data in: the data contracts, a reader per kind of file, mapping profiles for a tool's own
exports, and the DuckDB store."""

from bti_workbench.ingest.contracts import (
    KINDS,
    PSEUDONYM_PATTERN,
    column_specs,
    contract_key,
    contract_markdown,
    header_mapping,
    item_catalogue,
    normalise_header,
    schema,
)
from bti_workbench.ingest.profiles import (
    Profile,
    apply_profile,
    load_profile,
    shipped_profiles,
    suggest_profile,
)
from bti_workbench.ingest.readers import (
    read,
    read_collaboration_survey,
    read_event_log,
    read_organisation,
    read_progress_plan,
    read_report_form_1,
    read_report_form_2,
    read_staff_survey,
)
from bti_workbench.ingest.store import (
    DEFAULT_STORE,
    ImportRecord,
    StoreStatus,
    go_live_dates,
    import_files,
    read_table,
    store_status,
)

__all__ = [
    "DEFAULT_STORE",
    "KINDS",
    "PSEUDONYM_PATTERN",
    "ImportRecord",
    "Profile",
    "StoreStatus",
    "apply_profile",
    "column_specs",
    "contract_key",
    "contract_markdown",
    "go_live_dates",
    "header_mapping",
    "import_files",
    "item_catalogue",
    "load_profile",
    "normalise_header",
    "read",
    "read_collaboration_survey",
    "read_event_log",
    "read_organisation",
    "read_progress_plan",
    "read_report_form_1",
    "read_report_form_2",
    "read_staff_survey",
    "read_table",
    "schema",
    "shipped_profiles",
    "store_status",
    "suggest_profile",
]
