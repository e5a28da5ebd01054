"""The import pipeline shared by every spreadsheet import (see ``pipeline``) and the store of
files waiting for confirmation (``store``)."""

from .pipeline import (
    ImportRefused,
    Prepared,
    Problem,
    Problems,
    Sheet,
    apply_held,
    apply_plan,
    prepare,
)

__all__ = [
    "ImportRefused",
    "Prepared",
    "Problem",
    "Problems",
    "Sheet",
    "apply_held",
    "apply_plan",
    "prepare",
]
