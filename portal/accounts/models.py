from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager):
    """Users are identified by email address; there is no separate username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def with_admin_access(self):
        """Users with ``is_staff_account`` answered in the same query
        (``admin_permissions`` as a subquery) rather than one more each."""
        return self.annotate(
            _may_access_admin=models.Exists(admin_permissions(models.OuterRef("pk")))
        )


class User(AbstractUser):
    """A person who signs in: a parent or young person on the public site, or a
    member of SENDIASS staff (``is_staff``) in the Wagtail admin.

    Personal data: ``full_name``, ``first_name``, ``last_name`` and ``email``.
    """

    username = None
    email = models.EmailField(_("email address"), unique=True)
    # One name field, as GOV.UK asks for names: people's names do not split
    # into first and last the same way everywhere.
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    email_verified_at = models.DateTimeField(
        _("email address confirmed"),
        null=True,
        blank=True,
        help_text=_("When the person followed the link we emailed them. Empty until then."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Email addresses are unique regardless of case, so "Sam@x" and
            # "sam@x" can never be two accounts.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return self.full_name or super().get_full_name()

    def get_short_name(self):
        return self.full_name or super().get_short_name()

    @property
    def is_staff_account(self) -> bool:
        """Staff work in the Wagtail admin; they have no parent dashboard data
        and may only use app, passkey or backup-code factors."""
        if self.is_staff or self.is_superuser:
            return True
        if "_may_access_admin" not in self.__dict__:
            self._may_access_admin = self._has_admin_permission()
        return self._may_access_admin

    def _has_admin_permission(self) -> bool:
        """``has_perm("wagtailadmin.access_admin")``, as Django's ModelBackend
        (the only backend) answers it, in one query. Every personal page asks
        (is this a parent?); ``has_perm`` would load all of the person's
        permissions to answer, in two queries. Kept on the instance, which
        lives for one request, as ``has_perm``'s own cache is. The signed-in
        person's row comes with the answer already (``with_admin_access``,
        ``portal.accounts.backends``): no query at all then."""
        if not self.is_active or self.pk is None:
            return False
        if hasattr(self, "_perm_cache"):
            return self.has_perm("wagtailadmin.access_admin")  # already loaded
        return admin_permissions(self).exists()


def admin_permissions(who):
    """The permission that opens the Wagtail admin
    (``wagtailadmin.access_admin``) if ``who`` holds it, themselves or
    through a group: the one rule behind ``User.is_staff_account``. ``who``
    is a user, or ``OuterRef("pk")`` in a query over users
    (``EmailUserManager.with_admin_access``)."""
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        models.Q(user=who) | models.Q(group__user=who),
        content_type__app_label="wagtailadmin",
        codename="access_admin",
    )


class RecoveryRequest(models.Model):
    """A person who has lost their second factor asking staff to reset it.

    Staff check who the person is (by phone, in person, ...), record how, and
    only then remove the person's factors so they can set up new ones. The
    person cannot do this themselves: that is what keeps a stolen password from
    being enough.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for staff")
        COMPLETED = "completed", _("Factors reset")
        REFUSED = "refused", _("Refused")

    class IdentityCheck(models.TextChoices):
        PHONE = "phone", _("Phone call to the number we hold, with security questions")
        IN_PERSON = "in_person", _("In person, with photo identification")
        VIDEO = "video", _("Video call, with photo identification")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="recovery_requests", verbose_name=_("person")
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    # Personal data: what the person told us about losing their factor.
    explanation = models.TextField(_("what happened"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    identity_check = models.CharField(
        _("how identity was checked"), max_length=20, choices=IdentityCheck.choices, blank=True
    )
    # Personal data: the caseworker's notes on the identity check.
    staff_notes = models.TextField(_("notes on the identity check"), blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("second factor recovery request")
        verbose_name_plural = _("second factor recovery requests")
        permissions = [("reset_factors", "Can check identity and reset a person's second factors")]
        constraints = [
            # One open request per person: asking twice does not queue twice.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="accounts_one_pending_recovery_per_user",
            ),
            # A resolved request always says who resolved it and when.
            models.CheckConstraint(
                condition=models.Q(status="pending")
                | (models.Q(resolved_at__isnull=False) & models.Q(resolved_by__isnull=False)),
                name="accounts_recovery_resolved_has_staff",
            ),
        ]

    def __str__(self):
        return f"Recovery request #{self.pk}"
