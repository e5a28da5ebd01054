"""Probes of the applicant's side of 公募: forged posts, other organisations' ids, files."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from projects.calls.models import Application, BudgetLine
from projects.calls.services import applications as services
from tests.factories import OrganisationFactory, person_with_account
from tests.projects.calls.factories import (
    PDF_BYTES,
    ApplicationAttachmentFactory,
    ApplicationFactory,
    BudgetLineFactory,
    CallFactory,
    CityChallengeFactory,
    SupportKindFactory,
)

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture
def call(db):
    return CallFactory(
        criteria=1,
        support_kinds=[SupportKindFactory(name="実証経費の支援")],
        challenges=[CityChallengeFactory()],
    )


@pytest.fixture
def applicant():
    return person_with_account(OrganisationFactory(name="株式会社つくばモビリティ"))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _data(call, **overrides):
    data = {
        "title": "自動運転バスの実証",
        "summary": "研究学園駅周辺で自動運転バスを走らせる。",
        "place": "つくば市",
        "period_start": "2026-07-01",
        "period_end": "2027-02-28",
        "budget-TOTAL_FORMS": "1",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": "1000",
        "budget-0-item": "車両借料",
        "budget-0-amount": "400000",
    }
    data.update(overrides)
    return data


def _create(client, call, **overrides):
    return client.post(
        reverse("projects:application_create", args=[call.pk]), _data(call, **overrides)
    )


def test_every_applicant_url_of_another_organisation_is_a_404(call, applicant):
    theirs = ApplicationFactory(call=call)
    attachment = ApplicationAttachmentFactory(application=theirs)
    client = signed_in(applicant.user)
    gets = [
        reverse("projects:application_detail", args=[theirs.pk]),
        reverse("projects:application_update", args=[theirs.pk]),
        reverse("projects:attachment_download", args=[attachment.pk]),
    ]
    posts = [
        (reverse("projects:application_update", args=[theirs.pk]), _data(call)),
        (reverse("projects:application_submit", args=[theirs.pk]), {}),
        (
            reverse("projects:attachment_upload", args=[theirs.pk]),
            {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)},
        ),
        (reverse("projects:attachment_delete", args=[attachment.pk]), {}),
    ]
    assert [client.get(url).status_code for url in gets] == [404] * len(gets)
    assert [client.post(url, data).status_code for url, data in posts] == [404] * len(posts)
    theirs.refresh_from_db()
    assert theirs.status == "draft" and theirs.attachments.count() == 1


@pytest.mark.parametrize(
    "field",
    ["partner_self", "partner_unconfirmed", "challenge_elsewhere", "support_not_offered"],
)
def test_forged_choices_are_refused_and_nothing_is_saved(call, applicant, field):
    org = applicant.organisation
    forged = {
        "partner_self": {"partners": [org.pk]},
        "partner_unconfirmed": {"partners": [OrganisationFactory(is_confirmed=False).pk]},
        "challenge_elsewhere": {"challenge": CityChallengeFactory().pk},
        "support_not_offered": {"requested_support": [SupportKindFactory().pk]},
    }[field]
    response = _create(signed_in(applicant.user), call, **forged)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Application.objects.exists()


@pytest.mark.parametrize("amount", ["-1", "99999999999999999999999", "1.5", "abc"])
def test_forged_budget_amounts_are_form_errors(call, applicant, amount):
    response = _create(signed_in(applicant.user), call, **{"budget-0-amount": amount})
    assert response.status_code == 200
    assert not Application.objects.exists() and not BudgetLine.objects.exists()


def test_a_missing_budget_management_form_is_an_error_not_a_crash(call, applicant):
    data = _data(call)
    for key in [k for k in data if k.startswith("budget-")]:
        del data[key]
    response = signed_in(applicant.user).post(
        reverse("projects:application_create", args=[call.pk]), data
    )
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_the_update_form_cannot_take_a_budget_line_of_another_application(call, applicant):
    mine = ApplicationFactory(call=call, organisation=applicant.organisation)
    theirs = BudgetLineFactory(application=ApplicationFactory(call=call), amount=100)
    data = _data(
        call,
        **{
            "budget-INITIAL_FORMS": "1",
            "budget-0-id": str(theirs.pk),
            "budget-0-amount": "5",
        },
    )
    signed_in(applicant.user).post(reverse("projects:application_update", args=[mine.pk]), data)
    theirs.refresh_from_db()
    assert (theirs.application_id, theirs.amount) != (mine.pk, 5)
    assert theirs.amount == 100


def test_a_real_pdf_named_exe_is_refused(call, applicant):
    application = ApplicationFactory(call=call, organisation=applicant.organisation)
    response = signed_in(applicant.user).post(
        reverse("projects:attachment_upload", args=[application.pk]),
        {"file": SimpleUploadedFile("提案書.exe", PDF_BYTES)},
        follow=True,
    )
    assert "受け付けられない形式" in response.content.decode()
    assert not application.attachments.exists()


def test_a_file_over_ten_megabytes_is_refused_by_default(call, applicant):
    application = ApplicationFactory(call=call, organisation=applicant.organisation)
    big = SimpleUploadedFile("大きい.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024))
    response = signed_in(applicant.user).post(
        reverse("projects:attachment_upload", args=[application.pk]), {"file": big}, follow=True
    )
    assert "大きすぎます" in response.content.decode()
    assert not application.attachments.exists()


def test_a_bad_attachment_in_the_form_saves_no_application(call, applicant):
    fake = SimpleUploadedFile("提案書.pdf", b"GIF89a not a pdf")
    response = _create(
        signed_in(applicant.user), call, attachments=[SimpleUploadedFile("ok.pdf", PDF_BYTES), fake]
    )
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_the_deadline_in_tokyo_is_checked_on_the_server_to_the_second():
    # 17:00 in Tokyo is 08:00 UTC: a browser in UTC would think it is still morning.
    closes = dt.datetime(2026, 6, 30, 17, 0, tzinfo=TOKYO)
    call = CallFactory(criteria=1, opens_at=closes - dt.timedelta(days=30), closes_at=closes)
    call.refresh_from_db()
    application = ApplicationFactory(call=call)
    one_second_past = dt.datetime(2026, 6, 30, 8, 0, 1, tzinfo=dt.UTC)
    with pytest.raises(services.ApplicationError) as error:
        services.application_submit(application=application, submitted_by=None, now=one_second_past)
    assert error.value.code == "closed"
    one_second_before = dt.datetime(2026, 6, 30, 16, 59, 59, tzinfo=TOKYO)
    assert services.application_submit(
        application=application, submitted_by=None, now=one_second_before
    ).number


def test_a_pending_affiliate_cannot_apply_as_the_organisation(call):
    from tests.factories import AffiliationRequestFactory, PersonFactory, UserFactory

    org = OrganisationFactory()
    pending = PersonFactory(organisation=None, user=UserFactory())
    AffiliationRequestFactory(person=pending, organisation=org)
    client = signed_in(pending.user)
    assert client.get(reverse("projects:application_create", args=[call.pk])).status_code == 403
    assert _create(client, call).status_code == 403
    assert not Application.objects.exists()
