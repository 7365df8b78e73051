"""Demo governance data: key-data change requests of the reps (pending, approved, rejected and one gone stale),
a month of security log events, the spreadsheet imports behind the data quality page, and the company's
confidentiality agreement (保密协议), published and accepted by every demo user so that the demo opens straight onto
the dashboard (a user added later is asked to accept it). Idempotent: each part is
skipped when its records exist."""

from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from hardware_erp.core.cache import forget

from . import services
from .accounts import CURRENT_AGREEMENT_CACHE_KEY
from .models import AgreementAcceptance, AgreementVersion, ChangeRequest, ImportLog, SecurityEvent

CLIENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
OFFICE_IPS = [f"10.20.1.{n}" for n in range(11, 40)]


def seed(ctx):
    _change_requests(ctx)
    _security_log(ctx)
    _imports(ctx)
    _agreement(ctx)


def _change_requests(ctx):
    Customer = apps.get_model("crm", "Customer") if apps.is_installed("crm") else None
    reps, manager = ctx.users["sales_rep"], ctx.user("sales_manager")
    if Customer is None or not reps or ChangeRequest.objects.filter(requester__in=reps).exists():
        ctx.log("governance: change requests exist or no customers, skipped")
        return
    from crm.validators import make_credit_code

    rng, now = ctx.rng, timezone.now()
    plans = [  # (what, outcome, days ago, reason, review comment)
        ("credit_limit", "pending", 1, "客户年采购额增长，申请提高信用额度", ""),
        ("credit_code", "pending", 2, "客户换发新营业执照，信用代码更新", ""),
        ("payment_terms_days", "pending", 4, "客户要求月结 60 天", ""),
        ("credit_limit", "approved", 12, "老客户回款及时，提高额度", "同意，回款记录良好"),
        ("invoice_title", "approved", 20, "客户更名后开票抬头同步更新", "已核对营业执照"),
        ("payment_terms_days", "approved", 33, "大客户季度结算", "同意"),
        ("credit_limit", "rejected", 15, "客户要求提高额度", "该客户有逾期账款，暂不提高"),
        ("payment_terms_days", "rejected", 26, "客户希望延长账期到 90 天", "超出公司账期政策，最长 60 天"),
        ("credit_code", "rejected", 40, "更正信用代码", "与营业执照不符，请上传执照照片后重新申请"),
        ("credit_limit", "stale", 8, "新开分店，申请提高额度", ""),
    ]
    made = 0
    for i, (what, outcome, days, reason, comment) in enumerate(plans):
        rep = reps[i % len(reps)]
        customer = Customer.objects.active().filter(owner=rep, kind="company").exclude(credit_code="") \
            .order_by("pk")[i:i + 1].first()
        if customer is None:
            continue
        if what == "credit_limit":
            value = (customer.credit_limit or Decimal("10000")) * Decimal("1.5")
        elif what == "payment_terms_days":
            value = 60 if customer.payment_terms_days != 60 else 30
        elif what == "invoice_title":
            value = customer.name.replace("有限公司", "") + "（新）有限公司"
        else:
            value = make_credit_code("9", "1", customer.credit_code[2:8] or "330102",
                                     "MA" + "".join(rng.choice("0123456789ABCDEFGH") for _ in range(6)))
        cr = services.submit_change(customer, {what: value}, actor=rep, reason=reason)
        if cr is None:
            continue
        if outcome == "approved":
            services.approve_change(cr, actor=manager, comment=comment)
        elif outcome == "rejected":
            services.reject_change(cr, actor=manager, comment=comment)
        elif outcome == "stale":  # the manager changed the limit directly afterwards: approval will refuse it
            services.submit_change(customer, {"credit_limit": customer.credit_limit + Decimal("5000")},
                                   actor=manager, reason="年度额度调整")
        when = now - timedelta(days=days, hours=rng.randrange(1, 8))
        ChangeRequest.objects.filter(pk=cr.pk).update(
            created_at=when, reviewed_at=when + timedelta(hours=rng.randrange(2, 30)) if outcome in (
                "approved", "rejected") else None)
        made += 1
    ctx.log(f"governance: {made} change requests")


def _security_log(ctx):
    if SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).exists():
        ctx.log("governance: security log has sign-ins, skipped")
        return
    rng, now = ctx.rng, timezone.localtime()  # sign-ins at 08:xx in the office's time zone
    people = list(ctx.by_username.values())
    events = []
    for day in range(30, 0, -1):
        date = now - timedelta(days=day)
        if date.weekday() == 6:
            continue
        for user in people:
            if rng.random() < 0.15:
                continue
            ip = rng.choice(OFFICE_IPS)
            start = date.replace(hour=8, minute=rng.randrange(0, 50))
            if rng.random() < 0.06:
                events.append(SecurityEvent(kind=SecurityEvent.Kind.LOGIN_FAILED, username=user.username,
                                            ip_address=ip, user_agent=CLIENT, path="/accounts/login/",
                                            created_at=start - timedelta(minutes=1)))
            events.append(SecurityEvent(kind=SecurityEvent.Kind.LOGIN, user=user, username=user.username,
                                        ip_address=ip, user_agent=CLIENT, path="/accounts/login/", created_at=start))
            if user.has_perm("crm.export_customer") and rng.random() < 0.1:
                events.append(SecurityEvent(kind=SecurityEvent.Kind.EXPORT, user=user, username=user.username,
                                            ip_address=ip, user_agent=CLIENT, path="/crm/customers/?_export=xlsx",
                                            detail={"model": "crm.customer", "rows": rng.randrange(20, 150),
                                                    "format": "xlsx"},
                                            created_at=start + timedelta(hours=rng.randrange(1, 6))))
            if rng.random() < 0.03:
                events.append(SecurityEvent(kind=SecurityEvent.Kind.PERMISSION_DENIED, user=user,
                                            username=user.username, ip_address=ip, user_agent=CLIENT,
                                            path="/governance/backups/",
                                            created_at=start + timedelta(hours=rng.randrange(1, 6))))
            events.append(SecurityEvent(kind=SecurityEvent.Kind.LOGOUT, user=user, username=user.username,
                                        ip_address=ip, user_agent=CLIENT, path="/accounts/logout/",
                                        created_at=start + timedelta(hours=9, minutes=rng.randrange(0, 90))))
    for n in range(5):  # someone guessing a password from outside
        events.append(SecurityEvent(kind=SecurityEvent.Kind.LOGIN_FAILED, username="admin", ip_address="203.0.113.7",
                                    user_agent="python-requests/2.31", path="/accounts/login/",
                                    created_at=now - timedelta(days=3, minutes=30 - n)))
    SecurityEvent.objects.bulk_create(events, batch_size=2000)
    ctx.log(f"governance: {len(events)} security events")


def _imports(ctx):
    if ImportLog.objects.exists():
        ctx.log("governance: imports exist, skipped")
        return
    rng, now = ctx.rng, timezone.now()
    rows = []
    plans = [  # (role, model label, file, files, error share)
        ("sales_rep", "crm.customer", "展会客户名单", 4, 0.08),
        ("sales_rep", "crm.contact", "客户联系人", 3, 0.02),
        ("sales_manager", "crm.customer", "区域客户汇总", 2, 0.0),
        ("purchaser", "inventory.product", "供应商新品目录", 3, 0.05),
        ("general_manager", "inventory.product", "年度调价表", 1, 0.0),
    ]
    for role, label, name, files, share in plans:
        for user in ctx.users.get(role, []):
            for n in range(files):
                total = rng.randrange(20, 300)
                errors = round(total * share * rng.uniform(0.3, 1.7)) if rng.random() < share * 8 else 0
                rows.append(ImportLog(user=user, model_label=label, file_name=f"{name}{n + 1}.xlsx",
                                      total_rows=total, error_rows=min(errors, total),
                                      created_at=now - timedelta(days=rng.randrange(1, 80), hours=rng.randrange(9))))
    ImportLog.objects.bulk_create(rows)
    ctx.log(f"governance: {len(rows)} imports")


BODY_ZH = "\n".join([
    "第一条 员工在职期间及离职后，对在工作中知悉的公司商业秘密负有保密义务，包括客户名单及联系方式、报价"
    "与成本、供应商条件、库存与销售数据、账号与密码。",
    "第二条 员工只为完成本职工作使用上述信息，不得复制、外传或带离公司系统；导出数据须经授权，用后妥善删"
    "除。",
    "第三条 员工不得向他人透露自己的系统账号、密码或双重验证码，发现账号异常应立即报告 IT 部门。",
    "第四条 违反本协议给公司造成损失的，员工应承担相应责任；情节严重的，公司依法追究法律责任。",
    "第五条 本协议每次修订后以新版本发布，员工须重新阅读并确认接受。",
])

BODY_EN = "\n".join([
    "1. During and after employment, employees keep secret the company’s business information learned at work:"
    " customer lists and contacts, prices and costs, supplier terms, stock and sales data, accounts and "
    "passwords.",
    "2. Employees use that information only for their own work; they do not copy it, pass it on or take it out"
    " of the company’s systems. Data is exported only with authorisation and deleted after use.",
    "3. Employees never tell anyone their account, password or two-factor codes, and report anything unusual "
    "about their account to IT at once.",
    "4. An employee who breaks this agreement is responsible for the damage caused; serious cases are pursued "
    "according to law.",
    "5. Each revision of this agreement is published as a new version, which every employee reads and accepts "
    "again.",
])


def _agreement(ctx):
    gm = ctx.user("general_manager")
    published = timezone.now() - timedelta(days=60)
    version, created = AgreementVersion.objects.get_or_create(version="2026-1", defaults={
        "title_zh": "员工保密协议", "title_en": "Employee confidentiality agreement", "body_zh": BODY_ZH,
        "body_en": BODY_EN, "created_by": gm, "created_at": published - timedelta(days=2), "published_by": gm,
        "published_at": published})
    users = get_user_model().objects.filter(is_active=True).exclude(agreement_acceptances__version=version)
    rows = [AgreementAcceptance(user=user, version=version, ip_address=OFFICE_IPS[i % len(OFFICE_IPS)],
                                accepted_at=published + timedelta(hours=1 + i, minutes=ctx.rng.randint(0, 59)),
                                user_agent=CLIENT)
            for i, user in enumerate(users.order_by("pk"))]
    AgreementAcceptance.objects.bulk_create(rows)
    forget(CURRENT_AGREEMENT_CACHE_KEY)
    ctx.log(f"confidentiality agreement {version.version}{' published' if created else ''}, "
            f"{len(rows)} acceptances")
