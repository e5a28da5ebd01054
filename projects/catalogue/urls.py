"""URLs of the catalogue (技術・製品・サービス一覧), included by ``projects.urls`` under
``catalogue/`` (names live in ``projects:``)."""

from django.urls import path

from .views import members, public, staff

# The public catalogue (everyone, anonymous included): search and facets, an entry's page, an
# organisation's page, the catalogue as open data.
public_urls: list = [
    path("", public.PublicCatalogueView.as_view(), name="catalogue_public_list"),
    path("<int:pk>/", public.PublicEntryDetailView.as_view(), name="catalogue_public_detail"),
    path(
        "organisations/<int:pk>/",
        public.PublicOrganisationView.as_view(),
        name="catalogue_organisation",
    ),
    path(
        "open-data/catalogue.csv", public.OpenDataCsvView.as_view(), name="catalogue_open_data_csv"
    ),
    path(
        "open-data/catalogue.json",
        public.OpenDataJsonView.as_view(),
        name="catalogue_open_data_json",
    ),
]

# An organisation's entries (自団体の技術・製品) and the files of an entry.
member_urls: list = [
    path("mine/", members.MyEntryListView.as_view(), name="catalogue_mine"),
    path("entries/new/", members.EntryCreateView.as_view(), name="entry_create"),
    path("entries/<int:pk>/", members.EntryDetailView.as_view(), name="entry_detail"),
    path("entries/<int:pk>/edit/", members.EntryUpdateView.as_view(), name="entry_update"),
    path("entries/<int:pk>/submit/", members.EntrySubmitView.as_view(), name="entry_submit"),
    path("entries/<int:pk>/archive/", members.EntryArchiveView.as_view(), name="entry_archive"),
    path("entries/<int:pk>/history/", members.EntryHistoryView.as_view(), name="entry_history"),
    path(
        "entries/<int:pk>/images/",
        members.EntryImageUploadView.as_view(),
        name="entry_image_upload",
    ),
    path(
        "entries/<int:pk>/brochure/",
        members.EntryBrochureView.as_view(),
        name="entry_brochure",
    ),
    path("images/<int:pk>/", members.EntryImageFileView.as_view(), name="entry_image"),
    path(
        "images/<int:pk>/delete/",
        members.EntryImageDeleteView.as_view(),
        name="entry_image_delete",
    ),
]

# Staff: the review queue, an entry's review, every entry, the categories (技術分野), the
# brands and certifications (認定・ブランド) and their grants.
staff_urls: list = [
    path("review/", staff.ReviewQueueView.as_view(), name="catalogue_review_queue"),
    path("review/<int:pk>/", staff.EntryReviewView.as_view(), name="entry_review"),
    path("review/<int:pk>/publish/", staff.EntryPublishView.as_view(), name="entry_publish"),
    path("review/<int:pk>/return/", staff.EntryReturnView.as_view(), name="entry_return"),
    path("manage/", staff.StaffEntryListView.as_view(), name="catalogue_staff_list"),
    path("categories/", staff.CategoryListView.as_view(), name="category_list"),
    path("categories/<int:pk>/", staff.CategoryUpdateView.as_view(), name="category_update"),
    path(
        "categories/<int:pk>/delete/",
        staff.CategoryDeleteView.as_view(),
        name="category_delete",
    ),
    path("awards/", staff.AwardListView.as_view(), name="award_list"),
    path("awards/<int:pk>/", staff.AwardUpdateView.as_view(), name="award_update"),
    path("awards/<int:pk>/delete/", staff.AwardDeleteView.as_view(), name="award_delete"),
    path("review/<int:pk>/awards/", staff.EntryAwardGrantView.as_view(), name="entry_award_grant"),
    path(
        "awards/grants/<int:pk>/revoke/",
        staff.AwardGrantRevokeView.as_view(),
        name="award_grant_revoke",
    ),
]

urlpatterns: list = public_urls + member_urls + staff_urls
