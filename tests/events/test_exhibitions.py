"""展示会・シンポジウム: exhibitors with their published entries, speakers and chairs, co-hosts and
the visitor count, kept by staff and shown on the meeting's public page."""

import datetime as dt

import pytest
from django.urls import reverse

from events import exhibitions
from events.exhibitions import ShowcaseError
from events.models import Exhibitor, Meeting, Speaker
from tests.factories import OrganisationFactory
from tests.projects.catalogue.factories import EntryFactory

from .factories import MeetingFactory


@pytest.fixture
def fair(study_group):
    return MeetingFactory(
        study_group=study_group,
        kind=Meeting.Kind.EXHIBITION,
        title="ひらつか環境・エネルギー技術展 2025",
        visibility=Meeting.Visibility.PUBLIC,
        date=dt.date(2025, 11, 8),
    )


@pytest.fixture
def firm(db):
    organisation = OrganisationFactory(
        name="湘南マリンテック株式会社", name_kana="ショウナンマリンテック"
    )
    EntryFactory(organisation=organisation, title="波力発電ブイ", published=True)
    EntryFactory(organisation=organisation, title="試作中の水中ドローン")  # a draft
    return organisation


def add_exhibitor(client, fair, organisation, booth="A-12"):
    return client.post(
        reverse("events:showcase", args=[fair.pk]),
        {"action": "exhibitor", "organisation": organisation.pk, "booth": booth},
    )


def test_staff_add_an_exhibitor_and_the_public_page_lists_it_with_its_published_entries(
    client_as, client, fair, firm
):
    response = add_exhibitor(client_as("staff"), fair, firm)
    assert response.status_code == 302 and response["Location"].endswith("#exhibitors")
    exhibitor = Exhibitor.objects.get(meeting=fair)
    assert [e.title for e in exhibitor.entries.all()] == ["波力発電ブイ"]  # not the draft
    html = client.get(reverse("events:meeting_detail", args=[fair.pk])).content.decode()
    assert "出展者（1 団体）" in html
    assert "湘南マリンテック株式会社" in html and "A-12" in html
    assert "波力発電ブイ" in html and "試作中の水中ドローン" not in html


def test_the_same_organisation_twice_is_refused_with_a_message(client_as, fair, firm):
    client = client_as("staff")
    add_exhibitor(client, fair, firm)
    response = add_exhibitor(client, fair, firm, booth="B-1")
    assert response.status_code == 200
    assert "この団体はすでに出展者です。" in response.content.decode()
    assert Exhibitor.objects.filter(meeting=fair).count() == 1
    assert Exhibitor.objects.get(meeting=fair).booth == "A-12"


def test_a_meeting_of_another_kind_has_no_showcase(client_as, study_group, firm):
    seminar = MeetingFactory(study_group=study_group, kind=Meeting.Kind.SEMINAR)
    client = client_as("staff")
    assert client.get(reverse("events:showcase", args=[seminar.pk])).status_code == 404
    assert add_exhibitor(client, seminar, firm).status_code == 404
    with pytest.raises(ShowcaseError):
        exhibitions.exhibitor_add(meeting=seminar, organisation=firm)
    assert not Exhibitor.objects.exists()
    page = client.get(reverse("events:meeting_detail", args=[seminar.pk])).content.decode()
    assert reverse("events:showcase", args=[seminar.pk]) not in page


def test_another_organisations_entry_cannot_be_shown_at_a_booth(client_as, fair, firm):
    exhibitor = exhibitions.exhibitor_add(meeting=fair, organisation=firm)
    foreign = EntryFactory(published=True, title="他社の製品")
    response = client_as("staff").post(
        reverse("events:exhibitor_update", args=[exhibitor.pk]),
        {"booth": "C-3", "entries": [foreign.pk]},
    )
    assert response.status_code == 200  # the form again, with the error at the field
    assert "entries" in response.context["form"].errors
    exhibitor.refresh_from_db()
    assert exhibitor.booth == ""
    with pytest.raises(ShowcaseError):
        exhibitions.exhibitor_update(exhibitor=exhibitor, booth="", entries=[foreign])
    assert [e.title for e in exhibitor.entries.all()] == ["波力発電ブイ"]


def test_staff_untick_an_entry_and_the_public_page_shows_only_what_is_still_published(
    client_as, client, fair, firm
):
    exhibitor = exhibitions.exhibitor_add(meeting=fair, organisation=firm, booth="A-1")
    second = EntryFactory(organisation=firm, title="海底ケーブル用センサー", published=True)
    response = client_as("staff").post(
        reverse("events:exhibitor_update", args=[exhibitor.pk]),
        {"booth": "A-2", "entries": [second.pk]},
    )
    assert response.status_code == 302
    assert [e.title for e in exhibitor.entries.all()] == ["海底ケーブル用センサー"]
    second.status = second.Status.ARCHIVED
    second.save()
    html = client.get(reverse("events:meeting_detail", args=[fair.pk])).content.decode()
    assert "湘南マリンテック株式会社" in html and "海底ケーブル用センサー" not in html


def test_speakers_and_chairs_are_shown_in_their_order(client_as, client, fair):
    staff = client_as("staff")
    url = reverse("events:showcase", args=[fair.pk])
    staff.post(
        url,
        {
            "action": "speaker",
            "role": "speaker",
            "name": "相模 花子",
            "affiliation": "神奈川県 産業労働局",
            "talk_title": "県の海洋エネルギー施策",
            "order": 2,
        },
    )
    staff.post(
        url,
        {
            "action": "speaker",
            "role": "chair",
            "name": "東海 一郎",
            "affiliation": "東海大学 教授",
            "order": 1,
        },
    )
    assert list(Speaker.objects.values_list("name", flat=True)) == ["東海 一郎", "相模 花子"]
    html = client.get(reverse("events:meeting_detail", args=[fair.pk])).content.decode()
    assert html.index("座長") < html.index("東海 一郎") < html.index("相模 花子")
    assert "県の海洋エネルギー施策" in html


def test_a_speaker_needs_a_name_and_a_role(client_as, fair):
    response = client_as("staff").post(
        reverse("events:showcase", args=[fair.pk]), {"action": "speaker", "name": "  "}
    )
    assert response.status_code == 200
    errors = response.context["speaker_form"].errors
    assert "name" in errors and "role" in errors
    assert not Speaker.objects.exists()


def test_visitors_and_co_hosts_are_recorded_for_a_held_fair(client_as, client, fair):
    prefecture = OrganisationFactory(name="神奈川県", sector="government")
    response = client_as("staff").post(
        reverse("events:showcase", args=[fair.pk]),
        {"action": "showcase", "visitors": "3200", "co_hosts": [prefecture.pk]},
    )
    assert response.status_code == 302
    fair.refresh_from_db()
    assert fair.visitors == 3200
    html = client.get(reverse("events:meeting_detail", args=[fair.pk])).content.decode()
    assert "共催・後援" in html and "神奈川県" in html and "約 3,200 人" in html


@pytest.mark.parametrize(("visitors", "message"), [("-5", "0"), ("abc", "整数")])
def test_a_visitor_count_that_is_no_count_is_explained(client_as, fair, visitors, message):
    response = client_as("staff").post(
        reverse("events:showcase", args=[fair.pk]), {"action": "showcase", "visitors": visitors}
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["showcase_form"].errors["visitors"])
    fair.refresh_from_db()
    assert fair.visitors is None


def test_a_fair_not_yet_held_takes_no_visitor_count(client_as, study_group):
    coming = MeetingFactory(
        study_group=study_group, kind=Meeting.Kind.EXHIBITION, date=dt.date(2099, 11, 1)
    )
    response = client_as("staff").post(
        reverse("events:showcase", args=[coming.pk]), {"action": "showcase", "visitors": "100"}
    )
    assert response.status_code == 200
    assert "開催済の会議にだけ" in response.content.decode()
    coming.refresh_from_db()
    assert coming.visitors is None


def test_an_unknown_action_is_a_bad_request(client_as, fair):
    response = client_as("staff").post(reverse("events:showcase", args=[fair.pk]), {"action": "x"})
    assert response.status_code == 400


def test_the_public_page_of_a_fair_reads_a_fixed_number_of_queries(
    client, fair, django_assert_num_queries
):
    def page_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("events:meeting_detail", args=[fair.pk])).status_code == 200
        return len(context.captured_queries)

    exhibitions.exhibitor_add(meeting=fair, organisation=OrganisationFactory())
    few = page_queries()
    for _ in range(5):
        organisation = OrganisationFactory()
        EntryFactory(organisation=organisation, published=True)
        exhibitions.exhibitor_add(meeting=fair, organisation=organisation)
        exhibitions.speaker_save(speaker=Speaker(meeting=fair, role="speaker", name="講演 者"))
    assert page_queries() == few


def test_an_organisation_staff_have_not_confirmed_cannot_exhibit_or_co_host(client_as, fair):
    stranger = OrganisationFactory(name="未確認の団体", is_confirmed=False)
    client = client_as("staff")
    response = add_exhibitor(client, fair, stranger)
    assert response.status_code == 200
    assert "organisation" in response.context["exhibitor_form"].errors
    response = client.post(
        reverse("events:showcase", args=[fair.pk]),
        {"action": "showcase", "co_hosts": [stranger.pk]},
    )
    assert "co_hosts" in response.context["showcase_form"].errors
    assert not Exhibitor.objects.exists() and not fair.co_hosts.exists()
