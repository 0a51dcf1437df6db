from django.urls import path

from innkeeper.ops import views

urlpatterns = [
    path("api/health/live", views.live, name="health-live"),
    path("api/health/ready", views.ready, name="health-ready"),
    path("api/health/full", views.full, name="health-full"),
    path("up", views.live, name="health-up"),
    path("ready", views.ready, name="health-ready-alias"),
]
