"""The provider's data out (the full export) and in (imports with a preview)."""

from service.transfer.services.export import export_everything, template_choices
from service.transfer.services.imports import (
    IMPORTABLE,
    Imported,
    Preview,
    confirm_upload,
    preview_upload,
    read_preview,
)

__all__ = [
    "IMPORTABLE",
    "Imported",
    "Preview",
    "confirm_upload",
    "export_everything",
    "preview_upload",
    "read_preview",
    "template_choices",
]
