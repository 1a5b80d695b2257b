"""What every table of Tupa shares."""

from typing import TYPE_CHECKING, ClassVar

from piccolo.columns import Serial


class Identified:
    """For the type checker only: Piccolo gives every table a serial primary key `id`
    without declaring it (declaring it would make the migrations see a new column)."""

    if TYPE_CHECKING:
        id: ClassVar[Serial]
