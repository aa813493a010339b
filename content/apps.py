from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Content"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import post_page_move

        from content import footer

        # Any model's saves: a page's are sent for its own class (StandardPage...).
        post_save.connect(footer.forget_on_change, dispatch_uid="content_footer_save")
        post_delete.connect(footer.forget_on_change, dispatch_uid="content_footer_delete")
        # A move changes the address of the page and of every page under it.
        post_page_move.connect(footer.forget, dispatch_uid="content_footer_move")
