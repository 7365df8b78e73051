"""Safe rich text for lessons and library items.

Lesson content is Markdown (trainers may also write plain HTML); it is rendered with
python-markdown and then cleaned with nh3 (Ammonia), so a script tag or an `onclick` never
reaches a learner's browser. Uploaded files (lessons, library items, external certificates) are
checked and served by the shared helper `hardware_erp.core.uploads`: size, extension and the
file's first bytes (a renamed .exe is not a PDF); `file_type` keeps the kind's group (pdf,
slides, video, image).
"""

import markdown as md
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "strong", "em", "b", "i", "u", "s", "code", "pre",
                "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span",
                "kbd", "mark", "sup", "sub", "figure", "figcaption"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                      "th": {"align"}, "td": {"align"}, "code": {"class"}}


def render_markdown(text: str) -> str:
    """Markdown (or simple HTML) -> cleaned HTML, marked safe for templates."""
    if not text:
        return ""
    html = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return mark_safe(clean)  # noqa: S308  # nosec B308 B703 (cleaned by nh3 above)
