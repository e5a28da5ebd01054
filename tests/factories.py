"""factory_boy factories for the members app, shared by every app's tests."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, User
from django.utils import timezone

# Valid 法人番号 (check digit computed by python-stdnum's algorithm in ``corporate_number``).
from stdnum.jp import cn as _cn

from members import roles
from members.models import (
    AffiliationRequest,
    JoinRequest,
    Membership,
    Organisation,
    Person,
    Sector,
    StudyGroup,
)


def corporate_number(n: int) -> str:
    base = f"{n:012d}"
    return _cn.calc_check_digit(base) + base


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.jp")
    password = factory.PostGenerationMethodCall("set_password", "pass-kyoso-2024")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.update_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )
            self.save()

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"株式会社テスト{n}")
    name_kana = factory.Sequence(lambda n: f"テスト{n}")
    sector = Sector.COMPANY
    is_local = True
    corporate_number = factory.Sequence(lambda n: corporate_number(1000 + n))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"山田 太郎{n}")
    name_kana = factory.Sequence(lambda n: f"ヤマダ タロウ{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.jp")
    organisation = factory.SubFactory(OrganisationFactory)


class StudyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyGroup

    name = factory.Sequence(lambda n: f"テスト研究会{n}")
    description = "海洋エネルギーの活用を検討する研究会"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    study_group = factory.SubFactory(StudyGroupFactory)
    joined_on = factory.LazyFunction(lambda: timezone.localdate().replace(year=2020))


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoinRequest

    applicant = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("applicant.organisation")
    study_group = factory.SubFactory(StudyGroupFactory)
    message = "加入を希望します。"


class AffiliationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AffiliationRequest

    person = factory.SubFactory(PersonFactory, organisation=None)
    organisation_name = factory.LazyAttribute(
        lambda r: r.organisation.name if r.organisation else "新規提案株式会社"
    )
    sector = Sector.COMPANY
    is_local = True
    address = "平塚市浅間町1-1"
    organisation = None


def person_with_account(organisation: Organisation, **kwargs) -> Person:
    user = UserFactory(**{k: v for k, v in kwargs.items() if k in {"username", "email"}})
    return PersonFactory(organisation=organisation, user=user, email=user.email)


def staff_user(**kwargs) -> User:
    """Secretariat staff; ``is_staff`` so that the Django admin (imports) opens for them."""
    return UserFactory(groups=[roles.SECRETARIAT], is_staff=True, **kwargs)


def administrator_user(**kwargs) -> User:
    return UserFactory(groups=[roles.ADMINISTRATORS], is_staff=True, **kwargs)
