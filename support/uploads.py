"""Attachment checks: size limit and content sniffing (the file's own bytes, not its name)."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Accepted kinds, recognised by their first bytes.
SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
]
OFFICE_EXTENSIONS = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
TEXT_EXTENSIONS = {".txt", ".log", ".csv"}
DANGEROUS_EXTENSIONS = {".exe", ".dll", ".com", ".bat", ".cmd", ".msi", ".scr", ".ps1", ".vbs", ".js", ".jar",
                        ".sh", ".html", ".htm", ".svg", ".xhtml", ".php", ".py", ".hta", ".lnk", ".docm", ".xlsm"}
# Markers of executables and active content anywhere near the start of a file.
DANGEROUS_MARKERS = (b"<script", b"<html", b"<svg", b"<?php", b"<!doctype html", b"<iframe", b"javascript:")


def sniff(head: bytes, name: str) -> str | None:
    """The accepted content type of a file, or None when it is not accepted."""
    ext = PurePath(name).suffix.lower()
    if ext in DANGEROUS_EXTENSIONS or head[:2] == b"MZ" or head[:4] == b"\x7fELF" or head[:2] == b"#!" \
            or head[:4] in (b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\xca\xfe\xba\xbe"):
        return None
    lowered = head[:4096].lower()
    if any(marker in lowered for marker in DANGEROUS_MARKERS):
        return None
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"PK\x03\x04" and ext in OFFICE_EXTENSIONS:
        return OFFICE_EXTENSIONS[ext]
    if ext in TEXT_EXTENSIONS and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a multi-byte character cut at the end of the sample is fine
                return None
        return "text/plain"
    return None


def validate_attachment(upload) -> str:
    """Refuse files that are too large or of a kind not accepted; return the sniffed content type."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(_("The file %(name)s is %(size)s; files may be at most %(max)s."),
                              params={"name": upload.name, "size": filesizeformat(upload.size),
                                      "max": filesizeformat(settings.UPLOAD_MAX_BYTES)}, code="too_large")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    content_type = sniff(head, upload.name)
    if content_type is None:
        raise ValidationError(
            _("The file %(name)s is not accepted: attach a picture (PNG, JPEG, GIF, WebP), a PDF, an Office "
              "document (docx, xlsx, pptx) or a text file (txt, log, csv)."),
            params={"name": upload.name}, code="dangerous_type")
    return content_type
