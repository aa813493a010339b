"""Every URL pattern of the site, found by walking the root URLconf (Wagtail's
admin included, with the URLs that the project's own ``register_admin_urls``
and ``register_admin_viewset`` hooks add), and which of them are the
project's own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from wagtail import hooks
from wagtail.admin.viewsets import viewsets

# The project's own code (everything else is Django's, Wagtail's or a library's).
PROJECT_PACKAGES = ("portal", "sar", "appointments", "content")
ADMIN_PREFIX = "admin/"
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


@dataclass(frozen=True)
class SiteURL:
    """One URL pattern: its full route, its (namespaced) name, its view."""

    route: str
    name: str | None
    view: str
    # The patterns from the root to this one, to build a sample address.
    chain: tuple

    @property
    def key(self) -> str:
        """How the tests name it: the URL name when only one pattern has it,
        else the route."""
        return self.name if self.name and _name_counts()[self.name] == 1 else self.route

    @property
    def is_admin(self) -> bool:
        return self.route.startswith(ADMIN_PREFIX)

    def __str__(self):
        return f"{self.key} ({self.route} -> {self.view})"


def _walk(resolver, chain=(), namespaces=()):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            names = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern, (*chain, pattern), names)
        elif isinstance(pattern, URLPattern):
            full = (*chain, pattern)
            yield SiteURL(
                route="".join(str(p.pattern) for p in full),
                name=":".join((*namespaces, pattern.name)) if pattern.name else None,
                view=pattern.lookup_str,
                chain=full,
            )


@cache
def site_urls() -> tuple[SiteURL, ...]:
    return tuple(_walk(get_resolver()))


@cache
def _name_counts() -> dict:
    counts: dict = {}
    for url in site_urls():
        counts[url.name] = counts.get(url.name, 0) + 1
    return counts


def _is_project_module(module: str) -> bool:
    return module.split(".")[0] in PROJECT_PACKAGES


@cache
def project_admin_prefixes() -> tuple[str, ...]:
    """The admin routes that the project's own hooks register: its
    ``register_admin_urls`` patterns and its viewsets (whose views may be
    Wagtail's generic ones, so the view's module does not tell)."""
    prefixes = []
    for hook in hooks.get_hooks("register_admin_urls"):
        if _is_project_module(hook.__module__):
            prefixes += [ADMIN_PREFIX + str(p.pattern) for p in hook()]
    for viewset in viewsets.viewsets:
        if _is_project_module(type(viewset).__module__):
            prefixes.append(f"{ADMIN_PREFIX}{viewset.url_prefix}/")
    return tuple(prefixes)


def is_project_url(url: SiteURL) -> bool:
    """Whether the project serves ``url``: every URL outside the admin (the
    project's URLconfs and Wagtail's page serving, which shows the project's
    pages), and in the admin those the project's own hooks register or its
    own views serve."""
    if not url.is_admin or _is_project_module(url.view):
        return True
    return url.route.startswith(project_admin_prefixes())


def project_urls() -> list[SiteURL]:
    return [url for url in site_urls() if is_project_url(url)]


def wagtail_admin_urls() -> list[SiteURL]:
    """The Wagtail admin's own URLs (pages, images, users, reports...)."""
    return [url for url in site_urls() if not is_project_url(url)]


def by_key() -> dict[str, SiteURL]:
    return {url.key: url for url in site_urls()}


# Sample addresses for patterns looked at without real objects -------------------

_SAMPLE_BY_CONVERTER = {"int": "1", "slug": "sample", "str": "sample", "path": "sample", None: "x"}
# Regular-expression patterns (Wagtail's page serving, its admin API and
# catch-all, the revision comparison), as a plain sample path.
_SAMPLE_BY_REGEX = {
    r"^((?:[\w\-]+/)*)$": "",
    r"^.*/$": "no-such-admin-page/",
    r"^pages/": "pages/",
    r"^documents/": "documents/",
    r"^images/": "images/",
}


def sample_path(url: SiteURL) -> str:
    """An address ``url`` resolves, with made-up arguments (an object that
    probably does not exist: for checks that happen before any lookup)."""
    parts = []
    for pattern in url.chain:
        text = str(pattern.pattern)
        if isinstance(pattern.pattern, RoutePattern):
            parts.append(
                CONVERTER.sub(lambda m: _SAMPLE_BY_CONVERTER.get(m["converter"], "1"), text)
            )
        elif text in _SAMPLE_BY_REGEX:
            parts.append(_SAMPLE_BY_REGEX[text])
        else:
            parts.append(_reverse_regex(url, text))
    return "/" + "".join(parts)


def _reverse_regex(url: SiteURL, text: str) -> str:
    """A regular expression not in the table: reverse the URL by name with
    each group given a sample value Django accepts."""
    groups = re.findall(r"\(\?P<(\w+)>", text)
    for value in ("1", "live", "latest", "earliest"):
        try:
            full = reverse(url.name, kwargs=dict.fromkeys(groups, value))
        except NoReverseMatch:
            continue
        # Only this pattern's part: the caller adds the prefixes.
        return full[len(sample_prefix(url, text)) :]
    raise AssertionError(f"No sample address for {url}: add its regex to _SAMPLE_BY_REGEX")


def sample_prefix(url: SiteURL, text: str) -> str:
    parts = []
    for pattern in url.chain:
        if str(pattern.pattern) == text:
            break
        parts.append(CONVERTER.sub("1", str(pattern.pattern)))
    return "/" + "".join(parts)
