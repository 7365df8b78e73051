"""The VAT invoice queue in the layout of the tax bureau's batch-issue workbook (电子发票服务平台 → 批量开具 →
导入开票模板, 数电票): the one place that knows that layout.

The layout was compared column by column with independent public implementations of the official template
(docs/orders.md, "Batch issue"): each sheet has a line of notes (row 1), the limits of each column (row 2) and the
headers (row 3); data starts on row 4. Sheets: "1-发票基本信息" (one row per invoice, keyed by 发票流水号, at most
20 characters), "2-发票明细信息" (one row per item, same 发票流水号), "3-特定业务信息" and "4-附加要素信息" (not used
by a hardware distributor, headers only) and "excelVersion" (the template version the platform checks). The
red-letter requests (returns of invoiced orders, raised as 红字确认单 on the platform, not imported) follow in a
last sheet that the import ignores. 发票类型 is written as the template lists it (增值税专用发票 / 普通发票); the item
name is the product's name only: the platform puts the short name of the tax code (*金属制品*) in front itself.
Every cell is text, as the template's notes ask (codes, IDs and account numbers keep every digit). Each column is
a (header, value) pair in template order, so a change of the template is a change of these lists only. Before the
first batch, compare the headers with the template the platform offers for download (its version is on the
excelVersion sheet).
"""

from hardware_erp.core.exports import Text, export_book_response

from .choices import InvoiceType, RedLetterReason
from .invoicing import invoice_items

INVOICE_TYPE_TEXT = {InvoiceType.SPECIAL: "增值税专用发票", InvoiceType.NORMAL: "普通发票"}  # the template's words
RED_REASON_TEXT = {RedLetterReason.RETURN: "销货退回", RedLetterReason.ERROR: "开票有误",
                   RedLetterReason.ALLOWANCE: "销售折让"}


def serial(req) -> str:
    """发票流水号 (at most 20 characters): ties the invoice row to its items and, on the way back, the issued
    invoice to the request: the order number and the request's id, or the id alone when that is longer."""
    text = f"{req.order.number}-{req.pk}"
    return text if len(text) <= 20 else f"FP{req.pk}"


TEMPLATE_VERSION = "pt:20260401"

BASIC_NOTE = "填表说明：每个发票流水号对应一张发票；明细见“2-发票明细信息”（同一发票流水号）。"
ITEM_NOTE = "填表说明：系统根据发票流水号将明细和发票基本信息关联。"
REGION = "购买方所在地区（报废产品收购必填）"  # four columns under one merged heading in the template


def _blank(*_args) -> str:
    return ""


def _text(value, *, trim=False) -> Text:
    """A number as the template wants it: text without exponent; `trim` drops trailing zeros (400.000 → 400,
    0.1300 → 0.13), for quantities and rates; prices keep their 4 places, amounts their 2."""
    text = format(value, "f")
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return Text(text)


def _shown(r) -> str:
    """是否展示购买方地址电话银行账号: what the buyer gave is printed (a special invoice always has all four)."""
    contact, bank = bool(r.buyer_address or r.buyer_phone), bool(r.buyer_bank or r.buyer_account)
    if contact and bank:
        return "展示地址、电话、开户银行及银行账号"
    return "展示地址、电话" if contact else ("展示开户银行、银行账号" if bank else "")


BASIC_COLUMNS = [
    ("发票流水号", "必填 (限20字符)", serial),
    ("发票类型", "必填 (限10字符)", lambda r: INVOICE_TYPE_TEXT[r.invoice_type]),
    ("特定业务类型", "", _blank),
    ("是否含税", "必填(是/否) (限2字符)", lambda r: "是" if r.order.prices_include_tax else "否"),
    ("受票方自然人标识", "非必填(是/否) (限2字符)", lambda r: "否"),
    ("购买方名称", "必填 (限100字符)", lambda r: r.title),
    ("购买方纳税人识别号", "专票必填 (限20字符)", lambda r: Text(r.tax_number)),
    ("购买方证件类型", "", _blank),
    ("购买方证件号码", "", _blank),
    ("购买方国籍（或地区）", "", _blank),
    ("购买方地址", "", lambda r: r.buyer_address),
    (REGION, "", _blank), (REGION, "", _blank), (REGION, "", _blank), (REGION, "", _blank),
    ("购买方详细地址（报废产品收购必填）", "", _blank),
    ("购买方电话", "", lambda r: Text(r.buyer_phone)),
    ("购买方开户银行", "", lambda r: r.buyer_bank),
    ("购买方银行账号", "", lambda r: Text(r.buyer_account)),
    ("是否展示购买方地址电话银行账号", "", _shown),
    ("是否开具涉税专业服务发票品目", "", _blank),
    ("涉税专业服务协议编号", "", _blank),
    ("备注", "非必填 (限230字符)", lambda r: r.remarks or f"{r.order.number}"),
    ("报废产品销售类型", "", _blank),
    ("每千克煤炭发热量", "", _blank),
    ("干基全硫", "", _blank),
    ("干燥无灰基挥发分", "", _blank),
    ("销售方开户行", "", _blank),
    ("销售方银行账号", "", _blank),
    ("是否展示销售方地址电话银行账号", "", _blank),
    ("购买方邮箱", "非必填 (限72字符)", lambda r: r.deliver_email),
    ("购买方经办人姓名", "", _blank),
    ("购买方经办人证件类型", "", _blank),
    ("购买方经办人证件号码", "", _blank),
    ("经办人国籍(地区)", "", _blank),
    ("经办人自然人纳税人识别号", "", _blank),
    ("放弃享受减按1%征收率原因", "", _blank),
    ("收款人", "", _blank),
    ("复核人", "", _blank),
]

ITEM_COLUMNS = [
    ("发票流水号", "必填 (限20字符)", lambda r, it: serial(r)),
    ("项目名称", "必填 (限100字符)", lambda r, it: it["product"].name_zh or it["product"].name),
    ("商品和服务税收编码", "必填 (限19字符)", lambda r, it: Text(it["product"].tax_category_code)),
    ("规格型号", "", lambda r, it: it["product"].spec_line[:40]),
    ("单位", "", lambda r, it: it["unit"]),
    ("数量", "", lambda r, it: _text(it["quantity"], trim=True)),
    ("单价", "", lambda r, it: _text(it["unit_price"])),
    ("金额", "必填 (限16字符) 保留两位小数", lambda r, it: _text(it["amount"])),
    ("税率", "必填 (限8字符)", lambda r, it: _text(it["rate"], trim=True)),
    ("折扣金额", "", _blank),
    ("是否使用优惠政策", "", lambda r, it: "否"),
    ("优惠政策类型", "", _blank),
    ("即征即退类型", "", _blank),
    ("煤炭种类", "", _blank),
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

RED_SHEET = "红字信息（不导入）"


def _template_sheet(title, note, columns, rows):
    """A sheet as the template has it: the note (row 1), each column's limits (row 2), the headers (row 3)."""
    width = len(columns)
    return (title, [note] + [""] * (width - 1),
            [[hint for _h, hint, _g in columns], [h for h, _hint, _g in columns], *rows])


def sheets(requests) -> list:
    blue = [r for r in requests if not r.is_red]
    red = [r for r in requests if r.is_red]
    basic = [[get(r) for _h, _hint, get in BASIC_COLUMNS] for r in blue]
    items = [[get(r, it) for _h, _hint, get in ITEM_COLUMNS] for r in blue for it in invoice_items(r.order)]
    reds = [[get(r) for _h, get in RED_COLUMNS] for r in red]
    return [_template_sheet("1-发票基本信息", BASIC_NOTE, BASIC_COLUMNS, basic),
            _template_sheet("2-发票明细信息", ITEM_NOTE, ITEM_COLUMNS, items),
            ("3-特定业务信息", ["特定业务信息：本业务无需填写。"], [[""], ["发票流水号"]]),
            ("4-附加要素信息", ["附加要素信息：本业务无需填写。", "", ""],
             [["", "", ""], ["发票流水号", "附加要素名称", "附加要素内容"]]),
            ("excelVersion", [""], [[""], [""], [TEMPLATE_VERSION]]),
            (RED_SHEET, [h for h, _g in RED_COLUMNS], reds)]


def batch_issue_response(requests, *, filename):
    return export_book_response(sheets(requests), filename=filename)
