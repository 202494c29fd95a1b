"""E-mail outside the request: django-tasks (the database backend in production, the
immediate one in tests and ``make run``)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django_tasks import task

from notifications.models import Notification


@task()
def email_notification(notification_id: int) -> bool:
    """Send one reminder to its recipient's address; once (emailed_at marks it)."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at or not notification.user.email:
        return False
    link = f"{settings.PORTAL_BASE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    with translation.override(settings.LANGUAGE_CODE):  # mail goes out in the portal's language
        title = notification.title
    send_mail(
        subject=f"[{settings.DISTRICT_NAME}] {title}",
        message="\n\n".join(part for part in (title, link) if part),
        from_email=None,
        recipient_list=[notification.user.email],
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True
