from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SentNotification(models.Model):
    """A notice that has been sent under an idempotency ``key``.

    A queued task can be delivered more than once (a retry after a worker was
    killed, a duplicate enqueue); the unique key makes the second delivery a
    no-op instead of a second email. Holds no personal data beyond the user id.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    template = models.CharField(_("template"), max_length=100)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")

    def __str__(self):
        return f"{self.template} ({self.key})"
