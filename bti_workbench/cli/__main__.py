"""``python -m bti_workbench.cli``: the ``bti`` command without its installed script."""

from bti_workbench.cli import app

__all__: list[str] = []

if __name__ == "__main__":
    app()
