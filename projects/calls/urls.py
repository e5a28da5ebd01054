"""URLs of 公募, included by ``projects.urls`` under ``calls/`` (names live in ``projects:``)."""

from django.urls import path

from .views import applicant, decisions, public, review, staff

urlpatterns: list = [
    # 公募 for everyone; applications (応募) of an organisation.
    path("", public.PublicCallListView.as_view(), name="call_public_list"),
    path("<int:pk>/", public.PublicCallDetailView.as_view(), name="call_public_detail"),
    path("<int:pk>/apply/", applicant.ApplicationCreateView.as_view(), name="application_create"),
    path("mine/", applicant.MyApplicationListView.as_view(), name="my_applications"),
    path(
        "applications/<int:pk>/",
        applicant.ApplicationDetailView.as_view(),
        name="application_detail",
    ),
    path(
        "applications/<int:pk>/edit/",
        applicant.ApplicationUpdateView.as_view(),
        name="application_update",
    ),
    path(
        "applications/<int:pk>/submit/",
        applicant.ApplicationSubmitView.as_view(),
        name="application_submit",
    ),
    path(
        "applications/<int:pk>/attachments/",
        applicant.AttachmentUploadView.as_view(),
        name="attachment_upload",
    ),
    path(
        "attachments/<int:pk>/",
        applicant.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path(
        "attachments/<int:pk>/delete/",
        applicant.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
    # Staff: calls, a call's applications, city challenges, support kinds.
    path("manage/", staff.CallStaffListView.as_view(), name="call_staff_list"),
    path("new/", staff.CallFormView.as_view(), name="call_create"),
    path("<int:pk>/edit/", staff.CallFormView.as_view(), name="call_update"),
    path("<int:pk>/publish/", staff.CallPublishView.as_view(), name="call_publish"),
    path("<int:pk>/close/", staff.CallCloseView.as_view(), name="call_close"),
    path(
        "<int:pk>/applications/",
        staff.CallApplicationListView.as_view(),
        name="call_applications",
    ),
    path("challenges/", staff.ChallengeListView.as_view(), name="challenge_list"),
    path("challenges/new/", staff.ChallengeFormView.as_view(), name="challenge_create"),
    path("challenges/<int:pk>/edit/", staff.ChallengeFormView.as_view(), name="challenge_update"),
    path("support-kinds/", staff.SupportKindListView.as_view(), name="support_kind_list"),
    path(
        "support-kinds/<int:pk>/edit/",
        staff.SupportKindFormView.as_view(),
        name="support_kind_update",
    ),
    # 審査: reviewers' pages, staff's reviewers, assignments and ranking.
    path("reviews/", review.ReviewListView.as_view(), name="review_list"),
    path("reviews/applications/<int:pk>/", review.ReviewDetailView.as_view(), name="review_detail"),
    path(
        "reviews/attachments/<int:pk>/",
        review.ReviewAttachmentView.as_view(),
        name="review_attachment",
    ),
    path("reviewers/", review.ReviewerListView.as_view(), name="reviewer_list"),
    path("reviewers/new/", review.ReviewerCreateView.as_view(), name="reviewer_create"),
    path("<int:pk>/assignments/", review.CallAssignmentView.as_view(), name="call_assignments"),
    path("<int:pk>/ranking/", review.CallRankingView.as_view(), name="call_ranking"),
    path(
        "<int:pk>/ranking/export/",
        review.CallRankingExportView.as_view(),
        name="call_ranking_export",
    ),
    # 審査結果: decisions and their release.
    path("<int:pk>/decisions/", decisions.CallDecisionListView.as_view(), name="call_decisions"),
    path("<int:pk>/decisions/release/", decisions.CallReleaseView.as_view(), name="call_release"),
    path(
        "applications/<int:pk>/decision/",
        decisions.ApplicationDecideView.as_view(),
        name="application_decide",
    ),
]
