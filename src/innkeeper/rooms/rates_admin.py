"""Rates and stay rules in the admin. Forms validate with the rates services (errors land on
the form) and saves and deletes go through them too, so every change is audited `rates.*`
like the API's (source `admin`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from innkeeper.accounts.models import User
from innkeeper.core.errors import ApplicationError
from innkeeper.rooms import rates_services as services
from innkeeper.rooms.models import RatePlan, RateSeason, StayDiscount, StayRule


def _user(request: HttpRequest) -> User:
    """The admin only lets signed-in staff in, so the user is one of ours."""
    assert isinstance(request.user, User)
    return request.user


def _checked_form(check: Callable[[Any], None]) -> type[forms.ModelForm[Any]]:
    class CheckedForm(forms.ModelForm[Any]):
        def _post_clean(self) -> None:
            super()._post_clean()  # type: ignore[misc]  # builds self.instance from the cleaned data
            if self.errors or getattr(self.instance, "room_type_id", None) is None:
                return
            try:
                check(self.instance)
            except ApplicationError as error:
                field = error.extra.get("field")
                self.add_error(field if field in self.fields else None, error.detail)

    return CheckedForm


class RatesAdmin(admin.ModelAdmin[Any]):
    """Saves with `write(obj, actor=..., source="admin")`, deletes with `delete`."""

    write: Callable[..., Any]
    delete: Callable[..., None]
    id_arg: str

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        type(self).write(obj, actor=_user(request), source="admin")

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        type(self).delete(actor=_user(request), source="admin", **{self.id_arg: obj.pk})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            try:
                self.delete_model(request, obj)
            except ApplicationError as error:
                self.message_user(request, error.detail, messages.ERROR)


@admin.register(RatePlan)
class RatePlanAdmin(RatesAdmin):
    form = _checked_form(services.rate_plan_check)
    write = services.rate_plan_write
    list_display = ("room_type", "weekend_rate", "weekend_nights", "base_occupancy")
    list_filter = ("room_type__property",)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        services.rate_plan_delete(actor=_user(request), plan_id=obj.pk, source="admin")


@admin.register(RateSeason)
class RateSeasonAdmin(RatesAdmin):
    form = _checked_form(services.season_check)
    write = services.season_write
    delete = services.season_delete
    id_arg = "season_id"
    list_display = ("name", "room_type", "first_night", "last_night", "nightly_rate")
    list_filter = ("room_type__property", "room_type")
    date_hierarchy = "first_night"


@admin.register(StayDiscount)
class StayDiscountAdmin(RatesAdmin):
    form = _checked_form(lambda discount: None)
    write = services.discount_write
    delete = services.discount_delete
    id_arg = "discount_id"
    list_display = ("room_type", "min_nights", "percent")
    list_filter = ("room_type__property",)


@admin.register(StayRule)
class StayRuleAdmin(RatesAdmin):
    form = _checked_form(services.stay_rule_check)
    write = services.stay_rule_write
    delete = services.stay_rule_delete
    id_arg = "rule_id"
    list_display = (
        "room_type",
        "first_date",
        "last_date",
        "min_stay",
        "max_stay",
        "closed_to_arrival",
        "closed_to_departure",
        "closed",
        "note",
    )
    list_filter = ("room_type__property", "room_type", "closed")
    date_hierarchy = "first_date"
