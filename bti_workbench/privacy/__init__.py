"""Privacy by design: refuse direct identifiers and suppress small cells.

Two rules guard everything the workbench reads and shows:

* :func:`check_no_identifiers` (:mod:`~bti_workbench.privacy.identifiers`) refuses a table whose
  column names signal a direct identifier (name, address, phone, e-mail, national identity
  number …) or that holds a valid Norwegian fødselsnummer or D-number anywhere. Errors name
  file, column and how many rows, never the value.
* :func:`suppress_small` (:mod:`~bti_workbench.privacy.suppression`) is the one function every
  figure derived from case data passes through before anyone sees it: cells below ``k`` are
  hidden, and so are the cells from which a hidden one could be worked out from published
  totals (secondary suppression).
"""

from bti_workbench.privacy.identifiers import (
    check_no_identifiers,
    find_fodselsnummer,
    has_fodselsnummer,
    identifier_columns,
    is_fodselsnummer,
)
from bti_workbench.privacy.suppression import DEFAULT_K, SuppressedTable, suppress_small

__all__ = [
    "DEFAULT_K",
    "SuppressedTable",
    "check_no_identifiers",
    "find_fodselsnummer",
    "has_fodselsnummer",
    "identifier_columns",
    "is_fodselsnummer",
    "suppress_small",
]
