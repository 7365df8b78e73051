"""Strings that the libraries the pages use show to users but ship no zh_Hans translation for.

django-filter has only a zh_CN catalogue, which a zh-hans page never reads; listing its user-facing strings
here puts them into the kernel's catalogue (locale/), which Django merges over every library's.
"""

from django.utils.translation import gettext_noop

DJANGO_FILTER = [
    gettext_noop("%s (descending)"),
    gettext_noop("All"),
    gettext_noop("Multiple values may be separated by commas."),
    gettext_noop("No"),
    gettext_noop("Ordering"),
    gettext_noop("Past 7 days"),
    gettext_noop("Range query expects two values."),
    gettext_noop("Select a lookup."),
    gettext_noop("This month"),
    gettext_noop("This year"),
    gettext_noop("Today"),
    gettext_noop("Unknown"),
    gettext_noop("Yes"),
    gettext_noop("Yesterday"),
    gettext_noop("exclude"),
]
