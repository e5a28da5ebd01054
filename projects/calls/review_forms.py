"""Forms of review and decisions: reviewer registration, scores, assignments, decisions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models import Project
from .models import Application, ReviewAssignment, ReviewCriterion
from .services.reviews import CriterionInput

SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class ReviewerRegisterForm(forms.Form):
    name = forms.CharField(label=_("氏名"), max_length=100)
    email = forms.EmailField(label=_("メールアドレス"))


class ReviewScoreForm(forms.Form):
    """One 1–5 radio group and a comment per criterion, and the overall comment (総評).

    ``submit`` (the 提出 button) asks for every score; a draft may leave some out, but not a
    comment without its score (a score row holds both).
    """

    comment = forms.CharField(
        label=_("総評"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self,
        *args,
        criteria: list[ReviewCriterion],
        assignment: ReviewAssignment,
        submit: bool = False,
        **kwargs,
    ) -> None:
        self.criteria = criteria
        self.submit = submit
        existing = {s.criterion_id: s for s in assignment.scores.all()}
        initial: dict[str, object] = {"comment": assignment.comment}
        for criterion in criteria:
            score = existing.get(criterion.pk)
            initial[f"score_{criterion.pk}"] = score.score if score else None
            initial[f"note_{criterion.pk}"] = score.comment if score else ""
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=submit,
                widget=forms.RadioSelect,
                help_text=criterion.description,
                error_messages={"required": _("評点を選んでください。")},
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("%(name)sのコメント") % {"name": criterion.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields([*self._criterion_field_names(), "comment"])

    def _criterion_field_names(self) -> list[str]:
        return [name for c in self.criteria for name in (f"score_{c.pk}", f"note_{c.pk}")]

    def rows(self):
        """(criterion, score field, comment field) for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            score = cleaned.get(f"score_{criterion.pk}")
            note = (cleaned.get(f"note_{criterion.pk}") or "").strip()
            if score is None and note and f"score_{criterion.pk}" not in self.errors:
                self.add_error(
                    f"score_{criterion.pk}", _("コメントを保存するには評点も選んでください。")
                )
        return cleaned

    def scores(self) -> dict[int, CriterionInput]:
        return {
            c.pk: CriterionInput(
                score=self.cleaned_data.get(f"score_{c.pk}"),
                comment=self.cleaned_data.get(f"note_{c.pk}") or "",
            )
            for c in self.criteria
        }


class AssignmentForm(forms.Form):
    """The assignment screen's checkboxes (``application:reviewer`` pairs) and its 解除 buttons
    (an assignment id); only pairs of this call's submitted applications are accepted."""

    assign = forms.MultipleChoiceField(required=False)
    unassign = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        *args,
        applications: list[Application],
        reviewers: list[User],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.applications = {a.pk: a for a in applications}
        self.reviewers = {r.pk: r for r in reviewers}
        cast(forms.ChoiceField, self.fields["assign"]).choices = [
            (f"{a}:{r}", f"{a}:{r}") for a in self.applications for r in self.reviewers
        ]
        cast(forms.ChoiceField, self.fields["unassign"]).choices = [
            (str(x.pk), str(x.pk)) for a in applications for x in a.assignments.all()
        ]

    def pairs(self) -> list[tuple[Application, User]]:
        pairs = []
        for value in self.cleaned_data["assign"]:
            application_pk, reviewer_pk = (int(part) for part in value.split(":"))
            pairs.append((self.applications[application_pk], self.reviewers[reviewer_pk]))
        return pairs

    def assignment_to_remove(self) -> ReviewAssignment | None:
        pk = self.cleaned_data.get("unassign")
        if pk is None:
            return None
        for application in self.applications.values():
            for assignment in application.assignments.all():
                if assignment.pk == pk:
                    return assignment
        return None


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("審査結果"), choices=Application.Decision.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("結果の通知文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("応募者へのメールに載せます。結果の通知までは何も送られません。"),
    )
    project = forms.ModelChoiceField(
        label=_("採択後の事業"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("新しい事業として登録する"),
        help_text=_("既にある事業として続ける場合に選びます（採択の場合だけ）。"),
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Projects no other application became or was chosen for.
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = Project.objects.filter(
            Q(call_application__isnull=True) | Q(call_application=application)
        ).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("project") and cleaned.get("decision") != Application.Decision.ADOPTED:
            self.add_error("project", _("既存の事業を選べるのは採択の場合だけです。"))
        return cleaned
