"""Checks on uploaded evidence: size, extension and that the bytes match the extension."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_FILES = 5
# extension → the first bytes such a file starts with (Office files are zip packages)
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
}


def check_evidence_file(upload) -> None:
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in SIGNATURES:
        raise ValidationError(_("“%(name)s”: only PDF, JPG, PNG, Word (.docx) and Excel (.xlsx) files are accepted.") % {"name": name})
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(_("“%(name)s” is larger than %(mb)s MB.") % {"name": name, "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(SIGNATURES[extension]):
        raise ValidationError(_("“%(name)s” is not really a .%(ext)s file.") % {"name": name, "ext": extension})
