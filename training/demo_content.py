# ruff: noqa: E501
"""The demo onboarding courses, bilingual: one per core module (CRM, inventory, orders, data governance)."""

# Each lesson: (kind, title_zh, title_en, body_zh, body_en, extra)
# Each question: (kind, text_zh, text_en, [(zh, en, correct)], explanation_zh, explanation_en)

COURSES = [
    {
        "code": "onboarding-crm", "module": "crm", "roles": ["sales_rep", "sales_manager", "finance_clerk"],
        "title_zh": "CRM 入门：客户与跟进", "title_en": "CRM basics: customers and follow-ups", "minutes": 40,
        "summary_zh": "如何建立客户档案、记录**跟进记录**、安排**跟进任务**，以及如何避免重复客户。",
        "summary_en": "How to create customer records, log **follow-up records**, plan **follow-up tasks** and avoid "
                      "duplicate customers.",
        "lessons": [
            ("text", "客户档案的组成", "What a customer record holds",
             "## 客户档案\n\n每个客户都有：\n\n- **客户名称**与**统一社会信用代码**（查重依据）\n- **负责人**（销售代表）\n"
             "- **客户等级**与**信用额度**\n- 联系人及其电话\n\n> 小提示：先搜索，再新建——系统会按信用代码和电话提示可能的重复客户。",
             "## The customer record\n\nEvery customer has:\n\n- a **name** and the **unified social credit code** "
             "(used to find duplicates)\n- an **owner** (the sales rep)\n- a **customer level** and a **credit limit**\n"
             "- contacts and their phone numbers\n\n> Tip: search first, then create — the system warns about "
             "possible duplicates by credit code and phone.", {}),
            ("video", "视频：五分钟看懂客户页面", "Video: the customer page in five minutes",
             "观看视频，注意页面右侧的**跟进时间线**。", "Watch the video and look at the **follow-up timeline** on the "
             "right of the page.", {"video_url": "https://www.bilibili.com/video/BV1GJ411x7h7"}),
            ("practice", "练习：新建一个测试客户", "Practice: create a test customer",
             "1. 打开客户列表\n2. 点击**新建**，名称填写“测试-你的名字”\n3. 添加一个联系人和一条跟进记录\n4. 回到这里提交任务",
             "1. Open the customer list\n2. Click **New**, name it “Test - your name”\n3. Add one contact and one "
             "follow-up record\n4. Come back here and hand in the task",
             {"practice_url_name": "crm:customer_list", "requires_signoff": True}),
            ("quiz", "测验：CRM 基础", "Quiz: CRM basics", "", "", {}),
        ],
        "questions": [
            ("single", "系统用哪一项来查找重复客户？", "What does the system use to find duplicate customers?",
             [("统一社会信用代码和电话", "The unified social credit code and phone numbers", True),
              ("客户等级", "The customer level", False), ("创建日期", "The creation date", False)],
             "信用代码唯一标识一家企业，电话号码能找出同一联系人。",
             "The credit code identifies a company; phone numbers find the same contact."),
            ("truefalse", "跟进记录应在联系客户后 24 小时内录入。",
             "A follow-up record should be entered within 24 hours of the contact.", [],
             "及时录入是考核指标之一，也让同事看到最新情况。",
             "Timely entry is one of the KPIs and keeps colleagues up to date."),
            ("multiple", "新建客户时哪些信息是必须的？", "Which details are required for a new customer?",
             [("客户名称", "Customer name", True), ("负责人", "Owner", True), ("客户的生日", "Customer's birthday", False)],
             "名称和负责人是必填项；其余信息可以以后补充。", "Name and owner are required; the rest can follow later."),
            ("single", "谁可以看到一位销售代表的客户？", "Who can see a sales rep's customers?",
             [("该代表、共享给的同事和销售经理", "The rep, colleagues it is shared with, and the sales manager", True),
              ("所有员工", "Every employee", False), ("只有总经理", "Only the general manager", False)],
             "客户数据按负责人隔离，经理可以看到全部。", "Customer data is kept per owner; managers see all of it."),
        ],
    },
    {
        "code": "onboarding-inventory", "module": "inventory",
        "roles": ["warehouse_clerk", "warehouse_manager", "purchaser"],
        "title_zh": "仓库入门：出入库与盘点", "title_en": "Warehouse basics: stock movements and stocktakes",
        "minutes": 45,
        "summary_zh": "**入库、出库、调拨、调整**的正确做法，扫码操作，以及如何参加**盘点**。",
        "summary_en": "The right way to post **receipts, issues, transfers and adjustments**, scanning, and taking "
                      "part in a **stocktake**.",
        "lessons": [
            ("text", "库存流水：每一件货都有记录", "The stock ledger: every item is recorded",
             "## 出入库记录\n\n库存数量只能通过**出入库记录**改变：\n\n| 类型 | 何时使用 |\n|---|---|\n| 入库 | 供应商到货 |\n"
             "| 出库 | 销售发货 |\n| 调拨 | 库位之间移动 |\n| 调整 | 盘点差异（需审批） |\n\n现存量 = 入库 − 出库 ± 调整；"
             "**可用量** = 现存量 − 预留量。",
             "## Stock movements\n\nStock changes only through **stock movements**:\n\n| Kind | When |\n|---|---|\n"
             "| Receipt | goods arrive from a supplier |\n| Issue | goods ship to a customer |\n"
             "| Transfer | between bin locations |\n| Adjustment | stocktake differences (approved) |\n\n"
             "On hand = receipts − issues ± adjustments; **available** = on hand − reserved.", {}),
            ("practice", "练习：录入一笔入库", "Practice: post a receipt",
             "在仓库页面用扫码枪或手机摄像头扫描商品条码，录入 1 箱测试商品的入库。",
             "On the warehouse page, scan a product barcode with the scanner or your phone camera and post a "
             "receipt of 1 carton of the test product.",
             {"practice_url_name": "inventory:movement_list", "requires_signoff": True}),
            ("text", "盘点与盲盘", "Stocktakes and blind counts",
             "盘点时系统**不显示账面数量**（盲盘）。差异超过容差的行需要**复盘**，最后由经理审批调整。",
             "During a stocktake the system **hides the book quantity** (blind count). Lines whose variance is over "
             "the tolerance are **recounted**; a manager then approves the adjustment.", {}),
            ("quiz", "测验：仓库基础", "Quiz: warehouse basics", "", "", {}),
        ],
        "questions": [
            ("single", "可用量等于什么？", "What is the available quantity?",
             [("现存量减去预留量", "On hand minus reserved", True), ("入库量", "Receipts", False),
              ("最高库存减去现存量", "Maximum stock minus on hand", False)],
             "预留给销售订单的货不能再卖给别人。", "Stock reserved for sales orders cannot be sold again."),
            ("truefalse", "盲盘时盘点人可以看到账面数量。", "In a blind count the counter can see the book quantity.",
             [], "盲盘不显示账面数，避免“照抄”。", "A blind count hides the book quantity so nobody just copies it."),
            ("multiple", "哪些操作会改变现存量？", "Which operations change the on-hand quantity?",
             [("入库", "Receipt", True), ("出库", "Issue", True), ("打印标签", "Printing a label", False)],
             "打印标签不影响库存。", "Printing a label does not touch stock."),
            ("single", "盘点差异如何进入库存？", "How does a stocktake variance reach the stock?",
             [("经理审批后生成调整记录", "As an adjustment after a manager approves it", True),
              ("直接修改库存数量", "By editing the stock quantity directly", False)],
             "库存数量从不直接修改，所有变化都有记录。", "Quantities are never edited directly; every change is recorded."),
        ],
    },
    {
        "code": "onboarding-orders", "module": "orders",
        "roles": ["sales_rep", "sales_manager", "finance_clerk", "warehouse_manager"],
        "title_zh": "销售订单入门：报价到收款", "title_en": "Sales orders: from quotation to payment", "minutes": 40,
        "summary_zh": "报价单、销售订单的审核流程、发货与收款。",
        "summary_en": "Quotations, the sales order approval flow, shipping and payments.",
        "lessons": [
            ("text", "订单的一生", "The life of an order",
             "草稿 → 待审核 → 已审核 → 拣货中 → 已发货 → 已签收 → 已收款 → 已关闭。\n\n超过信用额度或折扣过大的订单需要**销售经理审核**。",
             "Draft → submitted → approved → picking → shipped → delivered → paid → closed.\n\nOrders over the "
             "credit limit or with a large discount need the **sales manager's approval**.", {}),
            ("practice", "练习：创建一张报价单", "Practice: create a quotation",
             "为你的测试客户创建一张包含两种商品的报价单，并转换为销售订单草稿。",
             "Create a quotation with two products for your test customer and turn it into a draft sales order.",
             {"practice_url_name": "orders:quotation_list", "requires_signoff": False}),
            ("quiz", "测验：销售订单", "Quiz: sales orders", "", "", {}),
        ],
        "questions": [
            ("single", "订单提交后处于什么状态？", "What state is an order in after it is submitted?",
             [("待审核", "Submitted (pending approval)", True), ("已发货", "Shipped", False), ("草稿", "Draft", False)],
             "提交后等待审核。", "After submitting it waits for approval."),
            ("truefalse", "超过客户信用额度的订单需要经理审核。",
             "An order over the customer's credit limit needs the manager's approval.", [],
             "信用控制保护公司的应收账款。", "Credit control protects the company's receivables."),
            ("multiple", "哪些单据属于发货环节？", "Which documents belong to shipping?",
             [("拣货单", "Picking list", True), ("送货单", "Delivery note", True), ("报价单", "Quotation", False)],
             "报价单在下单之前。", "The quotation comes before the order."),
        ],
    },
    {
        "code": "onboarding-governance", "module": "governance", "roles": [],
        "title_zh": "数据治理与信息安全", "title_en": "Data governance and information security", "minutes": 25,
        "summary_zh": "关键数据的**变更申请**、**操作日志**、保密协议和密码安全。",
        "summary_en": "**Change requests** for key data, the **audit trail**, confidentiality and password safety.",
        "lessons": [
            ("text", "为什么关键数据要审批", "Why key data changes are approved",
             "客户的**税号**、**发票抬头**、**信用额度**等关键字段修改后会生成**变更申请**，由经理审批后生效。每次修改都记录在**操作日志**中。",
             "Key fields such as a customer's **tax number**, **invoice title** and **credit limit** become a "
             "**change request** that a manager approves before it applies. Every change is kept in the **audit "
             "trail**.", {}),
            ("text", "密码与账号安全", "Passwords and account safety",
             "- 密码至少 12 位\n- 不与同事共用账号\n- 离开电脑时锁屏\n- 可疑邮件请报告 IT 管理员",
             "- Passwords have at least 12 characters\n- Never share an account\n- Lock the screen when you leave\n"
             "- Report suspicious e-mail to IT", {}),
            ("quiz", "测验：数据治理", "Quiz: data governance", "", "", {}),
        ],
        "questions": [
            ("truefalse", "修改客户税号会立即生效，无需审批。",
             "Changing a customer's tax number applies at once, without approval.", [],
             "税号是关键数据，需要变更申请。", "The tax number is key data: it needs a change request."),
            ("single", "可以和同事共用账号吗？", "May you share your account with a colleague?",
             [("不可以", "No", True), ("可以，如果是同一部门", "Yes, within the same department", False)],
             "每个操作都要能追溯到具体的人。", "Every action must be traceable to one person."),
            ("multiple", "哪些是关键数据？", "Which of these are key data?",
             [("税号", "Tax number", True), ("信用额度", "Credit limit", True), ("备注", "Notes", False)],
             "备注不是关键字段。", "Notes are not a key field."),
        ],
    },
]

PLANS = {
    "sales_rep": ("销售代表入职培训", "Sales rep onboarding",
                  [("onboarding-crm", 3), ("onboarding-orders", 7), ("onboarding-governance", 10)]),
    "sales_manager": ("销售经理入职培训", "Sales manager onboarding",
                      [("onboarding-crm", 5), ("onboarding-orders", 7), ("onboarding-governance", 10)]),
    "warehouse_clerk": ("仓管员入职培训", "Warehouse clerk onboarding",
                        [("onboarding-inventory", 3), ("onboarding-governance", 10)]),
    "warehouse_manager": ("仓库主管入职培训", "Warehouse manager onboarding",
                          [("onboarding-inventory", 3), ("onboarding-orders", 7), ("onboarding-governance", 10)]),
    "purchaser": ("采购员入职培训", "Purchaser onboarding",
                  [("onboarding-inventory", 5), ("onboarding-governance", 10)]),
    "finance_clerk": ("财务入职培训", "Finance clerk onboarding",
                      [("onboarding-orders", 5), ("onboarding-crm", 7), ("onboarding-governance", 10)]),
    "it_admin": ("IT 管理员入职培训", "IT admin onboarding", [("onboarding-governance", 3)]),
    "trainer": ("培训讲师入职培训", "Trainer onboarding",
                [("onboarding-crm", 10), ("onboarding-inventory", 10), ("onboarding-orders", 10),
                 ("onboarding-governance", 10)]),
    "general_manager": ("总经理系统概览", "General manager overview", [("onboarding-governance", 14)]),
}

LIBRARY = [
    ("article", "inventory", "扫码枪连不上怎么办", "The barcode scanner does not connect",
     "1. 检查 USB 接口\n2. 扫描说明书上的“恢复出厂设置”条码\n3. 在输入框中点击一下再扫码",
     "1. Check the USB plug\n2. Scan the “factory reset” barcode in the manual\n3. Click into the input box, "
     "then scan", "扫码,硬件"),
    ("article", "crm", "如何合并重复客户", "How to merge duplicate customers",
     "在客户页面点击**查重**，选择要保留的客户，确认合并。跟进记录和订单会一起移过来。",
     "On the customer page click **Duplicates**, choose the customer to keep and confirm. Follow-ups and orders "
     "move along.", "查重,合并"),
    ("video", "orders", "视频：一张订单从下单到签收", "Video: an order from entry to delivery", "", "", "订单,发货"),
    ("article", "governance", "收到可疑邮件怎么办", "What to do with a suspicious e-mail",
     "不要点击链接，不要下载附件，转发给 IT 管理员后删除。",
     "Do not click links or open attachments; forward it to IT, then delete it.", "安全,邮件"),
    ("article", "general", "常用快捷键", "Handy keyboard shortcuts",
     "- `Ctrl+K` 搜索\n- `Esc` 关闭对话框", "- `Ctrl+K` search\n- `Esc` closes a dialog", "效率"),
]

SESSIONS = [
    ("新版盘点流程讲解", "The new stocktake procedure", "inventory", 3, 2, "仓库二楼会议室", "", 12),
    ("大客户谈判技巧", "Negotiating with key accounts", "crm", 6, 2, "总部 301 会议室", "", 20),
    ("信息安全月度课堂", "Monthly information security class", "governance", 10, 1, "",
     "https://meeting.example.com/security", 50),
    ("上月：订单系统新功能", "Last month: new order features", "orders", -20, 2, "总部 301 会议室", "", 15),
]
