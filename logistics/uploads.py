"""Evidence uploads from a phone: checked by content (not by name or declared type), limited
in size, stored under a random name, with a JPEG thumbnail for images."""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_TYPES = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
THUMBNAIL_SIZE = (360, 360)
MAX_PIXELS = 40_000_000  # a phone photo is ~12-50 MP; far beyond that is a decompression bomb


class UploadRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    data: bytes
    original_name: str


def max_upload_bytes() -> int:
    return getattr(settings, "LOGISTICS_UPLOAD_MAX_BYTES", 8 * 1024 * 1024)


def check_upload(upload, *, allow_pdf: bool = False) -> CheckedUpload:
    """Refuse anything that is not really a JPEG/PNG/WebP photo (or a PDF when allowed)."""
    if upload is None:
        raise UploadRefused(_("Choose a file to upload."))
    limit = max_upload_bytes()
    if upload.size > limit:
        raise UploadRefused(_("The file is larger than %(mb)s MB; take a smaller photo.") % {"mb": limit // (1024 * 1024)})
    data = upload.read()
    name = (upload.name or "upload")[:200]
    if allow_pdf and data.startswith(b"%PDF-"):
        return CheckedUpload("application/pdf", "pdf", data, name)
    refused = _("“%(name)s” is not a photo (JPEG, PNG or WebP)%(pdf)s; nothing was saved from it.") % {
        "name": name,
        "pdf": _(" or a PDF") if allow_pdf else "",
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format
                if image.width * image.height > MAX_PIXELS:
                    raise UploadRefused(refused)
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # verify() does not decode: a truncated or forged body fails here
    except UploadRefused:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise UploadRefused(refused) from None
    if fmt not in IMAGE_TYPES:
        raise UploadRefused(refused)
    content_type, extension = IMAGE_TYPES[fmt]
    return CheckedUpload(content_type, extension, data, name)


def stored_files(checked: CheckedUpload) -> tuple[ContentFile, ContentFile | None]:
    """The file under a random name and, for an image, its upright JPEG thumbnail."""
    stem = uuid.uuid4().hex
    original = ContentFile(checked.data, name=f"{stem}.{checked.extension}")
    if not checked.content_type.startswith("image/"):
        return original, None
    with Image.open(io.BytesIO(checked.data)) as image:
        thumb = ImageOps.exif_transpose(image).convert("RGB")
        thumb.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        thumb.save(buffer, format="JPEG", quality=80)
    return original, ContentFile(buffer.getvalue(), name=f"{stem}-thumb.jpg")
