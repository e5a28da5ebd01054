"""Applications (応募): who may apply, the deadline, the budget, attachments, submission."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from projects.calls.models import Application, ApplicationAttachment
from projects.calls.services import applications as services
from projects.signals import call_changed
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


@pytest.fixture
def call(db):
    return CallFactory(
        criteria=2,
        support_kinds=[SupportKindFactory(name="実証経費の支援")],
        challenges=[CityChallengeFactory()],
        max_amount=1_000_000,
    )


def _post_data(call, **overrides):
    data = {
        "title": "顔認証とマイナンバーカードによるインターネット投票",
        "summary": "スマートフォンから投票し、投票内容をブロックチェーンに記録する。",
        "place": "つくば市役所",
        "period_start": "2026-07-01",
        "period_end": "2027-02-28",
        "requested_support": list(call.support_kinds.values_list("pk", flat=True)),
        "budget-TOTAL_FORMS": "3",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": "1000",
        "budget-0-item": "端末借料",
        "budget-0-amount": "400000",
        "budget-1-item": "運営委託費",
        "budget-1-amount": "500000",
    }
    data.update(overrides)
    return data


def _pdf(name="提案書.pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# --- who may apply -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_with_next(client, call):
    url = reverse("projects:application_create", args=[call.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


def test_user_without_an_organisation_is_told_to_request_affiliation(client, call):
    from tests.members.factories import PersonFactory, UserFactory

    person = PersonFactory(organisation=None, user=UserFactory())
    client.force_login(person.user)
    response = client.get(reverse("projects:application_create", args=[call.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "所属団体を申請する" in page
    assert reverse("members:my_affiliation") in page


def test_unconfirmed_organisation_cannot_apply(client, call):
    person = person_with_account(OrganisationFactory(is_confirmed=False))
    client.force_login(person.user)
    url = reverse("projects:application_create", args=[call.pk])
    response = client.post(url, _post_data(call))
    assert response.status_code == 403
    assert "事務局の確認待ち" in response.content.decode()
    assert not Application.objects.exists()


def test_sector_not_admitted_cannot_apply(client):
    call = CallFactory(criteria=1, eligible_sectors=["university"])
    person = person_with_account(OrganisationFactory(sector="company"))
    client.force_login(person.user)
    response = client.post(reverse("projects:application_create", args=[call.pk]), {})
    assert response.status_code == 403
    page = response.content.decode()
    assert "「企業」の団体からの応募を受け付けていません" in page
    assert "大学・研究機関" in page
    assert not Application.objects.exists()


def test_person_of_a_confirmed_organisation_saves_a_draft_with_budget_and_pdf(client, call):
    org = OrganisationFactory()
    partner = OrganisationFactory(name="国立大学法人 筑波大学", sector="university")
    person = person_with_account(org)
    client.force_login(person.user)
    data = _post_data(
        call,
        partners=[partner.pk],
        challenge=call.challenges.get().pk,
        attachments=[_pdf("提案書.pdf"), _pdf("体制図.pdf")],
    )
    response = client.post(reverse("projects:application_create", args=[call.pk]), data)
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:application_detail", args=[application.pk])
    assert application.status == "draft" and application.number == ""
    assert application.organisation == org and application.created_by == person.user
    assert list(application.partners.all()) == [partner]
    assert sorted(application.budget_lines.values_list("amount", flat=True)) == [400000, 500000]
    assert sorted(application.attachments.values_list("name", flat=True)) == [
        "体制図.pdf",
        "提案書.pdf",
    ]


def test_partner_list_offers_neither_the_applicant_nor_unconfirmed_organisations(client, call):
    org = OrganisationFactory(name="応募する株式会社")
    OrganisationFactory(name="未確認の株式会社", is_confirmed=False)
    OrganisationFactory(name="確認済みの大学", sector="university")
    client.force_login(person_with_account(org).user)
    response = client.get(reverse("projects:application_create", args=[call.pk]))
    partners = [str(o) for o in response.context["form"].fields["partners"].queryset]
    assert "確認済みの大学" in partners
    assert "応募する株式会社" not in partners and "未確認の株式会社" not in partners


def test_requested_support_is_limited_to_what_the_call_offers(client, call):
    other = SupportKindFactory(name="提供していない支援")
    client.force_login(person_with_account(OrganisationFactory()).user)
    url = reverse("projects:application_create", args=[call.pk])
    response = client.post(url, _post_data(call, requested_support=[other.pk]))
    assert response.status_code == 200
    assert "requested_support" in response.context["form"].errors
    assert not Application.objects.exists()


# --- the deadline ----------------------------------------------------------------------------


def _closed_call(**kwargs):
    now = timezone.now()
    return CallFactory(
        criteria=1,
        opens_at=now - dt.timedelta(days=30),
        closes_at=now - dt.timedelta(minutes=1),
        **kwargs,
    )


def test_after_the_deadline_nothing_can_be_created(client):
    call = _closed_call()
    client.force_login(person_with_account(OrganisationFactory()).user)
    response = client.post(
        reverse("projects:application_create", args=[call.pk]), _post_data(call), follow=True
    )
    assert "締切を過ぎています" in response.content.decode()
    assert not Application.objects.exists()


def test_after_the_deadline_nothing_can_be_changed_submitted_or_attached(client):
    call = _closed_call()
    person = person_with_account(OrganisationFactory())
    application = ApplicationFactory(call=call, organisation=person.organisation)
    attachment = ApplicationAttachmentFactory(application=application)
    client.force_login(person.user)
    pk = application.pk

    edit = client.post(
        reverse("projects:application_update", args=[pk]), _post_data(call, title="変更")
    )
    submit = client.post(reverse("projects:application_submit", args=[pk]), follow=True)
    upload = client.post(
        reverse("projects:attachment_upload", args=[pk]), {"file": _pdf()}, follow=True
    )
    remove = client.post(reverse("projects:attachment_delete", args=[attachment.pk]), follow=True)

    assert edit.status_code == 302
    for response in (submit, upload, remove):
        assert "締切を過ぎています" in response.content.decode()
    application.refresh_from_db()
    assert application.title != "変更"
    assert application.status == "draft" and application.number == ""
    assert list(application.attachments.all()) == [attachment]


def test_a_closed_call_takes_nothing_even_before_its_deadline():
    call = CallFactory(criteria=1, status="closed")
    application = ApplicationFactory(call=call)
    with pytest.raises(services.ApplicationError, match="受付をしていません"):
        services.application_submit(application=application, submitted_by=None)


def test_the_deadline_is_the_servers_clock_to_the_second():
    call = CallFactory(criteria=1)
    application = ApplicationFactory(call=call)
    with pytest.raises(services.ApplicationError) as error:
        services.application_submit(application=application, submitted_by=None, now=call.closes_at)
    assert error.value.code == "closed"
    just_before = call.closes_at - dt.timedelta(seconds=1)
    submitted = services.application_submit(
        application=application, submitted_by=None, now=just_before
    )
    assert submitted.number


# --- the budget ------------------------------------------------------------------------------


def test_budget_over_the_maximum_is_refused_with_both_amounts_and_nothing_is_saved(client, call):
    client.force_login(person_with_account(OrganisationFactory()).user)
    data = _post_data(call, **{"budget-1-amount": "700000"}, attachments=[_pdf()])
    response = client.post(reverse("projects:application_create", args=[call.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "経費の合計 1,100,000円 が支援上限額 1,000,000円 を超えています。" in page
    assert not Application.objects.exists()
    assert not ApplicationAttachment.objects.exists()


def test_editing_a_budget_over_the_maximum_keeps_the_stored_application(client, call):
    person = person_with_account(OrganisationFactory())
    application = ApplicationFactory(call=call, organisation=person.organisation, title="元の題")
    line = BudgetLineFactory(application=application, amount=900_000)
    client.force_login(person.user)
    data = _post_data(
        call,
        title="新しい題",
        **{
            "budget-INITIAL_FORMS": "1",
            "budget-0-id": str(line.pk),
            "budget-0-item": line.item,
            "budget-0-amount": "900000",
            "budget-1-item": "追加費用",
            "budget-1-amount": "200000",
        },
    )
    response = client.post(reverse("projects:application_update", args=[application.pk]), data)
    assert response.status_code == 200
    assert "1,100,000円" in response.content.decode()
    application.refresh_from_db()
    assert application.title == "元の題"
    assert list(application.budget_lines.values_list("amount", flat=True)) == [900_000]


def test_the_service_refuses_a_budget_over_the_maximum_too(call):
    from projects.calls.models import BudgetLine

    application = ApplicationFactory.build(call=call, organisation=OrganisationFactory())
    with pytest.raises(services.ValidationError, match="1,000,001円"):
        services.application_create(
            application=application,
            created_by=None,
            parts=services.ApplicationParts(
                budget_lines=[BudgetLine(item="機器", amount=1_000_001)]
            ),
        )
    assert not Application.objects.exists()


# --- attachments -----------------------------------------------------------------------------


def test_a_file_that_is_not_a_pdf_is_refused(client, call):
    person = person_with_account(OrganisationFactory())
    application = ApplicationFactory(call=call, organisation=person.organisation)
    client.force_login(person.user)
    fake = SimpleUploadedFile("提案書.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("projects:attachment_upload", args=[application.pk]), {"file": fake}, follow=True
    )
    assert "拡張子と中身が一致しません" in response.content.decode()
    assert not application.attachments.exists()


def test_a_pdf_over_the_size_limit_is_refused(client, call, settings):
    settings.KYOSO_CALL_ATTACHMENT_MAX_BYTES = 1024
    person = person_with_account(OrganisationFactory())
    application = ApplicationFactory(call=call, organisation=person.organisation)
    client.force_login(person.user)
    big = _pdf(data=PDF_BYTES + b"0" * 2048)
    response = client.post(
        reverse("projects:attachment_upload", args=[application.pk]), {"file": big}, follow=True
    )
    page = response.content.decode()
    assert "大きすぎます" in page and "上限は1.0" in page
    assert not application.attachments.exists()


def test_attachments_are_private_and_downloaded_by_their_organisation(client, call, people):
    person = person_with_account(OrganisationFactory())
    application = ApplicationFactory(call=call, organisation=person.organisation)
    client.force_login(person.user)
    client.post(reverse("projects:attachment_upload", args=[application.pk]), {"file": _pdf()})
    attachment = application.attachments.get()
    assert attachment.file.storage.base_url is None  # private storage: no public URL
    url = reverse("projects:attachment_download", args=[attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    client.force_login(people["member_b"])
    assert client.get(url).status_code == 404


def test_removing_an_attachment_deletes_its_file_on_commit(
    client, call, django_capture_on_commit_callbacks
):
    person = person_with_account(OrganisationFactory())
    application = ApplicationFactory(call=call, organisation=person.organisation)
    attachment = ApplicationAttachmentFactory(application=application)
    storage, name = attachment.file.storage, attachment.file.name
    client.force_login(person.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:attachment_delete", args=[attachment.pk]))
    assert not application.attachments.exists()
    assert not storage.exists(name)


# --- submission, numbering and the receipt -----------------------------------------------------


def test_submit_numbers_the_application_and_mails_the_receipt(
    client, call, django_capture_on_commit_callbacks
):
    person = person_with_account(OrganisationFactory(name="株式会社VOTE FOR"))
    application = ApplicationFactory(call=call, organisation=person.organisation)
    client.force_login(person.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:application_submit", args=[application.pk]), follow=True
        )
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.number == "2026-T-001"
    assert "受付番号は 2026-T-001 です" in response.content.decode()
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == [person.user.email]
    assert "2026-T-001" in receipt.subject
    assert "受付番号: 2026-T-001" in receipt.body
    assert "株式会社VOTE FOR ご担当者様" in receipt.body
    assert "令和8年" in receipt.body  # the submission time with 和暦


def test_double_submit_keeps_the_number_and_sends_one_receipt(
    client, call, django_capture_on_commit_callbacks
):
    person = person_with_account(OrganisationFactory())
    application = ApplicationFactory(call=call, organisation=person.organisation)
    client.force_login(person.user)
    url = reverse("projects:application_submit", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    first = Application.objects.get(pk=application.pk)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, follow=True)
    again = Application.objects.get(pk=application.pk)
    assert (again.number, again.sequence, again.submitted_at) == (
        first.number,
        first.sequence,
        first.submitted_at,
    )
    assert "提出済みです" in second.content.decode()
    assert len(mail.outbox) == 1


def test_numbers_follow_the_order_of_submission_per_call(call):
    other_call = CallFactory(criteria=1, fiscal_year=2025, number_code="S")
    drafts = [ApplicationFactory(call=call) for _ in range(3)]
    other = ApplicationFactory(call=other_call)
    numbers = [
        services.application_submit(application=a, submitted_by=None).number
        for a in (drafts[2], drafts[0], other, drafts[1])
    ]
    assert numbers == ["2026-T-001", "2026-T-002", "2025-S-001", "2026-T-003"]


def test_numbering_continues_after_the_highest_sequence(call):
    ApplicationFactory(call=call, submitted=True, sequence=7)
    submitted = services.application_submit(
        application=ApplicationFactory(call=call), submitted_by=None
    )
    assert submitted.number == "2026-T-008"


def test_a_submitted_application_can_be_changed_until_the_deadline_and_keeps_its_number(
    client, call
):
    person = person_with_account(OrganisationFactory())
    application = ApplicationFactory(call=call, organisation=person.organisation)
    services.application_submit(application=application, submitted_by=person.user)
    client.force_login(person.user)
    response = client.post(
        reverse("projects:application_update", args=[application.pk]),
        _post_data(call, title="改訂した提案"),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.title == "改訂した提案"
    assert (application.status, application.number) == ("submitted", "2026-T-001")


def test_every_write_announces_the_budget_year_on_commit(call, django_capture_on_commit_callbacks):
    seen = []

    def receiver(sender, fiscal_years, **kwargs):
        seen.append(fiscal_years)

    call_changed.connect(receiver)
    try:
        application = ApplicationFactory.build(call=call, organisation=OrganisationFactory())
        with django_capture_on_commit_callbacks(execute=True):
            application = services.application_create(application=application, created_by=None)
        with django_capture_on_commit_callbacks(execute=True):
            services.attachment_add(application=application, upload=_pdf())
        with django_capture_on_commit_callbacks(execute=True):
            services.application_submit(application=application, submitted_by=None)
    finally:
        call_changed.disconnect(receiver)
    assert seen == [{2026}, {2026}, {2026}]


# --- visibility ------------------------------------------------------------------------------


def test_another_organisations_application_is_a_404(client_as, people, call):
    application = ApplicationFactory(call=call, organisation=people["member_a"].person.organisation)
    attachment = ApplicationAttachmentFactory(application=application)
    client = client_as("member_b")
    for url in (
        reverse("projects:application_detail", args=[application.pk]),
        reverse("projects:application_update", args=[application.pk]),
        reverse("projects:attachment_download", args=[attachment.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("projects:application_submit", args=[application.pk])).status_code
        == 404
    )
    application.refresh_from_db()
    assert application.status == "draft"
    assert (
        client_as("member_a")
        .get(reverse("projects:application_detail", args=[application.pk]))
        .status_code
        == 200
    )
    assert (
        client_as("staff")
        .get(reverse("projects:application_detail", args=[application.pk]))
        .status_code
        == 200
    )


def test_my_applications_lists_only_the_own_organisations(client_as, people, call):
    mine = ApplicationFactory(call=call, organisation=people["member_a"].person.organisation)
    theirs = ApplicationFactory(call=call, organisation=people["member_b"].person.organisation)
    response = client_as("member_a").get(reverse("projects:my_applications"))
    assert list(response.context["applications"]) == [mine]
    assert theirs.title not in response.content.decode()
