"""Pictures of an entry: checked by content with Pillow, refused when too big, too many or a
decompression bomb, stored upright, resized and without metadata; who may add and remove them."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from projects.catalogue.models import EntryImage
from projects.catalogue.services.images import entry_image_add, entry_image_remove
from tests.projects.catalogue.factories import EntryFactory, EntryImageFactory, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry_a(org_a):
    return EntryFactory(organisation=org_a)


def _upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _add(entry, user, data, name="photo.jpg", alt="防波堤に並ぶ発電装置"):
    return entry_image_add(entry=entry, upload=_upload(data, name), alt=alt, added_by=user)


def _stored(image: EntryImage) -> Image.Image:
    with image.image.open("rb") as handle:
        picture = Image.open(io.BytesIO(handle.read()))
        picture.load()
    return picture


def _png_declaring(width: int, height: int) -> bytes:
    """A few bytes of PNG whose header declares a picture of ``width`` × ``height``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def _code(excinfo) -> str:
    return excinfo.value.code


def test_a_small_jpeg_is_stored_as_it_is_with_its_size(people, entry_a):
    image = _add(entry_a, people["member_a"], image_bytes(64, 48))
    stored = _stored(image)
    assert (image.width, image.height) == (64, 48) == stored.size
    assert stored.format == "JPEG"
    assert image.image.name.endswith(".jpg")
    assert image.alt == "防波堤に並ぶ発電装置"


def test_a_large_picture_is_resized_to_fit_the_longest_side(people, entry_a):
    image = _add(entry_a, people["member_a"], image_bytes(3200, 2400))
    assert (image.width, image.height) == (1600, 1200)
    assert _stored(image).size == (1600, 1200)


def test_a_tall_picture_fits_the_setting(people, entry_a, settings):
    settings.KYOSO_CATALOGUE_IMAGE_MAX_SIDE = 400
    image = _add(entry_a, people["member_a"], image_bytes(500, 1000, format="PNG"), "tall.png")
    assert (image.width, image.height) == (200, 400)


def test_exif_orientation_is_applied_and_metadata_is_dropped(people, entry_a):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "KyosoCam"  # camera maker
    data = image_bytes(200, 100, exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif()[0x0112] == 6
    image = _add(entry_a, people["member_a"], data)
    stored = _stored(image)
    assert (image.width, image.height) == (100, 200) == stored.size
    assert dict(stored.getexif()) == {}


def test_a_png_with_transparency_stays_a_png(people, entry_a):
    data = image_bytes(40, 30, format="PNG", mode="RGBA")
    image = _add(entry_a, people["member_a"], data, "logo.png")
    stored = _stored(image)
    assert image.image.name.endswith(".png")
    assert stored.format == "PNG" and stored.mode == "RGBA"


def test_a_webp_is_accepted_and_stored_as_jpeg(people, entry_a):
    image = _add(entry_a, people["member_a"], image_bytes(80, 60, format="WEBP"), "x.webp")
    assert _stored(image).format == "JPEG"


def test_a_file_that_is_not_an_image_is_refused(people, entry_a):
    with pytest.raises(ValidationError) as caught:
        _add(entry_a, people["member_a"], b"%PDF-1.4 not a picture", "photo.jpg")
    assert _code(caught) == "not_an_image"
    assert not EntryImage.objects.exists()


def test_a_truncated_image_is_refused(people, entry_a):
    data = image_bytes(300, 200)
    with pytest.raises(ValidationError) as caught:
        _add(entry_a, people["member_a"], data[: len(data) // 3])
    assert _code(caught) == "not_an_image"


def test_other_image_formats_are_refused(people, entry_a):
    with pytest.raises(ValidationError) as caught:
        _add(entry_a, people["member_a"], image_bytes(20, 20, format="GIF", mode="L"), "a.gif")
    assert _code(caught) == "image_format"


def test_a_file_over_the_size_limit_is_refused(people, entry_a, settings):
    settings.KYOSO_CATALOGUE_IMAGE_MAX_BYTES = 200
    with pytest.raises(ValidationError) as caught:
        _add(entry_a, people["member_a"], image_bytes(300, 300))
    assert _code(caught) == "file_too_large"


def test_a_picture_over_the_pixel_limit_is_refused_before_it_is_decoded(people, entry_a):
    # 8,000 × 6,000 = 48 million pixels declared in ~60 bytes; the pixel data is empty, so
    # decoding would fail otherwise: the refusal comes from the header alone.
    with pytest.raises(ValidationError) as caught:
        _add(entry_a, people["member_a"], _png_declaring(8000, 6000), "bomb.png")
    assert _code(caught) == "too_many_pixels"


def test_a_decompression_bomb_pillow_refuses_itself_is_refused_as_such(people, entry_a):
    with pytest.raises(ValidationError) as caught:
        _add(entry_a, people["member_a"], _png_declaring(50_000, 50_000), "bomb.png")
    assert _code(caught) == "too_many_pixels"


def test_the_pixel_limit_is_a_setting(people, entry_a, settings):
    settings.KYOSO_CATALOGUE_IMAGE_MAX_PIXELS = 10_000
    with pytest.raises(ValidationError) as caught:
        _add(entry_a, people["member_a"], image_bytes(200, 100))
    assert _code(caught) == "too_many_pixels"
    image = _add(entry_a, people["member_a"], image_bytes(100, 100))
    assert image.width == 100


def test_at_most_the_configured_number_of_images(people, entry_a, settings):
    settings.KYOSO_CATALOGUE_IMAGE_MAX_FILES = 2
    EntryImageFactory(entry=entry_a)
    _add(entry_a, people["member_a"], image_bytes())
    with pytest.raises(ValidationError) as caught:
        _add(entry_a, people["member_a"], image_bytes())
    assert _code(caught) == "too_many_images"
    assert entry_a.images.count() == 2


@pytest.mark.parametrize("alt", ["", "   "])
def test_the_alternative_text_is_required(people, entry_a, alt):
    with pytest.raises(ValidationError) as caught:
        _add(entry_a, people["member_a"], image_bytes(), alt=alt)
    assert _code(caught) == "alt_required"


def test_another_organisation_cannot_add_or_remove_images(people, entry_a):
    with pytest.raises(PermissionDenied):
        _add(entry_a, people["member_b"], image_bytes())
    image = EntryImageFactory(entry=entry_a)
    with pytest.raises(PermissionDenied):
        entry_image_remove(image=image, removed_by=people["member_b"])
    assert EntryImage.objects.filter(pk=image.pk).exists()


def test_pictures_of_an_entry_under_review_are_left_alone_by_its_organisation(people, org_a):
    entry = EntryFactory(organisation=org_a, submitted=True)
    with pytest.raises(ValidationError) as caught:
        _add(entry, people["member_a"], image_bytes())
    assert _code(caught) == "under_review"
    image = _add(entry, people["staff"], image_bytes())  # staff may
    assert image.entry_id == entry.pk


def test_a_new_picture_on_a_published_entry_sends_it_back_to_review(people, org_a):
    entry = EntryFactory(organisation=org_a, published=True)
    _add(entry, people["member_a"], image_bytes())
    entry.refresh_from_db()
    assert entry.status == "submitted"


def test_removing_a_picture_deletes_its_file_after_commit(
    people, entry_a, django_capture_on_commit_callbacks
):
    image = _add(entry_a, people["member_a"], image_bytes())
    storage, name = image.image.storage, image.image.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        entry_image_remove(image=image, removed_by=people["member_a"])
    assert not EntryImage.objects.filter(pk=image.pk).exists()
    assert not storage.exists(name)
