"""Faults under HTTP load against gunicorn on the private stack: PostgreSQL restarted in immediate mode, a
gunicorn worker SIGKILLed mid-request, Redis stopped. After each: what was answered with success is stored
exactly once, nothing else is, the app serves again within seconds, check_integrity is clean."""

import email
import email.header
import os
import signal
import time

from celery import Celery

from .posting import PostingLoop, post_receipt
from .stack import Browser, wait_for

RECOVERY_SECONDS = 10


def decoded_body(raw: str) -> str:
    msg = email.message_from_string(raw.strip())
    return str(msg["Subject"] and email.header.make_header(email.header.decode_header(msg["Subject"]))) + "\n" + \
        msg.get_payload(decode=True).decode("utf-8", "replace")


def browser(stack, web):
    return Browser(web.base, stack.data["session"])


def serves(b):
    return b.get("/inventory/stock/", timeout=5)[0] == 200


def test_postgres_restart_immediate_during_postings(stack, web, clean_integrity):
    b = browser(stack, web)
    assert serves(b)
    loop = PostingLoop(b, stack.data, "pg", threads=4, per_thread=40, seconds=60)

    def restart():
        t0 = time.monotonic()
        stack.pg.restart("immediate")  # crash: no checkpoint, WAL recovery on start
        up = time.monotonic()
        back = wait_for(lambda: serves(b), RECOVERY_SECONDS, "the app after the PostgreSQL restart", interval=0.1)
        return {"restart_s": round(up - t0, 2), "serving_again_s": round(back - up, 2)}

    info = loop.run(fault=restart, fault_after=2.0)
    assert info["serving_again_s"] < RECOVERY_SECONDS, info
    summary = loop.check(stack.pg)
    print("postgres restart:", info, summary)
    assert summary["ok"] > 0


def _gunicorn_workers(master_pid):
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master_pid:
                pids.append(int(entry))
    return pids


def test_gunicorn_worker_killed_mid_request(stack, web, clean_integrity):
    b = browser(stack, web)
    assert serves(b)
    loop = PostingLoop(b, stack.data, "gk", threads=4, per_thread=30, seconds=60)
    killed = []

    def kill_worker():
        # 4 clients keep both workers busy: the one killed is inside a request
        before = _gunicorn_workers(web.pid)
        os.kill(before[0], signal.SIGKILL)
        killed.append(before[0])
        t0 = time.monotonic()
        wait_for(lambda: serves(b), RECOVERY_SECONDS, "gunicorn after its worker was killed", interval=0.1)
        # the master replaces the worker (a cold Django start: slow on a loaded machine)
        wait_for(lambda: len(set(_gunicorn_workers(web.pid)) - set(killed)) == len(before), 60,
                 "the replacement worker")
        return {"killed": killed, "replaced_s": round(time.monotonic() - t0, 1)}

    info = loop.run(fault=kill_worker, fault_after=1.5)
    assert killed and web.poll() is None, stack.log_tail("gunicorn")
    summary = loop.check(stack.pg)
    print("gunicorn worker killed:", info, summary)


PAGES = ("/", "/inventory/", "/inventory/stock/", "/inventory/movements/")


def test_redis_stopped_pages_still_render(stack, web):
    b = browser(stack, web)
    stack.redis.stop()
    try:
        for path in PAGES:
            t0 = time.monotonic()
            status, _ = b.get(path)
            assert status == 200, (path, status)
            assert time.monotonic() - t0 < 10, path
    finally:
        stack.redis.start()


def test_redis_stopped_writes_succeed_and_effects_are_delivered_later(stack, web, clean_integrity):
    """With Redis down a posting succeeds; the low-stock alert and its e-mails that it causes are delivered once
    Redis is back (beat's periodic tasks catch up; the e-mail outbox drains), each once."""
    data = stack.data
    product = data["products"][5]
    stack.shell(
        "import json\nfrom decimal import Decimal\nfrom inventory.models import StockThreshold\n"
        f"StockThreshold.objects.update_or_create(product_id={product}, warehouse_id={data['warehouse']}, "
        # far above what the earlier tests' posting loops can have received, whatever order the tests ran in
        "defaults={'minimum': Decimal('100000'), 'maximum': Decimal('0')})\nprint(json.dumps(1))")
    b = browser(stack, web)
    stack.redis.stop()
    try:
        t0 = time.monotonic()
        status, body = post_receipt(b, product, data["locations"][0], "redis-down-1")
        assert status == 302, (status, stack.log_tail("gunicorn", 3000))
        assert time.monotonic() - t0 < 10
        stored = stack.pg.psql("SELECT count(*) FROM inventory_stockmovement WHERE reference = 'redis-down-1'")
        assert stored[0][0] == 1
        alerts = stack.pg.psql(f"SELECT count(*) FROM inventory_stockalert WHERE product_id = {product}")
        assert alerts[0][0] == 0  # the alert task could not be queued
    finally:
        stack.redis.start()
    # Redis is back: a worker and the tasks beat sends on its schedule (here sent at once)
    worker = stack.worker("redis-back")
    sender = Celery(broker=stack.redis.url())
    sender.conf.task_default_queue = "default"  # the queue the app sends to and the workers take (settings)
    try:
        sender.send_task("inventory.check_thresholds_task")
        wait_for(lambda: stack.pg.psql("SELECT count(*) FROM core_notification WHERE key LIKE 'stock-alert:%'"
                                       )[0][0] > 0, 60, "the low-stock alert after Redis returned", interval=0.5)
        sender.send_task("core.send_pending_emails_task")
        wait_for(lambda: stack.pg.psql("SELECT count(*) FROM core_notification WHERE key LIKE 'stock-alert:%' "
                                       "AND email_status = 'pending'")[0][0] == 0, 60, "the e-mails", interval=0.5)
        sender.send_task("core.send_pending_emails_task")  # a second drain sends nothing again
        time.sleep(3)
    finally:
        stack.stop_process(worker)
        sender.close()
    alerts = stack.pg.psql(f"SELECT count(*) FROM inventory_stockalert WHERE product_id = {product} "
                           "AND cleared_at IS NULL")
    assert alerts[0][0] == 1
    sku = stack.pg.psql(f"SELECT sku FROM inventory_product WHERE id = {product}")[0][0]
    mails = [decoded_body(m) for p in stack.outbox.glob("*.log") for m in p.read_text().split("-" * 79) if m.strip()]
    sent = stack.pg.psql("SELECT count(*), count(DISTINCT recipient_id) FROM core_notification "
                         "WHERE key LIKE 'stock-alert:%' AND email_status = 'sent'")[0]
    assert sent[0] == sent[1] >= 1  # one e-mail per recipient, not two
    assert sum(f"Low stock: {sku}" in m for m in mails) == sent[0], mails  # each e-mail once
