from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Cursor pagination: stable under inserts. `?ordering=` picks one of the view's `ordering_fields`."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        # a cursor needs a unique, unchanging last key: the primary key breaks ties
        return (*ordering, "-pk") if not any(f.lstrip("-") in ("pk", "id") for f in ordering) else ordering
