from django.contrib.auth.views import LogoutView
from django.urls import path

from innkeeper.web.views import account, desk, guest

app_name = "web"

urlpatterns = [
    path("", guest.home, name="home"),
    path("search/", guest.search, name="search"),
    path("book/", guest.book, name="book"),
    path("bookings/<str:reference>/confirmation/", guest.confirmation, name="confirmation"),
    path("bookings/<str:reference>/cancel/", guest.cancel, name="cancel"),
    path("my-bookings/", guest.my_bookings, name="my_bookings"),
    path("manage/<str:token>/", guest.manage, name="manage"),
    path("account/login/", account.GuestLoginView.as_view(), name="login"),
    path("account/register/", account.register, name="register"),
    path("account/logout/", account.sign_out, name="logout"),
    path("desk/", desk.today, name="desk"),
    path("desk/login/", desk.DeskLoginView.as_view(), name="desk_login"),
    path("desk/logout/", LogoutView.as_view(next_page="web:desk_login"), name="desk_logout"),
    path("desk/board/", desk.board, name="board"),
    path("desk/bookings/<str:reference>/", desk.booking_detail, name="desk_booking"),
    path(
        "desk/bookings/<str:reference>/<str:action>/",
        desk.booking_action,
        name="desk_action",
    ),
]
