"""Demo data for a hardware distributor: deterministic, idempotent, bilingual.

    manage.py seed_demo                 # scale 1: a small company with a few hundred products
    manage.py seed_demo --scale 100     # benchmark data, bulk inserted
    manage.py seed_demo --if-empty      # only when no user exists yet (used by `make run`)

The kernel creates the organisation and one user per role; then each app's `demo.py`
`seed(ctx)` adds its own records, in dependency order. `ctx` carries the random generator
(seeded), the scale, the users by role key and a `log` function. Each app's seed must be
idempotent (skip what exists) and use bulk_create at scale.
"""

import importlib
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from hardware_erp.core.management.commands.sync_roles import sync_roles
from hardware_erp.core.models import Department, Employee
from hardware_erp.core.roles import ROLES
from hardware_erp.core.services import create_employee

DEMO_PASSWORD = "hardware-demo-2026"  # noqa: S105 (documented demo password)
SEED_ORDER = ("inventory", "crm", "orders", "governance", "training", "support", "performance")

DEPARTMENTS = [
    ("gm", "总经办", "General Management"),
    ("sales", "销售部", "Sales"),
    ("warehouse", "仓储部", "Warehouse"),
    ("purchasing", "采购部", "Purchasing"),
    ("finance", "财务部", "Finance"),
    ("it", "信息技术部", "IT"),
    ("hr", "人力资源部", "Human Resources"),
]

# username, role, department, first name, last name, job title
DEMO_USERS = [
    ("gm", "general_manager", "gm", "建国", "王", "总经理"),
    ("salesmgr", "sales_manager", "sales", "丽", "李", "销售经理"),
    ("rep1", "sales_rep", "sales", "伟", "张", "销售代表"),
    ("rep2", "sales_rep", "sales", "芳", "刘", "销售代表"),
    ("whmgr", "warehouse_manager", "warehouse", "海涛", "周", "仓库主管"),
    ("clerk", "warehouse_clerk", "warehouse", "强", "陈", "仓管员"),
    ("purchaser", "purchaser", "purchasing", "敏", "杨", "采购员"),
    ("finance", "finance_clerk", "finance", "静", "赵", "会计"),
    ("itadmin", "it_admin", "it", "磊", "黄", "IT 管理员"),
    ("trainer", "trainer", "hr", "婷", "周", "培训讲师"),
]


@dataclass
class SeedContext:
    rng: random.Random
    scale: int
    users: dict  # role key -> list of users
    by_username: dict
    log: object
    extra: dict = field(default_factory=dict)

    def user(self, role_key):
        return self.users[role_key][0]


class Command(BaseCommand):
    help = "Create the demo company (idempotent, deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="multiplies the volume of data (default 1)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any user exists")
        parser.add_argument("--only", nargs="*", default=None, help="seed only these apps (after the kernel)")

    def handle(self, *args, scale, seed, if_empty, only, **options):
        User = get_user_model()
        if if_empty and User.objects.exists():
            self.stdout.write("The database has users already; demo data not loaded.")
            return
        sync_roles()
        start = time.monotonic()
        with transaction.atomic():
            users = self.seed_organisation()
        ctx = SeedContext(rng=random.Random(seed), scale=max(1, scale), users=users,
                          by_username={u.username: u for us in users.values() for u in us},
                          log=lambda msg: self.stdout.write(f"  {msg}"))
        for app in SEED_ORDER:
            if only is not None and app not in only:
                continue
            try:
                mod = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            t0 = time.monotonic()
            self.stdout.write(f"{app}: seeding")
            mod.seed(ctx)
            self.stdout.write(f"{app}: done in {time.monotonic() - t0:.1f} s")
        if connection.vendor == "postgresql" and connection.get_autocommit():
            # what autovacuum would do some minutes later: planner statistics and the visibility map (index-only
            # scans) of the bulk-loaded tables
            with connection.cursor() as cur:
                cur.execute("VACUUM (ANALYZE)")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - start:.1f} s."))
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for username, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {ROLES[role].group}")

    def seed_organisation(self):
        depts = {}
        for code, zh, en in DEPARTMENTS:
            depts[code], _ = Department.objects.get_or_create(code=code, defaults={"name_zh": zh, "name_en": en})
        User = get_user_model()
        users = {key: [] for key in ROLES}
        for username, role, dept, first, last, title in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = create_employee(username=username, password=DEMO_PASSWORD, roles=[role],
                                       first_name=last + first, last_name="",
                                       email=f"{username}@demo.hardware-erp.local",
                                       department=depts[dept], job_title=title, language="zh-hans",
                                       hire_date=None)
            users[role].append(user)
        gm = users["general_manager"][0]
        mgr = users["sales_manager"][0]
        whmgr = users["warehouse_manager"][0]
        for role, boss in (("sales_rep", mgr), ("sales_manager", gm), ("warehouse_manager", gm),
                           ("warehouse_clerk", whmgr), ("purchaser", gm), ("finance_clerk", gm), ("it_admin", gm),
                           ("trainer", gm)):
            Employee.objects.filter(user__in=users[role], manager__isnull=True).update(manager=boss)
        Department.objects.filter(code="sales", head__isnull=True).update(head=mgr)
        Department.objects.filter(code="warehouse", head__isnull=True).update(head=whmgr)
        Department.objects.filter(code="gm", head__isnull=True).update(head=gm)
        return users
