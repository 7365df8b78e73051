"""The shared upload checks (hardware_erp.core.uploads): size, kind by name, content sniffed from the bytes."""

import io
import zipfile

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile, FileField

from hardware_erp.core import uploads
from hardware_erp.core.uploads import MultipleUploadField, UploadField, check_upload, serve_upload


def _pdf():
    """A real one-page PDF made by reportlab."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "Delivery note")
    c.save()
    return buf.getvalue()


def _png():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format="PNG")
    return buf.getvalue()


def _zip(names):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(name, "<x/>")
    return buf.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200  # a Windows executable's header
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_good_pdf_and_png_pass_with_their_kind():
    kind = check_upload(upload("note.pdf", _pdf()), ("pdf", "image"))
    assert (kind.key, kind.group, kind.content_type) == ("pdf", "pdf", "application/pdf")
    kind = check_upload(upload("Screen Shot.PNG", _png()), ("pdf", "image"))
    assert (kind.key, kind.content_type) == ("png", "image/png")


@pytest.mark.parametrize("name,content", [
    ("invoice.pdf", EXE), ("photo.png", EXE), ("report.xlsx", ELF), ("notes.txt", b"#!/bin/sh\nrm -rf /\n"),
])
def test_renamed_executable_is_refused_whatever_the_browser_says(name, content):
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(name, content, content_type="application/pdf"), ("pdf", "image", "xlsx", "text"))
    assert exc.value.code == "bad_content"
    assert "its content does not match its name" in exc.value.messages[0] and name in exc.value.messages[0]


def test_kind_not_allowed_here_is_refused_by_name():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("setup.exe", EXE), ("pdf", "image"))
    assert exc.value.code == "bad_type"
    assert exc.value.messages == ["The file setup.exe is not accepted here. Allowed: PDF, PNG, JPEG, GIF, WebP."]
    with pytest.raises(ValidationError, match="not accepted here"):
        check_upload(upload("deck.pptx", _zip(["ppt/slides/slide1.xml"])), ("pdf",))


def test_oversized_file_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("big.png", _png() + b"\x00" * 2000), ("image",))
    assert exc.value.code == "too_large" and "files may be at most 1000\xa0bytes" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:  # a use may set a smaller limit
        check_upload(upload("small.png", _png()), ("image",), max_bytes=20)
    assert "at most 20\xa0bytes" in exc.value.messages[0]


def test_office_files_are_recognised_from_inside_the_zip():
    assert check_upload(upload("a.xlsx", _zip(["[Content_Types].xml", "xl/workbook.xml"])), ("xlsx",)).key == "xlsx"
    assert check_upload(upload("a.docx", _zip(["[Content_Types].xml", "word/document.xml"])),
                        ("docx",)).key == "docx"
    with pytest.raises(ValidationError, match="does not match"):  # a Word file renamed to .xlsx
        check_upload(upload("a.xlsx", _zip(["[Content_Types].xml", "word/document.xml"])), ("xlsx",))
    with pytest.raises(ValidationError, match="does not match"):  # any zip is not a workbook
        check_upload(upload("a.xlsx", _zip(["evil.exe"])), ("xlsx",))
    with pytest.raises(ValidationError, match="does not match"):  # macros
        check_upload(upload("a.docx", _zip(["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"])),
                     ("docx",))


def test_text_and_csv_in_utf8_or_gbk_but_no_pages_dressed_as_text():
    assert check_upload(upload("log.txt", "错误 1\n".encode()), ("text",)).content_type == "text/plain"
    assert check_upload(upload("k.csv", "名称,城市\n鑫源五金,宁波\n".encode("gb18030")), ("csv",)).key == "csv"
    for content in (b"<html><script>alert(1)</script>", b"<svg onload=alert(1)>"):
        with pytest.raises(ValidationError, match="does not match"):
            check_upload(upload("notes.txt", content), ("text",))
    with pytest.raises(ValidationError, match="does not match"):
        check_upload(upload("pic.png", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>"), ("image",))
    with pytest.raises(ValidationError, match="does not match"):
        check_upload(upload("data.bin.txt", b"\x00\x01\x02binary"), ("text",))


def test_form_fields_collect_every_error_and_keep_the_kind():
    class F(forms.Form):
        one = UploadField(allowed=("pdf",))
        many = MultipleUploadField(allowed=("image", "pdf"))

    form = F(files={"one": upload("x.pdf", _pdf())})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["one"].upload_kind.key == "pdf" and form.cleaned_data["many"] == []
    assert "PDF, at most" in str(F.base_fields["one"].help_text)
    data = {"one": upload("x.pdf", EXE)}
    form = F(files=_multi(data, "many", [upload("a.png", _png()), upload("b.exe", EXE), upload("c.pdf", ELF)]))
    assert not form.is_valid()
    assert len(form.errors["many"]) == 2 and "b.exe" in form.errors["many"][0] and "c.pdf" in form.errors["many"][1]
    assert "does not match" in form.errors["one"][0]


def _multi(files, name, items):
    from django.utils.datastructures import MultiValueDict

    data = MultiValueDict({k: [v] for k, v in files.items()})
    data.setlist(name, items)
    return data


def test_serve_upload_is_a_download_with_nosniff(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("page.html.pdf", ContentFile(_pdf()))
    field = FileField(storage=storage)
    field.name = "file"
    response = serve_upload(FieldFile(None, field, name), filename="报价单.pdf")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Type"] == "application/pdf"  # sniffed from the bytes when not stored
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_media_must_not_live_under_the_static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDIA_ROOT = tmp_path / "elsewhere"
    assert uploads.check_upload_storage() == []
    settings.MEDIA_ROOT = tmp_path / "static" / "media"
    assert [e.id for e in uploads.check_upload_storage()] == ["core.E101"]
