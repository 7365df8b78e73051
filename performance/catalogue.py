"""The built-in KPIs: what each one reads, how it aggregates, and its default target and weights per role.

`sync_catalogue()` writes them into the KPI table (a data migration and `manage.py sync_kpis` call it).
It creates missing KPIs and refreshes the computing side (selectors, aggregation, direction, unit,
formula, names) of built-in ones, but never overwrites targets, bands or weights that a manager has
changed, unless `reset=True`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from .choices import AggregationChoices as Agg
from .choices import DirectionChoices as Dir
from .choices import UnitChoices as Unit


@dataclass(frozen=True)
class BuiltinKPI:
    code: str
    name_en: str
    name_zh: str
    sources: tuple
    aggregation: str
    direction: str
    unit: str
    target: str
    weights: dict  # role key -> weight (%)
    formula: str
    formula_zh: str
    description_en: str
    description_zh: str
    bands: list = field(default_factory=lambda: [[100, 100], [90, 85], [80, 70], [60, 50], [0, 20]])


BUILTIN_KPIS = [
    BuiltinKPI(
        "entry_timeliness", "Data entry timeliness", "数据录入及时率",
        ("crm.selectors.kpi_contact_entry_timeliness", "orders.selectors.kpi_order_entry_timeliness",
         "inventory.selectors.kpi_movement_entry_timeliness"),
        Agg.SHARE, Dir.HIGHER, Unit.PERCENT, "95",
        {"sales_rep": 25, "warehouse_clerk": 20, "warehouse_manager": 20, "purchaser": 30, "finance_clerk": 35},
        "records entered within the allowed time ÷ records entered × 100",
        "在规定时间内录入的记录数 ÷ 录入记录数 × 100",
        "Contact records, sales orders, stock movements and receipts the person entered in the period, "
        "counted when entered within the allowed time after the event (contact records: 24 hours).",
        "本期录入的跟进记录、销售订单、出入库记录和入库单中，在规定时间内（跟进记录为 24 小时）录入的占比。"),
    BuiltinKPI(
        "records_not_corrected", "Records not corrected", "数据准确率（未被更正）",
        ("governance.selectors.kpi_records_not_corrected",),
        Agg.SHARE, Dir.HIGHER, Unit.PERCENT, "98",
        {"sales_rep": 10, "sales_manager": 10, "warehouse_clerk": 5, "warehouse_manager": 5, "purchaser": 20,
         "finance_clerk": 30, "trainer": 30},
        "records not corrected by someone else within 30 days ÷ records created × 100",
        "30 天内未被他人更正的记录数 ÷ 创建的记录数 × 100",
        "Key records the person created in the period that nobody else had to correct within 30 days.",
        "本期创建的关键记录中，30 天内未被他人更正的占比。"),
    BuiltinKPI(
        "change_requests_approved", "Change requests approved", "变更申请通过率",
        ("governance.selectors.kpi_change_requests_rejected",),
        Agg.SHARE, Dir.HIGHER, Unit.PERCENT, "90",
        {"sales_rep": 10, "sales_manager": 15, "general_manager": 20},
        "change requests approved ÷ change requests decided × 100",
        "获批的变更申请数 ÷ 已审批的变更申请数 × 100",
        "Change requests of key data the person submitted that were decided in the period; rejected ones "
        "show data that was entered or requested wrongly.",
        "本期已审批的本人提交的关键数据变更申请中，被批准的占比；被驳回说明数据录入或申请有误。"),
    BuiltinKPI(
        "import_error_rate", "Import error rate", "导入错误率",
        ("governance.selectors.kpi_import_errors",),
        Agg.AVERAGE, Dir.LOWER, Unit.PERCENT, "2",
        {"warehouse_clerk": 5, "warehouse_manager": 5, "purchaser": 20, "it_admin": 10},
        "average of (rows with errors ÷ rows) × 100 over the person's imports",
        "各次导入中（出错行数 ÷ 总行数 × 100）的平均值",
        "Data imports the person ran in the period: the share of rows that failed, averaged over imports.",
        "本期本人执行的数据导入中，出错行所占比例的平均值。"),
    BuiltinKPI(
        "stocktake_accuracy", "Stocktake accuracy", "盘点准确率",
        ("inventory.selectors.kpi_stocktake_accuracy",),
        Agg.SHARE, Dir.HIGHER, Unit.PERCENT, "98",
        {"warehouse_clerk": 20, "warehouse_manager": 15},
        "count lines within tolerance after recount ÷ count lines counted × 100",
        "复盘后差异在允许范围内的盘点行数 ÷ 盘点行数 × 100",
        "Stocktake lines the person counted: counted when the variance after recount is within tolerance.",
        "本人盘点的明细行中，复盘后差异在允许范围内的占比。"),
    BuiltinKPI(
        "followups_on_time", "Follow-ups done on time", "跟进任务按时完成率",
        ("crm.selectors.kpi_followups_on_time",),
        Agg.SHARE, Dir.HIGHER, Unit.PERCENT, "90",
        {"sales_rep": 30, "sales_manager": 15},
        "follow-up tasks done by their due time ÷ follow-up tasks due × 100",
        "在到期时间前完成的跟进任务数 ÷ 到期的跟进任务数 × 100",
        "CRM follow-up tasks assigned to the person and due in the period, counted when done by the due time.",
        "本期到期的本人跟进任务中，在到期时间前完成的占比。"),
    BuiltinKPI(
        "approval_lead_time", "Order approval lead time", "订单审核时长",
        ("orders.selectors.kpi_approval_lead_time",),
        Agg.AVERAGE, Dir.LOWER, Unit.HOURS, "4",
        {"sales_manager": 25, "general_manager": 40},
        "average hours from an order's submission to its approval or rejection",
        "订单从提交到审核完成的平均小时数",
        "Sales orders the person approved or rejected in the period: hours from submission to decision.",
        "本期本人审核的销售订单，从提交到审核完成的平均小时数。"),
    BuiltinKPI(
        "shipping_lead_time", "Shipping lead time", "发货时长",
        ("orders.selectors.kpi_shipping_lead_time",),
        Agg.AVERAGE, Dir.LOWER, Unit.HOURS, "48",
        # who may ship orders (orders.ship_salesorder); the warehouse manager answers for the dispatch
        {"sales_manager": 10, "warehouse_clerk": 15, "warehouse_manager": 25},
        "average hours from an order's approval to its shipment",
        "订单从审核通过到发货的平均小时数",
        "Shipments the person dispatched in the period: hours from order approval to shipment.",
        "本期本人发货的订单，从审核通过到发货的平均小时数。"),
    BuiltinKPI(
        "tickets_sla_met", "Tickets resolved within SLA", "工单 SLA 达成率",
        ("support.selectors.kpi_tickets_sla_met",),
        Agg.SHARE, Dir.HIGHER, Unit.PERCENT, "90",
        {"it_admin": 35},
        "tickets resolved within their target time ÷ tickets resolved × 100",
        "在目标时间内解决的工单数 ÷ 已解决的工单数 × 100",
        "Helpdesk tickets the person resolved in the period, counted when resolved within the SLA target.",
        "本期本人解决的工单中，在 SLA 目标时间内解决的占比。"),
    BuiltinKPI(
        "ticket_satisfaction", "Ticket satisfaction", "工单满意度",
        ("support.selectors.kpi_ticket_satisfaction",),
        Agg.AVERAGE, Dir.HIGHER, Unit.RATING, "4.5",
        {"it_admin": 25},
        "average satisfaction rating (1–5) of the person's rated tickets",
        "本人已评价工单的满意度评分（1–5）平均值",
        "Ratings that requesters gave to tickets the person handled, rated in the period.",
        "本期提交人对本人处理工单的满意度评分（1–5）平均值。"),
    BuiltinKPI(
        "required_courses_on_time", "Required courses on time", "必修课程按时完成率",
        ("training.selectors.kpi_required_courses_on_time",),
        Agg.SHARE, Dir.HIGHER, Unit.PERCENT, "100",
        {"sales_rep": 15, "sales_manager": 15, "warehouse_clerk": 10, "warehouse_manager": 10, "purchaser": 15,
         "finance_clerk": 20, "it_admin": 15, "trainer": 35, "general_manager": 20},
        "required courses completed by their due date ÷ required courses due × 100",
        "在截止日期前完成的必修课程数 ÷ 到期的必修课程数 × 100",
        "Required courses due in the period, counted when completed by the end of the due day.",
        "本期到期的必修课程中，在截止日期前完成的占比。"),
    BuiltinKPI(
        "quiz_average", "Quiz average", "测验平均分",
        ("training.selectors.kpi_quiz_average",),
        Agg.AVERAGE, Dir.HIGHER, Unit.PERCENT, "80",
        {"sales_rep": 10, "sales_manager": 10, "warehouse_clerk": 10, "warehouse_manager": 10, "purchaser": 15,
         "finance_clerk": 15, "it_admin": 15, "trainer": 35, "general_manager": 20},
        "average score (%) of the quiz attempts submitted",
        "已提交测验的平均得分（%）",
        "Quiz attempts the person submitted in the period: the average score.",
        "本期本人提交的测验的平均得分。"),
    BuiltinKPI(
        "scanning_share", "Scanning share in stocktakes", "盘点扫码率",
        ("inventory.selectors.kpi_scanning_share",),
        Agg.SHARE, Dir.HIGHER, Unit.PERCENT, "80",
        {"warehouse_clerk": 15, "warehouse_manager": 10},
        "count entries scanned ÷ count entries × 100",
        "扫码录入的盘点记录数 ÷ 盘点记录数 × 100",
        "Stocktake count entries the person made, counted when the product was scanned rather than typed.",
        "本人录入的盘点数量中，通过扫码（而非手工输入）录入的占比。"),
]


@transaction.atomic
def sync_catalogue(*, reset=False, kpi_model=None, weight_model=None) -> int:
    """Create or refresh the built-in KPIs; returns how many were created. Model classes may be passed
    (data migrations pass the historical ones)."""
    if kpi_model is None:
        from .models import KPI as kpi_model
        from .models import KPIWeight as weight_model
    created = 0
    for pos, b in enumerate(BUILTIN_KPIS):
        computing = {"name_en": b.name_en, "name_zh": b.name_zh, "sources": list(b.sources),
                     "aggregation": b.aggregation, "direction": b.direction, "unit": b.unit,
                     "formula": b.formula, "formula_zh": b.formula_zh, "description_en": b.description_en,
                     "description_zh": b.description_zh, "builtin": True, "position": (pos + 1) * 10}
        tuning = {"target": Decimal(b.target), "bands": b.bands}
        kpi = kpi_model.objects.filter(code=b.code).first()
        if kpi is None:
            kpi = kpi_model.objects.create(code=b.code, **computing, **tuning)
            created += 1
            fresh = True
        else:
            for k, v in {**computing, **(tuning if reset else {})}.items():
                setattr(kpi, k, v)
            kpi.save()
            fresh = reset
        if fresh:
            weight_model.objects.filter(kpi=kpi).delete()
            weight_model.objects.bulk_create(weight_model(kpi=kpi, role=r, weight=Decimal(w))
                                             for r, w in b.weights.items())
    # a role new to the catalogue (no weight on any KPI yet) gets its built-in weights; roles a manager has
    # weighted keep theirs
    weighted = set(weight_model.objects.values_list("role", flat=True).distinct())
    kpis = {k.code: k for k in kpi_model.objects.filter(code__in=[b.code for b in BUILTIN_KPIS])}
    weight_model.objects.bulk_create(weight_model(kpi=kpis[b.code], role=r, weight=Decimal(w))
                                     for b in BUILTIN_KPIS for r, w in b.weights.items() if r not in weighted)
    return created


def builtin_weight_sums() -> dict:
    sums = {}
    for b in BUILTIN_KPIS:
        for role, w in b.weights.items():
            sums[role] = sums.get(role, 0) + w
    return sums
