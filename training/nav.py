from django.utils.translation import gettext_lazy as _

ITEMS = [
    (_("My learning"), "training:my_learning", None),
    (_("Courses"), "training:course_list", "training.view_course"),
    (_("Training sessions"), "training:session_list", "training.view_trainingsession"),
    (_("Library"), "training:library_list", "training.view_libraryitem"),
    (_("External training"), "training:external_list", "training.view_externaltraining"),
    (_("Team progress"), "training:progress", "training.view_team_progress"),
    (_("Onboarding plans"), "training:plan_list", "training.view_onboardingplan"),
    (_("Training gates"), "training:gate_list", "training.view_traininggate"),
]
