"""The manager's report page (figures, SVG charts) and its CSV download. Managers only."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import user_passes_test
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from innkeeper.accounts.models import User
from innkeeper.bookings.rules import property_today
from innkeeper.reports.charts import bar_chart
from innkeeper.reports.export import Kind, to_csv
from innkeeper.reports.ranges import BadRange, parse_range
from innkeeper.reports.selectors import Report, manager_report
from innkeeper.reports.sources import Property

DEFAULT_NIGHTS = 7


def _is_staff(user: object) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.is_staff


def _require_manager(request: HttpRequest) -> None:
    """Front-desk staff are signed in but may not read the money figures."""
    user = request.user
    if not (isinstance(user, User) and (user.is_manager or user.is_superuser)):
        raise PermissionDenied("Reports are for managers.")


staff_required = user_passes_test(_is_staff, login_url="web:desk_login")


def _property(request: HttpRequest) -> Property:
    chosen = request.GET.get("property", "")
    properties = Property.objects.order_by("name")
    prop = properties.filter(pk=chosen).first() if chosen.isdigit() else properties.first()
    if prop is None:
        raise Http404("No property yet: add one in the admin.")
    return prop


def _range(request: HttpRequest, prop: Property) -> tuple[date, date]:
    today = property_today(prop)
    start = request.GET.get("from") or (today - timedelta(days=DEFAULT_NIGHTS)).isoformat()
    end = request.GET.get("to") or today.isoformat()
    return parse_range(start, end)


def _charts(report: Report) -> dict[str, object]:
    occupancy = [(line.label, line.ratio.occupancy) for line in report.nights]
    revenue = [(line.label, line.ratio.revenue) for line in report.nights]
    return {
        "occupancy_chart": bar_chart(title="Occupancy per night", bars=occupancy, unit="%"),
        "revenue_chart": bar_chart(
            title="Room revenue per night", bars=revenue, unit=report.currency
        ),
        "payments_chart": bar_chart(
            title="Payments by method", bars=report.by_method, unit=report.currency
        ),
    }


@staff_required
def manager_page(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    prop = _property(request)
    context: dict[str, object] = {"property": prop, "properties": Property.objects.all()}
    try:
        start, end = _range(request, prop)
    except BadRange as error:
        context["error"] = str(error).replace("--from", "From").replace("--to", "To")
        return render(request, "reports/manager.html", context, status=422)
    report = manager_report(prop=prop, start=start, end=end)
    context.update(report=report, **_charts(report))
    return render(request, "reports/manager.html", context)


@staff_required
def report_csv(request: HttpRequest, kind: Kind) -> HttpResponse:
    _require_manager(request)
    prop = _property(request)
    try:
        start, end = _range(request, prop)
    except BadRange as error:
        return HttpResponse(str(error), status=422, content_type="text/plain; charset=utf-8")
    report = manager_report(prop=prop, start=start, end=end)
    response = HttpResponse(to_csv(report, kind), content_type="text/csv; charset=utf-8")
    name = f"{kind}-{prop.slug}-{start}-{end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
