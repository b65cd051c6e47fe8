"""The four BTI levels, 0–3, and how cases move between them."""

from __future__ import annotations

from dataclasses import dataclass

from bti_workbench.reference.labels import label

__all__ = ["LEVELS", "Level", "level"]


@dataclass(frozen=True)
class Level:
    """One BTI level.

    Attributes
    ----------
    number : int
        0 identification, 1 measures within one service, 2 simple collaboration,
        3 complex collaboration.
    min_services : int
        How many services typically take part (1, 1, 2, 3).
    """

    number: int
    min_services: int

    def name(self, lang: str = "nb") -> str:
        """The level's name from the label catalogue."""
        return label(f"level.{self.number}.name", lang)

    def description(self, lang: str = "nb") -> str:
        """What happens at the level, from the label catalogue."""
        return label(f"level.{self.number}.description", lang)


#: The four levels, indexed by their number.
LEVELS: tuple[Level, ...] = (Level(0, 1), Level(1, 1), Level(2, 2), Level(3, 3))


def level(number: int) -> Level:
    """Return level ``number`` (0–3).

    Parameters
    ----------
    number : int
        0, 1, 2 or 3.

    Returns
    -------
    Level
        The level.

    Raises
    ------
    ValueError
        For any other number.

    See Also
    --------
    LEVELS : All four.

    Examples
    --------
    >>> level(3).name("en")
    'Level 3 – complex collaboration'
    """
    if number not in range(len(LEVELS)):
        raise ValueError(f"BTI has levels 0–3, not {number}")
    return LEVELS[number]
