"""An organisation's catalogue entries (自団体の技術・製品): list, write, submit, archive,
pictures, history, and the private files of an entry.

Only the entry's organisation's people and staff find an entry here (``editable_by``); anyone
else gets a 404. Which status allows which change is the services' rule; the pages show only
the buttons it allows. Pictures and the brochure of a published entry are open to everyone.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from members import roles
from members.access import AffiliatedPersonRequiredMixin, LoginRequiredMixin, signed_in_user

from ..forms import AwardGrantForm, EntryForm, EntryImageForm
from ..models import Entry, EntryImage, EntryStatus
from ..querysets import entry_changes
from ..services import entries as services
from ..services.images import entry_image_add, entry_image_remove

FORM_TEMPLATE = "projects/catalogue/entry_form.html"
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
# Pictures of a published entry may sit in shared caches; others only in the viewer's browser.
PUBLIC_IMAGE_MAX_AGE = 60 * 60 * 24
PRIVATE_IMAGE_MAX_AGE = 60 * 10


def _flash(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _editable(user):
    return Entry.objects.editable_by(user)


def _editable_entry(request, pk) -> Entry:
    return get_object_or_404(_editable(request.user).select_related("organisation"), pk=pk)


class MyEntryListView(AffiliatedPersonRequiredMixin, ListView):
    """自団体の技術・製品: every entry of the user's organisation, with its status."""

    template_name = "projects/catalogue/my_entries.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Entry]:
        return (
            Entry.objects.of_organisation(roles.organisation_id_of(self.request.user))
            .select_related("category")
            .with_image_count()
            .order_by("-updated_at", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        person = roles.affiliated_person_of(self.request.user)
        return super().get_context_data(organisation=person.organisation, **kwargs)


class _EntryFormMixin:
    def render_form(self, request, entry, form):
        return render(request, FORM_TEMPLATE, {"entry": entry, "form": form})

    def save(self, request, entry, form, service):
        if form.is_valid():
            try:
                saved = service(
                    entry=form.save(commit=False),
                    study_groups=form.cleaned_data["study_groups"],
                    projects=form.cleaned_data["projects"],
                    brochure=form.cleaned_data.get("brochure_file") or None,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return saved
        return None


class EntryCreateView(AffiliatedPersonRequiredMixin, _EntryFormMixin, View):
    """A new draft of the user's organisation."""

    def new_entry(self, request) -> Entry:
        return Entry(organisation=roles.affiliated_person_of(request.user).organisation)

    def get(self, request):
        entry = self.new_entry(request)
        return self.render_form(request, entry, EntryForm(instance=entry, user=request.user))

    def post(self, request):
        entry = self.new_entry(request)
        form = EntryForm(request.POST, request.FILES, instance=entry, user=request.user)

        def create(**kwargs):
            return services.entry_create(created_by=request.user, **kwargs)

        saved = self.save(request, entry, form, create)
        if saved is None:
            return self.render_form(request, entry, form)
        messages.success(
            request,
            _(
                "下書きを保存しました。画像を追加し、内容を確認して「審査を依頼する」を押してください。"
            ),
        )
        return redirect("projects:entry_detail", pk=saved.pk)


class EntryUpdateView(LoginRequiredMixin, _EntryFormMixin, View):
    """Edit an entry (its organisation while a draft or published, staff always)."""

    def get_entry(self, request, pk):
        entry = _editable_entry(request, pk)
        if not services.may_change(entry, request.user):
            try:
                services.check_may_change(entry, request.user)
            except ValidationError as error:
                _flash(request, error)
            return None, redirect("projects:entry_detail", pk=entry.pk)
        return entry, None

    def get(self, request, pk):
        entry, refused = self.get_entry(request, pk)
        if refused:
            return refused
        return self.render_form(request, entry, EntryForm(instance=entry, user=request.user))

    def post(self, request, pk):
        entry, refused = self.get_entry(request, pk)
        if refused:
            return refused
        form = EntryForm(request.POST, request.FILES, instance=entry, user=request.user)

        def update(**kwargs):
            return services.entry_update(
                changed_by=request.user,
                remove_brochure=bool(form.cleaned_data.get("remove_brochure")),
                **kwargs,
            )

        was_published = entry.status == EntryStatus.PUBLISHED
        saved = self.save(request, entry, form, update)
        if saved is None:
            return self.render_form(request, entry, form)
        if was_published and saved.status == EntryStatus.SUBMITTED:
            messages.warning(
                request,
                _(
                    "変更を保存しました。事務局が確認して公開するまで、公開ページには表示されません。"
                ),
            )
        else:
            messages.success(request, _("保存しました。"))
        return redirect("projects:entry_detail", pk=saved.pk)


class EntryDetailView(LoginRequiredMixin, DetailView):
    """An entry as its organisation and staff see it, with what they may do now."""

    template_name = "projects/catalogue/entry_detail.html"
    context_object_name = "entry"
    reviewing = False

    def get_queryset(self) -> QuerySet[Entry]:
        return _editable(self.request.user).for_detail()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        entry, user = self.object, signed_in_user(self.request)
        staff = roles.is_secretariat(user)
        actor = staff or services.is_own(entry, user)
        images = list(entry.images.all())
        can_change = services.may_change(entry, user)
        return super().get_context_data(
            images=images,
            can_change=can_change,
            can_submit=actor and entry.status == EntryStatus.DRAFT,
            can_archive=actor and entry.status == EntryStatus.PUBLISHED,
            can_add_image=can_change and len(images) < self.max_images(),
            max_images=self.max_images(),
            image_form=EntryImageForm(),
            award_form=AwardGrantForm() if staff else None,
            is_staff=staff,
            reviewing=self.reviewing,
            **kwargs,
        )

    @staticmethod
    def max_images() -> int:
        from django.conf import settings

        return settings.KYOSO_CATALOGUE_IMAGE_MAX_FILES


class _EntryActionView(LoginRequiredMixin, View):
    """A button on the entry's page: run the service, say what happened, back to the page."""

    def act(self, request, entry: Entry) -> str:
        raise NotImplementedError

    def post(self, request, pk):
        entry = _editable_entry(request, pk)
        try:
            done = self.act(request, entry)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, done)
        return redirect("projects:entry_detail", pk=entry.pk)


class EntrySubmitView(_EntryActionView):
    def act(self, request, entry):
        services.entry_submit(entry=entry, submitted_by=request.user)
        return _("審査を依頼しました。事務局が確認して公開します。")


class EntryArchiveView(_EntryActionView):
    def act(self, request, entry):
        services.entry_archive(entry=entry, archived_by=request.user)
        return _("「%(title)s」の公開を終了しました。") % {"title": entry.title}


class EntryHistoryView(LoginRequiredMixin, TemplateView):
    """An entry's 変更履歴, for its organisation and staff."""

    template_name = "projects/catalogue/entry_history.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        entry = get_object_or_404(_editable(self.request.user).only("pk", "title"), pk=kwargs["pk"])
        return super().get_context_data(entry=entry, changes=entry_changes(entry), **kwargs)


class EntryImageUploadView(LoginRequiredMixin, View):
    def post(self, request, pk):
        entry = _editable_entry(request, pk)
        form = EntryImageForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("projects:entry_detail", pk=entry.pk)
        try:
            entry_image_add(
                entry=entry,
                upload=form.cleaned_data["image"],
                alt=form.cleaned_data["alt"],
                added_by=request.user,
            )
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("画像を追加しました。"))
        return redirect("projects:entry_detail", pk=entry.pk)


class EntryImageDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk):
        image = get_object_or_404(
            EntryImage.objects.select_related("entry").filter(
                entry__in=_editable(request.user).values("pk")
            ),
            pk=pk,
        )
        try:
            entry_image_remove(image=image, removed_by=request.user)
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("画像を削除しました。"))
        return redirect("projects:entry_detail", pk=image.entry_id)


def _open(field) -> object:
    if not field or not field.storage.exists(field.name):
        raise Http404
    return field.open("rb")


class EntryImageFileView(View):
    """A picture of an entry: of a published one for everyone, of others for the entry's
    organisation and staff (404 for anyone else)."""

    def get(self, request, pk):
        image = get_object_or_404(
            EntryImage.objects.select_related("entry").filter(
                entry__in=Entry.objects.visible_to(request.user).values("pk")
            ),
            pk=pk,
        )
        suffix = PurePosixPath(image.image.name).suffix.lower()
        response = FileResponse(
            _open(image.image), content_type=IMAGE_TYPES.get(suffix, "application/octet-stream")
        )
        if image.entry.status == EntryStatus.PUBLISHED:
            patch_cache_control(response, public=True, max_age=PUBLIC_IMAGE_MAX_AGE)
        else:
            patch_cache_control(response, private=True, max_age=PRIVATE_IMAGE_MAX_AGE)
        return response


class EntryBrochureView(View):
    """The brochure PDF: of a published entry for everyone, otherwise as for pictures."""

    def get(self, request, pk):
        entry = get_object_or_404(Entry.objects.visible_to(request.user), pk=pk)
        filename = PurePosixPath(entry.brochure.name).name if entry.brochure else ""
        return FileResponse(
            _open(entry.brochure),
            content_type="application/pdf",
            as_attachment=True,
            filename=filename,
        )
