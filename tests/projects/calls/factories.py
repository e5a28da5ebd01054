"""factory_boy factories for 公募 (calls, challenges, applications, reviews)."""

import datetime as dt

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from projects.calls.models import (
    Application,
    ApplicationAttachment,
    BudgetLine,
    Call,
    CityChallenge,
    ReviewAssignment,
    ReviewCriterion,
    ReviewScore,
    SupportKind,
)
from tests.factories import OrganisationFactory, UserFactory
from tests.projects.factories import FunderFactory

# The smallest file the PDF sniffing in ``consortium.uploads`` accepts as a PDF.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class SupportKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportKind
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"テスト支援{n}")
    name_en = factory.Sequence(lambda n: f"Test support {n}")
    order = factory.Sequence(lambda n: 100 + n)


class CityChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityChallenge

    department = "交通政策課"
    title = factory.Sequence(lambda n: f"公共交通の空白地域の解消{n}")
    description = "周辺部で路線バスの便が少ない地域の移動手段を確保したい。"
    contact = "交通政策課 029-000-0000"


class CallFactory(factory.django.DjangoModelFactory):
    """A published call, open now (opened a week ago, closes in ten days).

    ``CallFactory(criteria=3)`` adds three review criteria; ``support_kinds=[...]`` and
    ``challenges=[...]`` set the many-to-many fields."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Society 5.0 社会実装トライアル支援事業{n}")
    purpose = "最先端技術を活用した社会実装トライアル（実証実験）のアイデアを募集します。"
    max_amount = 1_000_000
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    adoptions_planned = 3
    fiscal_year = 2026
    funder = factory.SubFactory(FunderFactory, sector="government", name="つくば市")
    number_code = "T"
    status = Call.Status.PUBLISHED

    @factory.post_generation
    def support_kinds(self, create, extracted, **kwargs):
        if create and extracted:
            self.support_kinds.set(extracted)

    @factory.post_generation
    def challenges(self, create, extracted, **kwargs):
        if create and extracted:
            self.challenges.set(extracted)

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if create and extracted:
            for order in range(1, int(extracted) + 1):
                ReviewCriterionFactory(call=self, order=order)


class ReviewCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCriterion

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"新規性・先進性{n}")
    description = "技術やアイデアに新しさがあるか。"
    weight = 2
    order = factory.Sequence(lambda n: n)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft application; ``submitted=True`` makes it submitted with the next number."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    class Params:
        submitted = factory.Trait(
            status=Application.Status.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            sequence=factory.Sequence(lambda n: n + 1),
            number=factory.LazyAttribute(
                lambda a: f"{a.call.fiscal_year}-{a.call.number_code}-{a.sequence:03d}"
            ),
        )

    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"マイナンバーカードを活用したインターネット投票{n}")
    summary = "ブロックチェーンで投票内容の改ざんを防ぐ投票システムを実証する。"
    place = "つくば市役所"
    period_start = dt.date(2026, 7, 1)
    period_end = dt.date(2027, 2, 28)

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners.set(extracted)

    @factory.post_generation
    def requested_support(self, create, extracted, **kwargs):
        if create and extracted:
            self.requested_support.set(extracted)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    application = factory.SubFactory(ApplicationFactory)
    item = factory.Sequence(lambda n: f"機器借料{n}")
    amount = 300_000
    order = factory.Sequence(lambda n: n)


class ApplicationAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationAttachment

    application = factory.SubFactory(ApplicationFactory)
    name = factory.Sequence(lambda n: f"提案書{n}.pdf")
    file = factory.LazyAttribute(lambda a: ContentFile(PDF_BYTES, name=a.name))
    size = len(PDF_BYTES)


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewAssignment

    application = factory.SubFactory(ApplicationFactory, submitted=True)
    reviewer = factory.SubFactory(UserFactory)


class ReviewScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewScore

    assignment = factory.SubFactory(ReviewAssignmentFactory)
    criterion = factory.SubFactory(
        ReviewCriterionFactory, call=factory.SelfAttribute("..assignment.application.call")
    )
    score = 4
    comment = "実現性が高い。"


def reviewer_user(**kwargs):
    """An outside reviewer (審査員): an account in the reviewers' group, no person."""
    from members import roles

    return UserFactory(groups=[roles.REVIEWERS], **kwargs)
