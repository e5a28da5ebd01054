from django.urls import path

from .views import calendar, checkin, imports, meetings, public, sheet, showcase
from .views.common import meeting_status_errors_to_sheet as sheet_write

app_name = "events"

urlpatterns = [
    path("", meetings.MeetingListView.as_view(), name="meeting_list"),
    path("new/", meetings.MeetingCreateView.as_view(), name="meeting_create"),
    path("mine/", meetings.MyMeetingsView.as_view(), name="my_meetings"),
    path("<int:pk>/", meetings.MeetingDetailView.as_view(), name="meeting_detail"),
    path("<int:pk>/edit/", meetings.MeetingUpdateView.as_view(), name="meeting_update"),
    path("<int:pk>/delete/", meetings.MeetingDeleteView.as_view(), name="meeting_delete"),
    path("<int:pk>/cancel/", meetings.MeetingCancelView.as_view(), name="meeting_cancel"),
    path("<int:pk>/held/", meetings.MeetingMarkHeldView.as_view(), name="meeting_mark_held"),
    path("<int:pk>/minutes/", meetings.MeetingMinutesView.as_view(), name="meeting_minutes"),
    path("<int:pk>/register/", meetings.RegisterView.as_view(), name="register"),
    path("<int:pk>/materials/", meetings.MaterialUploadView.as_view(), name="material_upload"),
    path("materials/<int:pk>/", meetings.MaterialDownloadView.as_view(), name="material_download"),
    path(
        "materials/<int:pk>/delete/",
        meetings.MaterialDeleteView.as_view(),
        name="material_delete",
    ),
    # 展示会・シンポジウム: exhibitors, speakers and chairs, co-hosts and visitors (staff).
    path("<int:pk>/showcase/", showcase.ShowcaseView.as_view(), name="showcase"),
    path(
        "showcase/exhibitors/<int:pk>/",
        showcase.ExhibitorUpdateView.as_view(),
        name="exhibitor_update",
    ),
    path(
        "showcase/exhibitors/<int:pk>/remove/",
        showcase.ExhibitorRemoveView.as_view(),
        name="exhibitor_remove",
    ),
    path(
        "showcase/speakers/<int:pk>/", showcase.SpeakerUpdateView.as_view(), name="speaker_update"
    ),
    path(
        "showcase/speakers/<int:pk>/delete/",
        showcase.SpeakerDeleteView.as_view(),
        name="speaker_delete",
    ),
    path(
        "registrations/<int:pk>/cancel/",
        meetings.RegistrationCancelView.as_view(),
        name="registration_cancel",
    ),
    path(
        "<int:pk>/attendance/",
        sheet_write(sheet.AttendanceSheetView.as_view()),
        name="attendance_sheet",
    ),
    path(
        "<int:pk>/attendance/registered/",
        sheet_write(sheet.MarkRegisteredView.as_view()),
        name="attendance_mark_registered",
    ),
    path(
        "<int:pk>/attendance/headcount/",
        sheet_write(sheet.HeadcountView.as_view()),
        name="attendance_headcount",
    ),
    path(
        "<int:pk>/attendance/walk-in/",
        sheet_write(sheet.WalkInView.as_view()),
        name="attendance_walk_in",
    ),
    path("<int:pk>/attendance/search/", sheet.PeopleSearchView.as_view(), name="attendance_search"),
    path("<int:pk>/checkin/", checkin.CheckinView.as_view(), name="checkin"),
    path("<int:pk>/checkin/scan/", checkin.CheckinScanView.as_view(), name="checkin_scan"),
    path("<int:pk>/door-poster/", checkin.DoorPosterView.as_view(), name="door_poster"),
    path("door/<str:token>/", checkin.SelfCheckinView.as_view(), name="self_checkin"),
    # Citizens' registrations (一般参加申込): the form, and the pages of the e-mails' links.
    path(
        "<int:pk>/public-register/",
        public.PublicRegisterView.as_view(),
        name="public_register",
    ),
    path(
        "<int:pk>/public-register/sent/",
        public.PublicRegisterSentView.as_view(),
        name="public_register_sent",
    ),
    path("public/confirm/<str:token>/", public.PublicConfirmView.as_view(), name="public_confirm"),
    path("public/ticket/<str:token>/", public.PublicTicketView.as_view(), name="public_ticket"),
    path("public/cancel/<str:token>/", public.PublicCancelView.as_view(), name="public_cancel"),
    path(
        "<int:pk>/attendance/public/<int:registration_pk>/",
        sheet_write(public.PublicCheckinToggleView.as_view()),
        name="attendance_public_checkin",
    ),
    path("import/", imports.ImportUploadView.as_view(), name="import_upload"),
    # Before the token pattern, which would take "done" for a token.
    path("import/done/", imports.ImportResultView.as_view(), name="import_result"),
    path("import/<str:token>/", imports.ImportPreviewView.as_view(), name="import_preview"),
    path("import/<str:token>/cancel/", imports.ImportCancelView.as_view(), name="import_cancel"),
    path("calendar/", calendar.CalendarView.as_view(), name="calendar"),
    path("calendar/public.ics", calendar.PublicFeedView.as_view(), name="feed_public"),
    path(
        "calendar/groups/<int:group_pk>/<str:token>.ics",
        calendar.GroupFeedView.as_view(),
        name="feed_group",
    ),
]
