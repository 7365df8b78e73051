"""CRM demo data: Chinese hardware customers with valid credit codes and mobiles, contacts, contact
history, opportunities and follow-up tasks spread over the last year.

Scale 1 makes 150 customers; scale N > 1 makes 1,000 × N (scale 100: 100,000), bulk inserted.
Idempotent: only the customers missing up to the target are added.
"""

from datetime import timedelta
from decimal import Decimal
from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from hardware_erp.core.seeding import bulk_create_with_history, explicit_timestamps

from .choices import STAGE_PROBABILITY
from .models import Contact, ContactRecord, Customer, DeliveryAddress, FollowUpTask, Opportunity
from .models.customers import mobile_index
from .pinyin import pinyin_full, pinyin_initials
from .validators import USCC_CHARSET, make_credit_code

# province, city, district names, division code of the city
REGIONS = [
    ("浙江省", "杭州市", ["西湖区", "拱墅区", "滨江区", "萧山区", "余杭区"], "330100"),
    ("浙江省", "宁波市", ["海曙区", "鄞州区", "北仑区"], "330200"),
    ("浙江省", "温州市", ["鹿城区", "瓯海区", "乐清市"], "330300"),
    ("浙江省", "金华市", ["婺城区", "义乌市", "永康市"], "330700"),
    ("江苏省", "南京市", ["玄武区", "秦淮区", "江宁区"], "320100"),
    ("江苏省", "苏州市", ["姑苏区", "吴中区", "昆山市"], "320500"),
    ("江苏省", "无锡市", ["梁溪区", "滨湖区", "江阴市"], "320200"),
    ("上海市", "上海市", ["浦东新区", "闵行区", "嘉定区", "松江区"], "310100"),
    ("广东省", "广州市", ["天河区", "白云区", "番禺区"], "440100"),
    ("广东省", "深圳市", ["宝安区", "龙岗区", "南山区"], "440300"),
    ("广东省", "佛山市", ["南海区", "顺德区", "禅城区"], "440600"),
    ("广东省", "东莞市", ["长安镇", "虎门镇", "塘厦镇"], "441900"),
    ("山东省", "济南市", ["历下区", "槐荫区", "章丘区"], "370100"),
    ("山东省", "青岛市", ["市南区", "黄岛区", "城阳区"], "370200"),
    ("河北省", "石家庄市", ["长安区", "裕华区"], "130100"),
    ("河南省", "郑州市", ["金水区", "二七区", "管城回族区"], "410100"),
    ("湖北省", "武汉市", ["江岸区", "洪山区", "汉阳区"], "420100"),
    ("湖南省", "长沙市", ["岳麓区", "雨花区", "开福区"], "430100"),
    ("四川省", "成都市", ["武侯区", "成华区", "郫都区"], "510100"),
    ("重庆市", "重庆市", ["渝中区", "江北区", "九龙坡区"], "500100"),
    ("福建省", "福州市", ["鼓楼区", "仓山区"], "350100"),
    ("福建省", "厦门市", ["思明区", "湖里区"], "350200"),
    ("安徽省", "合肥市", ["蜀山区", "包河区"], "340100"),
    ("北京市", "北京市", ["朝阳区", "丰台区", "大兴区"], "110100"),
    ("天津市", "天津市", ["河西区", "南开区"], "120100"),
    ("陕西省", "西安市", ["雁塔区", "未央区"], "610100"),
]
AREA_CODES = {  # telephone area code of each city
    "杭州市": "0571", "宁波市": "0574", "温州市": "0577", "金华市": "0579", "南京市": "025", "苏州市": "0512",
    "无锡市": "0510", "上海市": "021", "广州市": "020", "深圳市": "0755", "佛山市": "0757", "东莞市": "0769",
    "济南市": "0531", "青岛市": "0532", "石家庄市": "0311", "郑州市": "0371", "武汉市": "027", "长沙市": "0731",
    "成都市": "028", "重庆市": "023", "福州市": "0591", "厦门市": "0592", "合肥市": "0551", "北京市": "010",
    "天津市": "022", "西安市": "029",
}
BRANDS = ["宏达", "鑫源", "永盛", "恒通", "金鼎", "华强", "兴旺", "万利", "顺发", "东方", "金泰", "建业", "长城",
          "联发", "通达", "富源", "瑞丰", "德胜", "佳美", "立信", "安居", "盛达", "利民", "新世纪", "天成", "汇丰",
          "九州", "正大", "恒信", "隆基", "华美", "百川", "中联", "腾飞", "金辉", "合力",
          "明珠", "三和", "大众", "永固"]
TRADES = ["五金", "建材", "机电", "水暖", "装饰材料", "电器", "工具", "紧固件", "管业", "钢材", "门窗", "劳保用品"]
SHOP_SUFFIX = ["五金店", "建材店", "水电五金", "五金工具店"]
COMPANY_SUFFIX = ["有限公司", "有限公司", "商行", "贸易有限公司", "经营部", "门市部"]
SURNAMES = ("张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
            "阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文")
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "华", "平",
         "刚", "桂英", "建国", "建华", "志强", "海燕", "国庆", "晓东", "小红", "春梅", "德明", "文斌", "三", "四"]
POSITIONS = ["老板", "总经理", "采购经理", "采购员", "项目经理", "店长", "财务", "工程部经理", "仓库主管"]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
                   "158", "159", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199"]
STREETS = ["人民路", "解放路", "建设路", "中山路", "工业大道", "五金城", "建材市场", "文化路", "新华路", "长江路"]
BANKS = ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行", "浙江农商银行"]
PRODUCTS = ["不锈钢膨胀螺丝 M8×80", "PPR 水管 DN25", "电动冲击钻", "角磨机 100mm", "铜球阀 DN20", "镀锌角钢 50×5",
            "防水涂料 20kg", "石膏板 9.5mm", "六角螺栓 M12", "钢丝绳 Φ10", "焊条 J422", "安全帽", "卷尺 5m",
            "PVC 线管 Φ20", "合页 4 寸", "门锁", "水泥钉", "玻璃胶", "配电箱", "电缆 BV2.5"]
SUMMARIES = [
    ("call", "电话沟通{p}的价格和交期，客户要求再让 3 个点"),
    ("call", "客户来电询问{p}现货情况"),
    ("visit", "上门拜访，看了工地现场，需求主要是{p}"),
    ("wechat", "微信发了{p}的图片和规格参数"),
    ("email", "邮件发送{p}报价单"),
    ("quote", "报价{p}，含税含运费"),
    ("complaint", "客户反映上批{p}有几件包装破损，已安排补发"),
    ("visit", "请客户到店看样品{p}"),
]
OPP_KINDS = ["采购", "项目", "年度合同", "补货"]
LOST_REASONS = ["价格太高", "选择了别的供应商", "项目取消", "交期太长", "客户预算不足"]
CUSTOMER_TYPES = ["contractor", "retailer", "factory", "project", "retailer", "contractor"]
LEVELS = ["vip", "a", "b", "b", "c", "c", "c", "d"]
SOURCES = ["walk_in", "referral", "trade_fair", "online", "phone", "existing", "referral", "walk_in"]
FIXED = [("张三五金店", "individual", 0), ("宏达建材有限公司", "company", 0), ("鑫源五金机电有限公司", "company", 1)]


@lru_cache(maxsize=20000)
def _part_pinyin(part):
    return pinyin_full(part), pinyin_initials(part)


def set_search_fields(customer, parts):
    """refresh_search_fields() with the pinyin of the name's parts cached (pypinyin costs ~1 ms a name)."""
    pinyin = [_part_pinyin(p) for p in parts]
    customer.refresh_search_fields(pinyin=("".join(f for f, _i in pinyin), "".join(i for _f, i in pinyin)))


def mobile(rng):
    return f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def org_body(rng):
    chars = [c for c in USCC_CHARSET if c.isalnum()]
    return "MA" + "".join(rng.choice(chars) for _ in range(6))


def person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def seed(ctx):
    rng, scale = ctx.rng, ctx.scale
    target = 150 if scale == 1 else 1000 * scale
    existing = Customer.objects.count()
    if existing >= target:
        ctx.log(f"crm: {existing} customers exist, nothing to add")
        return
    reps = ctx.users["sales_rep"]
    mgr = ctx.user("sales_manager")
    owners = reps * 4 + [mgr]
    now = timezone.now()
    chunk = 5000
    made = existing
    while made < target:
        n = min(chunk, target - made)
        with transaction.atomic(), explicit_timestamps(Customer, Contact, ContactRecord, Opportunity, FollowUpTask):
            _seed_batch(rng, made, n, owners, now, detailed=(scale == 1 or made == existing))
        made += n
        ctx.log(f"crm: {made} customers")
    ctx.extra["crm_customers"] = made


def _seed_batch(rng, start, n, owners, now, detailed):
    customers = []
    for i in range(start, start + n):
        province, city, districts, division = rng.choice(REGIONS)
        if i < len(FIXED):
            name, kind, region_index = FIXED[i]
            province, city, districts, division = REGIONS[region_index]
            parts = [name]
        elif rng.random() < 0.3:
            kind = "individual"
            parts = [rng.choice(SURNAMES), rng.choice(GIVEN), rng.choice(SHOP_SUFFIX)]
        else:
            kind = "company"
            # the pinyin of a phrase depends on its neighbours (杭州长城: háng zhōu cháng chéng), so only the
            # legal-form suffix is a part of its own
            parts = [(city[:-1] if rng.random() < 0.5 else "") + rng.choice(BRANDS) + rng.choice(TRADES),
                     rng.choice(COMPANY_SUFFIX)]
        name = "".join(parts)
        # most of a distributor's customers have bought for years; some came this year
        days = rng.randrange(365, 6 * 365) if rng.random() < 0.6 else rng.randrange(0, 365)
        created = now - timedelta(days=days, minutes=rng.randrange(1440))
        code = make_credit_code("9", "1", division, org_body(rng)) if kind == "company" else ""
        c = Customer(
            kind=kind, name=name, customer_type="individual" if kind == "individual" and rng.random() < 0.5
            else rng.choice(CUSTOMER_TYPES), level=rng.choice(LEVELS), source=rng.choice(SOURCES),
            province=province, city=city, district=rng.choice(districts),
            address=f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号",
            phone=f"{AREA_CODES[city]}-{rng.randrange(2 * 10**7, 9 * 10**7)}" if kind == "company" else "",
            owner=rng.choice(owners), credit_limit=Decimal(rng.choice([0, 5000, 20000, 50000, 100000, 300000])),
            payment_terms_days=rng.choice([0, 0, 15, 30, 30, 60, 90]), credit_code=code,
            invoice_title=name if kind == "company" else "", tax_number=code,
            bank_name=rng.choice(BANKS) if kind == "company" else "",
            bank_account=f"6222{rng.randrange(10**15):015d}" if kind == "company" and rng.random() < 0.6 else "",
            tags=rng.choice(["", "", "工地", "老客户", "月结", "大客户, 月结"]), created_at=created,
            created_by=None)
        set_search_fields(c, parts)
        customers.append(c)

    contacts, records, opps, tasks, addresses = [], [], [], [], []
    for c in customers:
        owner = c.owner
        since = max(c.created_at, now - timedelta(days=365))  # contact history and opportunities of the last year
        for k in range(rng.choice([1, 1, 2, 3]) if detailed else 1):
            contacts.append(Contact(customer=c, name=person(rng), position=rng.choice(POSITIONS), mobile=mobile(rng),
                                    wechat=f"wx_{rng.randrange(10**6, 10**7)}" if rng.random() < 0.6 else "",
                                    is_primary=(k == 0), created_at=c.created_at))
        if detailed and rng.random() < 0.5:
            addresses.append(DeliveryAddress(customer=c, label=rng.choice(["仓库", "工地", "门店"]),
                                             recipient=person(rng), phone=mobile(rng)[3:], province=c.province,
                                             city=c.city, district=c.district,
                                             address=f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号",
                                             is_default=True))
        n_records = rng.choice([0, 1, 2, 4, 6]) if detailed else (1 if rng.random() < 0.3 else 0)
        last = None
        for _ in range(n_records):
            channel, text = rng.choice(SUMMARIES)
            at = since + (now - since) * rng.random()
            lag = timedelta(minutes=rng.randrange(5, 240)) if rng.random() < 0.85 else timedelta(hours=30)
            records.append(ContactRecord(customer=c, channel=channel, summary=text.format(p=rng.choice(PRODUCTS)),
                                         occurred_at=at, created_at=min(at + lag, now), created_by=owner,
                                         next_step=rng.choice(["", "", "发报价", "约下周拜访", "跟进付款"])))
            last = max(last, at) if last else at
        c.last_contact_at = last
        n_opps = rng.choice([0, 0, 1, 1, 2]) if detailed else (1 if rng.random() < 0.2 else 0)
        for _ in range(n_opps):
            stage = rng.choice(["lead", "qualified", "quoted", "negotiating", "won", "won", "lost"])
            created = since + (now - since) * rng.random() * 0.7
            closed = created + timedelta(days=rng.randrange(3, 60)) if stage in ("won", "lost") else None
            if closed and closed > now:
                closed = now
            opps.append(Opportunity(
                customer=c, title=f"{rng.choice(PRODUCTS).split()[0]} {rng.choice(OPP_KINDS)}",
                stage=stage, amount=Decimal(rng.randrange(2, 400) * 500), probability=STAGE_PROBABILITY[stage],
                expected_close=(created + timedelta(days=rng.randrange(10, 90))).date(),
                products_of_interest="、".join(rng.sample(PRODUCTS, 2)), owner=owner,
                lost_reason=rng.choice(LOST_REASONS) if stage == "lost" else "", closed_at=closed,
                created_at=created, stage_changed_at=closed or created,
                last_activity_at=closed or min(created + timedelta(days=rng.randrange(0, 30)),
                                               created + (now - created) * rng.random())))
        n_tasks = rng.choice([0, 1, 1, 2]) if detailed else (1 if rng.random() < 0.1 else 0)
        for _ in range(n_tasks):
            due = max(now + timedelta(hours=rng.randrange(-24 * 20, 24 * 10)), since + timedelta(days=1))
            # set up a few days before it is due, and never after now
            created = max(since, min(due - timedelta(days=2), now - timedelta(hours=rng.randrange(1, 72))))
            done = due <= now and rng.random() < 0.75
            done_at = due + timedelta(hours=rng.choice([-3, -1, 0, 2, 26])) if done else None
            tasks.append(FollowUpTask(
                customer=c, title=rng.choice(["回访报价", "确认到货", "催收货款", "送样品", "约见老板", "发新品目录"]),
                due_at=due, assignee=owner, status="done" if done else "open",
                done_at=min(done_at, now) if done_at else None, outcome="已完成" if done else "",
                created_by=owner, created_at=created))
    for contact in contacts:
        contact.mobile_bidx = mobile_index(contact.mobile)
    # PostgreSQL and SQLite return the new ids, so the rows built above take their customer's id now
    bulk_create_with_history(customers, batch_size=1000)
    bulk_create_with_history(contacts, batch_size=2000)
    DeliveryAddress.objects.bulk_create(addresses, batch_size=2000)
    ContactRecord.objects.bulk_create(records, batch_size=2000)
    bulk_create_with_history(opps, batch_size=2000)
    bulk_create_with_history(tasks, batch_size=2000)
