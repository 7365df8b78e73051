from .courses import (
                      AttemptAnswer,
                      Certificate,
                      Choice,
                      Course,
                      Enrollment,
                      Lesson,
                      LessonProgress,
                      Question,
                      Quiz,
                      QuizAttempt,
                      TrainingGate,
)
from .library import LibraryItem, LibraryVote
from .onboarding import MentorMessage, OnboardingPlan, PlanAssignment, PlanCourse
from .sessions import ExternalTraining, SessionFeedback, SessionSeat, TrainingSession

__all__ = ["AttemptAnswer", "Certificate", "Choice", "Course", "Enrollment", "ExternalTraining", "Lesson",
           "LessonProgress", "LibraryItem", "LibraryVote", "MentorMessage", "OnboardingPlan", "PlanAssignment",
           "PlanCourse", "Question", "Quiz", "QuizAttempt", "SessionFeedback", "SessionSeat", "TrainingGate",
           "TrainingSession"]
