from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = "Appointments"

    def ready(self):
        from appointments import notices, schedule

        notices.register()
        # The cached booking schedule is dropped when its rows change.
        schedule.connect()
