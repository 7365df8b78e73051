from django.utils import translation


def in_language(obj, field: str) -> str:
    """The Chinese or English value of `field` for the active language, falling back to the other."""
    zh, en = getattr(obj, f"{field}_zh", ""), getattr(obj, f"{field}_en", "")
    if (translation.get_language() or "en").startswith("zh"):
        return zh or en
    return en or zh


class Bilingual:
    """Mixin for models with `<field>_zh` / `<field>_en` pairs: `obj.tr("title")`."""

    def tr(self, field: str) -> str:
        return in_language(self, field)

    @property
    def title(self) -> str:
        return in_language(self, "title")

    def __str__(self):
        return self.title
