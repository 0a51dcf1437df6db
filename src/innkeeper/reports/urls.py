from django.urls import path

from innkeeper.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.manager_page, name="manager"),
    path("occupancy.csv", views.report_csv, {"kind": "occupancy"}, name="occupancy_csv"),
    path("revenue.csv", views.report_csv, {"kind": "revenue"}, name="revenue_csv"),
]
