"""Pictures and the brochure of a catalogue entry.

A picture is accepted by what it is, not by its name: Pillow must read it as JPEG, PNG or WebP.
Its pixel count is read from the header and checked before anything is decoded (a small file
can declare a picture of a billion pixels: a decompression bomb). It is then turned upright
(EXIF orientation), shrunk to fit ``KYOSO_CATALOGUE_IMAGE_MAX_SIDE`` and written anew, so no
metadata of the original (location, camera, comments) survives: as JPEG, or as PNG when it has
transparency. The brochure is a PDF by its first bytes (``consortium.uploads``).
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from consortium.uploads import validate_upload

from ..models import Entry, EntryImage
from .entries import announce, check_may_change, lock, mark_changed

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
JPEG_QUALITY = 85


@dataclass
class Processed:
    data: bytes
    extension: str
    width: int
    height: int


def validate_brochure(upload: UploadedFile) -> None:
    """A real PDF (by its first bytes, not only its name) within the brochure size limit."""
    validate_upload(upload, kinds=("pdf",), max_bytes=settings.KYOSO_CATALOGUE_BROCHURE_MAX_BYTES)


def _not_an_image(upload: UploadedFile) -> ValidationError:
    return ValidationError(
        _("「%(name)s」は画像として読み込めません。JPEG、PNG、WebPの画像を選んでください。"),
        code="not_an_image",
        params={"name": upload.name},
    )


def _too_many_pixels(upload: UploadedFile) -> ValidationError:
    return ValidationError(
        _("「%(name)s」は画素数が多すぎます。%(limit)s万画素以下の画像にしてください。"),
        code="too_many_pixels",
        params={
            "name": upload.name,
            "limit": f"{settings.KYOSO_CATALOGUE_IMAGE_MAX_PIXELS // 10_000:,}",
        },
    )


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def process_image(upload: UploadedFile) -> Processed:
    """Check an uploaded picture and return it upright, resized and without metadata.

    Raises ValidationError (codes ``file_too_large``, ``not_an_image``, ``image_format``,
    ``too_many_pixels``)."""
    limit = settings.KYOSO_CATALOGUE_IMAGE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("「%(name)s」は大きすぎます（%(size)s）。上限は%(limit)sです。"),
            code="file_too_large",
            params={
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
        )
    upload.seek(0)
    with warnings.catch_warnings():
        # Pillow warns (and past twice its own limit refuses) on huge pictures: refuse them all.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            source = Image.open(upload)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(upload) from None
        except (UnidentifiedImageError, OSError):
            raise _not_an_image(upload) from None
        if source.format not in ACCEPTED_FORMATS:
            raise ValidationError(
                _(
                    "「%(name)s」は受け付けられない形式です（%(format)s）。"
                    "JPEG、PNG、WebPの画像を選んでください。"
                ),
                code="image_format",
                params={"name": upload.name, "format": source.format or "?"},
            )
        width, height = source.size
        if width * height > settings.KYOSO_CATALOGUE_IMAGE_MAX_PIXELS:
            raise _too_many_pixels(upload)
        side = settings.KYOSO_CATALOGUE_IMAGE_MAX_SIDE
        if source.format == "JPEG":
            source.draft("RGB", (side, side))  # decode at a reduced scale: less memory and time
        try:
            source.load()
            upright = ImageOps.exif_transpose(source)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning):
            raise _not_an_image(upload) from None
    alpha = _has_alpha(upright)
    upright = upright.convert("RGBA" if alpha else "RGB")
    upright.thumbnail((side, side), Image.Resampling.LANCZOS)
    # A new picture from the pixels alone: no EXIF, ICC, XMP or comments of the original.
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    buffer = io.BytesIO()
    if alpha:
        clean.save(buffer, format="PNG", optimize=True)
        extension = "png"
    else:
        clean.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        extension = "jpg"
    return Processed(buffer.getvalue(), extension, clean.width, clean.height)


def _check_room(entry: Entry) -> None:
    limit = settings.KYOSO_CATALOGUE_IMAGE_MAX_FILES
    if entry.images.count() >= limit:
        raise ValidationError(
            _("画像は%(n)s枚までです。不要な画像を削除してから追加してください。"),
            code="too_many_images",
            params={"n": limit},
        )


@transaction.atomic
def entry_image_add(*, entry: Entry, upload: UploadedFile, alt: str, added_by: User) -> EntryImage:
    """Add a picture to an entry (at most ``KYOSO_CATALOGUE_IMAGE_MAX_FILES``), stored resized
    in private storage with its width and height. ``alt`` (the text read aloud) is required.

    The same rule as an edit: the organisation's people while the entry is a draft or published
    (a published entry goes back to review), staff always."""
    current = lock(entry)
    check_may_change(current, added_by)
    alt = (alt or "").strip()
    if not alt:
        raise ValidationError(
            _("代替テキスト（画像の内容の短い説明）を入力してください。"), code="alt_required"
        )
    _check_room(current)
    processed = process_image(upload)
    order = (current.images.aggregate(last=Max("order"))["last"] or 0) + 1
    image = EntryImage(
        entry=current, alt=alt, width=processed.width, height=processed.height, order=order
    )
    name = f"{uuid.uuid4().hex}.{processed.extension}"
    image.image.save(name, ContentFile(processed.data), save=False)
    stored = image.image.name
    try:
        image.full_clean(exclude=["image"])
        image.save()
        mark_changed(current, changed_by=added_by, now=timezone.now())
    except Exception:
        image.image.storage.delete(stored)
        raise
    announce(entry_ids={current.pk})
    return image


@transaction.atomic
def entry_image_remove(*, image: EntryImage, removed_by: User) -> None:
    """Remove a picture (same rule as an edit); its file goes once the removal commits."""
    current = lock(image.entry)
    check_may_change(current, removed_by)
    storage, name = image.image.storage, image.image.name
    image.delete()
    mark_changed(current, changed_by=removed_by, now=timezone.now())
    if name:
        transaction.on_commit(lambda: storage.delete(name) if storage.exists(name) else None)
    announce(entry_ids={current.pk})
