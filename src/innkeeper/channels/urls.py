from django.urls import path

from innkeeper.channels.views import calendar_feed

app_name = "channels"

# The token is a secret in the path: log redaction must cover `/calendar/<token>.ics`.
urlpatterns = [
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
