"""What bokmål output never holds: English words, or an id shown where a name belongs.

Shared by the browser test of the dashboard and the tests of the command line's output.
"""

from __future__ import annotations

import re

__all__ = ["ENGLISH"]

# Words a bokmål page or line never holds (English, or an id shown instead of a name).
ENGLISH = re.compile(
    r"\b(the|and|with|of|Level|Levels|Week|Cases|Share|Download|Service|Services|Option|"
    r"baseline|welfare|health|upbringing|trial_cap_one_log|national_per_1000(?!\.yaml)|school_health|"
    r"replications|seed|weeks|warm-up|Cost|cost|Busiest|Wait|Active|Result|"
    r"Whole period|Yes|No|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4})\b"
)
