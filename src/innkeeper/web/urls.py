from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.urls import path

from innkeeper.web.views import (
    account,
    change,
    desk,
    desk_folio,
    desk_money,
    guest,
    manage,
    passwords,
    pay,
    privacy,
    rates,
)

app_name = "web"

urlpatterns = [
    path("", guest.home, name="home"),
    path("search/", guest.search, name="search"),
    path("book/", guest.book, name="book"),
    path("bookings/<str:reference>/confirmation/", guest.confirmation, name="confirmation"),
    path("bookings/<str:reference>/cancel/", manage.cancel, name="cancel"),
    path("bookings/<str:reference>/change/", change.guest_change, name="change"),
    path("bookings/<str:reference>/pay/", pay.pay_deposit, name="pay_deposit"),
    path("bookings/<str:reference>/payment/return/", pay.payment_return, name="payment_return"),
    path(
        "bookings/<str:reference>/payment/cancelled/",
        pay.payment_cancelled,
        name="payment_cancelled",
    ),
    path("bookings/<str:reference>/receipts/<str:number>/", manage.receipt, name="receipt"),
    path("my-bookings/", manage.my_bookings, name="my_bookings"),
    path("manage/<str:token>/", manage.manage, name="manage"),
    path("account/login/", account.GuestLoginView.as_view(), name="login"),
    path("account/register/", account.register, name="register"),
    path("account/logout/", account.sign_out, name="logout"),
    path(
        "account/password/",
        login_required(passwords.ChangeView.as_view(), login_url="web:login"),
        name="password_change",
    ),
    path("account/password-reset/", passwords.password_reset, name="password_reset"),
    path(
        "account/reset/<uidb64>/<token>/",
        passwords.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("account/reset/done/", passwords.password_reset_done, name="password_reset_done"),
    path("account/my-data/", privacy.my_data, name="my_data"),
    path("desk/", desk.today, name="desk"),
    path("desk/login/", desk.DeskLoginView.as_view(), name="desk_login"),
    path("desk/logout/", LogoutView.as_view(next_page="web:desk_login"), name="desk_logout"),
    path("desk/board/", desk.board, name="board"),
    path("desk/rates/", rates.rates, name="desk_rates"),
    path("desk/bookings/<str:reference>/", desk_money.booking_detail, name="desk_booking"),
    path(
        "desk/bookings/<str:reference>/payments/",
        desk_money.payment_record,
        name="desk_payment",
    ),
    path("desk/bookings/<str:reference>/refunds/", desk_money.refund_record, name="desk_refund"),
    path(
        "desk/bookings/<str:reference>/refunds/<str:refund>/paid-out/",
        desk_money.refund_paid_out,
        name="desk_refund_paid_out",
    ),
    path("desk/receipts/<str:number>/", desk_money.receipt, name="desk_receipt"),
    # Before the generic action route below, which would take "change" for an action.
    path("desk/bookings/<str:reference>/change/", change.desk_change, name="desk_change"),
    # The folio (payments/folio.py); check-out with the balance settled (flows).
    path("desk/bookings/<str:reference>/folio/extras/", desk_folio.extra_add, name="desk_extra"),
    path(
        "desk/bookings/<str:reference>/folio/extras/<str:extra>/void/",
        desk_folio.extra_cancel,
        name="desk_extra_void",
    ),
    path(
        "desk/bookings/<str:reference>/folio/check-out/",
        desk_folio.check_out,
        name="desk_check_out",
    ),
    path("desk/invoices/<str:number>/", desk_folio.invoice, name="desk_invoice"),
    path(
        "desk/bookings/<str:reference>/<str:action>/",
        desk.booking_action,
        name="desk_action",
    ),
]
