from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """A task waiting to be put on the queue (a transactional outbox).

    Written in the same transaction as the change that needs the task, so the
    change and its task are saved together or not at all; deleted as soon as
    the broker has the task. A row that stays means the broker could not be
    reached: the relay schedule (``portal.outbox.relay``) queues it again
    once it can. Its arguments are the task's (ids, a template name; the
    account emails' address and text), kept only until it is queued.
    """

    func = models.CharField(_("function"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    group = models.CharField(_("group"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts to queue it"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    # The kind of error only (e.g. "ConnectionError"): an error's text can
    # hold a broker address or credentials.
    last_error = models.CharField(_("last error"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("pending task")
        verbose_name_plural = _("pending tasks")
        ordering = ["id"]

    def __str__(self):
        return f"{self.func} (#{self.pk})"
