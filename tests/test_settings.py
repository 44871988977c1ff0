"""Settings: a bad value stops the start with a clear message; production settings pass
`check --deploy`; the time zone and language are China's."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "REDIS_URL"))}
    full_env.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"DATABASE_URL": "mysql2://nobody"}, "DATABASE_URL"),
        ({"DJANGO_DEBUG": "perhaps"}, "DJANGO_DEBUG"),
        ({"CELERY_BROKER_URL": "http://broker"}, "CELERY_BROKER_URL"),
        ({"SESSION_IDLE_MINUTES": "half an hour"}, "SESSION_IDLE_MINUTES"),
        ({"DJANGO_SECURE": "1"}, "DJANGO_SECRET_KEY"),
        ({"S3_BUCKET": "jiance", "S3_ENDPOINT_URL": "minio:9000"}, "S3_ENDPOINT_URL"),
    ],
)
def test_a_bad_setting_stops_the_start_with_a_clear_message(env, fragment):
    result = _manage("check", **env)
    assert result.returncode != 0
    assert fragment in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECURE="1",
        DJANGO_SECRET_KEY="k" * 20 + "-Production-Secret-" + "z" * 30,
        DJANGO_ALLOWED_HOSTS="jiance.example.cn",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_china_time_and_chinese_by_default():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_tasks_run_inline_without_a_broker_and_the_database_defaults_to_sqlite():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='monitoring_site.settings'; django.setup();"
            "from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER, s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "REDIS_URL"))},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"], result.stderr


def test_a_bucket_puts_the_files_in_s3_compatible_storage():
    code = "from django.core.files.storage import storages; s = storages['default']; print(type(s).__name__, s.bucket_name, s.endpoint_url)"
    result = _manage("shell", "-c", code, S3_BUCKET="jiance", S3_ENDPOINT_URL="http://minio:9000")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["S3Storage", "jiance", "http://minio:9000"]


@pytest.mark.services
def test_the_suites_cache_never_shares_a_redis_database_with_a_queue(require_services, settings):
    """The suite empties the cache after every test (FLUSHDB): in the database of a queue it
    would take the jobs a real worker of another test is waiting for."""
    require_services("REDIS_URL")
    from monitoring_site.celery import app as celery_app

    cache_db = settings.CACHES["default"]["LOCATION"].rsplit("/", 1)[1]
    queue_dbs = {os.environ["REDIS_URL"].rsplit("/", 1)[1], str(celery_app.conf.broker_url).rsplit("/", 1)[1]}
    assert cache_db not in queue_dbs
