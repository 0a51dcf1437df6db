"""Guest accounts on the web: sign in, create an account, sign out (Django sessions)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from innkeeper.core.errors import ApplicationError
from innkeeper.notifications.account_emails import guest_signup
from innkeeper.ops.ratelimit.services import RateLimited, limit_register, login_attempt
from innkeeper.web.forms import RegisterForm, attach_error
from innkeeper.web.limits import WAIT, limited_page
from innkeeper.web.views.common import safe_next

REGISTERED = (
    "Thank you. If this email could be registered, your account is ready: sign in below. "
    "If it already had an account, we have emailed its owner instead."
)


class RateLimitedLoginView(LoginView):
    """Sign-in with the API's login limits (per IP, per account + IP, the lockout)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = request.POST.get("username", "")
        try:
            with login_attempt(request, email=email):
                return super().post(request, *args, **kwargs)
        except RateLimited as refused:
            # An unbound form: validating it again would count one more attempt.
            form = self.get_form_class()(request, initial={"username": email})
            context = self.get_context_data(form=form)
            return limited_page(request, str(self.template_name), context, refused)


class GuestLoginView(RateLimitedLoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": "Sign in", "show_register": True}


def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/ with the same per-IP, per-account+IP limits and lockout as the API and
    page logins (Django's admin login has none of its own)."""
    if request.method != "POST":
        return admin.site.login(request)
    try:
        with login_attempt(request, email=request.POST.get("username", "")):
            return admin.site.login(request)
    except RateLimited as refused:
        seconds = refused.extra.get("retry_after", 60)
        messages.error(request, WAIT.format(seconds=seconds))
        context = {
            **admin.site.each_context(request),
            "title": "Log in",
            "form": AdminAuthenticationForm(request),
            "app_path": request.get_full_path(),
            REDIRECT_FIELD_NAME: request.GET.get(REDIRECT_FIELD_NAME, ""),
        }
        response = render(request, "admin/login.html", context, status=429)
        for name, value in refused.headers.items():
            response[name] = value
        return response


def register(request: HttpRequest) -> HttpResponse:
    """New guest account. The page answers the same whether or not the address already has
    an account (its owner gets an email), so nobody learns who is registered here."""
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            limit_register(request)
        except RateLimited as refused:
            return limited_page(request, "web/register.html", {"form": form}, refused)
        status = 422
        if form.is_valid():
            try:
                guest_signup(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    name=form.cleaned_data["name"],
                    site_url=settings.SITE_URL or request.build_absolute_uri("/"),
                )
            except ApplicationError as error:
                attach_error(form, error)
                status = error.status
            else:
                messages.success(request, REGISTERED)
                login_url = reverse("web:login")
                next_url = safe_next(request, "")
                return redirect(f"{login_url}?next={quote(next_url)}" if next_url else login_url)
    return render(request, "web/register.html", {"form": form}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("web:home")
