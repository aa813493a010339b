"""``{% bundle_section case %}``: the staff case page's Bundle section (see
``sar.admin_views.bundles.bundle_panel``), drawn for the person viewing."""

from django import template

from sar.admin_views.bundles import bundle_panel

register = template.Library()


@register.inclusion_tag("sar/admin/bundle_section.html", takes_context=True)
def bundle_section(context, case):
    request = context["request"]
    return {
        **bundle_panel(case, request.user),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
