"""Panel's ``--setup`` script for ``bti serve --allow-user``: installs the allow list.

``panel serve --setup FILE`` executes this file as a script in a fresh module named
``panel_setup_module`` (in every worker process), before the server takes requests; run that
way it makes Panel refuse (403) every viewer not listed in ``$BTI_ALLOWED_USERS``. Imported
as a module (by tests, doctests or an IDE) it does nothing.

See Also
--------
bti_workbench.dashboard.credentials.install_allow_list : What it runs.
bti_workbench.dashboard.serve.serve_command : Adds ``--setup`` with this file.
"""

from __future__ import annotations

import os

from bti_workbench.dashboard.credentials import install_allow_list

__all__ = ["PANEL_SETUP_MODULE"]

#: The module name under which ``panel serve --setup`` executes a setup file
#: (``panel/command/serve.py``).
PANEL_SETUP_MODULE = "panel_setup_module"

if __name__ == PANEL_SETUP_MODULE:
    install_allow_list(os.environ)
