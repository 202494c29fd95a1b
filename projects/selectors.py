"""Reads of projects and inflows, narrowed to what the user may see."""

from django.shortcuts import get_object_or_404

from projects.models import Inflow, Project


def project_for_user(user, pk: int) -> Project:
    """The project, or 404 when it does not exist or belongs to another unit."""
    return get_object_or_404(Project.objects.for_user(user).select_related("unit", "event"), pk=pk)


def inflow_for_user(user, pk: int) -> Inflow:
    """The inflow, or 404 when it does not exist or belongs to another unit."""
    return get_object_or_404(Inflow.objects.for_user(user).select_related("project__unit"), pk=pk)
