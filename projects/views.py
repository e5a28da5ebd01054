"""Pages of the projects app. Views stay thin: reads from querysets, writes from services."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from consortium.fiscal import current_fiscal_year
from consortium.importing import store
from members import roles
from members.access import LoginRequiredMixin, SecretariatRequiredMixin
from members.models import Organisation

from . import services
from .filters import ProjectFilter
from .forms import (
    AgreementForm,
    ArticleFormSet,
    FundingForm,
    FundingImportForm,
    OutcomeForm,
    PartyFormSet,
    PhaseForm,
    PhaseTransitionForm,
    ProjectForm,
)
from .funding import funding_table
from .models import Agreement, Funding, Outcome, Phase, PhaseTransition, Project
from .querysets import agreement_changes, may_open_document, phases_with_use, project_changes

EXPIRY_DAYS = 90


class ProjectListView(LoginRequiredMixin, FilterView):
    template_name = "projects/project_list.html"
    filterset_class = ProjectFilter
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.visible_to(self.request.user).for_list()


def _timeline(transitions: list[PhaseTransition]) -> list[dict]:
    """Each transition with the date it ended (the next one's start) and its share of the span."""
    today = timezone.localdate()
    if not transitions:
        return []
    start = transitions[0].started_on
    total = max((today - start).days, 1)
    items = []
    for index, transition in enumerate(transitions):
        nxt = transitions[index + 1].started_on if index + 1 < len(transitions) else None
        end = nxt or today
        items.append(
            {
                "transition": transition,
                "ended_on": nxt,
                "current": nxt is None,
                "offset": round(100 * max((transition.started_on - start).days, 0) / total, 2),
                "width": round(100 * max((end - transition.started_on).days, 0) / total, 2),
            }
        )
    return items


def _outcomes_per_year(outcomes: list[Outcome]) -> list[tuple[int, int, list[tuple[str, int]]]]:
    """(fiscal year, count, [(kind label, count)]) in year order: outcomes counted per FY."""
    per_year: dict[int, Counter] = {}
    for outcome in outcomes:
        per_year.setdefault(outcome.fiscal_year, Counter())[outcome.get_kind_display()] += 1
    return [(fy, sum(c.values()), sorted(c.items())) for fy, c in sorted(per_year.items())]


class ProjectDetailView(LoginRequiredMixin, DetailView):
    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.visible_to(self.request.user).for_detail()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        project = self.object
        transitions = list(project.phase_transitions.all())
        outcomes = list(project.outcomes.all())
        context.update(
            timeline=_timeline(transitions),
            table=funding_table(project.fundings.all()),
            outcomes=outcomes,
            outcomes_per_year=_outcomes_per_year(outcomes),
            agreements=project.agreements.visible_to(self.request.user),
            current_fiscal_year=current_fiscal_year(),
        )
        return context


class ProjectHistoryView(SecretariatRequiredMixin, TemplateView):
    """The project's 変更履歴 for staff: loaded by the project page when it is scrolled to
    (htmx, so the page itself reads none of it), or a page of its own without JavaScript."""

    template_name = "projects/project_history.html"

    def get_template_names(self):
        return ["includes/_history.html"] if self.request.htmx else [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        project = get_object_or_404(Project.objects.only("pk", "name"), pk=kwargs["pk"])
        return super().get_context_data(project=project, changes=project_changes(project), **kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ("HX-Request",))  # the fragment and the page share a URL
        return response


class PublicProjectListView(ListView):
    template_name = "projects/public_list.html"
    context_object_name = "projects"

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.public().with_current_phase().select_related("lead_organisation")


class PublicProjectDetailView(DetailView):
    """Outreach page: what the project is and how far it got — no amounts, no notes."""

    template_name = "projects/public_detail.html"
    context_object_name = "project"

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.public().for_public_detail()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["timeline"] = _timeline(list(self.object.phase_transitions.all()))
        return context


# --- Staff forms -----------------------------------------------------------------------------


class ProjectFormView(SecretariatRequiredMixin, View):
    template_name = "projects/project_form.html"

    def get_object(self, pk):
        return get_object_or_404(Project, pk=pk) if pk else Project()

    def get(self, request, pk=None):
        project = self.get_object(pk)
        return render(
            request, self.template_name, {"form": ProjectForm(instance=project), "project": project}
        )

    def post(self, request, pk=None):
        project = self.get_object(pk)
        form = ProjectForm(request.POST, instance=project)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "project": project})
        project = services.project_save(
            project=form.save(commit=False),
            partners=form.cleaned_data["partners"],
            study_groups=form.cleaned_data["study_groups"],
        )
        messages.success(request, _("事業を保存しました。"))
        return redirect("projects:project_detail", pk=project.pk)


class PhaseTransitionCreateView(SecretariatRequiredMixin, View):
    template_name = "projects/phase_transition_form.html"

    def get(self, request, pk):
        project = get_object_or_404(Project, pk=pk)
        form = PhaseTransitionForm(initial={"started_on": timezone.localdate()})
        return render(request, self.template_name, {"form": form, "project": project})

    def post(self, request, pk):
        project = get_object_or_404(Project, pk=pk)
        form = PhaseTransitionForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "project": project})
        services.phase_transition_record(
            project=project, recorded_by=request.user, **form.cleaned_data
        )
        messages.success(request, _("段階の移行を記録しました。"))
        return redirect("projects:project_detail", pk=project.pk)


class PhaseListView(SecretariatRequiredMixin, View):
    """The phases in display order, a form to add one, and buttons to move them."""

    template_name = "projects/phase_list.html"

    def get(self, request, form=None):
        phases = phases_with_use()
        return render(request, self.template_name, {"phases": phases, "form": form or PhaseForm()})

    def post(self, request):
        if "move" in request.POST:
            phase = get_object_or_404(Phase, pk=request.POST.get("move"))
            services.phase_move(phase=phase, up=request.POST.get("direction") == "up")
            return redirect("projects:phase_list")
        form = PhaseForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        services.phase_save(phase=form.save(commit=False))
        messages.success(request, _("段階を追加しました。"))
        return redirect("projects:phase_list")


class FundingFormView(SecretariatRequiredMixin, View):
    template_name = "projects/funding_form.html"

    def get_objects(self, project_pk, pk):
        if pk:
            funding = get_object_or_404(Funding.objects.select_related("project"), pk=pk)
            return funding.project, funding
        project = get_object_or_404(Project, pk=project_pk)
        return project, Funding(project=project, fiscal_year=current_fiscal_year())

    def get(self, request, project_pk=None, pk=None):
        project, funding = self.get_objects(project_pk, pk)
        form = FundingForm(instance=funding)
        return render(
            request, self.template_name, {"form": form, "project": project, "funding": funding}
        )

    def post(self, request, project_pk=None, pk=None):
        project, funding = self.get_objects(project_pk, pk)
        if pk and "delete" in request.POST:
            services.funding_delete(funding=funding)
            messages.success(request, _("財源を削除しました。"))
            return redirect("projects:project_detail", pk=project.pk)
        form = FundingForm(request.POST, instance=funding)
        if not form.is_valid():
            return render(
                request, self.template_name, {"form": form, "project": project, "funding": funding}
            )
        services.funding_save(funding=form.save(commit=False))
        messages.success(request, _("財源を保存しました。"))
        return redirect("projects:project_detail", pk=project.pk)


class OutcomeFormView(SecretariatRequiredMixin, View):
    template_name = "projects/outcome_form.html"

    def get_objects(self, project_pk, pk):
        if pk:
            outcome = get_object_or_404(Outcome.objects.select_related("project"), pk=pk)
            return outcome.project, outcome
        project = get_object_or_404(Project, pk=project_pk)
        return project, Outcome(project=project)

    def get(self, request, project_pk=None, pk=None):
        project, outcome = self.get_objects(project_pk, pk)
        return render(
            request, self.template_name, {"form": OutcomeForm(instance=outcome), "project": project}
        )

    def post(self, request, project_pk=None, pk=None):
        project, outcome = self.get_objects(project_pk, pk)
        form = OutcomeForm(request.POST, instance=outcome)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "project": project})
        services.outcome_save(
            outcome=form.save(commit=False), organisations=form.cleaned_data["organisations"]
        )
        messages.success(request, _("成果を保存しました。"))
        return redirect("projects:project_detail", pk=project.pk)


# --- Funding import / export -----------------------------------------------------------------

FUNDING_PURPOSE = "projects.funding"


class FundingImportView(SecretariatRequiredMixin, View):
    """Upload → dry-run preview (nothing saved) → confirm or 取り消す.

    The file waits as a PendingUpload of the person who sent it, deleted on confirm or cancel
    (or by the beat sweep); a second confirm does not import again.
    """

    template_name = "projects/funding_import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": FundingImportForm()})

    def post(self, request):
        if "confirm" in request.POST or "cancel" in request.POST:
            return self.decide(request)
        form = FundingImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        upload = form.cleaned_data["file"]
        data = upload.read()
        result = services.funding_import(data=data, filename=upload.name, dry_run=True)
        token = ""
        if result.ok:
            token = store.hold(
                purpose=FUNDING_PURPOSE, name=upload.name, data=data, user=request.user
            ).token
        context = {"form": FundingImportForm(), "result": result, "filename": upload.name}
        return render(request, self.template_name, {**context, "token": token})

    def decide(self, request):
        held = store.find(
            token=request.POST.get("token", ""), purpose=FUNDING_PURPOSE, user=request.user
        )
        data = store.read(held) if held and not held.applied_at else None
        if held and held.applied_at:
            return store.already_imported(request, held)
        if held is None or data is None:
            messages.error(
                request, _("確認する取込ファイルがありません。もう一度アップロードしてください。")
            )
            return redirect("projects:funding_import")
        if "cancel" in request.POST:
            store.discard(upload=held)
            messages.info(request, _("取込を取り消しました。ファイルは削除しました。"))
            return redirect("projects:funding_import")
        result = services.funding_import_upload(upload=held, data=data, user=request.user)
        if result is None:
            held.refresh_from_db()
            return store.already_imported(request, held)
        if not result.saved:
            return render(
                request, self.template_name, {"form": FundingImportForm(), "result": result}
            )
        messages.success(request, _("財源を%(n)s件取り込みました。") % {"n": len(result.rows)})
        return redirect(held.result_url)


class FundingExportView(SecretariatRequiredMixin, View):
    def get(self, request):
        fundings = Funding.objects.for_export()
        language = (get_language() or "ja").split("-")[0]
        body = services.funding_export(fundings=fundings, language=language)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="fundings-{stamp}.csv"'
        return response


# --- Agreements --------------------------------------------------------------------------------


class AgreementListView(LoginRequiredMixin, TemplateView):
    template_name = "projects/agreement_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        visible = Agreement.objects.visible_to(self.request.user).prefetch_related(
            "parties__organisation"
        )
        context["agreements"] = visible.with_project_count()
        context["expiring"] = visible.expiring_within(EXPIRY_DAYS)
        context["expiry_days"] = EXPIRY_DAYS
        return context


class AgreementDetailView(LoginRequiredMixin, DetailView):
    template_name = "projects/agreement_detail.html"
    context_object_name = "agreement"

    def get_queryset(self) -> QuerySet[Agreement]:
        return Agreement.objects.visible_to(self.request.user).prefetch_related(
            "parties__organisation", "articles", "projects"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_open_document"] = may_open_document(self.request.user, self.object)
        if roles.is_secretariat(self.request.user):
            context["changes"] = agreement_changes(self.object)
        return context


class AgreementDocumentView(LoginRequiredMixin, View):
    """The signed PDF, for staff and people of a party organisation only (others: 404)."""

    def get(self, request, pk):
        agreement = get_object_or_404(Agreement.objects.document_visible_to(request.user), pk=pk)
        if not agreement.document:
            raise Http404
        handle = agreement.document.open("rb")
        filename = f"agreement-{agreement.pk}.pdf"
        return FileResponse(handle, content_type="application/pdf", filename=filename)


class AgreementFormView(SecretariatRequiredMixin, View):
    template_name = "projects/agreement_form.html"

    def get_object(self, pk):
        return get_object_or_404(Agreement, pk=pk) if pk else Agreement()

    def render_form(self, request, agreement, form, parties, articles):
        context = {
            "agreement": agreement,
            "form": form,
            "parties": parties,
            "articles": articles,
            "organisation_names": Organisation.objects.values_list("name", flat=True),
        }
        return render(request, self.template_name, context)

    def get(self, request, pk=None):
        agreement = self.get_object(pk)
        parties = PartyFormSet(
            prefix="parties",
            initial=[
                {"organisation": p.organisation.name, "role": p.role}
                for p in agreement.parties.select_related("organisation")
            ]
            if pk
            else None,
        )
        articles = ArticleFormSet(
            prefix="articles",
            initial=[
                {"number": a.number, "title": a.title, "text": a.text}
                for a in agreement.articles.all()
            ]
            if pk
            else None,
        )
        return self.render_form(
            request, agreement, AgreementForm(instance=agreement), parties, articles
        )

    def post(self, request, pk=None):
        agreement = self.get_object(pk)
        form = AgreementForm(request.POST, request.FILES, instance=agreement)
        parties = PartyFormSet(request.POST, prefix="parties")
        articles = ArticleFormSet(request.POST, prefix="articles")
        if not (form.is_valid() and parties.is_valid() and articles.is_valid()):
            return self.render_form(request, agreement, form, parties, articles)
        agreement = services.agreement_save(
            agreement=form.save(commit=False),
            projects=form.cleaned_data["projects"],
            parties=parties.parties(),
            articles=articles.articles(),
        )
        messages.success(request, _("協定を保存しました。"))
        return redirect(reverse("projects:agreement_detail", args=[agreement.pk]))
