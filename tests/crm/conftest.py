from tests.core.test_worker import worker  # noqa: F401 - the real Celery worker fixture, for test_worker_reminders
