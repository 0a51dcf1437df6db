"""The manager's morning figures for a property over the half-open date range [start, end).

Reads only: bookings, rooms, booking charges and the payments ledger. Amounts are Decimal in
the property's currency, rounded once, at the end, to the currency's minor unit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from innkeeper.core.money import ZERO, quantize
from innkeeper.reports.sources import Booking, BookingStatus, LedgerEntry, Property, Room

# A booking in these statuses occupies its room for the night (pending ones are not sold yet).
STAY_STATUSES: tuple[str, ...] = (
    BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_IN,
    BookingStatus.CHECKED_OUT,
)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Ratio:
    """Occupied over available room-nights, and the room revenue earned on them."""

    occupied: int
    available: int
    revenue: Decimal

    @property
    def occupancy(self) -> Decimal:
        """Percent, two decimals."""
        if not self.available:
            return Decimal("0.00")
        return (HUNDRED * self.occupied / self.available).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Line:
    label: str
    ratio: Ratio


@dataclass
class Report:
    property: Property
    start: date
    end: date
    currency: str
    nights: list[Line] = field(default_factory=list)
    room_types: list[Line] = field(default_factory=list)
    total: Ratio = Ratio(0, 0, ZERO)
    adr: Decimal = ZERO
    revpar: Decimal = ZERO
    by_method: list[tuple[str, Decimal]] = field(default_factory=list)
    net_payments: Decimal = ZERO
    arrivals: int = 0
    departures: int = 0
    no_shows: int = 0
    cancellations: int = 0
    tourist_tax: Decimal = ZERO


def report_nights(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days)]


def _money(amount: Decimal, currency: str) -> Decimal:
    return quantize(amount, currency)


def _overlapping_stays(prop: Property, start: date, end: date) -> list[Booking]:
    return list(
        Booking.objects.filter(
            property=prop, status__in=STAY_STATUSES, check_in__lt=end, check_out__gt=start
        ).select_related("charges", "room")
    )


def _nights_inside(booking: Booking, start: date, end: date) -> int:
    """How many of the stay's nights fall in [start, end)."""
    return max(0, (min(booking.check_out, end) - max(booking.check_in, start)).days)


def _occupancy(report: Report, stays: list[Booking], rooms: list[Room]) -> None:
    """Per night and per room type; inactive rooms and their bookings are left out. Each
    stay is walked over its own nights only, so the work grows with the stays, not their square."""
    active = {room.pk: room for room in rooms}
    nights = report_nights(report.start, report.end)
    per_night_occ: dict[date, int] = defaultdict(int)
    per_night_rev: dict[date, Decimal] = defaultdict(Decimal)
    per_type_occ: dict[int, int] = defaultdict(int)
    per_type_rev: dict[int, Decimal] = defaultdict(Decimal)
    for booking in stays:
        if booking.room_id not in active:
            continue
        share = booking.charges.room_subtotal / booking.nights
        first = max(booking.check_in, report.start)
        inside = _nights_inside(booking, report.start, report.end)
        for night in report_nights(first, first + timedelta(days=inside)):
            per_night_occ[night] += 1
            per_night_rev[night] += share
        type_id = active[booking.room_id].room_type_id
        per_type_occ[type_id] += inside
        per_type_rev[type_id] += share * inside
    for night in nights:
        revenue = _money(per_night_rev[night], report.currency)
        report.nights.append(
            Line(night.isoformat(), Ratio(per_night_occ[night], len(rooms), revenue))
        )
    _per_type(report, rooms, per_type_occ, per_type_rev)


def _per_type(
    report: Report, rooms: list[Room], occ: dict[int, int], rev: dict[int, Decimal]
) -> None:
    days = len(report.nights)
    rooms_per_type: dict[int, int] = defaultdict(int)
    type_names = {room.room_type_id: room.room_type.name for room in rooms}
    for room in rooms:
        rooms_per_type[room.room_type_id] += 1
    for type_id, name in sorted(type_names.items(), key=lambda item: item[1]):
        ratio = Ratio(
            occ[type_id], rooms_per_type[type_id] * days, _money(rev[type_id], report.currency)
        )
        report.room_types.append(Line(name, ratio))
    total_revenue = sum(rev.values(), ZERO)
    occupied, available = sum(occ.values()), len(rooms) * days
    report.total = Ratio(occupied, available, _money(total_revenue, report.currency))
    report.adr = _money(total_revenue / occupied if occupied else ZERO, report.currency)
    report.revpar = _money(total_revenue / available if available else ZERO, report.currency)


def _tourist_tax(report: Report, stays: list[Booking]) -> None:
    """The tax on the nights stayed inside the range (what the municipality asks for)."""
    tax = ZERO
    for booking in stays:
        inside = _nights_inside(booking, report.start, report.end)
        tax += booking.charges.tourist_tax * inside / booking.nights
    report.tourist_tax = _money(tax, report.currency)


def _local_bounds(prop: Property, start: date, end: date) -> tuple[datetime, datetime]:
    zone = prop.zone
    return datetime.combine(start, time(), zone), datetime.combine(end, time(), zone)


def _payments(report: Report) -> None:
    """Net money in per payment method from the ledger: captures add, refunds subtract.
    Summed in Python so SQLite's float arithmetic never touches an amount."""
    since, until = _local_bounds(report.property, report.start, report.end)
    rows = LedgerEntry.objects.filter(
        booking__property=report.property,
        currency=report.currency,
        created_at__gte=since,
        created_at__lt=until,
    ).values_list("payment__method", "provider", "settled")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for method, provider, settled in rows:
        if settled:
            totals[method or provider] += settled
    report.by_method = [
        (label, _money(amount, report.currency)) for label, amount in sorted(totals.items())
    ]
    report.net_payments = _money(sum(totals.values(), ZERO), report.currency)


def _movements(report: Report) -> None:
    prop, start, end = report.property, report.start, report.end
    bookings = Booking.objects.filter(property=prop)
    report.arrivals = bookings.filter(
        status__in=STAY_STATUSES, check_in__gte=start, check_in__lt=end
    ).count()
    report.departures = bookings.filter(
        status__in=STAY_STATUSES, check_out__gte=start, check_out__lt=end
    ).count()
    report.no_shows = bookings.filter(
        status=BookingStatus.NO_SHOW, check_in__gte=start, check_in__lt=end
    ).count()
    since, until = _local_bounds(prop, start, end)
    report.cancellations = bookings.filter(
        status=BookingStatus.CANCELLED, cancelled_at__gte=since, cancelled_at__lt=until
    ).count()


def manager_report(*, prop: Property, start: date, end: date) -> Report:
    """All figures for [start, end) in the property's time zone; start < end is the caller's."""
    report = Report(property=prop, start=start, end=end, currency=prop.currency)
    rooms = list(Room.objects.filter(property=prop, is_active=True).select_related("room_type"))
    stays = _overlapping_stays(prop, start, end)
    _occupancy(report, stays, rooms)
    _tourist_tax(report, stays)
    _payments(report)
    _movements(report)
    return report
