"""Pages of the members app. Views stay thin: reads come from querysets, writes from services."""

from django.views.generic import TemplateView

from .models import StudyGroup


class HomeView(TemplateView):
    template_name = "members/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["study_groups"] = (
            StudyGroup.objects.top_level().prefetch_related("subgroups").order_by("order", "name")
        )
        return context
