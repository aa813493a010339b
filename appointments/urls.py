"""The parent's appointment pages, mounted at /appointments/ by portal/urls.py.
Every name without arguments is also in
``portal.accounts.urls.PERSONAL_URL_NAMES`` (the verified-session test runs
over that list; tests/appointments/test_views.py checks it is complete);
those with arguments are covered by the isolation tests."""

from django.urls import path

from appointments import views

app_name = "appointments"

urlpatterns = [
    path("", views.appointment_list, name="list"),
    path("book/", views.book_start, name="book"),
    path("book/how/", views.book_location, name="book_location"),
    path("book/help/", views.book_adjustments, name="book_adjustments"),
    path("book/day/", views.book_date, name="book_date"),
    path("book/time/", views.book_time, name="book_time"),
    path("book/check/", views.book_check, name="book_check"),
    path("<int:pk>/booked/", views.booked, name="booked"),
    path("<int:pk>/changed/", views.booked, name="changed"),
    path("<int:pk>/change/", views.change_date, name="change"),
    path("<int:pk>/change/time/", views.change_time, name="change_time"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]

NO_ARGUMENT_URL_NAMES = [f"{app_name}:{p.name}" for p in urlpatterns if not p.pattern.converters]
