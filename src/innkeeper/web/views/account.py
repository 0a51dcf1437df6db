"""Guest accounts on the web: sign in, create an account, sign out (Django sessions)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, login, logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from innkeeper.accounts.services import user_register
from innkeeper.core.errors import ApplicationError
from innkeeper.ops.ratelimit.services import RateLimited, limit_register, login_attempt
from innkeeper.web.forms import RegisterForm, attach_error
from innkeeper.web.limits import WAIT, limited_page
from innkeeper.web.views.common import safe_next


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
                user = user_register(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    name=form.cleaned_data["name"],
                )
            except ApplicationError as error:
                attach_error(form, error)
                status = error.status
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, "Your account is ready.")
                return redirect(safe_next(request, "/my-bookings/"))
    return render(request, "web/register.html", {"form": form}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("web:home")
