# ruff: noqa: E501  (bilingual demo data reads best one record a line)
"""Demo data for the support app: systems with emergency plans, tickets across categories and states with
conversations, an incident with its timeline and review, a maintenance window, checklists and inspections,
suggestions with votes. Idempotent: each part is skipped when its rows exist."""

from datetime import timedelta

from django.contrib.auth.models import Permission
from django.utils import timezone

from . import services
from .models import (
    AssignmentRule,
    Checklist,
    ChecklistItem,
    Incident,
    IncidentUpdate,
    Inspection,
    InspectionResult,
    MaintenanceWindow,
    RequestRecord,
    Suggestion,
    System,
    Ticket,
    TicketEvent,
    TicketMessage,
    Vote,
)
from .workcal import WorkingCalendar

SYSTEMS = [
    ("erp", "ERP 系统", "销售、库存、订单都在这里。", "黄磊, IT 管理员, 138-0000-1001\n王建国, 总经理, 138-0000-1000",
     "确认数据库服务器是否可达\n查看 /healthz 与系统状态页\n重启应用服务 (gunicorn) 与 worker\n无法恢复时从最近的备份恢复，并通知各部门"),
    ("network", "办公网络与 Wi-Fi", "交换机、路由器、无线 AP。", "黄磊, IT 管理员, 138-0000-1001\n电信客服, 宽带, 10000",
     "检查核心交换机指示灯\n重启出问题楼层的 AP\n联系宽带运营商报障"),
    ("printers", "打印机", "各楼层的网络打印机和标签打印机。", "黄磊, IT 管理员, 138-0000-1001\n打印机供应商, 维保, 400-800-0000",
     "检查纸张与碳粉\n重启打印机并打印测试页\n联系维保供应商"),
    ("scanners", "扫码枪与 PDA", "仓库扫码设备。", "黄磊, IT 管理员, 138-0000-1001",
     "检查电量与 Wi-Fi 连接\n重新配对扫码枪\n更换备用设备"),
    ("backup", "备份服务器", "每晚备份数据库与附件。", "黄磊, IT 管理员, 138-0000-1001",
     "检查最近一次备份日志\n手动运行备份\n验证备份可以恢复"),
]

TICKETS = [
    # category, priority, subject, description, page, final status, IT answer, requester reply, rating
    ("printer", "high", "二楼打印机卡纸", "二楼的打印机一直显示卡纸，打不出送货单。", "/orders/", "closed",
     "已经清理了卡纸并更换了搓纸轮，请再试一下。", "可以打印了，谢谢！", 5),
    ("account", "urgent", "无法登录系统", "早上输错几次密码后账号被锁定了。", "/accounts/login/", "closed",
     "已为您解除锁定，请用新密码登录。", "好的，已经登录。", 4),
    ("inventory", "normal", "库存数量和实际不一致", "M8 螺栓的可用量显示 0，但仓库里还有两箱。", "/inventory/", "resolved",
     "查到一笔出库重复录入，已冲销。请确认现在的数量是否正确。", "", None),
    ("crm", "normal", "客户查重合并后联系人丢失", "合并两个客户后，原来的联系人找不到了。", "/crm/", "in_progress",
     "正在查看合并记录，稍后回复您。", "", None),
    ("network", "high", "仓库 Wi-Fi 信号弱", "仓库最里面的货架扫码经常断线。", "/inventory/", "waiting",
     "请告诉我们具体是哪几排货架？", "", None),
    ("hardware", "low", "显示器闪屏", "财务室 2 号电脑的显示器偶尔闪屏。", "/", "assigned", "", "", None),
    ("orders", "normal", "报价单 PDF 中文显示方框", "导出的报价单里客户名称显示为方框。", "/orders/", "new", "", "", None),
    ("other", "low", "申请安装压缩软件", "需要解压供应商发来的 rar 文件。", "/", "closed",
     "已远程安装 7-Zip。", "收到，谢谢。", 3),
    ("printer", "normal", "标签打印机打印偏移", "商品标签打印出来整体往右偏。", "/inventory/", "reopened",
     "已调整打印边距。", "还是偏，麻烦再看一下。", None),
    ("account", "normal", "新员工开通账号", "下周一有新销售入职，需要开通账号。", "/", "closed",
     "账号已开通，初始密码已发到部门经理邮箱。", "", 5),
]


def seed(ctx):
    it = ctx.user("it_admin")
    gm = ctx.user("general_manager")
    lead = Permission.objects.get(content_type__app_label="support", codename="lead_helpdesk")
    it.user_permissions.add(lead)
    systems = _systems(ctx, it)
    for category, _label in Ticket._meta.get_field("category").choices:
        AssignmentRule.objects.get_or_create(category=category, defaults={"assignee": it})
    _tickets(ctx, it)
    _incident(ctx, it, systems)
    _maintenance(ctx, it, systems)
    _inspections(ctx, it, systems)
    _feedback(ctx, it)
    _requests(ctx, gm)


def _systems(ctx, it):
    out = {}
    for code, name, desc, contacts, steps in SYSTEMS:
        out[code], _ = System.objects.get_or_create(code=code, defaults={
            "name": name, "description": desc, "owner": it, "plan_contacts": contacts, "plan_steps": steps,
            "plan_reviewed_at": timezone.localdate() - timedelta(days=30)})
    ctx.log(f"{len(out)} systems with emergency plans")
    return out


def _requesters(ctx):
    return [u for key in ("sales_rep", "warehouse_clerk", "finance_clerk", "purchaser", "sales_manager", "trainer",
                          "warehouse_manager") for u in ctx.users.get(key, [])]


def _tickets(ctx, it):
    if Ticket.objects.exists():
        return
    cal = WorkingCalendar()
    people = _requesters(ctx)
    now = timezone.now()
    made = 0
    for rnd in range(ctx.scale):
        for n, (category, priority, subject, desc, page, final, answer, reply, rating) in enumerate(TICKETS):
            requester = people[(n + rnd) % len(people)]
            created = now - timedelta(days=ctx.rng.randint(0 if final in ("new", "assigned") else 3, 40),
                                      hours=ctx.rng.randint(0, 8))
            t = Ticket(requester=requester, subject=subject if rnd == 0 else f"{subject} ({rnd + 1})",
                       description=desc, category=category, priority=priority, page_url=page, status=final)
            t.created_at = created
            services.compute_deadlines(t, cal)
            if final != "new":
                t.assignee = it
            if answer:
                t.first_response_at = min(now, cal.add_working_time(created, ctx.rng.choice([20, 45, 90, 200, 300])))
            if final in ("resolved", "closed"):
                t.resolved_at = min(now, cal.add_working_time(t.first_response_at or created,
                                                              ctx.rng.choice([60, 240, 600, 1200])))
            if final == "closed":
                t.closed_at = t.resolved_at + timedelta(hours=2)
                t.rating = rating
            t.save()
            Ticket.objects.filter(pk=t.pk).update(created_at=created)
            events = [TicketEvent(ticket=t, from_status="", to_status="new", actor=requester, created_at=created)]
            if t.assignee_id:
                events.append(TicketEvent(ticket=t, from_status="new", to_status="assigned", note="按分类规则分配",
                                          created_at=created + timedelta(minutes=1)))
            msgs = []
            if answer:
                msgs.append(TicketMessage(ticket=t, author=it, body="先远程看一下。", internal=True,
                                          created_at=t.first_response_at - timedelta(minutes=5)))
                msgs.append(TicketMessage(ticket=t, author=it, body=answer, created_at=t.first_response_at))
            if reply:
                msgs.append(TicketMessage(ticket=t, author=requester, body=reply,
                                          created_at=(t.resolved_at or t.first_response_at) + timedelta(hours=1)))
            if t.resolved_at:
                events.append(TicketEvent(ticket=t, from_status="in_progress", to_status="resolved", actor=it,
                                          created_at=t.resolved_at))
            if final not in ("new", "assigned", "resolved"):
                events.append(TicketEvent(ticket=t, from_status="assigned" if not t.resolved_at else "resolved",
                                          to_status=final, actor=requester if final == "closed" else it,
                                          created_at=t.closed_at or now))
            TicketMessage.objects.bulk_create(msgs)
            TicketEvent.objects.bulk_create(events)
            made += 1
    ctx.log(f"{made} tickets with conversations")


def _incident(ctx, it, systems):
    if Incident.objects.exists():
        return
    start = timezone.now() - timedelta(days=6, hours=3)
    incident = Incident.objects.create(
        title="ERP 系统访问缓慢", description="打开订单和库存页面需要 30 秒以上。", severity="major", status="resolved",
        started_at=start, estimated_recovery_at=start + timedelta(hours=2), resolved_at=start + timedelta(hours=3),
        declared_by=it, review_cause="数据库磁盘空间不足，自动清理任务失败。",
        review_actions="扩容磁盘；系统状态页监控磁盘空间；每周巡检增加磁盘检查。", reviewed_at=start + timedelta(days=1),
        reviewed_by=it)
    incident.systems.set([systems["erp"]])
    IncidentUpdate.objects.bulk_create([
        IncidentUpdate(incident=incident, author=it, body="已定位到数据库服务器磁盘已满，正在清理。",
                       created_at=start + timedelta(minutes=40)),
        IncidentUpdate(incident=incident, author=it, body="清理完成，正在扩容，预计 1 小时内恢复。",
                       estimated_recovery_at=start + timedelta(hours=3), created_at=start + timedelta(hours=1, minutes=30)),
        IncidentUpdate(incident=incident, author=it, body="系统已恢复正常。", is_resolution=True,
                       created_at=start + timedelta(hours=3)),
    ])
    ctx.log("1 incident with its timeline and review")


def _maintenance(ctx, it, systems):
    if MaintenanceWindow.objects.exists():
        return
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=20, minute=0, second=0, microsecond=0)
    services.plan_maintenance(title="ERP 服务器升级", description="升级期间系统无法使用，请提前保存工作。",
                              starts_at=start, ends_at=start + timedelta(hours=2), actor=it,
                              systems=[systems["erp"]])


CHECKLISTS = [
    ("服务器巡检", "server", 7, "erp", ["CPU 与内存使用率正常", "磁盘剩余空间大于 20%", "系统日志无严重错误"]),
    ("备份检查", "backup", 1, "backup", ["昨晚备份成功", "备份文件大小正常", "每月恢复演练已完成"]),
    ("网络巡检", "network", 7, "network", ["核心交换机运行正常", "各楼层 Wi-Fi 可用", "外网带宽测速正常"]),
    ("打印机巡检", "printer", 14, "printers", ["碳粉余量大于 20%", "测试页打印清晰", "标签打印机对齐"]),
    ("扫码枪巡检", "scanner", 14, "scanners", ["电池可用一个班次", "扫码识别正常", "Wi-Fi 连接稳定"]),
]


def _inspections(ctx, it, systems):
    if Checklist.objects.exists():
        return
    today = timezone.localdate()
    for name, kind, interval, system, items in CHECKLISTS:
        checklist = Checklist.objects.create(name=name, kind=kind, interval_days=interval, assignee=it,
                                             system=systems[system])
        rows = ChecklistItem.objects.bulk_create([ChecklistItem(checklist=checklist, text=t, position=i)
                                                  for i, t in enumerate(items)])
        done = Inspection.objects.create(checklist=checklist, due_date=today - timedelta(days=interval),
                                         status="done", done_by=it, done_at=timezone.now() - timedelta(days=interval))
        results = {row.pk: ("ok", "") for row in rows}
        if kind == "printer":
            done.status = "due"
            done.save(update_fields=["status"])
            results[rows[1].pk] = ("failed", "测试页有条纹，需要更换硒鼓")
            services.record_inspection(done, results=results, actor=it)
        else:
            InspectionResult.objects.bulk_create([InspectionResult(inspection=done, item=row, result="ok")
                                                  for row in rows])
    services.create_due_inspections(today)
    ctx.log(f"{len(CHECKLISTS)} checklists with inspections")


SUGGESTIONS = [
    ("订单页面增加批量打印送货单", "每天要逐个打印几十张送货单，希望能批量打印。", "erp", "planned", "已排入下个月的版本。"),
    ("仓库增加一台标签打印机", "高峰期排队等打印。", "printing", "review", ""),
    ("客户列表可以按地区筛选", "方便按区域安排拜访。", "erp", "done", "已上线：客户列表新增地区筛选。"),
    ("会议室投影仪经常连不上", "建议换成无线投屏。", "hardware", "review", ""),
    ("系统支持深色模式", "晚上加班看屏幕太亮。", "erp", "declined", "目前优先做业务功能，暂不考虑。"),
    ("Wi-Fi 覆盖到仓库二楼", "二楼盘点时扫码经常断线。", "network", "planned", "已采购新的 AP，下周安装。"),
]


def _feedback(ctx, it):
    if Suggestion.objects.exists():
        return
    people = _requesters(ctx) + [ctx.user("general_manager")]
    for n, (title, body, area, status, answer) in enumerate(SUGGESTIONS):
        author = people[n % len(people)]
        s = Suggestion.objects.create(author=author, title=title, body=body, area=area, status=status, answer=answer,
                                      answered_by=it if answer else None,
                                      answered_at=timezone.now() - timedelta(days=2) if answer else None)
        voters = [author] + ctx.rng.sample(people, k=min(len(people), ctx.rng.randint(0, len(people))))
        votes = [Vote(suggestion=s, user=u) for u in {u.pk: u for u in voters}.values()]
        Vote.objects.bulk_create(votes)
        Suggestion.objects.filter(pk=s.pk).update(vote_count=len(votes))
    ctx.log(f"{len(SUGGESTIONS)} suggestions with votes")


def _requests(ctx, user):
    if RequestRecord.objects.exists():
        return
    now = timezone.now()
    RequestRecord.objects.bulk_create([
        RequestRecord(kind="slow", method="GET", path=path, status_code=200, duration_ms=ms, user=user,
                      created_at=now - timedelta(hours=h))
        for path, ms, h in (("/orders/?status=approved", 2450, 3), ("/inventory/stock/", 3120, 20),
                            ("/support/reports/", 2210, 30))])
