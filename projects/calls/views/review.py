"""Pages of review (審査).

Reviewers (and staff assigned as reviewers): their assignments, and per application the proposal
with the score form. Only applications assigned to the user are found (others are a 404); under
``anonymous_review`` a reviewer who is not staff sees no names of the applicant, its person or
its partners. Other reviewers' scores show once the user submitted their own.

Staff: the outside reviewers and their registration, the assignment screen of a call, and the
ranking table with its CSV/XLSX export.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from members import roles
from members.access import ReviewerRequiredMixin, SecretariatRequiredMixin

from ..models import Application, ApplicationAttachment, Call
from ..querysets import other_submitted_reviews, reviewer_assignments, with_review_counts
from ..ranking import call_ranking, ranking_csv, ranking_filename, ranking_xlsx
from ..review_forms import AssignmentForm, ReviewerRegisterForm, ReviewScoreForm
from ..services import reviews as services


def shows_applicant(call: Call, user) -> bool:
    """Whether ``user`` may see who applied to ``call`` (not reviewers of anonymous calls)."""
    return not call.anonymous_review or roles.is_secretariat(user)


def _message_list(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


# --- reviewers' pages -----------------------------------------------------------------------


class ReviewListView(ReviewerRequiredMixin, View):
    template_name = "projects/calls/review_list.html"

    def get(self, request):
        assignments = list(reviewer_assignments(request.user))
        for assignment in assignments:
            assignment.shows_applicant = shows_applicant(assignment.application.call, request.user)
        return render(request, self.template_name, {"assignments": assignments})


def _assigned_application(user, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.assigned_to(user)
        .select_related("call", "organisation", "challenge", "created_by__person")
        .prefetch_related("partners", "budget_lines", "attachments", "requested_support"),
        pk=pk,
    )


class ReviewDetailView(ReviewerRequiredMixin, View):
    """The proposal and the user's score form (read-only once submitted or released)."""

    template_name = "projects/calls/review_detail.html"

    def context(self, request, application, assignment, form=None):
        call = application.call
        criteria = list(call.criteria.all())
        own = {s.criterion_id: s for s in assignment.scores.all()}
        editable = not assignment.submitted_at and not call.decisions_released_at
        if form is None and editable:
            form = ReviewScoreForm(criteria=criteria, assignment=assignment)
        others = []
        if assignment.submitted_at:
            others = list(other_submitted_reviews(application, assignment))
            for other in others:
                other.reviewer_label = services.reviewer_name(other.reviewer)
        return {
            "application": application,
            "call": call,
            "assignment": assignment,
            "criteria": criteria,
            "own_rows": [(c, own.get(c.pk)) for c in criteria],
            "form": form if editable else None,
            "others": others,
            "shows_applicant": shows_applicant(call, request.user),
            "budget_total": sum(line.amount for line in application.budget_lines.all()),
        }

    def get(self, request, pk):
        application = _assigned_application(request.user, pk)
        assignment = application.assignments.get(reviewer=request.user)
        return render(request, self.template_name, self.context(request, application, assignment))

    def post(self, request, pk):
        application = _assigned_application(request.user, pk)
        assignment = application.assignments.get(reviewer=request.user)
        criteria = list(application.call.criteria.all())
        submit = "submit" in request.POST
        form = ReviewScoreForm(
            request.POST, criteria=criteria, assignment=assignment, submit=submit
        )
        if form.is_valid():
            try:
                services.review_save(
                    assignment=assignment,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                    submit=submit,
                )
            except ValidationError as error:
                messages.error(request, "、".join(_message_list(error)))
                return redirect("projects:review_detail", pk=application.pk)
            messages.success(
                request, _("審査を提出しました。") if submit else _("下書きを保存しました。")
            )
            return redirect("projects:review_detail", pk=application.pk)
        return render(
            request, self.template_name, self.context(request, application, assignment, form)
        )


class ReviewAttachmentView(ReviewerRequiredMixin, View):
    """An attachment of an application assigned to the user (others: 404)."""

    def get(self, request, pk):
        attachment = get_object_or_404(
            ApplicationAttachment.objects.select_related("application__call"),
            pk=pk,
            application__in=Application.objects.assigned_to(request.user),
        )
        if not attachment.file:
            raise Http404
        call = attachment.application.call
        # An anonymous review keeps the file's own name (often the applicant's) out of sight.
        filename = (
            attachment.name
            if shows_applicant(call, request.user)
            else f"{attachment.application.number}-{attachment.pk}.pdf"
        )
        return FileResponse(
            attachment.file.open("rb"), content_type="application/pdf", filename=filename
        )


# --- staff: reviewers -------------------------------------------------------------------------


class ReviewerListView(SecretariatRequiredMixin, View):
    template_name = "projects/calls/reviewer_list.html"

    def get(self, request):
        reviewers = with_review_counts(
            services.reviewer_accounts().filter(groups__name=roles.REVIEWERS)
        )
        return render(request, self.template_name, {"reviewers": reviewers})


class ReviewerCreateView(SecretariatRequiredMixin, View):
    template_name = "projects/calls/reviewer_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ReviewerRegisterForm()})

    def post(self, request):
        form = ReviewerRegisterForm(request.POST)
        if form.is_valid():
            try:
                services.reviewer_register(
                    **form.cleaned_data,
                    registered_by=request.user,
                    site_url=request.build_absolute_uri("/"),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("審査員を登録し、パスワード設定の案内を%(email)sに送りました。")
                    % {"email": form.cleaned_data["email"]},
                )
                return redirect("projects:reviewer_list")
        return render(request, self.template_name, {"form": form})


# --- staff: assignments -----------------------------------------------------------------------


class CallAssignmentView(SecretariatRequiredMixin, View):
    """Submitted applications × reviewers: who reviews what, and why a pair is impossible."""

    template_name = "projects/calls/call_assignments.html"

    def load(self, pk):
        call = get_object_or_404(Call, pk=pk)
        applications = list(
            Application.objects.filter(call=call)
            .submitted()
            .select_related("organisation")
            .prefetch_related("partners", "assignments")
            .order_by("sequence", "pk")
        )
        reviewers = list(services.reviewer_accounts())
        roles.prime_groups(reviewers)
        return call, applications, reviewers

    def get(self, request, pk):
        call, applications, reviewers = self.load(pk)
        rows = []
        for application in applications:
            assigned = {a.reviewer_id: a for a in application.assignments.all()}
            partners = list(application.partners.all())
            cells = []
            for reviewer in reviewers:
                cells.append(
                    {
                        "reviewer": reviewer,
                        "assignment": assigned.get(reviewer.pk),
                        "conflict": services.conflict_of_interest(
                            reviewer=reviewer,
                            organisation=application.organisation,
                            partners=partners,
                        ),
                    }
                )
            rows.append({"application": application, "cells": cells})
        names = {r.pk: services.reviewer_name(r) for r in reviewers}
        context = {
            "call": call,
            "rows": rows,
            "reviewers": [(r, names[r.pk], roles.is_secretariat(r)) for r in reviewers],
            "released": bool(call.decisions_released_at),
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        call, applications, reviewers = self.load(pk)
        form = AssignmentForm(request.POST, applications=applications, reviewers=reviewers)
        if not form.is_valid():
            messages.error(request, _("割当の指定が正しくありません。"))
            return redirect("projects:call_assignments", pk=call.pk)
        errors = []
        removed = form.assignment_to_remove()
        if removed is not None:
            try:
                services.review_unassign(assignment=removed)
                messages.success(request, _("割当を解除しました。"))
            except ValidationError as error:
                errors += _message_list(error)
        done, refused = services.review_assign_many(pairs=form.pairs(), assigned_by=request.user)
        errors += refused
        if done:
            messages.success(request, _("%(n)s件の割当を保存しました。") % {"n": done})
        for message in errors:
            messages.error(request, message)
        return redirect("projects:call_assignments", pk=call.pk)


# --- staff: ranking ---------------------------------------------------------------------------


class CallRankingView(SecretariatRequiredMixin, View):
    template_name = "projects/calls/call_ranking.html"

    def get(self, request, pk):
        call = get_object_or_404(Call, pk=pk)
        return render(
            request, self.template_name, {"call": call, "ranking": call_ranking(call=call)}
        )


class CallRankingExportView(SecretariatRequiredMixin, View):
    """``?format=xlsx`` for Excel's own format, else CSV (UTF-8 with BOM)."""

    def get(self, request, pk):
        call = get_object_or_404(Call, pk=pk)
        ranking = call_ranking(call=call)
        if request.GET.get("format") == "xlsx":
            body = ranking_xlsx(ranking)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            filename = ranking_filename(call, "xlsx")
        else:
            body, content_type = ranking_csv(ranking), "text/csv; charset=utf-8"
            filename = ranking_filename(call, "csv")
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
