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

A third, softer rule only warns: :func:`free_text_warnings` (:mod:`~bti_workbench.privacy.freetext`)
names the file, row and column of free text that looks like a name with an address, an e-mail
address or a phone number, never the value.
"""

from bti_workbench.privacy.freetext import (
    FREE_TEXT_TYPES,
    free_text_columns,
    free_text_warnings,
)
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
    "FREE_TEXT_TYPES",
    "SuppressedTable",
    "check_no_identifiers",
    "find_fodselsnummer",
    "free_text_columns",
    "free_text_warnings",
    "has_fodselsnummer",
    "identifier_columns",
    "is_fodselsnummer",
    "suppress_small",
]
