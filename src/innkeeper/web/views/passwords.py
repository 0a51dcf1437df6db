"""Forgot password (guests and staff share one account model, so one set of pages) and a
signed-in password change. Emails go through the job queue; answers never say whether an
address has an account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import PasswordChangeView, PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy

from innkeeper.notifications.account_emails import password_reset_request
from innkeeper.ops.ratelimit.services import RateLimited, limit_password_reset
from innkeeper.web.limits import limited_page

FORM = "web/account_form.html"
MESSAGE = "web/account_message.html"
SENT = (
    "If {email} has an account here, we have sent it a link to choose a new password. "
    "It works once, for {minutes} minutes. Check your spam folder if nothing arrives."
)


class ResetRequestForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)


def password_reset(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(request.POST or None)
    context: dict[str, Any] = {
        "form": form,
        "title": "Forgot your password?",
        "intro": "Enter the email you sign in with; we will send you a link to choose a new one.",
        "button": "Send me a link",
    }
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            limit_password_reset(request, email=email)
        except RateLimited as refused:
            return limited_page(request, FORM, context, refused)
        site_url = settings.SITE_URL or request.build_absolute_uri("/")
        password_reset_request(email=email, site_url=site_url)
        minutes = settings.PASSWORD_RESET_TIMEOUT // 60
        messages.success(request, SENT.format(email=email, minutes=minutes))
        return redirect("web:login")
    return render(request, FORM, context, status=422 if form.errors else 200)


class ResetConfirmView(PasswordResetConfirmView):
    """Django's view: it moves the token into the session and redirects to a URL without it
    (so it never leaks through Referer), and checks it with the default token generator."""

    template_name = FORM
    success_url = reverse_lazy("web:password_reset_done")
    extra_context = {"title": "Choose a new password", "button": "Save password"}


def password_reset_done(request: HttpRequest) -> HttpResponse:
    context = {
        "title": "Password changed",
        "text": "Your new password is saved; every other session and API token of your "
        "account was signed out.",
        "link_url": reverse("web:login"),
        "link_text": "Sign in",
    }
    return render(request, MESSAGE, context)


class ChangeView(PasswordChangeView):
    """Signed in: change the password, keep this session, sign every other one out."""

    template_name = FORM
    extra_context = {"title": "Change your password", "button": "Change password"}

    def get_success_url(self) -> str:
        messages.success(self.request, "Password changed. Other sessions were signed out.")
        return reverse("web:my_bookings")
