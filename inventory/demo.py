"""Demo data for inventory: a realistic bilingual hardware catalogue, two warehouses with bins, suppliers,
twelve months of receipts and sales issues (so that forecasts have history), thresholds, purchase orders,
an open stocktake and computed purchase suggestions. Idempotent; bulk inserts at scale.

    manage.py seed_demo --only inventory --scale 300     # ~100,000 products and millions of movements
"""

import math
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hardware_erp.core.seeding import bulk_create_with_history, explicit_timestamps

from . import events
from .choices import BarcodeKind, EntryMethod, MovementKind
from .models import (
    Brand,
    Category,
    Location,
    Product,
    ProductUnit,
    StockLevel,
    StockMovement,
    StockThreshold,
    Supplier,
    SupplierContact,
    SupplierProduct,
    UnitOfMeasure,
    Warehouse,
)

D = Decimal
UNITS = [
    ("pcs", "个", "piece", False),
    ("box100", "盒(100个)", "box of 100", False),
    ("box50", "盒(50个)", "box of 50", False),
    ("carton", "箱", "carton", False),
    ("kg", "千克", "kg", True),
    ("m", "米", "metre", False),
    ("roll100", "卷(100米)", "roll of 100 m", False),
    ("set", "套", "set", False),
    ("pair", "副", "pair", False),
]
CATEGORIES = [  # code, parent, zh, en
    ("fasteners", None, "紧固件", "Fasteners"),
    ("bolts", "fasteners", "螺栓", "Bolts"),
    ("screws", "fasteners", "螺钉", "Screws"),
    ("nuts", "fasteners", "螺母", "Nuts"),
    ("washers", "fasteners", "垫圈", "Washers"),
    ("anchors", "fasteners", "锚栓", "Anchors"),
    ("tools", None, "工具", "Tools"),
    ("hand-tools", "tools", "手动工具", "Hand tools"),
    ("power-tools", "tools", "电动工具", "Power tools"),
    ("builders", None, "建筑五金", "Builders' hardware"),
    ("locks", "builders", "锁具", "Locks"),
    ("hinges", "builders", "合页", "Hinges"),
    ("plumbing", None, "水暖管件", "Plumbing"),
    ("ppr", "plumbing", "PPR管件", "PPR fittings"),
    ("pvc", "plumbing", "PVC管件", "PVC fittings"),
    ("valves", "plumbing", "阀门", "Valves"),
    ("electrical", None, "电工电料", "Electrical"),
    ("cables", "electrical", "电线电缆", "Cables"),
    ("switches", "electrical", "开关插座", "Switches and sockets"),
]
# list price over cost by top category: small fasteners carry the widest margin, branded power tools the narrowest
MARKUP = {"fasteners": D("1.45"), "tools": D("1.25"), "power-tools": D("1.18"), "builders": D("1.35"),
          "plumbing": D("1.35"), "electrical": D("1.28")}
BRANDS = [
    "晋亿 Jinyi",
    "东明 Dongming",
    "世达 SATA",
    "博世 Bosch",
    "东成 Dongcheng",
    "得力 Deli",
    "公牛 BULL",
    "正泰 CHINT",
    "联塑 LESSO",
    "伟星 VASEN",
    "王力 Wangli",
    "雅洁 Archie",
]
SUPPLIERS = [  # code, zh, en, lead days, categories, contact, telephone area code
    ("jinyi", "浙江晋亿实业股份有限公司", "Zhejiang Jinyi Industrial", 10, {"bolts", "nuts", "washers"}, "陈经理",
     "0573"),
    ("dongming", "宁波东明紧固件有限公司", "Ningbo Dongming Fasteners", 7, {"screws", "anchors", "bolts"}, "周小姐",
     "0574"),
    ("sata", "世达工具(上海)有限公司", "SATA Tools Shanghai", 5, {"hand-tools"}, "吴先生", "021"),
    ("bosch", "博世电动工具(中国)有限公司", "Bosch Power Tools China", 14, {"power-tools"}, "郑经理", "0571"),
    ("lesso", "广东联塑科技实业有限公司", "Guangdong LESSO", 9, {"ppr", "pvc", "valves"}, "林先生", "0757"),
    ("bull", "公牛集团股份有限公司", "BULL Group", 6, {"switches", "cables"}, "钱小姐", "0574"),
    ("archie", "广东雅洁五金有限公司", "Guangdong Archie Hardware", 12, {"locks", "hinges"}, "孙经理", "020"),
]
LATE_ENTRY_HOURS = [0, 0, 0, 1, 2, 30]  # how long after the event a movement is posted (30: the next day)
M_THREADS = [
    ("M6", D("1.0")),
    ("M8", D("1.25")),
    ("M10", D("1.5")),
    ("M12", D("1.75")),
    ("M14", D("2.0")),
    ("M16", D("2.0")),
]
# The lengths stocked per standard and thread, each inside the range the standard defines: GB/T 5782 (ISO 4014,
# partially threaded) starts longer than GB/T 5783 (ISO 4017, fully threaded): M10 from 45 mm against 20 mm.
STOCK_LENGTHS = {
    "GB/T 5782": {"M6": [40, 50, 60], "M8": [40, 50, 60, 80], "M10": [50, 60, 80, 100], "M12": [60, 80, 100, 120],
                  "M14": [60, 80, 100], "M16": [80, 100, 120, 150]},
    "GB/T 5783": {"M6": [16, 20, 25, 30, 40], "M8": [20, 25, 30, 40, 50], "M10": [25, 30, 40, 50],
                  "M12": [30, 40, 50, 60], "M14": [40, 50, 60], "M16": [40, 50, 60, 80]},
    "GB/T 70.1": {"M4": [10, 16, 20], "M5": [12, 16, 20], "M6": [16, 20, 30], "M8": [20, 30, 40], "M10": [25, 30, 40]},
    "GB/T 845": {"ST3.5": [13, 16, 25], "ST4.2": [16, 25, 32], "ST4.8": [19, 25, 38]},
}
# what a distributor pays per kg of finished fasteners, by material and property class (plain, before any finish),
# and what each finish adds per kg: higher classes, stainless steel and zinc coatings cost more
PRICE_PER_KG = {("碳钢", "4.8"): D("8.5"), ("碳钢", "8.8"): D("11.5"), ("合金钢", "10.9"): D("14.5"),
                ("合金钢", "12.9"): D("18"), ("不锈钢304", "A2-70"): D("40"), ("不锈钢316", "A4-70"): D("62"),
                ("碳钢", ""): D("9")}
FINISH_PER_KG = {"本色": D("0"), "发黑": D("0.5"), "镀锌": D("2.0"), "热镀锌": D("3.5"), "达克罗": D("5.0")}
FINISH_EN = {"本色": "plain", "发黑": "black oxide", "镀锌": "zinc plated", "热镀锌": "hot-dip galvanised",
             "达克罗": "Dacromet"}
FINISH_CODE = {"本色": "PL", "发黑": "BK", "镀锌": "ZN", "热镀锌": "HDG", "达克罗": "DAC"}
# GB/T 5782 hex bolts as stocked: property class, material, finish
BOLT_GRADES = [("4.8", "碳钢", "镀锌"), ("8.8", "碳钢", "发黑"), ("8.8", "碳钢", "镀锌"), ("10.9", "合金钢", "发黑")]


def fastener_cost(weight_g, material, grade, finish, handling="0.02") -> Decimal:
    """Cost per piece: its weight at the material's and finish's price per kg, plus handling and packing."""
    per_kg = PRICE_PER_KG[(material, grade)] + FINISH_PER_KG[finish]
    return (D(weight_g) / 1000 * per_kg + D(handling)).quantize(D("0.0001"))


def _bolt_weight(d, length):
    """grams of a steel hex bolt: the shank (7.85 g/cm³) and the head"""
    return D(str(round(0.0062 * d * d * length + 0.09 * d * d, 2)))


def _bolt(sku, zh, en, standard, brand, thread, length, material, grade, finish, twin=None):
    w = _bolt_weight(int(thread[1:]), length)
    return {"sku": sku, "name_zh": zh, "name_en": en, "cat": "bolts", "brand": brand, "thread": thread,
            "length": length, "material": material, "finish": finish, "grade": grade, "standard": standard,
            "unit": "pcs", "box": "box100", "cost": fastener_cost(w, material, grade, finish), "weight": w,
            "pack": 100, "twin": twin}


def _catalogue(variant: str = ""):
    """Yield product dicts (sku, names, category code, brand, spec fields, unit, cost, price, pack, weight)."""
    sfx = f"-{variant}" if variant else ""
    for thread, _pitch in M_THREADS:
        d = int(thread[1:])
        for length in STOCK_LENGTHS["GB/T 5782"][thread]:
            for grade, material, finish in BOLT_GRADES:
                yield _bolt(f"GB5782-{thread}X{length}-{grade}-{FINISH_CODE[finish]}{sfx}",
                            f"六角头螺栓 {thread}×{length} {grade}级 {finish}",
                            f"Hex head bolt {thread}×{length} class {grade}, {FINISH_EN[finish]}",
                            "GB/T 5782", "晋亿 Jinyi", thread, length, material, grade, finish)
        for length in STOCK_LENGTHS["GB/T 5783"][thread]:
            gb = f"GB5783-{thread}X{length}-8.8-ZN{sfx}"
            yield _bolt(gb, f"全牙六角头螺栓 {thread}×{length} 8.8级 镀锌",
                        f"Hex head screw, full thread {thread}×{length} class 8.8, zinc plated",
                        "GB/T 5783", "东明 Dongming", thread, length, "碳钢", "8.8", "镀锌")
            # DIN 933 has the same dimensions as GB/T 5783: the stainless ones are stocked to the same lengths
            yield _bolt(f"DIN933-{thread}X{length}-A2{sfx}", f"外六角螺栓 DIN933 {thread}×{length} 不锈钢304",
                        f"Hex head screw DIN 933 {thread}×{length} stainless A2-70 (304)",
                        "DIN 933", "晋亿 Jinyi", thread, length, "不锈钢304", "A2-70", "本色", twin=gb)
            if d <= 12 and length <= 50:
                yield _bolt(f"DIN933-{thread}X{length}-A4{sfx}", f"外六角螺栓 DIN933 {thread}×{length} 不锈钢316",
                            f"Hex head screw DIN 933 {thread}×{length} stainless A4-70 (316)",
                            "DIN 933", "晋亿 Jinyi", thread, length, "不锈钢316", "A4-70", "本色")
        nut_w = D(str(round(0.0095 * d ** 3, 2)))
        yield {
            "sku": f"GB6170-{thread}{sfx}",
            "name_zh": f"六角螺母 {thread} 8级 镀锌",
            "name_en": f"Hex nut {thread} class 8, zinc plated",
            "cat": "nuts",
            "brand": "晋亿 Jinyi",
            "thread": thread,
            "length": None,
            "material": "碳钢",
            "finish": "镀锌",
            "grade": "8",
            "standard": "GB/T 6170",
            "unit": "pcs",
            "box": "box100",
            "cost": fastener_cost(nut_w, "碳钢", "", "镀锌"),
            "weight": nut_w,
            "pack": 100,
            "twin": None,
        }
        yield {
            "sku": f"GB889-{thread}{sfx}",
            "name_zh": f"尼龙锁紧螺母 {thread} 8级 镀锌",
            "name_en": f"Nylon insert lock nut {thread} class 8, zinc plated",
            "cat": "nuts",
            "brand": "东明 Dongming",
            "thread": thread,
            "length": None,
            "material": "碳钢",
            "finish": "镀锌",
            "grade": "8",
            "standard": "GB/T 889.1",
            "unit": "pcs",
            "box": "box100",
            "cost": fastener_cost(nut_w, "碳钢", "", "镀锌", handling="0.05"),
            "weight": nut_w,
            "pack": 100,
            "twin": None,
        }
        for std, zh, en in (("GB/T 97.1", "平垫圈", "Flat washer"), ("GB/T 93", "弹簧垫圈", "Spring washer")):
            yield {
                "sku": f"{std.replace('/T ', '').replace('.', '')}-{thread}{sfx}",
                "name_zh": f"{zh} {d} 镀锌",
                "name_en": f"{en} {d}, zinc plated",
                "cat": "washers",
                "brand": "晋亿 Jinyi",
                "thread": thread,
                "length": None,
                "material": "碳钢",
                "finish": "镀锌",
                "grade": "",
                "standard": std,
                "unit": "pcs",
                "box": "box100",
                "cost": fastener_cost(D(str(round(0.04 * d * d, 2))), "碳钢", "", "镀锌", handling="0.005"),
                "weight": D(str(round(0.04 * d * d, 2))),
                "pack": 500,
                "twin": None,
            }
    for st, lengths in STOCK_LENGTHS["GB/T 845"].items():
        d = float(st[2:])
        for length in lengths:
            w = D(str(round(0.0045 * d * d * length + 0.05 * d * d, 2)))
            yield {
                "sku": f"GB845-{st}X{length}{sfx}",
                "name_zh": f"十字盘头自攻螺钉 {st}×{length} 镀锌",
                "name_en": f"Cross recessed pan head tapping screw {st}×{length}, zinc plated",
                "cat": "screws",
                "brand": "东明 Dongming",
                "thread": st,
                "length": length,
                "material": "碳钢",
                "finish": "镀锌",
                "grade": "",
                "standard": "GB/T 845",
                "unit": "pcs",
                "box": "box100",
                "cost": fastener_cost(w, "碳钢", "", "镀锌", handling="0.01"),
                "weight": w,
                "pack": 1000,
                "twin": None,
            }
    for thread, lengths in STOCK_LENGTHS["GB/T 70.1"].items():
        d = int(thread[1:])
        for length in lengths:
            w = D(str(round(0.0062 * d * d * length + 0.11 * d * d, 2)))
            yield {
                "sku": f"GB70-{thread}X{length}-12.9{sfx}",
                "name_zh": f"内六角圆柱头螺钉 {thread}×{length} 12.9级 发黑",
                "name_en": f"Socket head cap screw {thread}×{length} class 12.9, black oxide",
                "cat": "screws",
                "brand": "晋亿 Jinyi",
                "thread": thread,
                "length": length,
                "material": "合金钢",
                "finish": "发黑",
                "grade": "12.9",
                "standard": "GB/T 70.1",
                "unit": "pcs",
                "box": "box100",
                "cost": fastener_cost(w, "合金钢", "12.9", "发黑", handling="0.04"),
                "weight": w,
                "pack": 100,
                "twin": None,
            }
    for thread, length in (("M6", 60), ("M8", 80), ("M10", 100), ("M12", 120), ("M16", 150)):
        d = int(thread[1:])
        w = D(str(round(0.0062 * d * d * length * 1.4, 1)))  # bolt, sleeve, nut and washer
        yield {
            "sku": f"ANC-{thread}X{length}{sfx}",
            "name_zh": f"膨胀螺栓 {thread}×{length} 镀锌",
            "name_en": f"Sleeve anchor {thread}×{length}, zinc plated",
            "cat": "anchors",
            "brand": "东明 Dongming",
            "thread": thread,
            "length": length,
            "material": "碳钢",
            "finish": "镀锌",
            "grade": "",
            "standard": "",
            "unit": "pcs",
            "box": "box50",
            "cost": fastener_cost(w, "碳钢", "", "镀锌", handling="0.10"),
            "weight": w,
            "pack": 50,
            "twin": None,
        }
    tools = [
        ("WR-ADJ-8", "活动扳手 8寸", 'Adjustable wrench 8"', "hand-tools", "世达 SATA", D("28"), "pcs"),
        ("WR-ADJ-10", "活动扳手 10寸", 'Adjustable wrench 10"', "hand-tools", "世达 SATA", D("35"), "pcs"),
        ("WR-ADJ-12", "活动扳手 12寸", 'Adjustable wrench 12"', "hand-tools", "世达 SATA", D("46"), "pcs"),
        ("PL-COMB-8", "钢丝钳 8寸", 'Combination pliers 8"', "hand-tools", "世达 SATA", D("32"), "pcs"),
        ("SD-SET-12", "螺丝刀套装 12件", "Screwdriver set 12 pcs", "hand-tools", "得力 Deli", D("45"), "set"),
        ("TM-3M", "钢卷尺 3米", "Tape measure 3 m", "hand-tools", "得力 Deli", D("9.5"), "pcs"),
        ("TM-5M", "钢卷尺 5米", "Tape measure 5 m", "hand-tools", "得力 Deli", D("14"), "pcs"),
        ("HM-CLAW-16", "羊角锤 16oz", "Claw hammer 16 oz", "hand-tools", "世达 SATA", D("38"), "pcs"),
        ("HEX-KEY-9", "内六角扳手套装 9件", "Hex key set 9 pcs", "hand-tools", "世达 SATA", D("26"), "set"),
        ("GSB550", "冲击钻 GSB 550", "Impact drill GSB 550", "power-tools", "博世 Bosch", D("259"), "pcs"),
        ("GWS700", "角磨机 GWS 700", "Angle grinder GWS 700", "power-tools", "博世 Bosch", D("219"), "pcs"),
        ("GBH2-26", "电锤 GBH 2-26", "Rotary hammer GBH 2-26", "power-tools", "博世 Bosch", D("689"), "pcs"),
        ("GSR120", "锂电钻 GSR 120-LI", "Cordless drill GSR 120-LI", "power-tools", "博世 Bosch", D("399"), "pcs"),
        ("DCJZ-10", "手电钻 J1Z-FF-10A", "Electric drill J1Z-FF-10A", "power-tools", "东成 Dongcheng", D("129"), "pcs"),
        ("LK-LEVER-SS", "不锈钢执手锁", "Stainless lever lock", "locks", "王力 Wangli", D("85"), "set"),
        ("LK-BALL-587", "球形门锁 587", "Knob lock 587", "locks", "王力 Wangli", D("42"), "set"),
        ("PL-40", "挂锁 40mm", "Padlock 40 mm", "locks", "王力 Wangli", D("16"), "pcs"),
        ("PL-50", "挂锁 50mm", "Padlock 50 mm", "locks", "王力 Wangli", D("22"), "pcs"),
        ("HG-SS-4", "不锈钢合页 4寸", 'Stainless hinge 4"', "hinges", "雅洁 Archie", D("6.5"), "pair"),
        ("HG-SS-5", "不锈钢合页 5寸", 'Stainless hinge 5"', "hinges", "雅洁 Archie", D("9"), "pair"),
        ("HG-HYD-35", "液压缓冲铰链 35mm", "Soft-close hinge 35 mm", "hinges", "雅洁 Archie", D("7.8"), "pcs"),
    ]
    for sku, zh, en, cat, brand, cost, unit in tools:
        yield {
            "sku": sku + sfx,
            "name_zh": zh,
            "name_en": en,
            "cat": cat,
            "brand": brand,
            "thread": "",
            "length": None,
            "material": "",
            "finish": "",
            "grade": "",
            "standard": "",
            "unit": unit,
            "box": None,
            "cost": cost,
            "weight": None,
            "pack": 1 if cost > 100 else 10,
            "twin": None,
        }
    for dn in (20, 25, 32):
        for zh, en, c in (("弯头", "elbow", D("0.9")), ("三通", "tee", D("1.2")), ("直接", "coupling", D("0.6"))):
            yield {
                "sku": f"PPR-{en[:3].upper()}-{dn}{sfx}",
                "name_zh": f"PPR {zh} dn{dn}",
                "name_en": f"PPR {en} dn{dn}",
                "cat": "ppr",
                "brand": "伟星 VASEN",
                "thread": "",
                "length": None,
                "material": "PPR",
                "finish": "",
                "grade": "",
                "standard": "GB/T 18742",
                "unit": "pcs",
                "box": None,
                "cost": c * dn / 20,
                "weight": None,
                "pack": 50,
                "twin": None,
            }
    for dn in (50, 75, 110):
        yield {
            "sku": f"PVC-ELB-{dn}{sfx}",
            "name_zh": f"PVC排水弯头 {dn}",
            "name_en": f"PVC drain elbow {dn}",
            "cat": "pvc",
            "brand": "联塑 LESSO",
            "thread": "",
            "length": None,
            "material": "PVC-U",
            "finish": "",
            "grade": "",
            "standard": "GB/T 5836",
            "unit": "pcs",
            "box": None,
            "cost": D("0.04") * dn,
            "weight": None,
            "pack": 20,
            "twin": None,
        }
    for dn in (15, 20, 25):
        yield {
            "sku": f"BV-DN{dn}{sfx}",
            "name_zh": f"黄铜球阀 DN{dn}",
            "name_en": f"Brass ball valve DN{dn}",
            "cat": "valves",
            "brand": "伟星 VASEN",
            "thread": "",
            "length": None,
            "material": "黄铜",
            "finish": "镀镍",
            "grade": "",
            "standard": "",
            "unit": "pcs",
            "box": None,
            "cost": D("1.1") * dn,
            "weight": None,
            "pack": 10,
            "twin": None,
        }
    for mm2 in ("1.5", "2.5", "4"):
        yield {
            "sku": f"BV{mm2}{sfx}",
            "name_zh": f"BV单芯铜线 {mm2}平方",
            "name_en": f"BV copper wire {mm2} mm²",
            "cat": "cables",
            "brand": "正泰 CHINT",
            "thread": "",
            "length": None,
            "material": "铜",
            "finish": "",
            "grade": "",
            "standard": "GB/T 5023",
            "unit": "m",
            "box": "roll100",
            "cost": D(mm2) * D("0.9"),
            "weight": None,
            "pack": 100,
            "twin": None,
        }
    for sku, zh, en, c in (
        ("SW-1G1W", "一开单控开关", "1-gang 1-way switch", D("6.5")),
        ("SK-5H", "五孔插座", "5-hole socket", D("7.8")),
        ("SK-16A", "16A空调插座", "16 A air-conditioner socket", D("11")),
    ):
        for brand in ("公牛 BULL", "正泰 CHINT"):
            code = brand.split()[1][:4].upper()
            yield {
                "sku": f"{sku}-{code}{sfx}",
                "name_zh": f"{brand.split()[0]} {zh}",
                "name_en": f"{brand.split()[1]} {en}",
                "cat": "switches",
                "brand": brand,
                "thread": "",
                "length": None,
                "material": "",
                "finish": "白色",
                "grade": "",
                "standard": "GB/T 16915",
                "unit": "pcs",
                "box": None,
                "cost": c,
                "weight": None,
                "pack": 10,
                "twin": None,
            }


def _markup(cat):
    parent = {code: parent for code, parent, _zh, _en in CATEGORIES}
    while cat not in MARKUP:
        cat = parent[cat]
    return MARKUP[cat]


# the VAT invoice classification by top category (商品和服务税收分类编码 and short name): demo values in the right
# format whose codes could not be verified against the table (docs/orders.md, "Tax classification codes"); a real
# company takes each code from the tax bureau's classification table
TAX_CLASS = {"fasteners": ("1080413990000000000", "*金属制品*"), "tools": ("1090108990000000000", "*手工具*"),
             "power-tools": ("1090111010000000000", "*电动工具*"), "builders": ("1080413990000000000", "*金属制品*"),
             "plumbing": ("1070213990000000000", "*塑料制品*"), "electrical": ("1090416990000000000", "*电线电缆*")}


def _tax_class(cat):
    parent = {code: parent for code, parent, _zh, _en in CATEGORIES}
    while cat not in TAX_CLASS:
        cat = parent[cat]
    return TAX_CLASS[cat]


def _ean13(n: int) -> str:
    body = f"690{n:09d}"
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    return body + str((10 - s % 10) % 10)


def seed(ctx):
    if Warehouse.objects.filter(code="SH").exists():
        ctx.log("inventory: demo data already present")
        return
    with transaction.atomic():
        _seed(ctx)


def _seed(ctx):
    rng, scale = ctx.rng, ctx.scale
    clerk, purchaser = ctx.user("warehouse_clerk"), ctx.user("purchaser")
    units = {}
    for code, zh, en, weight in UNITS:
        units[code], _ = UnitOfMeasure.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "is_weight": weight}
        )
    cats = {}
    for code, parent, zh, en in CATEGORIES:
        cats[code], _ = Category.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "parent": cats.get(parent)}
        )
    brands = {b: Brand.objects.get_or_create(name=b)[0] for b in BRANDS}
    warehouses = [
        Warehouse.objects.create(
            code="SH",
            name_zh="上海总仓",
            name_en="Shanghai main warehouse",
            address="上海市嘉定区安亭镇墨玉南路 888 号",
        ),
        Warehouse.objects.create(
            code="SZ", name_zh="深圳仓", name_en="Shenzhen warehouse", address="深圳市宝安区西乡街道固戍二路 66 号"
        ),
    ]
    locations = {}
    for wh in warehouses:
        aisles = "ABCD" if wh.code == "SH" else "AB"
        Location.objects.bulk_create(
            [
                Location(warehouse=wh, code=f"{a}-{r:02d}-{s:02d}")
                for a in aisles
                for r in range(1, 6)
                for s in range(1, 5)
            ]
        )
        locations[wh.code] = list(Location.objects.filter(warehouse=wh).order_by("code"))
    # twelve months of history (below) begin with the opening stock of a catalogue set up before it
    now = timezone.now()
    today = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(today - timedelta(days=365), time(8, 0)))
    # products
    rows = []
    variants = [""] + [f"V{i}" for i in range(2, scale + 1)]
    for variant in variants:
        rows.extend(_catalogue(variant))
    products, twins = [], []
    for i, r in enumerate(rows, 1):
        ean = r["cat"] in {"power-tools", "hand-tools", "locks", "switches"} and not r["sku"].count("-V")
        cost = D(r["cost"]).quantize(D("0.0001"))
        products.append(
            Product(
                sku=r["sku"],
                name_zh=r["name_zh"],
                name_en=r["name_en"],
                category=cats[r["cat"]],
                brand=brands[r["brand"]],
                thread=r["thread"],
                length_mm=r["length"],
                material=r["material"],
                finish=r["finish"],
                strength_grade=r["grade"],
                standard=r["standard"],
                barcode=_ean13(i) if ean else f"HW{i:08d}",
                barcode_kind=BarcodeKind.EAN13 if ean else BarcodeKind.CODE128,
                base_unit=units[r["unit"]],
                unit_weight_g=r["weight"],
                standard_cost=cost,
                average_cost=cost,
                list_price=(cost * _markup(r["cat"])).quantize(D("0.0001")),
                tax_category_code=_tax_class(r["cat"])[0],
                tax_short_name=_tax_class(r["cat"])[1],
                created_at=start - timedelta(days=30),
            )
        )
        if r["twin"]:
            twins.append((r["sku"], r["twin"]))
    with explicit_timestamps(Product):
        bulk_create_with_history(products, batch_size=2000)
    by_sku = {p.sku: p for p in Product.objects.all().only("pk", "sku", "standard_cost", "category_id")}
    Product.equivalents.through.objects.bulk_create(
        [Product.equivalents.through(from_product_id=by_sku[a].pk, to_product_id=by_sku[b].pk) for a, b in twins]
        + [Product.equivalents.through(from_product_id=by_sku[b].pk, to_product_id=by_sku[a].pk) for a, b in twins],
        ignore_conflicts=True,
    )
    factors = {"box100": D(100), "box50": D(50), "roll100": D(100)}
    ProductUnit.objects.bulk_create(
        [
            ProductUnit(product=by_sku[r["sku"]], unit=units[r["box"]], factor=factors[r["box"]])
            for r in rows
            if r["box"]
        ],
        batch_size=2000,
    )
    # suppliers with their products
    suppliers = {}
    for code, zh, en, lead, cat_codes, contact, area in SUPPLIERS:
        s = Supplier.objects.create(
            code=code,
            name_zh=zh,
            name_en=en,
            default_lead_time_days=lead,
            phone=f"{area}-{rng.randint(2000000, 8999999) if area == '0573' else rng.randint(20000000, 89999999)}",
            email=f"sales@{code}.example.cn",
            address="",
        )
        SupplierContact.objects.create(
            supplier=s, name=contact, role="销售", phone=f"13{rng.randint(100000000, 999999999)}"
        )
        suppliers[code] = (s, cat_codes, lead)
    sps = []
    for r in rows:
        p = by_sku[r["sku"]]
        for s, cat_codes, lead in suppliers.values():
            if r["cat"] in cat_codes:
                sps.append(
                    SupplierProduct(
                        supplier=s,
                        product=p,
                        price=(p.standard_cost * D("0.97")).quantize(D("0.0001")),
                        lead_time_days=lead + rng.randint(-2, 3),
                        pack_size=D(r["pack"]),
                        moq=D(r["pack"]) * rng.choice([1, 1, 2, 5]),
                        preferred=not any(x.product_id == p.pk and x.preferred for x in sps[-3:]),
                    )
                )
    SupplierProduct.objects.bulk_create(sps, batch_size=2000)
    # twelve months of history up to yesterday: opening receipt, sales issues in working hours (08:00-18:00
    # local time), replenishment receipts; each posted when it happened or late, but never after now
    movements, levels, thresholds = [], {}, []
    for r in rows:
        p = by_sku[r["sku"]]
        wh = warehouses[0] if rng.random() < 0.8 else warehouses[1]
        loc = rng.choice(locations[wh.code])
        # pieces a day: fasteners go by the tens and hundreds, tools and fittings by the piece
        lot = 10 if r["pack"] >= 100 else 1
        rate = rng.choice([0.3, 1, 2, 5, 12, 30]) * (r["pack"] / 10 if r["pack"] >= 100 else 1)
        rate = max(rate, 0.2)
        lead = 10
        rop = math.ceil(rate * lead * 1.4)
        batch = max(r["pack"], math.ceil(rate * 45 / r["pack"]) * r["pack"])
        stock = D(batch + rop)
        movements.append(
            StockMovement(
                kind=MovementKind.RECEIPT,
                product=p,
                to_location=loc,
                quantity=stock,
                unit_cost=p.standard_cost,
                reference="OPENING",
                actor=clerk,
                occurred_at=start,
                posted_at=start,
                reason_code=events.OPENING,
            )
        )
        arriving = None
        last_posted = start
        for day in range(1, 365):
            at = start + timedelta(days=day, hours=rng.randint(0, 9), minutes=rng.randint(0, 59))
            if arriving is not None and day >= arriving[0]:
                stock += arriving[1]
                movements.append(
                    StockMovement(
                        kind=MovementKind.RECEIPT,
                        product=p,
                        to_location=loc,
                        quantity=arriving[1],
                        unit_cost=p.standard_cost,
                        actor=clerk,
                        reference=f"PO-H{day:03d}",
                        occurred_at=at,
                        posted_at=at,
                    )
                )
                last_posted = max(last_posted, at)
                arriving = None
            if timezone.localtime(at).weekday() == 6 or rng.random() > 0.7:
                continue
            want = D(lot * max(0, round(rng.expovariate(1 / (rate / 0.7)) / lot)))
            take = min(want, stock)
            if take > 0:
                stock -= take
                lag = rng.choice([h for h in LATE_ENTRY_HOURS if at + timedelta(hours=h) <= now])
                posted = at + timedelta(hours=lag)
                last_posted = max(last_posted, posted)
                movements.append(
                    StockMovement(
                        kind=MovementKind.ISSUE,
                        product=p,
                        from_location=loc,
                        quantity=take,
                        unit_cost=p.standard_cost,
                        actor=clerk,
                        occurred_at=at,
                        posted_at=posted,
                        reference=f"SO-H{rng.randint(10000, 99999)}",
                        entry_method=EntryMethod.SCAN if rng.random() < 0.7 else EntryMethod.TYPED,
                    )
                )
            if arriving is None and stock <= rop and day < 350 - lead:
                arriving = (day + lead, D(batch))
        levels[(p.pk, loc.pk)] = StockLevel(
            product=p, location=loc, warehouse=wh, on_hand=stock, last_movement_at=last_posted
        )
        thresholds.append(StockThreshold(product=p, warehouse=wh, minimum=D(max(1, rop // 2)), maximum=D(rop + batch)))
        if len(movements) > 20000:
            StockMovement.objects.bulk_create(movements, batch_size=5000)
            movements = []
    StockMovement.objects.bulk_create(movements, batch_size=5000)
    StockLevel.objects.bulk_create(levels.values(), batch_size=5000)
    StockThreshold.objects.bulk_create(thresholds, batch_size=5000)
    ctx.extra["inventory"] = {
        "warehouse_ids": [w.pk for w in warehouses],
        "product_ids": [p.pk for p in by_sku.values()][:500],
    }
    ctx.log(
        f"inventory: {len(by_sku)} products, {StockMovement.objects.count()} movements, "
        f"{sum(len(v) for v in locations.values())} bins, {len(suppliers)} suppliers"
    )
    _documents(ctx, warehouses, locations, purchaser)


def _documents(ctx, warehouses, locations, purchaser):
    """Open purchase orders in each state, an open stocktake, alerts and suggestions."""
    from . import purchasing, stocktakes
    from .alerts import check_thresholds
    from .forecast import compute_suggestions

    gm = ctx.user("general_manager")
    clerk = ctx.user("warehouse_clerk")
    check_thresholds()
    compute_suggestions()
    sps = list(SupplierProduct.objects.filter(preferred=True, supplier__code="sata").select_related("product")[:4])
    if sps:
        po = purchasing.create_purchase_order(
            supplier=sps[0].supplier,
            warehouse=warehouses[0],
            actor=purchaser,
            lines=[(sp.product, sp.pack_size * 2, None) for sp in sps],
            expected_at=timezone.localdate() + timedelta(days=5),
        )
        purchasing.transition(po, "approved", actor=gm)
        purchasing.transition(po, "sent", actor=purchaser)
        line = po.lines.first()
        purchasing.receive_purchase_order(
            order=po, receipts=[(line, line.quantity / 2, locations["SH"][0])], actor=clerk, key="demo-po-1"
        )
    whmgr = (ctx.users.get("warehouse_manager") or [gm])[0]  # the warehouse manager runs the counts
    st = stocktakes.open_stocktake(warehouse=warehouses[1], actor=whmgr, locations=locations["SZ"][:4])
    for ln in st.lines.select_related("product", "location")[:5]:
        stocktakes.record_count(
            stocktake=st,
            location=ln.location,
            actor=clerk,
            product=ln.product,
            quantity=ln.expected,
            method=EntryMethod.TYPED,
            replace=True,
        )
