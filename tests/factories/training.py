import factory

from training.models import Choice, Course, Lesson, OnboardingPlan, PlanCourse, Question, Quiz


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"course-{n}")
    module = "crm"
    title_zh = factory.Sequence(lambda n: f"课程{n}")
    title_en = factory.Sequence(lambda n: f"Course {n}")
    status = "published"


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    course = factory.SubFactory(CourseFactory)
    order = factory.Sequence(lambda n: n + 1)
    kind = "text"
    title_zh = factory.Sequence(lambda n: f"课时{n}")
    title_en = factory.Sequence(lambda n: f"Lesson {n}")
    body_zh = "内容"
    body_en = "Content"


def make_quiz(course, *, questions=4, pass_mark=75, max_attempts=2, time_limit=15, order=99) -> Quiz:
    """A quiz lesson at the end of `course` with single-choice questions (option 1 correct) and one multiple."""
    lesson = LessonFactory(course=course, kind="quiz", order=order)
    quiz = Quiz.objects.create(lesson=lesson, pass_mark=pass_mark, max_attempts=max_attempts,
                               time_limit_minutes=time_limit)
    for i in range(questions):
        kind = "multiple" if i == questions - 1 else "single"
        q = Question.objects.create(quiz=quiz, order=i, kind=kind, text_zh=f"问题{i}", text_en=f"Question {i}",
                                    explanation_en=f"Because {i}")
        Choice.objects.create(question=q, order=1, text_zh="对", text_en="Right", is_correct=True)
        Choice.objects.create(question=q, order=2, text_zh="错", text_en="Wrong", is_correct=kind == "multiple")
        Choice.objects.create(question=q, order=3, text_zh="不对", text_en="Also wrong", is_correct=False)
    return quiz


def answers_for(quiz, *, wrong=0) -> dict:
    """Answers to a quiz: all correct except the first `wrong` questions."""
    out = {}
    for i, q in enumerate(quiz.questions.order_by("order")):
        choices = list(q.choices.order_by("order"))
        correct = [c.pk for c in choices if c.is_correct]
        out[q.pk] = [choices[2].pk] if i < wrong else correct
    return out


def make_plan(role, courses, due_days=7) -> OnboardingPlan:
    plan = OnboardingPlan.objects.create(role=role, title_zh=f"{role} 计划", title_en=f"{role} plan")
    for i, c in enumerate(courses, start=1):
        PlanCourse.objects.create(plan=plan, course=c, order=i, due_days=due_days)
    return plan
