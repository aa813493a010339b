"""The task queue's outage, on the Wagtail dashboard: when tasks have been
waiting for the broker, staff see how many and that nothing is lost."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

from portal.outbox import relay


class QueueOutagePanel(Component):
    name = "queue_outage"
    order = 10
    template_name = "outbox/admin/queue_outage_panel.html"

    def __init__(self, waiting: int):
        self.waiting = waiting

    def get_context_data(self, parent_context=None):
        return {"waiting": self.waiting}


@hooks.register("construct_homepage_panels")
def add_queue_outage_panel(request, panels):
    waiting = relay.waiting()
    if waiting:
        panels.insert(0, QueueOutagePanel(waiting))
