"""Checked uploads, one helper for every file field of the project.

    kind = check_upload(upload, ("pdf", "image"))        # ValidationError with a clear message, or the FileKind
    file = UploadField(allowed=("xlsx", "csv"))          # a form field that runs the check (kind on .upload_kind)
    attachments = MultipleUploadField(allowed=ATTACHMENTS)
    return serve_upload(record.file, filename=..., content_type=kind.content_type)

The checks: the size limit (settings.UPLOAD_MAX_BYTES unless a use sets a smaller one); the name's extension
must be one of the allowed kinds; the content type is judged from the file's own bytes (magic numbers, the
inside of Office zip files, text that is text), never from the browser's Content-Type header, and must be the
kind the name says: a renamed executable is refused. Uploaded files are kept under MEDIA_ROOT (outside the static
root, see `hardware_erp.core.checks`), never served from a public URL, and sent back by views that check access
first, as downloads with `X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy.
"""

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from django import forms
from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileKind:
    key: str
    group: str  # pdf, image, video, slides, document, spreadsheet, text
    label: str
    extensions: tuple
    content_type: str


KINDS = {k.key: k for k in [
    FileKind("pdf", "pdf", "PDF", (".pdf",), "application/pdf"),
    FileKind("png", "image", "PNG", (".png",), "image/png"),
    FileKind("jpeg", "image", "JPEG", (".jpg", ".jpeg"), "image/jpeg"),
    FileKind("gif", "image", "GIF", (".gif",), "image/gif"),
    FileKind("webp", "image", "WebP", (".webp",), "image/webp"),
    FileKind("mp4", "video", "MP4", (".mp4", ".m4v"), "video/mp4"),
    FileKind("webm", "video", "WebM", (".webm",), "video/webm"),
    FileKind("pptx", "slides", "PowerPoint (.pptx)", (".pptx",),
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    FileKind("ppt", "slides", "PowerPoint (.ppt)", (".ppt",), "application/vnd.ms-powerpoint"),
    FileKind("docx", "document", "Word (.docx)", (".docx",),
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    FileKind("xlsx", "spreadsheet", "Excel (.xlsx)", (".xlsx",),
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    FileKind("csv", "spreadsheet", "CSV", (".csv",), "text/csv"),
    FileKind("text", "text", _("text (.txt, .log)"), (".txt", ".log"), "text/plain"),
]}
# Groups name several kinds at once: allowed=("pdf", "image") is PDF, PNG, JPEG, GIF and WebP.
GROUPS = {}
for _kind in KINDS.values():
    GROUPS.setdefault(_kind.group, []).append(_kind.key)

# Zip-based Office files: the folder their parts live in.
OFFICE_FOLDERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
# Markers of pages and scripts a browser would run, refused at the start of images and text files.
ACTIVE_MARKERS = (b"<script", b"<html", b"<svg", b"<?php", b"<!doctype html", b"<iframe", b"javascript:", b"<body")
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\xca\xfe\xba\xbe")
HEAD_BYTES = 8192


def expand(allowed) -> list[FileKind]:
    """Kinds named by `allowed` (kind keys and group names), in order, without repeats."""
    keys = []
    for name in allowed:
        for key in GROUPS.get(name, [name]):
            if key not in KINDS:
                raise KeyError(f"unknown upload kind {name!r}")
            if key not in keys:
                keys.append(key)
    return [KINDS[k] for k in keys]


def describe(allowed) -> str:
    return ", ".join(str(k.label) for k in expand(allowed))


def sniff(fileobj, head: bytes) -> str | None:
    """The kind of a file judged only by its bytes (the name is not looked at), or None."""
    if head.startswith(EXECUTABLE_MAGIC):
        return None
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: legacy Office; only .ppt is accepted
        return "ppt"
    if head.startswith(b"PK\x03\x04"):
        try:
            fileobj.seek(0)
            with zipfile.ZipFile(fileobj) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            fileobj.seek(0)
        if "[Content_Types].xml" not in names and not any(n.startswith(tuple(OFFICE_FOLDERS.values()))
                                                          for n in names):
            return None
        if any(n.lower().endswith("vbaproject.bin") for n in names):  # macros
            return None
        for key, folder in OFFICE_FOLDERS.items():
            if any(n.startswith(folder) for n in names):
                return key
        return None
    if b"\x00" not in head and _is_text(head):
        return "text"
    return None


def _is_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4 and len(head) >= HEAD_BYTES:  # a character cut at the end of the sample
                return True
    return False


def _refuse(message, code, **params):
    return ValidationError(message, code=code, params=params)


def check_upload(upload, allowed, *, max_bytes: int | None = None) -> FileKind:
    """Check one uploaded file against the kinds `allowed` (keys or groups); return its FileKind or raise
    ValidationError (too large, a kind not accepted here, content that is not what the name says)."""
    kinds = expand(allowed)
    limit = min(max_bytes or settings.UPLOAD_MAX_BYTES, settings.UPLOAD_MAX_BYTES)
    name = PurePath(upload.name or "").name
    if upload.size is not None and upload.size > limit:
        raise _refuse(_("The file %(name)s is %(size)s; files may be at most %(limit)s."), "too_large",
                      name=name, size=filesizeformat(upload.size), limit=filesizeformat(limit))
    ext = PurePath(name).suffix.lower()
    named = next((k for k in kinds if ext in k.extensions), None)
    if named is None:
        raise _refuse(_("The file %(name)s is not accepted here. Allowed: %(kinds)s."), "bad_type",
                      name=name, kinds=describe(allowed))
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    found = sniff(upload, head)
    if found == "text" and named.key == "csv":
        found = "csv"
    if found in ("png", "jpeg", "gif", "webp", "text", "csv") and any(m in head.lower() for m in ACTIVE_MARKERS):
        found = None  # a page or script dressed as a picture or a text file
    if found != named.key:
        raise _refuse(_("The file %(name)s is not accepted: its content does not match its name. Allowed: "
                        "%(kinds)s."), "bad_content", name=name, kinds=describe(allowed))
    return named


class UploadField(forms.FileField):
    """A file field that runs `check_upload`; the cleaned file carries its kind as `.upload_kind`."""

    def __init__(self, *args, allowed=(), max_bytes=None, **kwargs):
        self.allowed, self.max_bytes = tuple(allowed), max_bytes
        if "help_text" not in kwargs:  # worked out in the page's language, with the limit of the moment
            kwargs["help_text"] = lazy(lambda: _("%(kinds)s, at most %(limit)s.") % {
                "kinds": describe(self.allowed),
                "limit": filesizeformat(min(max_bytes or settings.UPLOAD_MAX_BYTES, settings.UPLOAD_MAX_BYTES))},
                str)()
        super().__init__(*args, **kwargs)

    def check(self, upload):
        upload.upload_kind = check_upload(upload, self.allowed, max_bytes=self.max_bytes)
        return upload

    def clean(self, data, initial=None):
        cleaned = super().clean(data, initial)
        if cleaned and cleaned is not initial and hasattr(cleaned, "read") and hasattr(cleaned, "size"):
            self.check(cleaned)
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleUploadField(UploadField):
    """Several files in one input, each checked; every problem of every file is reported at once."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        errors, cleaned = [], []
        for f in files:
            f = forms.FileField.clean(self, f, initial)
            try:
                cleaned.append(self.check(f))
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


def serve_upload(fieldfile, *, filename: str = "", content_type: str = "") -> FileResponse:
    """Send a stored upload as a download: the stored or sniffed content type, nosniff, and a CSP sandbox, so
    that a browser never runs it as a page of this site. The caller checks access first."""
    if not fieldfile:
        raise Http404
    try:
        fh = fieldfile.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = filename or PurePath(fieldfile.name).name
    if not content_type:
        kind = KINDS.get(sniff(fh, fh.read(HEAD_BYTES)) or "")
        fh.seek(0)
        content_type = kind.content_type if kind else "application/octet-stream"
    response = FileResponse(fh, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@register(Tags.security)
def check_upload_storage(app_configs=None, **kwargs):
    """Uploaded files must not live where the static files are collected or served from."""
    media = Path(settings.MEDIA_ROOT).resolve()
    static_dirs = [Path(settings.STATIC_ROOT).resolve()] if settings.STATIC_ROOT else []
    static_dirs += [Path(d[1] if isinstance(d, (list, tuple)) else d).resolve() for d in settings.STATICFILES_DIRS]
    errors = []
    for static in static_dirs:
        if media == static or static in media.parents or media in static.parents:
            errors.append(Error(f"MEDIA_ROOT ({media}) and the static files ({static}) overlap: uploads would be "
                                "served as static files.", hint="Keep MEDIA_ROOT outside STATIC_ROOT and "
                                "STATICFILES_DIRS.", id="core.E101"))
    return errors
