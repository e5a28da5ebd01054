from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("status/", views.StatusView.as_view(), name="status"),
    path("status/recompute/", views.RecomputeView.as_view(), name="recompute"),
    path("exports/", views.ExportsView.as_view(), name="exports"),
    path("exports/log/", views.ExportLogView.as_view(), name="export_log"),
    path(
        "exports/<slug:kind>.<str:fmt>",
        views.ExportDownloadView.as_view(),
        name="export",
    ),
    path("open-data/", views.OpenDataView.as_view(), name="open_data"),
    path("open-data/events.csv", views.OpenDataCsvView.as_view(), name="open_data_csv"),
    path("open-data/events.xlsx", views.OpenDataXlsxView.as_view(), name="open_data_xlsx"),
]
