"""Changing and resetting a password."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from portal.accounts import authentication, forms, throttling
from portal.accounts.decorators import (
    verified_required,
)


@method_decorator([never_cache, verified_required], name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:dashboard")

    def form_valid(self, form):
        form.save()
        # Keeps this session; every other session of the account ends.
        update_session_auth_hash(self.request, form.user)
        authentication.password_changed(user=form.user, request=self.request, how="changed")
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.success_url)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def get_extra_email_context(self):
        return {"base_url": settings.BASE_URL, "service_name": settings.SERVICE_NAME}

    def form_valid(self, form):
        # Limit how often one address (and one client) can be sent links; when
        # over the limit, show the same page and send nothing.
        email = form.cleaned_data["email"]
        address = throttling.client_address(self.request)
        try:
            throttling.check(limit=throttling.EMAIL_CODE_ACCOUNT, value=email)
            throttling.check(limit=throttling.EMAIL_CODE_ADDRESS, value=address)
        except throttling.Locked:
            return redirect(self.success_url)
        for limit, value in (
            (throttling.EMAIL_CODE_ACCOUNT, email),
            (throttling.EMAIL_CODE_ADDRESS, address),
        ):
            with contextlib.suppress(throttling.Locked):
                throttling.register_failure(limit=limit, value=value, request=self.request)
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        authentication.password_changed(user=form.user, request=self.request, how="reset")
        return response


password_reset = never_cache(PasswordResetView.as_view())
password_reset_confirm = PasswordResetConfirmView.as_view()
password_change = sensitive_post_parameters()(PasswordChangeView.as_view())
