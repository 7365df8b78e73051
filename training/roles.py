"""Training permissions per role: trainers write and run training; everyone learns; managers see team progress."""

LEARNER = [
    "training.view_course", "training.view_lesson", "training.view_enrollment", "training.view_trainingsession",
    "training.view_libraryitem", "training.add_libraryitem", "training.view_externaltraining",
    "training.add_externaltraining", "training.view_planassignment",
]
MANAGER = LEARNER + [
    "training.view_team_progress", "training.assign_mentor", "training.view_traininggate",
    "training.add_traininggate", "training.change_traininggate", "training.view_onboardingplan",
]
TRAINER = LEARNER + [
    "training.add_course", "training.change_course", "training.delete_course",
    "training.add_lesson", "training.change_lesson", "training.delete_lesson",
    "training.add_quiz", "training.change_quiz", "training.add_question", "training.change_question",
    "training.delete_question", "training.add_trainingsession", "training.change_trainingsession",
    "training.take_attendance", "training.change_libraryitem", "training.publish_libraryitem",
    "training.view_team_progress", "training.assign_mentor", "training.view_onboardingplan",
    "training.add_onboardingplan", "training.change_onboardingplan", "training.view_traininggate",
]

PERMISSIONS = {
    "sales_rep": LEARNER,
    "warehouse_clerk": LEARNER,
    "warehouse_manager": LEARNER,
    "purchaser": LEARNER,
    "finance_clerk": LEARNER,
    "it_admin": LEARNER,
    "sales_manager": MANAGER,
    "general_manager": sorted(set(MANAGER + TRAINER)),
    "trainer": TRAINER,
}
