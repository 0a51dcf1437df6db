from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from innkeeper.api import api
from innkeeper.web.views.account import admin_login
from innkeeper.web.views.media import media

urlpatterns = [
    # Health and the API first: they are most of the requests, and resolving them after every
    # page pattern was a sixth of a liveness request (issue 18). No other pattern matches them.
    path("", include("innkeeper.ops.urls")),
    path("api/v1/", api.urls),
    path("", include("innkeeper.web.urls")),
    # Before admin.site.urls: the admin login goes through the login limits (web/views/account).
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("", include("innkeeper.channels.urls")),
    path("desk/reports/", include("innkeeper.reports.urls")),
    path("api/", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(re_path(r"^media/(?P<path>.+)$", media, name="media"))
