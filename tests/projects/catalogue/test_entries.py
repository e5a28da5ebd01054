"""Catalogue entries: who may write which entry in which status, and the review's transitions
(submit, publish, send back with a reason, archive), history, and the search text."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from members import services as member_services
from projects.catalogue.models import Entry
from projects.catalogue.services import categories as category_services
from projects.catalogue.services import entries as services
from projects.signals import catalogue_changed
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    StudyGroupFactory,
    person_with_account,
)
from tests.projects.catalogue.factories import PDF_BYTES, CategoryFactory, EntryFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

DRAFT, SUBMITTED, PUBLISHED, ARCHIVED = "draft", "submitted", "published", "archived"


@pytest.fixture
def entry_a(org_a):
    return EntryFactory(organisation=org_a)


def _new_entry(organisation, **fields):
    values = {
        "organisation": organisation,
        "kind": "product",
        "title": "波力発電ブイ",
        "title_kana": "ハリョクハツデンブイ",
        "category": CategoryFactory(),
        "summary": "沖合で波の上下動から発電するブイ。",
    }
    return Entry(**(values | fields))


@pytest.fixture
def signals():
    seen = []

    def receiver(sender, entry_ids, **kwargs):
        seen.append(set(entry_ids))

    catalogue_changed.connect(receiver)
    yield seen
    catalogue_changed.disconnect(receiver)


# --- Writing ---------------------------------------------------------------------------------


def test_a_person_creates_a_draft_of_their_organisation_with_links(
    people, org_a, study_group, django_capture_on_commit_callbacks, signals
):
    project = ProjectFactory(study_groups=[study_group])
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.entry_create(
            entry=_new_entry(org_a),
            created_by=people["member_a"],
            study_groups=[study_group],
            projects=[project],
            brochure=SimpleUploadedFile("案内.pdf", PDF_BYTES),
        )
    entry.refresh_from_db()
    assert entry.status == DRAFT
    assert entry.created_by == people["member_a"]
    assert list(entry.study_groups.all()) == [study_group]
    assert list(entry.projects.all()) == [project]
    assert entry.brochure.name.endswith(".pdf")
    assert "はりょくはつでんぶい" in entry.search_text
    assert signals == [{entry.pk}]
    assert entry.history.first().history_user == people["member_a"]


def test_nobody_creates_an_entry_for_another_organisation(people, org_a):
    with pytest.raises(PermissionDenied):
        services.entry_create(entry=_new_entry(org_a), created_by=people["member_b"])
    assert not Entry.objects.exists()


def test_only_the_organisations_study_groups_and_visible_projects_can_be_linked(people, org_a):
    foreign_group = StudyGroupFactory(name="他団体だけの研究会")
    with pytest.raises(ValidationError) as caught:
        services.entry_create(
            entry=_new_entry(org_a), created_by=people["member_a"], study_groups=[foreign_group]
        )
    assert caught.value.code == "study_group"
    hidden = ProjectFactory(name="B社だけの事業", lead_organisation=OrganisationFactory())
    with pytest.raises(ValidationError) as caught:
        services.entry_create(
            entry=_new_entry(org_a), created_by=people["member_a"], projects=[hidden]
        )
    assert caught.value.code == "project"
    assert not Entry.objects.exists()


def test_a_brochure_that_is_not_a_pdf_is_refused_and_nothing_is_saved(people, org_a):
    with pytest.raises(ValidationError) as caught:
        services.entry_create(
            entry=_new_entry(org_a),
            created_by=people["member_a"],
            brochure=SimpleUploadedFile("案内.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert caught.value.code == "file_disguised"
    assert not Entry.objects.exists()


def test_a_brochure_over_the_limit_is_refused(people, org_a, settings):
    settings.KYOSO_CATALOGUE_BROCHURE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        services.entry_create(
            entry=_new_entry(org_a),
            created_by=people["member_a"],
            brochure=SimpleUploadedFile("案内.pdf", PDF_BYTES + b" " * 200),
        )
    assert caught.value.code == "file_too_large"


@pytest.mark.parametrize(
    ("status", "member_may"),
    [(DRAFT, True), (SUBMITTED, False), (PUBLISHED, True), (ARCHIVED, False)],
)
def test_who_may_change_an_entry_in_each_status(people, org_a, status, member_may):
    entry = EntryFactory(organisation=org_a, status=status)
    assert services.may_change(entry, people["member_a"]) is member_may
    assert services.may_change(entry, people["member_b"]) is False
    assert services.may_change(entry, people["staff"]) is True
    assert services.may_change(entry, people["admin"]) is True


def test_the_organisation_edits_its_draft_and_what_the_form_does_not_edit_stays(people, entry_a):
    entry_a.title = "改良型波力発電装置"
    entry_a.status = PUBLISHED  # a forged status is ignored
    services.entry_update(entry=entry_a, changed_by=people["member_a"])
    entry_a.refresh_from_db()
    assert entry_a.title == "改良型波力発電装置"
    assert entry_a.status == DRAFT
    assert "改良型波力発電装置" in entry_a.search_text


def test_another_organisation_cannot_edit(people, entry_a):
    entry_a.title = "乗っ取り"
    with pytest.raises(PermissionDenied):
        services.entry_update(entry=entry_a, changed_by=people["member_b"])
    entry_a.refresh_from_db()
    assert entry_a.title != "乗っ取り"


def test_an_entry_under_review_is_not_edited_by_its_organisation(people, org_a):
    entry = EntryFactory(organisation=org_a, submitted=True)
    entry.title = "審査中の変更"
    with pytest.raises(ValidationError) as caught:
        services.entry_update(entry=entry, changed_by=people["member_a"])
    assert caught.value.code == "under_review"


def test_an_archived_entry_is_not_edited_by_its_organisation(people, org_a):
    entry = EntryFactory(organisation=org_a, archived=True)
    with pytest.raises(ValidationError) as caught:
        services.entry_update(entry=entry, changed_by=people["member_a"])
    assert caught.value.code == "archived"


def test_an_organisations_change_to_a_published_entry_goes_back_to_review(people, org_a):
    entry = EntryFactory(organisation=org_a, published=True)
    entry.summary = "発電効率を2割高めた。"
    services.entry_update(entry=entry, changed_by=people["member_a"])
    entry.refresh_from_db()
    assert entry.status == SUBMITTED
    assert not Entry.objects.public().filter(pk=entry.pk).exists()


@pytest.mark.parametrize("status", [DRAFT, SUBMITTED, PUBLISHED, ARCHIVED])
def test_staff_may_always_edit_and_keep_the_status(people, org_a, status):
    entry = EntryFactory(organisation=org_a, status=status)
    entry.title = "事務局が直した名称"
    services.entry_update(entry=entry, changed_by=people["staff"])
    entry.refresh_from_db()
    assert (entry.title, entry.status) == ("事務局が直した名称", status)


def test_replacing_the_brochure_deletes_the_old_file_after_commit(
    people, entry_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_update(
            entry=entry_a,
            changed_by=people["member_a"],
            brochure=SimpleUploadedFile("旧.pdf", PDF_BYTES),
        )
    old = Entry.objects.get(pk=entry_a.pk).brochure.name
    storage = entry_a.brochure.storage
    assert storage.exists(old)
    entry = Entry.objects.get(pk=entry_a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_update(entry=entry, changed_by=people["member_a"], remove_brochure=True)
    assert not Entry.objects.get(pk=entry_a.pk).brochure
    assert not storage.exists(old)


# --- Review ----------------------------------------------------------------------------------


def test_submit_publish_and_archive(people, entry_a, django_capture_on_commit_callbacks, signals):
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=entry_a, submitted_by=people["member_a"])
        entry_a.refresh_from_db()
        assert entry_a.status == SUBMITTED and entry_a.submitted_at
        services.entry_publish(entry=entry_a, reviewed_by=people["staff"])
        entry_a.refresh_from_db()
        assert entry_a.status == PUBLISHED
        assert entry_a.published_at and entry_a.reviewed_by == people["staff"]
        assert Entry.objects.public().filter(pk=entry_a.pk).exists()
        services.entry_archive(entry=entry_a, archived_by=people["member_a"])
    entry_a.refresh_from_db()
    assert entry_a.status == ARCHIVED
    assert not Entry.objects.public().filter(pk=entry_a.pk).exists()
    assert signals == [{entry_a.pk}] * 3
    assert [h.status for h in entry_a.history.order_by("history_date")] == [
        DRAFT,
        SUBMITTED,
        PUBLISHED,
        ARCHIVED,
    ]


def test_submitting_twice_changes_nothing(people, org_a):
    entry = EntryFactory(organisation=org_a, submitted=True)
    first = entry.submitted_at
    services.entry_submit(entry=entry, submitted_by=people["member_a"])
    entry.refresh_from_db()
    assert (entry.status, entry.submitted_at) == (SUBMITTED, first)


@pytest.mark.parametrize("status", [PUBLISHED, ARCHIVED])
def test_only_a_draft_is_submitted(people, org_a, status):
    entry = EntryFactory(organisation=org_a, status=status)
    with pytest.raises(ValidationError) as caught:
        services.entry_submit(entry=entry, submitted_by=people["member_a"])
    assert caught.value.code == "not_draft"


def test_another_organisation_cannot_submit(people, entry_a):
    with pytest.raises(PermissionDenied):
        services.entry_submit(entry=entry_a, submitted_by=people["member_b"])


def test_an_unconfirmed_organisation_cannot_submit(people, org_a):
    org_a.is_confirmed = False
    org_a.save(update_fields=["is_confirmed"])
    entry = EntryFactory(organisation=org_a)
    with pytest.raises(ValidationError) as caught:
        services.entry_submit(entry=entry, submitted_by=people["member_a"])
    assert caught.value.code == "unconfirmed"


@pytest.mark.parametrize("status", [DRAFT, PUBLISHED, ARCHIVED])
def test_only_a_submitted_entry_is_published_or_sent_back(people, org_a, status):
    entry = EntryFactory(organisation=org_a, status=status)
    with pytest.raises(ValidationError) as caught:
        services.entry_publish(entry=entry, reviewed_by=people["staff"])
    assert caught.value.code == "not_submitted"
    with pytest.raises(ValidationError) as caught:
        services.entry_return(entry=entry, reviewed_by=people["staff"], reason="直してください")
    assert caught.value.code == "not_submitted"
    entry.refresh_from_db()
    assert entry.status == status


def test_members_cannot_publish_or_send_back(people, org_a):
    entry = EntryFactory(organisation=org_a, submitted=True)
    with pytest.raises(PermissionDenied):
        services.entry_publish(entry=entry, reviewed_by=people["member_a"])
    with pytest.raises(PermissionDenied):
        services.entry_return(entry=entry, reviewed_by=people["member_a"], reason="自分で")
    entry.refresh_from_db()
    assert entry.status == SUBMITTED


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_sending_back_needs_a_reason(people, org_a, reason, mailoutbox):
    entry = EntryFactory(organisation=org_a, submitted=True)
    with pytest.raises(ValidationError) as caught:
        services.entry_return(entry=entry, reviewed_by=people["staff"], reason=reason)
    assert caught.value.code == "reason_required"
    entry.refresh_from_db()
    assert entry.status == SUBMITTED
    assert mailoutbox == []


def test_sending_back_mails_the_creator_the_reason_after_commit(
    people, org_a, mailoutbox, django_capture_on_commit_callbacks
):
    entry = EntryFactory(organisation=org_a, submitted=True, created_by=people["member_a"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.entry_return(
            entry=entry, reviewed_by=people["staff"], reason="画像の代替テキストを具体的に。"
        )
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    entry.refresh_from_db()
    assert entry.status == DRAFT
    assert entry.returned_reason == "画像の代替テキストを具体的に。"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["a@example.jp"]
    assert entry.title in message.subject
    assert "画像の代替テキストを具体的に。" in message.body


def test_publishing_clears_the_reason_of_an_earlier_return(people, org_a):
    entry = EntryFactory(organisation=org_a, submitted=True, returned_reason="前回の理由")
    services.entry_publish(entry=entry, reviewed_by=people["staff"])
    entry.refresh_from_db()
    assert entry.returned_reason == ""


@pytest.mark.parametrize("status", [DRAFT, SUBMITTED, ARCHIVED])
def test_only_a_published_entry_is_archived(people, org_a, status):
    entry = EntryFactory(organisation=org_a, status=status)
    with pytest.raises(ValidationError) as caught:
        services.entry_archive(entry=entry, archived_by=people["staff"])
    assert caught.value.code == "not_published"


def test_another_organisation_cannot_archive(people, org_a):
    entry = EntryFactory(organisation=org_a, published=True)
    with pytest.raises(PermissionDenied):
        services.entry_archive(entry=entry, archived_by=people["member_b"])
    services.entry_archive(entry=entry, archived_by=people["staff"])
    entry.refresh_from_db()
    assert entry.status == ARCHIVED


# --- Visibility ------------------------------------------------------------------------------


def test_visible_to_and_editable_by(people, org_a, org_b):
    draft_a = EntryFactory(organisation=org_a)
    published_b = EntryFactory(organisation=org_b, published=True)
    draft_b = EntryFactory(organisation=org_b, submitted=True)

    def ids(queryset):
        return set(queryset.values_list("pk", flat=True))

    assert ids(Entry.objects.visible_to(people["member_a"])) == {draft_a.pk, published_b.pk}
    assert ids(Entry.objects.editable_by(people["member_a"])) == {draft_a.pk}
    everything = {draft_a.pk, published_b.pk, draft_b.pk}
    assert ids(Entry.objects.visible_to(people["staff"])) == everything
    assert ids(Entry.objects.editable_by(people["admin"])) == everything
    assert ids(Entry.objects.visible_to(AnonymousUser())) == {published_b.pk}
    assert ids(Entry.objects.editable_by(AnonymousUser())) == set()
    unaffiliated = person_with_account(None, username="nobody").user
    assert ids(Entry.objects.visible_to(unaffiliated)) == {published_b.pk}
    assert ids(Entry.objects.editable_by(unaffiliated)) == set()


# --- Search text and categories --------------------------------------------------------------


def test_renaming_an_organisation_refreshes_its_entries_search_text(people, org_a):
    entry = EntryFactory(organisation=org_a, published=True)
    other = EntryFactory(published=True)
    untouched = Entry.objects.get(pk=other.pk).search_text
    member_services.organisation_update(
        organisation=org_a, changed_by=people["staff"], fields={"name": "ナミノリ工業株式会社"}
    )
    entry.refresh_from_db()
    assert "なみのり工業株式会社" in entry.search_text
    assert "株式会社aまりん" not in entry.search_text
    assert Entry.objects.get(pk=other.pk).search_text == untouched


def test_a_category_in_use_cannot_be_deleted(people, org_a):
    used = CategoryFactory(name="海洋")
    EntryFactory(organisation=org_a, category=used)
    with pytest.raises(ValidationError) as caught:
        category_services.category_delete(category=used)
    assert caught.value.code == "category_in_use"
    unused = CategoryFactory(name="未使用")
    category_services.category_delete(category=unused)
    assert not type(unused).objects.filter(pk=unused.pk).exists()
    assert type(used).objects.filter(pk=used.pk).exists()


def test_study_groups_the_organisation_left_stay_linkable_on_edit(people, org_a):
    group = StudyGroupFactory(name="旧研究会")
    membership = MembershipFactory(organisation=org_a, study_group=group)
    entry = EntryFactory(organisation=org_a, study_groups=[group])
    membership.left_on = membership.joined_on
    membership.save()
    services.entry_update(entry=entry, changed_by=people["member_a"], study_groups=[group])
    assert list(entry.study_groups.all()) == [group]
