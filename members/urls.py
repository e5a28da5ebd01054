from django.urls import include, path

from . import views
from .views import affiliation, privacy

member_patterns = [
    path("study-groups/", views.StudyGroupListView.as_view(), name="studygroup_list"),
    path("study-groups/new/", views.StudyGroupCreateView.as_view(), name="studygroup_create"),
    path("study-groups/<int:pk>/", views.StudyGroupDetailView.as_view(), name="studygroup_detail"),
    path(
        "study-groups/<int:pk>/edit/", views.StudyGroupUpdateView.as_view(), name="studygroup_edit"
    ),
    path(
        "study-groups/<int:pk>/applications/",
        views.StudyGroupToggleApplicationsView.as_view(),
        name="studygroup_toggle_applications",
    ),
    path("study-groups/<int:pk>/apply/", views.JoinRequestCreateView.as_view(), name="join"),
    path("join-requests/", views.MyJoinRequestsView.as_view(), name="my_join_requests"),
    path("join-requests/queue/", views.JoinRequestQueueView.as_view(), name="joinrequest_queue"),
    path(
        "join-requests/<int:pk>/decide/",
        views.JoinRequestDecideView.as_view(),
        name="joinrequest_decide",
    ),
    path("affiliation/", affiliation.MyAffiliationView.as_view(), name="my_affiliation"),
    path(
        "affiliation/<int:pk>/withdraw/",
        affiliation.AffiliationWithdrawView.as_view(),
        name="affiliation_withdraw",
    ),
    path(
        "affiliation-requests/<int:pk>/decide/",
        affiliation.AffiliationDecideView.as_view(),
        name="affiliation_decide",
    ),
    path("memberships/<int:pk>/edit/", views.MembershipEditView.as_view(), name="membership_edit"),
    path("organisations/", views.OrganisationDirectoryView.as_view(), name="organisation_list"),
    path(
        "organisations/<int:pk>/",
        views.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path(
        "organisations/<int:pk>/edit/",
        views.OrganisationEditView.as_view(),
        name="organisation_edit",
    ),
    path(
        "organisations/<int:pk>/confirm/",
        views.OrganisationConfirmView.as_view(),
        name="organisation_confirm",
    ),
    path("my-organisation/", views.MyOrganisationView.as_view(), name="my_organisation"),
    # 自分の情報: own data, its download, the deletion request; administrators' erasure.
    path("me/", privacy.MyDataView.as_view(), name="my_data"),
    path("me/data.json", privacy.MyDataDownloadView.as_view(fmt="json"), name="my_data_json"),
    path("me/data.csv", privacy.MyDataDownloadView.as_view(fmt="csv"), name="my_data_csv"),
    path("me/delete/", privacy.DeletionRequestCreateView.as_view(), name="deletion_request"),
    path(
        "me/delete/withdraw/",
        privacy.DeletionRequestWithdrawView.as_view(),
        name="deletion_request_withdraw",
    ),
    path(
        "deletion-requests/",
        privacy.DeletionRequestQueueView.as_view(),
        name="deletion_request_queue",
    ),
    path("people/<int:pk>/erase/", privacy.PersonEraseView.as_view(), name="person_erase"),
]

urlpatterns = [
    # "home" stays un-namespaced: base.html and LOGIN_REDIRECT_URL use it.
    path("", views.HomeView.as_view(), name="home"),
    path("", include((member_patterns, "members"))),
]
