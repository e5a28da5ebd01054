"""factory_boy factories for the catalogue (技術・製品・サービス一覧)."""

import io

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from projects.catalogue.models import Award, AwardGrant, Category, Entry, EntryImage
from tests.factories import OrganisationFactory

# The smallest file the PDF sniffing in ``consortium.uploads`` accepts as a PDF.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def image_bytes(
    width: int = 64, height: int = 48, *, format: str = "JPEG", mode: str = "RGB", **save
) -> bytes:
    """A real picture of this size, encoded in ``format`` (JPEG, PNG, WEBP, GIF …)."""
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color=(30, 120, 200, 255)[: len(mode)]).save(
        buffer, format=format, **save
    )
    return buffer.getvalue()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"テスト分野{n}")
    name_en = factory.Sequence(lambda n: f"Test field {n}")
    order = factory.Sequence(lambda n: 100 + n)


class EntryFactory(factory.django.DjangoModelFactory):
    """A draft entry of a new company; ``published=True`` makes it published now,
    ``submitted=True`` submitted, ``archived=True`` archived. ``study_groups=[...]`` and
    ``projects=[...]`` set the many-to-many fields."""

    class Meta:
        model = Entry
        skip_postgeneration_save = True

    class Params:
        submitted = factory.Trait(
            status=Entry.Status.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )
        published = factory.Trait(
            status=Entry.Status.PUBLISHED,
            submitted_at=factory.LazyFunction(timezone.now),
            published_at=factory.LazyFunction(timezone.now),
            first_published_at=factory.SelfAttribute("published_at"),
        )
        archived = factory.Trait(
            status=Entry.Status.ARCHIVED,
            submitted_at=factory.LazyFunction(timezone.now),
            published_at=factory.LazyFunction(timezone.now),
            first_published_at=factory.SelfAttribute("published_at"),
        )

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Entry.Kind.TECHNOLOGY
    title = factory.Sequence(lambda n: f"波力発電装置{n}")
    title_kana = factory.Sequence(lambda n: f"ハリョクハツデンソウチ{n}")
    category = factory.SubFactory(CategoryFactory)
    summary = "防波堤に設置できる小型の波力発電装置。"
    details = "港湾の防波堤に後付けでき、発電した電力を照明に使う。"
    keywords = "波力、再生可能エネルギー"
    contact = "技術営業部 044-000-0000"
    url = "https://example.jp/wave"

    @factory.post_generation
    def study_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.study_groups.set(extracted)

    @factory.post_generation
    def projects(self, create, extracted, **kwargs):
        if create and extracted:
            self.projects.set(extracted)


class EntryImageFactory(factory.django.DjangoModelFactory):
    """A stored 64×48 JPEG of an entry (as ``entry_image_add`` would have stored it)."""

    class Meta:
        model = EntryImage

    entry = factory.SubFactory(EntryFactory)
    image = factory.LazyFunction(lambda: ContentFile(image_bytes(), name="photo.jpg"))
    alt = factory.Sequence(lambda n: f"防波堤に設置した装置の写真{n}")
    width = 64
    height = 48
    order = factory.Sequence(lambda n: n)


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"テストブランド{n}")
    name_en = factory.Sequence(lambda n: f"Test brand {n}")
    order = factory.Sequence(lambda n: n)


class AwardGrantFactory(factory.django.DjangoModelFactory):
    """A grant of a new award to a new published entry in FY2024."""

    class Meta:
        model = AwardGrant

    award = factory.SubFactory(AwardFactory)
    entry = factory.SubFactory(EntryFactory, published=True)
    fiscal_year = 2024
