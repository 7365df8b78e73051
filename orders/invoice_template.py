"""The VAT invoice queue in the column layout of the tax bureau's batch-issue template (电子发票服务平台 → 批量开具,
数电票): the one place that knows that layout.

Two sheets as in the template: "1-发票基本信息" (one row per invoice, keyed by 发票流水号) and "2-发票明细信息" (one
row per item, same 发票流水号), plus a third, "3-红字信息", listing the red-letter requests (returns of invoiced
orders) that finance raises as 红字确认单 on the platform. Each column is a (header, value) pair in template order,
so a change of the template is a change of these lists only. Codes, IDs and account numbers are written as text
(core.exports.Text) so the spreadsheet keeps every digit. Before the first batch, compare the headers with the
template the local platform offers for download: provinces have added optional columns at the end.
"""

from hardware_erp.core.exports import Text, export_book_response

from .choices import InvoiceType, RedLetterReason
from .invoicing import invoice_item_name, invoice_items

INVOICE_TYPE_TEXT = {InvoiceType.SPECIAL: "数电票（增值税专用发票）", InvoiceType.NORMAL: "数电票（普通发票）"}
RED_REASON_TEXT = {RedLetterReason.RETURN: "销货退回", RedLetterReason.ERROR: "开票有误",
                   RedLetterReason.ALLOWANCE: "销售折让"}


def serial(req) -> str:
    """发票流水号: ties the invoice row to its items and, on the way back, the issued invoice to the request."""
    return f"{req.order.number}-{req.pk}"


BASIC_COLUMNS = [
    ("发票流水号", serial),
    ("发票类型", lambda r: INVOICE_TYPE_TEXT[r.invoice_type]),
    ("特定业务类型", lambda r: ""),
    ("是否含税", lambda r: "是" if r.order.prices_include_tax else "否"),
    ("受票方自然人标识", lambda r: "否"),
    ("购买方名称", lambda r: r.title),
    ("购买方纳税人识别号", lambda r: Text(r.tax_number)),
    ("购买方地址", lambda r: r.buyer_address),
    ("购买方电话", lambda r: Text(r.buyer_phone)),
    ("购买方开户银行", lambda r: r.buyer_bank),
    ("购买方银行账号", lambda r: Text(r.buyer_account)),
    ("备注", lambda r: r.remarks or f"{r.order.number}"),
    ("报废产品销售类型", lambda r: ""),
    ("购买方邮箱", lambda r: r.deliver_email),
    ("购买方手机号", lambda r: Text(r.deliver_phone)),
]

ITEM_COLUMNS = [
    ("发票流水号", lambda r, it: serial(r)),
    ("项目名称", lambda r, it: invoice_item_name(it["product"])),
    ("商品和服务税收编码", lambda r, it: Text(it["product"].tax_category_code)),
    ("规格型号", lambda r, it: it["product"].spec_line[:40]),
    ("单位", lambda r, it: it["unit"]),
    ("数量", lambda r, it: it["quantity"]),
    ("单价", lambda r, it: it["unit_price"]),
    ("金额", lambda r, it: it["amount"]),
    ("税率", lambda r, it: it["rate"]),
    ("折扣金额", lambda r, it: ""),
    ("是否使用优惠政策", lambda r, it: "否"),
    ("优惠政策类型", lambda r, it: ""),
    ("即征即退类型", lambda r, it: ""),
]

RED_COLUMNS = [
    ("发票流水号", serial),
    ("原发票号码", lambda r: Text(r.original.invoice_number)),
    ("原开票日期", lambda r: r.original.issued_on),
    ("红冲原因", lambda r: RED_REASON_TEXT.get(r.red_reason, r.red_reason)),
    ("购买方名称", lambda r: r.title),
    ("购买方纳税人识别号", lambda r: Text(r.tax_number)),
    ("退货单号", lambda r: r.order_return.number if r.order_return_id else ""),
    ("金额", lambda r: r.net_amount),
    ("税额", lambda r: r.tax_amount),
    ("价税合计", lambda r: r.amount),
]


def sheets(requests) -> list:
    blue = [r for r in requests if not r.is_red]
    red = [r for r in requests if r.is_red]
    basic = [[get(r) for _h, get in BASIC_COLUMNS] for r in blue]
    items = [[get(r, it) for _h, get in ITEM_COLUMNS] for r in blue for it in invoice_items(r.order)]
    reds = [[get(r) for _h, get in RED_COLUMNS] for r in red]
    return [("1-发票基本信息", [h for h, _g in BASIC_COLUMNS], basic),
            ("2-发票明细信息", [h for h, _g in ITEM_COLUMNS], items),
            ("3-红字信息", [h for h, _g in RED_COLUMNS], reds)]


def batch_issue_response(requests, *, filename):
    return export_book_response(sheets(requests), filename=filename)
