"""Guest accounts on the web: sign in, create an account, sign out (Django sessions)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from innkeeper.accounts.services import user_register
from innkeeper.core.errors import ApplicationError
from innkeeper.ops.ratelimit.services import RateLimited, limit_register, login_attempt
from innkeeper.web.forms import RegisterForm, attach_error
from innkeeper.web.limits import limited_page
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
