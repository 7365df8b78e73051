"""Editing a quiz question keeps its options' history: past attempts still show what was asked and answered, and an
attempt in progress is graded against the options it showed."""

import pytest
from django.urls import reverse

from tests.factories.training import CourseFactory, answers_for, make_quiz
from training import services
from training.models import Choice, Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz():
    return make_quiz(CourseFactory(), questions=2, pass_mark=100, max_attempts=3)


def _edit(client, question, options, **extra):
    data = {"order": question.order, "kind": question.kind, "text_zh": question.text_zh,
            "text_en": question.text_en, "options": options, **extra}
    return client.post(reverse("training:question_edit", args=[question.pk]), data)


def test_editing_a_question_keeps_its_options_and_past_answers(client_as, make_user, quiz):
    learner = make_user("sales_rep")
    attempt = services.start_attempt(actor=learner, quiz=quiz)
    services.submit_attempt(attempt_id=attempt.pk, actor=learner, answers=answers_for(quiz))
    q = quiz.questions.filter(kind="single").first()
    before = {c.text_zh: c.pk for c in q.choices.all()}
    trainer = client_as("trainer")
    # fix a typo in the correct option and drop "不对"; then add a new one
    assert _edit(trainer, q, "*对的 | Right\n错 | Wrong").status_code == 302
    assert _edit(trainer, q, "*对的 | Right\n错 | Wrong\n也许 | Maybe").status_code == 302
    choices = {c.pk: c for c in Choice.objects.filter(question=q)}
    assert choices[before["对"]].text_zh == "对的" and choices[before["对"]].is_correct  # edited in place
    assert choices[before["错"]].retired is False
    assert choices[before["不对"]].retired is True  # answered once: retired, not deleted
    assert [c.text_zh for c in q.choices.filter(retired=False).order_by("order")] == ["对的", "错", "也许"]
    # the past attempt still shows the options it showed, with the answer given and its grade
    page = client_as("trainer").get(reverse("training:attempt", args=[attempt.pk]))
    assert page.status_code == 200
    rows = {row[0].pk: row for row in page.context["rows"]}
    _q, options, answer, chosen = rows[q.pk]
    assert {o.pk for o in options} == set(before.values())
    assert chosen == {before["对"]} and answer.correct
    # a new attempt offers no retired option
    second = services.start_attempt(actor=make_user("sales_rep"), quiz=quiz)
    offered = dict(second.shown)
    assert before["不对"] not in offered[q.pk] and len(offered[q.pk]) == 3


def test_an_attempt_in_progress_is_graded_against_what_it_showed(client_as, make_user, quiz):
    learner = make_user("sales_rep")
    attempt = services.start_attempt(actor=learner, quiz=quiz)
    answers = answers_for(quiz)  # chosen on the page the learner sees
    q = quiz.questions.filter(kind="single").first()
    # meanwhile the trainer rewrites the question's options and adds a question
    assert _edit(client_as("trainer"), q, "*对 | Right\n另一个 | Another").status_code == 302
    services.save_question(quiz, fields={"order": 9, "kind": "single", "text_zh": "新问题"},
                           options=[("是", "", True), ("否", "", False)], actor=client_as("trainer").user)
    done = services.submit_attempt(attempt_id=attempt.pk, actor=learner, answers=answers)
    assert done.score == 100 and done.passed
    assert done.answers.count() == 2  # the question added later was not asked


def test_options_of_a_quiz_nobody_took_are_simply_replaced(client_as, quiz):
    q = quiz.questions.filter(kind="single").first()
    dropped = q.choices.get(text_zh="不对").pk
    assert _edit(client_as("trainer"), q, "*对 | Right\n错 | Wrong").status_code == 302
    assert not Choice.objects.filter(pk=dropped).exists()


def test_true_false_question_keeps_its_two_options(client_as, quiz):
    trainer = client_as("trainer")
    q = services.save_question(quiz, fields={"order": 5, "kind": "truefalse", "text_zh": "地球是圆的"}, options=[
        ("对", "True", True), ("错", "False", False)], actor=trainer.user)
    ids = sorted(q.choices.values_list("pk", flat=True))
    response = trainer.post(reverse("training:question_edit", args=[q.pk]), {
        "order": 5, "kind": "truefalse", "text_zh": "地球是平的", "true_answer": ""})
    assert response.status_code == 302
    q = Question.objects.get(pk=q.pk)
    assert q.text_zh == "地球是平的"
    assert sorted(q.choices.values_list("pk", flat=True)) == ids
    assert q.choices.get(text_zh="错").is_correct and not q.choices.get(text_zh="对").is_correct


def test_question_form_sent_twice_saves_once(client_as, quiz):
    trainer = client_as("trainer")
    data = {"order": 7, "kind": "single", "text_zh": "几个?", "options": "*一个\n两个", "_once": "tok-q-1"}
    url = reverse("training:question_create", args=[quiz.pk])
    assert trainer.post(url, data).status_code == 302
    assert trainer.post(url, data).status_code == 302
    assert quiz.questions.filter(text_zh="几个?").count() == 1
