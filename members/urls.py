from django.urls import include, path

from . import views

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
]

urlpatterns = [
    # "home" stays un-namespaced: base.html and LOGIN_REDIRECT_URL use it.
    path("", views.HomeView.as_view(), name="home"),
    path("", include((member_patterns, "members"))),
]
