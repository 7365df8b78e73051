"""Banners shown on every page (incidents, maintenance windows): filled by the support app."""


def banners(request):
    return {"system_banners": []}
