"""The catalogue's pages for an organisation and for staff: lists, the form, the buttons each
status allows, the returned reason, the files, and another organisation's entries (404)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.catalogue.models import Category, Entry
from tests.factories import MembershipFactory, StudyGroupFactory
from tests.projects.catalogue.factories import (
    PDF_BYTES,
    CategoryFactory,
    EntryFactory,
    EntryImageFactory,
    image_bytes,
)

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    data = {
        "kind": "technology",
        "title": "浮体式波力発電装置",
        "title_kana": "フタイシキハリョクハツデンソウチ",
        "category": Category.objects.order_by("order").first().pk,
        "summary": "沖合に浮かべて波の上下動で発電する装置。",
        "details": "平塚沖で実証中。",
        "keywords": "波力、海洋エネルギー",
        "contact": "開発部",
        "url": "https://example.jp/wave",
    }
    return data | overrides


@pytest.fixture
def draft_a(org_a):
    return EntryFactory(organisation=org_a, title="A社の下書き")


# --- An organisation's pages -----------------------------------------------------------------


def test_my_list_shows_the_organisations_entries_with_their_status(client_as, org_a, org_b):
    EntryFactory(organisation=org_a, title="A社の下書き")
    EntryFactory(organisation=org_a, title="A社の公開中", published=True)
    EntryFactory(organisation=org_a, title="A社の差し戻し", returned_reason="写真を追加")
    EntryFactory(organisation=org_b, title="B社の下書き")
    response = client_as("member_a").get(reverse("projects:catalogue_mine"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "A社の下書き" in html and "A社の公開中" in html
    assert "B社の下書き" not in html
    assert "公開中" in html and "下書き" in html and "差し戻し" in html


def test_the_organisations_page_links_to_its_entries(client_as):
    response = client_as("member_a").get(reverse("members:my_organisation"))
    assert reverse("projects:catalogue_mine") in response.content.decode()


def test_a_person_creates_a_draft_with_a_brochure(client_as, org_a, study_group):
    data = _form_data(study_groups=[study_group.pk])
    data["brochure_file"] = SimpleUploadedFile("パンフレット.pdf", PDF_BYTES)
    response = client_as("member_a").post(reverse("projects:entry_create"), data)
    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:entry_detail", args=[entry.pk])
    assert (entry.organisation, entry.status) == (org_a, "draft")
    assert list(entry.study_groups.all()) == [study_group]
    assert entry.brochure


def test_the_form_offers_only_the_organisations_study_groups(client_as, study_group):
    other = StudyGroupFactory(name="B社だけの研究会")
    MembershipFactory(study_group=other)
    response = client_as("member_a").get(reverse("projects:entry_create"))
    choices = set(response.context["form"].fields["study_groups"].queryset)
    assert study_group in choices and other not in choices
    response = client_as("member_a").post(
        reverse("projects:entry_create"), _form_data(study_groups=[other.pk])
    )
    assert response.status_code == 200
    assert "study_groups" in response.context["form"].errors
    assert not Entry.objects.exists()


def test_a_brochure_that_is_not_a_pdf_is_refused_by_the_form(client_as):
    data = _form_data(brochure_file=SimpleUploadedFile("パンフレット.pdf", b"PK\x03\x04zip"))
    response = client_as("member_a").post(reverse("projects:entry_create"), data)
    assert response.status_code == 200
    assert "brochure_file" in response.context["form"].errors
    assert not Entry.objects.exists()


def test_the_draft_page_offers_edit_submit_and_pictures(client_as, draft_a):
    response = client_as("member_a").get(reverse("projects:entry_detail", args=[draft_a.pk]))
    html = response.content.decode()
    assert reverse("projects:entry_update", args=[draft_a.pk]) in html
    assert reverse("projects:entry_submit", args=[draft_a.pk]) in html
    assert reverse("projects:entry_image_upload", args=[draft_a.pk]) in html
    assert reverse("projects:entry_archive", args=[draft_a.pk]) not in html


def test_a_submitted_entry_shows_no_edit_and_its_edit_page_says_why(client_as, org_a):
    entry = EntryFactory(organisation=org_a, submitted=True)
    client = client_as("member_a")
    html = client.get(reverse("projects:entry_detail", args=[entry.pk])).content.decode()
    assert reverse("projects:entry_update", args=[entry.pk]) not in html
    assert reverse("projects:entry_submit", args=[entry.pk]) not in html
    response = client.get(reverse("projects:entry_update", args=[entry.pk]), follow=True)
    assert "審査中のため変更できません" in response.content.decode()


def test_the_returned_reason_is_shown_on_the_draft(client_as, org_a):
    entry = EntryFactory(organisation=org_a, returned_reason="製品写真の代替テキストを具体的に。")
    response = client_as("member_a").get(reverse("projects:entry_detail", args=[entry.pk]))
    html = response.content.decode()
    assert "事務局から差し戻されました" in html
    assert "製品写真の代替テキストを具体的に。" in html


def test_submitting_from_the_page(client_as, draft_a):
    client_as("member_a").post(reverse("projects:entry_submit", args=[draft_a.pk]))
    draft_a.refresh_from_db()
    assert draft_a.status == "submitted"


def test_editing_a_published_entry_warns_and_sends_it_back_to_review(client_as, org_a):
    entry = EntryFactory(organisation=org_a, published=True)
    client = client_as("member_a")
    page = client.get(reverse("projects:entry_update", args=[entry.pk])).content.decode()
    assert "公開ページに表示されなくなります" in page
    data = _form_data(title="改良版", category=entry.category_id)
    response = client.post(reverse("projects:entry_update", args=[entry.pk]), data, follow=True)
    entry.refresh_from_db()
    assert (entry.title, entry.status) == ("改良版", "submitted")
    assert "公開ページには表示されません" in response.content.decode()


def test_uploading_and_removing_a_picture_from_the_page(client_as, draft_a):
    client = client_as("member_a")
    upload = SimpleUploadedFile("photo.jpg", image_bytes(2000, 1000))
    response = client.post(
        reverse("projects:entry_image_upload", args=[draft_a.pk]),
        {"image": upload, "alt": "装置の外観"},
        follow=True,
    )
    image = draft_a.images.get()
    assert (image.width, image.height) == (1600, 800)
    assert "画像を追加しました" in response.content.decode()
    client.post(reverse("projects:entry_image_delete", args=[image.pk]))
    assert not draft_a.images.exists()


def test_an_upload_that_is_not_a_picture_is_reported(client_as, draft_a):
    response = client_as("member_a").post(
        reverse("projects:entry_image_upload", args=[draft_a.pk]),
        {"image": SimpleUploadedFile("photo.jpg", b"not a picture"), "alt": "写真"},
        follow=True,
    )
    assert "画像として読み込めません" in response.content.decode()
    assert not draft_a.images.exists()


def test_the_history_page_shows_the_changes(client_as, draft_a, people):
    from projects.catalogue.services import entries as services

    services.entry_submit(entry=draft_a, submitted_by=people["member_a"])
    response = client_as("member_a").get(reverse("projects:entry_history", args=[draft_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "審査待ち" in html and "下書き" in html


# --- Another organisation's entries ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("projects:entry_detail", "get"),
        ("projects:entry_update", "get"),
        ("projects:entry_update", "post"),
        ("projects:entry_submit", "post"),
        ("projects:entry_archive", "post"),
        ("projects:entry_history", "get"),
        ("projects:entry_image_upload", "post"),
        ("projects:entry_brochure", "get"),
    ],
)
def test_another_organisations_draft_is_a_404(client_as, draft_a, name, method):
    draft_a.brochure.save("案内.pdf", ContentFile(PDF_BYTES), save=True)
    client, url = client_as("member_b"), reverse(name, args=[draft_a.pk])
    if method == "get":
        response = client.get(url)
    else:
        data = {"image": SimpleUploadedFile("photo.jpg", image_bytes()), "alt": "x"}
        response = client.post(url, data)
    assert response.status_code == 404
    draft_a.refresh_from_db()
    assert draft_a.status == "draft" and not draft_a.images.exists()


@pytest.mark.parametrize("role", ["member_b", "anonymous"])
def test_another_organisations_draft_pictures_are_a_404(client_as, draft_a, role):
    image = EntryImageFactory(entry=draft_a)
    client = client_as(role)
    assert client.get(reverse("projects:entry_image", args=[image.pk])).status_code == 404
    response = client.post(reverse("projects:entry_image_delete", args=[image.pk]))
    assert response.status_code in (404, 302)
    assert draft_a.images.filter(pk=image.pk).exists()


# --- Files -----------------------------------------------------------------------------------


def test_pictures_have_their_content_type_and_a_cache_header(client_as, client, org_a):
    published = EntryImageFactory(entry=EntryFactory(organisation=org_a, published=True))
    response = client.get(reverse("projects:entry_image", args=[published.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    draft = EntryImageFactory(entry=EntryFactory(organisation=org_a))
    response = client_as("member_a").get(reverse("projects:entry_image", args=[draft.pk]))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    staff = client_as("staff").get(reverse("projects:entry_image", args=[draft.pk]))
    assert staff.status_code == 200


def test_a_published_brochure_is_for_everyone(client, org_a):
    entry = EntryFactory(organisation=org_a, published=True)
    entry.brochure.save("案内.pdf", ContentFile(PDF_BYTES), save=True)
    response = client.get(reverse("projects:entry_brochure", args=[entry.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert (
        client.get(
            reverse("projects:entry_brochure", args=[EntryFactory(published=True).pk])
        ).status_code
        == 404
    )  # no brochure


# --- Staff -----------------------------------------------------------------------------------


def test_the_review_queue_lists_submitted_entries_only(client_as, org_a):
    EntryFactory(organisation=org_a, title="審査待ちの製品", submitted=True)
    EntryFactory(organisation=org_a, title="まだ下書き")
    html = client_as("staff").get(reverse("projects:catalogue_review_queue")).content.decode()
    assert "審査待ちの製品" in html and "まだ下書き" not in html


def test_staff_publish_from_the_review_page(client_as, org_a, people):
    entry = EntryFactory(organisation=org_a, submitted=True)
    client = client_as("staff")
    page = client.get(reverse("projects:entry_review", args=[entry.pk])).content.decode()
    assert reverse("projects:entry_publish", args=[entry.pk]) in page
    assert reverse("projects:entry_return", args=[entry.pk]) in page
    response = client.post(reverse("projects:entry_publish", args=[entry.pk]))
    assert response["Location"] == reverse("projects:catalogue_review_queue")
    entry.refresh_from_db()
    assert (entry.status, entry.reviewed_by) == ("published", people["staff"])


def test_sending_back_without_a_reason_shows_the_error(client_as, org_a, mailoutbox):
    entry = EntryFactory(organisation=org_a, submitted=True)
    response = client_as("staff").post(
        reverse("projects:entry_return", args=[entry.pk]), {"reason": "  "}
    )
    assert response.status_code == 200
    assert "reason" in response.context["return_form"].errors
    entry.refresh_from_db()
    assert entry.status == "submitted"
    assert mailoutbox == []


def test_sending_back_with_a_reason(
    client_as, org_a, people, mailoutbox, django_capture_on_commit_callbacks
):
    entry = EntryFactory(organisation=org_a, submitted=True, created_by=people["member_a"])
    reason = "価格の記載を削除してください。"
    url = reverse("projects:entry_return", args=[entry.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("staff").post(url, {"reason": reason})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.returned_reason) == ("draft", reason)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["a@example.jp"]


def test_the_staff_list_filters_by_status(client_as, org_a, org_b):
    EntryFactory(organisation=org_a, title="公開中の装置", published=True)
    EntryFactory(organisation=org_b, title="下書きの装置")
    client = client_as("staff")
    everything = client.get(reverse("projects:catalogue_staff_list")).content.decode()
    assert "公開中の装置" in everything and "下書きの装置" in everything
    drafts = client.get(reverse("projects:catalogue_staff_list") + "?status=draft")
    html = drafts.content.decode()
    assert "下書きの装置" in html and "公開中の装置" not in html
    bogus = client.get(reverse("projects:catalogue_staff_list") + "?status=nonsense")
    assert bogus.status_code == 200 and "公開中の装置" in bogus.content.decode()


def test_staff_keep_the_categories(client_as):
    client = client_as("staff")
    response = client.post(
        reverse("projects:category_list"), {"name": "海洋", "name_en": "Ocean", "order": 90}
    )
    assert response.status_code == 302
    category = Category.objects.get(name="海洋")
    client.post(
        reverse("projects:category_update", args=[category.pk]),
        {"name": "海洋・港湾", "name_en": "Ocean and ports", "order": 95},
    )
    category.refresh_from_db()
    assert (category.name, category.order) == ("海洋・港湾", 95)
    client.post(reverse("projects:category_delete", args=[category.pk]))
    assert not Category.objects.filter(pk=category.pk).exists()


def test_a_category_in_use_is_not_deleted_and_the_page_says_why(client_as):
    category = CategoryFactory(name="使用中の分野")
    EntryFactory(category=category)
    client = client_as("staff")
    page = client.get(reverse("projects:category_update", args=[category.pk])).content.decode()
    assert "削除できません" in page
    response = client.post(reverse("projects:category_delete", args=[category.pk]), follow=True)
    assert "削除できません" in response.content.decode()
    assert Category.objects.filter(pk=category.pk).exists()
