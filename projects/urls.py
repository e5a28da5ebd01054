from django.urls import include, path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("new/", views.ProjectFormView.as_view(), name="project_create"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/edit/", views.ProjectFormView.as_view(), name="project_update"),
    path("<int:pk>/history/", views.ProjectHistoryView.as_view(), name="project_history"),
    path("<int:pk>/phases/new/", views.PhaseTransitionCreateView.as_view(), name="phase_record"),
    path("<int:project_pk>/fundings/new/", views.FundingFormView.as_view(), name="funding_create"),
    path("<int:project_pk>/outcomes/new/", views.OutcomeFormView.as_view(), name="outcome_create"),
    path("fundings/<int:pk>/edit/", views.FundingFormView.as_view(), name="funding_update"),
    path("fundings/import/", views.FundingImportView.as_view(), name="funding_import"),
    path("fundings/export/", views.FundingExportView.as_view(), name="funding_export"),
    path("outcomes/<int:pk>/edit/", views.OutcomeFormView.as_view(), name="outcome_update"),
    path("phases/", views.PhaseListView.as_view(), name="phase_list"),
    path("public/", views.PublicProjectListView.as_view(), name="public_list"),
    path("public/<int:pk>/", views.PublicProjectDetailView.as_view(), name="public_detail"),
    path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path("agreements/new/", views.AgreementFormView.as_view(), name="agreement_create"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.AgreementFormView.as_view(), name="agreement_update"),
    path(
        "agreements/<int:pk>/document/",
        views.AgreementDocumentView.as_view(),
        name="agreement_document",
    ),
    path("calls/", include("projects.calls.urls")),
    path("catalogue/", include("projects.catalogue.urls")),
]
