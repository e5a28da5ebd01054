"""Staff pages of the catalogue: the review queue, an entry's review (publish, send back with a
reason, archive), every entry by status, and the taxonomy of categories (技術分野)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from consortium.fiscal import fiscal_label
from members.access import SecretariatRequiredMixin

from ..forms import AwardForm, AwardGrantForm, CategoryForm, EntryReturnForm
from ..models import Award, AwardGrant, Category, Entry, EntryStatus
from ..querysets import award_counts_by_year, categories_with_use, status_counts
from ..services import awards as award_services
from ..services import categories as category_services
from ..services import entries as services
from .members import EntryDetailView, _flash


class ReviewQueueView(SecretariatRequiredMixin, ListView):
    """Entries waiting for review, the longest-waiting first."""

    template_name = "projects/catalogue/review_queue.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Entry]:
        return Entry.objects.submitted().for_staff_list().order_by("submitted_at", "pk")


class StaffEntryListView(SecretariatRequiredMixin, ListView):
    """Every entry, narrowed by ``?status=``, with the count of each status."""

    template_name = "projects/catalogue/staff_list.html"
    context_object_name = "entries"
    paginate_by = 50

    def status(self) -> str:
        value = self.request.GET.get("status", "")
        return value if value in EntryStatus.values else ""

    def get_queryset(self) -> QuerySet[Entry]:
        entries = Entry.objects.all()
        if self.status():
            entries = entries.filter(status=self.status())
        return entries.for_staff_list().order_by("-updated_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        counts = status_counts()
        statuses = [(value, label, counts.get(value, 0)) for value, label in EntryStatus.choices]
        return super().get_context_data(
            statuses=statuses, status=self.status(), total=sum(counts.values()), **kwargs
        )


class EntryReviewView(SecretariatRequiredMixin, EntryDetailView):
    """The entry's page with staff's decisions: publish, send back (reason), archive."""

    reviewing = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("return_form", EntryReturnForm())
        return super().get_context_data(**kwargs)


class EntryPublishView(SecretariatRequiredMixin, View):
    def post(self, request, pk):
        entry = get_object_or_404(Entry, pk=pk)
        try:
            services.entry_publish(entry=entry, reviewed_by=request.user)
        except ValidationError as error:
            _flash(request, error)
            return redirect("projects:entry_review", pk=entry.pk)
        messages.success(request, _("「%(title)s」を公開しました。") % {"title": entry.title})
        return redirect("projects:catalogue_review_queue")


class EntryReturnView(EntryReviewView):
    """Send back with a reason; without one the review page shows the error (200)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        self.object = entry = self.get_object()
        form = EntryReturnForm(request.POST)
        if form.is_valid():
            try:
                services.entry_return(
                    entry=entry, reviewed_by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("「%(title)s」を差し戻しました。作成者にメールで理由を伝えました。")
                    % {"title": entry.title},
                )
                return redirect("projects:catalogue_review_queue")
        return self.render_to_response(self.get_context_data(return_form=form))


class CategoryListView(SecretariatRequiredMixin, View):
    """The categories with how many entries use each, and a form to add one."""

    template_name = "projects/catalogue/category_list.html"

    def get(self, request, form=None):
        categories = categories_with_use()
        context = {"categories": categories, "form": form or CategoryForm()}
        return render(request, self.template_name, context)

    def post(self, request):
        form = CategoryForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        category_services.category_save(category=form.save(commit=False))
        messages.success(request, _("分野を追加しました。"))
        return redirect("projects:category_list")


class CategoryUpdateView(SecretariatRequiredMixin, View):
    template_name = "projects/catalogue/category_form.html"

    def render_form(self, request, category, form):
        n_entries = category.entries.count()
        context = {"category": category, "form": form, "n_entries": n_entries}
        return render(request, self.template_name, context)

    def get(self, request, pk):
        category = get_object_or_404(Category, pk=pk)
        return self.render_form(request, category, CategoryForm(instance=category))

    def post(self, request, pk):
        category = get_object_or_404(Category, pk=pk)
        form = CategoryForm(request.POST, instance=category)
        if not form.is_valid():
            return self.render_form(request, category, form)
        category_services.category_save(category=form.save(commit=False))
        messages.success(request, _("分野を保存しました。"))
        return redirect("projects:category_list")


class CategoryDeleteView(SecretariatRequiredMixin, View):
    """Delete an unused category; one in use stays, and the page says why."""

    def post(self, request, pk):
        category = get_object_or_404(Category, pk=pk)
        try:
            category_services.category_delete(category=category)
        except ValidationError as error:
            _flash(request, error)
            return redirect("projects:category_update", pk=category.pk)
        messages.success(request, _("「%(name)s」を削除しました。") % {"name": category.name})
        return redirect("projects:category_list")


# --- Brands and certifications (認定・ブランド) ------------------------------------------------


class AwardListView(SecretariatRequiredMixin, View):
    """The awards with how many entries received each in each fiscal year, and a form to add
    one."""

    template_name = "projects/catalogue/award_list.html"

    def get(self, request, form=None):
        awards = list(Award.objects.select_related("parent").order_by("order", "pk"))
        years, rows = award_counts_by_year(awards)
        context = {"years": years, "rows": rows, "form": form or AwardForm()}
        return render(request, self.template_name, context)

    def post(self, request):
        form = AwardForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        try:
            award_services.award_save(award=form.save(commit=False), saved_by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.get(request, form=form)
        messages.success(request, _("認定・ブランドを追加しました。"))
        return redirect("projects:award_list")


class AwardUpdateView(SecretariatRequiredMixin, View):
    """An award's name and place, and the entries that hold it (newest year first)."""

    template_name = "projects/catalogue/award_form.html"

    def render_form(self, request, award, form):
        grants = award.grants.select_related("entry__organisation").order_by(
            "-fiscal_year", "entry__title_kana", "pk"
        )
        context = {"award": award, "form": form, "grants": grants}
        return render(request, self.template_name, context)

    def get(self, request, pk):
        award = get_object_or_404(Award, pk=pk)
        return self.render_form(request, award, AwardForm(instance=award))

    def post(self, request, pk):
        award = get_object_or_404(Award, pk=pk)
        form = AwardForm(request.POST, instance=award)
        if form.is_valid():
            try:
                award_services.award_save(award=form.save(commit=False), saved_by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("認定・ブランドを保存しました。"))
                return redirect("projects:award_list")
        return self.render_form(request, award, form)


class AwardDeleteView(SecretariatRequiredMixin, View):
    """Delete an award nobody holds; one in use stays, and the page says why."""

    def post(self, request, pk):
        award = get_object_or_404(Award, pk=pk)
        try:
            award_services.award_delete(award=award, deleted_by=request.user)
        except ValidationError as error:
            _flash(request, error)
            return redirect("projects:award_update", pk=award.pk)
        messages.success(request, _("「%(name)s」を削除しました。") % {"name": award.name})
        return redirect("projects:award_list")


class EntryAwardGrantView(SecretariatRequiredMixin, View):
    """Grant an award to this entry (the form on the entry's page); errors as messages."""

    def post(self, request, pk):
        entry = get_object_or_404(Entry, pk=pk)
        form = AwardGrantForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    text = _("%(field)s：%(error)s") % {"field": label, "error": error}
                    messages.error(request, text if label else error)
            return redirect(f"{reverse('projects:entry_review', args=[entry.pk])}#awards")
        data = form.cleaned_data
        try:
            award_services.award_grant(
                award=data["award"],
                entry=entry,
                fiscal_year=data["fiscal_year"],
                note=data["note"],
                granted_by=request.user,
            )
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(
                request,
                _("「%(title)s」に「%(award)s」（%(year)s）を付与しました。")
                % {
                    "title": entry.title,
                    "award": data["award"].label,
                    "year": fiscal_label(data["fiscal_year"]),
                },
            )
        return redirect(f"{reverse('projects:entry_review', args=[entry.pk])}#awards")


class AwardGrantRevokeView(SecretariatRequiredMixin, View):
    """Withdraw a grant; back to the entry's page."""

    def post(self, request, pk):
        grant = get_object_or_404(AwardGrant.objects.select_related("award", "entry"), pk=pk)
        award_services.award_revoke(grant=grant, revoked_by=request.user)
        messages.success(
            request,
            _("「%(title)s」の「%(award)s」を取り消しました。")
            % {"title": grant.entry.title, "award": grant.award.label},
        )
        return redirect(f"{reverse('projects:entry_review', args=[grant.entry_id])}#awards")
