"""Reads of units for the other apps' pages."""

from units.models import Unit


def visible_units(request):
    """Choices for a unit filter: the units the requesting user may see."""
    if request is None:
        return Unit.objects.none()
    return Unit.objects.for_user(request.user)
