import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hardware_erp.core.services import create_employee
from tests.factories.training import CourseFactory, LessonFactory, answers_for, make_plan, make_quiz
from tests.pdffonts import assert_all_embedded
from training import services
from training.content import render_markdown
from training.models import (
    Certificate,
    Course,
    ExternalTraining,
    Lesson,
    LibraryItem,
    PlanAssignment,
    Question,
    QuizAttempt,
    TrainingSession,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def course():
    c = CourseFactory(code="views-course", title_en="Warehouse basics")
    LessonFactory(course=c, order=1, body_en="**Bold** <script>alert(1)</script>")
    make_quiz(c, questions=2, pass_mark=50, order=2)
    return c


@pytest.mark.parametrize("role", ["sales_rep", "warehouse_clerk", "trainer", "sales_manager", "general_manager"])
def test_learner_pages_open_for_every_role(client_as, course, role):
    client = client_as(role)
    lesson = course.lessons.get(order=1)
    for url in [reverse("training:index"), reverse("training:my_learning"), reverse("training:course_list"),
                reverse("training:course", args=[course.pk]), reverse("training:lesson", args=[lesson.pk]),
                reverse("training:session_list"), reverse("training:library_list"),
                reverse("training:external_list"), reverse("training:verify_form")]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("url_name,role,status", [
    ("training:progress", "sales_rep", 403), ("training:progress", "trainer", 200),
    ("training:progress", "sales_manager", 200), ("training:course_create", "sales_rep", 403),
    ("training:course_create", "trainer", 200), ("training:plan_list", "trainer", 200),
    ("training:plan_list", "warehouse_clerk", 403), ("training:gate_list", "sales_manager", 200),
    ("training:gate_create", "trainer", 403), ("training:session_create", "trainer", 200),
    ("training:session_create", "sales_rep", 403),
])
def test_management_pages_need_their_permission(client_as, url_name, role, status):
    assert client_as(role).get(reverse(url_name)).status_code == status


def test_lesson_content_is_sanitised(client_as, course):
    body = client_as("sales_rep").get(reverse("training:lesson", args=[course.lessons.get(order=1).pk])).content
    assert b"<strong>Bold</strong>" in body and b"<script>alert(1)" not in body
    assert "<script" not in render_markdown('<img src="x" onerror="alert(1)"><a href="javascript:x()">a</a>')
    assert "onerror" not in render_markdown('<img src="x" onerror="alert(1)">')


def test_draft_course_is_hidden_from_learners(client_as):
    draft = CourseFactory(status="draft")
    assert client_as("sales_rep").get(reverse("training:course", args=[draft.pk])).status_code == 404
    assert client_as("trainer").get(reverse("training:course", args=[draft.pk])).status_code == 200


def test_take_a_lesson_and_pass_the_quiz_through_the_pages(client_as, course):
    client = client_as("sales_rep")
    lesson = course.lessons.get(order=1)
    response = client.post(reverse("training:lesson_complete", args=[lesson.pk]))
    quiz = course.lessons.get(order=2).quiz
    assert response.status_code == 302
    page = client.get(reverse("training:quiz", args=[quiz.pk]))
    assert page.status_code == 200
    attempt = QuizAttempt.objects.get(user=client.user)
    data = {"attempt": attempt.pk}
    for qid, choice_ids in answers_for(quiz).items():
        data[f"q{qid}"] = choice_ids
    response = client.post(reverse("training:quiz", args=[quiz.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("training:attempt", args=[attempt.pk])
    result = client.get(response["Location"]).content.decode()
    assert "Because 0" in result  # the explanation is shown
    again = client.post(reverse("training:quiz", args=[quiz.pk]), data, follow=True)
    assert "submitted already" in again.content.decode()
    assert QuizAttempt.objects.filter(user=client.user).count() == 1
    cert = Certificate.objects.get(enrollment__user=client.user)
    pdf = client.get(reverse("training:certificate_pdf", args=[cert.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert_all_embedded(pdf.content, "certificate")  # the English lines too


def test_unanswered_quiz_gets_a_clear_message_and_stays_open(client_as, course):
    client = client_as("sales_rep")
    quiz = course.lessons.get(order=2).quiz
    client.get(reverse("training:quiz", args=[quiz.pk]))
    attempt = QuizAttempt.objects.get(user=client.user)
    response = client.post(reverse("training:quiz", args=[quiz.pk]), {"attempt": attempt.pk}, follow=True)
    assert "Please answer every question" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_certificate_verification_page_is_public(client, make_user, course):
    user = make_user("sales_rep", first_name="Wei", last_name="Zhang")
    services.complete_lesson(actor=user, lesson=course.lessons.get(order=1))
    quiz = course.lessons.get(order=2).quiz
    a = services.start_attempt(actor=user, quiz=quiz)
    services.submit_attempt(attempt_id=a.pk, actor=user, answers=answers_for(quiz))
    cert = Certificate.objects.get(enrollment__user=user)
    response = client.get(reverse("training:verify", args=[cert.code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Valid certificate" in body and cert.holder_name in body and "Warehouse basics" in body
    response = client.get(reverse("training:verify_form"), {"code": cert.code.lower()})
    assert "Valid certificate" in response.content.decode()
    assert client.get(reverse("training:verify", args=["AAAA-BBBB-CCCC"])).status_code == 404
    Certificate.objects.filter(pk=cert.pk).update(revoked=True)
    assert "revoked" in client.get(reverse("training:verify", args=[cert.code])).content.decode()


def test_someone_elses_certificate_and_attempt_are_refused(client_as, make_user, course):
    other = make_user("sales_rep")
    services.complete_lesson(actor=other, lesson=course.lessons.get(order=1))
    quiz = course.lessons.get(order=2).quiz
    a = services.start_attempt(actor=other, quiz=quiz)
    services.submit_attempt(attempt_id=a.pk, actor=other, answers=answers_for(quiz))
    client = client_as("sales_rep")
    cert = Certificate.objects.get(enrollment__user=other)
    assert client.get(reverse("training:certificate_pdf", args=[cert.pk])).status_code == 403
    assert client.get(reverse("training:attempt", args=[a.pk])).status_code == 404


def test_trainer_creates_a_course_lesson_and_question(client_as):
    client = client_as("trainer")
    response = client.post(reverse("training:course_create"), {
        "code": "new-one", "module": "inventory", "title_zh": "新课程", "title_en": "New course",
        "status": "published", "estimated_minutes": 20, "roles": ["warehouse_clerk"]})
    course = Course.objects.get(code="new-one")
    assert response.status_code == 302 and course.roles == ["warehouse_clerk"] and course.owner == client.user
    response = client.post(reverse("training:lesson_create", args=[course.pk]), {
        "order": 1, "kind": "quiz", "title_zh": "测验", "title_en": "Quiz"})
    lesson = Lesson.objects.get(course=course)
    assert response["Location"] == reverse("training:quiz_edit", args=[lesson.quiz.pk])
    response = client.post(reverse("training:question_create", args=[lesson.quiz.pk]), {
        "order": 1, "kind": "single", "text_zh": "几个?", "options": "*一个 | one\n两个 | two"})
    q = Question.objects.get(quiz=lesson.quiz)
    assert [(c.text_zh, c.text_en, c.is_correct) for c in q.choices.all()] == [("一个", "one", True),
                                                                              ("两个", "two", False)]
    response = client.post(reverse("training:question_create", args=[lesson.quiz.pk]), {
        "order": 2, "kind": "single", "text_zh": "坏的", "options": "*a\n*b"})
    assert response.status_code == 200 and "exactly one correct" in response.content.decode()
    assert Question.objects.filter(quiz=lesson.quiz).count() == 1


def test_lesson_upload_is_checked_by_size_type_and_content(client_as, settings):
    client = client_as("trainer")
    course = CourseFactory()
    url = reverse("training:lesson_create", args=[course.pk])
    base = {"order": 1, "kind": "document", "title_zh": "文档"}
    fake = SimpleUploadedFile("manual.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {**base, "file": fake})
    assert "does not match its name" in response.content.decode()
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    assert "not accepted here" in client.post(url, {**base, "file": exe}).content.decode()
    settings.UPLOAD_MAX_BYTES = 20
    big = SimpleUploadedFile("manual.pdf", PDF, content_type="application/pdf")
    assert "at most" in client.post(url, {**base, "file": big}).content.decode()
    assert not Lesson.objects.filter(course=course).exists()
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ppt/presentation.xml", "<p/>")
    slides = SimpleUploadedFile("deck.pptx", buf.getvalue())
    response = client.post(url, {**base, "file": slides})
    assert response.status_code == 302
    lesson = Lesson.objects.get(course=course)
    assert lesson.file_type == "slides"
    assert client.get(reverse("training:lesson_file", args=[lesson.pk])).status_code == 200


def test_practice_lesson_must_point_to_a_real_page(client_as):
    client = client_as("trainer")
    course = CourseFactory()
    response = client.post(reverse("training:lesson_create", args=[course.pk]), {
        "order": 1, "kind": "practice", "title_zh": "练习", "practice_url_name": "nowhere:page"})
    assert "No page of the system is called" in response.content.decode()


def test_rep_cannot_edit_a_course(client_as, course):
    response = client_as("sales_rep").post(reverse("training:course_edit", args=[course.pk]), {"title_zh": "x"})
    assert response.status_code == 403
    course.refresh_from_db()
    assert course.title_zh != "x"


def test_mentor_sees_mentee_progress_signs_off_and_answers(client_as, make_user, course):
    mentor = make_user("sales_manager")
    practice = LessonFactory(course=course, kind="practice", order=3, requires_signoff=True,
                             practice_url_name="training:course_list")
    make_plan("sales_rep", [course])
    newbie = create_employee(username="newbie", password=None, roles=["sales_rep"], manager=mentor)
    assignment = PlanAssignment.objects.get(user=newbie)
    progress = services.complete_lesson(actor=newbie, lesson=practice)
    client = client_as(user=mentor)
    page = client.get(reverse("training:mentee", args=[assignment.pk]))
    assert page.status_code == 200 and 'data-testid="to-sign"' in page.content.decode()
    client.post(reverse("training:signoff", args=[assignment.pk, progress.pk]))
    progress.refresh_from_db()
    assert progress.signed_off_by == mentor
    client.post(reverse("training:mentee_message", args=[assignment.pk]), {"body": "Ask me anything"})
    assert assignment.messages.get().author == mentor
    stranger = client_as("sales_rep")
    assert stranger.get(reverse("training:mentee", args=[assignment.pk])).status_code == 404


def test_full_session_puts_people_on_the_waiting_list(client_as, make_user):
    trainer = make_user("trainer")
    start = timezone.now() + timedelta(days=1)
    session = TrainingSession.objects.create(title_zh="课", trainer=trainer, starts_at=start,
                                             ends_at=start + timedelta(hours=1), place="A", capacity=1)
    client_as("sales_rep").post(reverse("training:session_seat", args=[session.pk]), {"action": "book"})
    response = client_as("sales_rep").post(reverse("training:session_seat", args=[session.pk]),
                                           {"action": "book"}, follow=True)
    assert "waiting list" in response.content.decode()
    assert list(session.seats.values_list("status", flat=True).order_by("pk")) == ["enrolled", "waiting"]


def test_library_suggest_publish_view_and_vote(client_as, make_user):
    rep = client_as("sales_rep")
    rep.post(reverse("training:library_create"), {"kind": "article", "module": "crm", "title_zh": "小技巧",
                                                  "body_zh": "内容"})
    item = LibraryItem.objects.get()
    assert item.status == "suggested" and item.author == rep.user
    trainer = client_as("trainer")
    trainer.post(reverse("training:library_review", args=[item.pk]), {"decision": "publish"})
    item.refresh_from_db()
    assert item.status == "published"
    rep.force_login(item.author, backend="django.contrib.auth.backends.ModelBackend")
    rep.get(reverse("training:library_item", args=[item.pk]))
    rep.get(reverse("training:library_item", args=[item.pk]))
    rep.post(reverse("training:library_vote", args=[item.pk]), {"helpful": "yes"})
    rep.post(reverse("training:library_vote", args=[item.pk]), {"helpful": "yes"})
    rep.post(reverse("training:library_vote", args=[item.pk]), {"helpful": "no"})
    item.refresh_from_db()
    assert (item.views, item.helpful_yes, item.helpful_no) == (2, 0, 1)
    found = rep.get(reverse("training:library_list"), {"q": "小技巧"})
    assert "小技巧" in found.content.decode()


def test_external_training_with_certificate(client_as):
    client = client_as("warehouse_clerk")
    url = reverse("training:external_create")
    data = {"kind": "conference", "title": "Expo", "start_date": "2026-10-01", "hours": "8"}
    bad = SimpleUploadedFile("cert.pdf", b"GIF89a" + b"\0" * 10)
    assert "does not match" in client.post(url, {**data, "certificate": bad}).content.decode()
    good = SimpleUploadedFile("cert.png", PNG)
    assert client.post(url, {**data, "certificate": good}).status_code == 302
    record = ExternalTraining.objects.get()
    assert record.user == client.user and record.hours == 8
    assert client.get(reverse("training:external_file", args=[record.pk])).status_code == 200


def test_list_pages_do_not_grow_queries_with_rows(client_as, django_assert_max_num_queries, make_user):
    client = client_as("trainer")
    for i in range(30):
        c = CourseFactory()
        LessonFactory(course=c)
        LibraryItem.objects.create(title_zh=f"条目{i}", module="crm", author=client.user, status="published")
    for _i in range(30):
        u = make_user("sales_rep")
        services.enroll(u, c)
    for name in ("training:course_list", "training:library_list", "training:progress"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(name)).status_code == 200
