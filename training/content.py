"""Safe rich text and checked uploads for lessons, library items and external certificates.

Lesson content is Markdown (trainers may also write plain HTML); it is rendered with
python-markdown and then cleaned with nh3 (Ammonia), so a script tag or an `onclick` never
reaches a learner's browser. Uploads are checked by size (settings.UPLOAD_MAX_BYTES), by
extension and by their first bytes (content sniffing): a renamed .exe is not a PDF.
"""

import zipfile

import markdown as md
import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

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


# kind -> (extensions, label)
FILE_KINDS = {
    "pdf": ({".pdf"}, "PDF"),
    "slides": ({".pptx", ".ppt"}, _("PowerPoint slides")),
    "video": ({".mp4", ".webm", ".m4v"}, _("video")),
    "image": ({".png", ".jpg", ".jpeg", ".gif", ".webp"}, _("image")),
}


def sniff(head: bytes, name: str = "", fileobj=None) -> str:
    """The kind of a file judged by its first bytes: pdf, slides, video, image, or ''."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff") or head[:6] in (b"GIF87a",
                                                                                                b"GIF89a"):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head[4:8] == b"ftyp" or head.startswith(b"\x1a\x45\xdf\xa3"):  # MP4/M4V family, WebM (EBML)
        return "video"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # legacy Office (OLE2): .ppt
        return "slides" if name.lower().endswith(".ppt") else ""
    if head.startswith(b"PK\x03\x04") and fileobj is not None:
        try:
            fileobj.seek(0)
            with zipfile.ZipFile(fileobj) as zf:
                if any(n.startswith("ppt/") for n in zf.namelist()):
                    return "slides"
        except zipfile.BadZipFile:
            return ""
        finally:
            fileobj.seek(0)
    return ""


def check_upload(upload, allowed=("pdf", "slides", "video", "image")) -> str:
    """Validate an uploaded file; returns its kind or raises ValidationError with a clear message."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The file is %(size)s; files may be at most %(limit)s.")
                              % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                              code="too_large")
    name = upload.name.lower()
    labels = ", ".join(str(FILE_KINDS[k][1]) for k in allowed)
    ext_kind = next((k for k in allowed if any(name.endswith(e) for e in FILE_KINDS[k][0])), None)
    if ext_kind is None:
        raise ValidationError(_("This type of file is not accepted here. Allowed: %(kinds)s.") % {"kinds": labels},
                              code="bad_type")
    upload.seek(0)
    head = upload.read(16)
    kind = sniff(head, name, upload)
    upload.seek(0)
    if kind != ext_kind:
        raise ValidationError(_("The file's content does not match its name (%(name)s). Allowed: %(kinds)s.")
                              % {"name": upload.name, "kinds": labels}, code="bad_content")
    return kind


def serve_file(fieldfile, file_type: str = ""):
    """A FileResponse for an uploaded file: PDFs, images and videos open in the browser, slides download.
    Views check access first; files are never served from MEDIA_URL directly."""
    from django.http import FileResponse, Http404

    if not fieldfile:
        raise Http404
    return FileResponse(fieldfile.open("rb"), as_attachment=file_type == "slides",
                        filename=fieldfile.name.rsplit("/", 1)[-1])
