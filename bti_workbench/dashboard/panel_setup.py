"""Panel's ``--setup`` script for ``bti serve``: the engine loaded, local stylesheets, the
allow list.

``panel serve --setup FILE`` executes this file as a script in a fresh module named
``panel_setup_module`` (in every worker process), before the server takes requests. Run that
way it loads the compiled simulation engine (from numba's disk cache, or compiling it when
the cache is cold), so that no user's first answer waits for it, and says on stderr how long
that took; it makes every session's page load Panel's stylesheets from the server, never from
the internet; and, when ``$BTI_ALLOWED_USERS`` lists users, it makes Panel refuse (403) every
viewer not listed. Imported as a module (by tests, doctests or an IDE) it does nothing.

See Also
--------
bti_workbench.simulation.engines.fast.warm_up : Loads the engine.
bti_workbench.dashboard.credentials.install_allow_list : Installs the allow list.
bti_workbench.dashboard.serve.install_local_stylesheets : Keeps stylesheets on the server.
bti_workbench.dashboard.serve.serve_command : Adds ``--setup`` with this file.
"""

from __future__ import annotations

import os
import sys

from bti_workbench.dashboard.credentials import install_allow_list
from bti_workbench.dashboard.serve import install_local_stylesheets
from bti_workbench.simulation.engines.fast import warm_up

__all__ = ["PANEL_SETUP_MODULE"]

#: The module name under which ``panel serve --setup`` executes a setup file
#: (``panel/command/serve.py``).
PANEL_SETUP_MODULE = "panel_setup_module"

if __name__ == PANEL_SETUP_MODULE:
    install_local_stylesheets()
    install_allow_list(os.environ)
    print(f"bti serve: simulation engine ready in {warm_up():.1f} s", file=sys.stderr)
