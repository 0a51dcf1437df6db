from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView

from innkeeper.api import api


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "<!doctype html><title>innkeeper</title><h1>innkeeper</h1>"
        '<p><a href="/api/v1/docs">API docs</a> · <a href="/admin/">Staff admin</a></p>'
    )


urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("innkeeper.ops.urls")),
    path("api/", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
]
