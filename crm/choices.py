from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKindChoices(models.TextChoices):
    COMPANY = "company", _("Company")
    INDIVIDUAL = "individual", _("Individual")


class CustomerTypeChoices(models.TextChoices):
    CONTRACTOR = "contractor", _("Contractor")
    RETAILER = "retailer", _("Retailer")
    FACTORY = "factory", _("Factory")
    PROJECT = "project", _("Project / site")
    INDIVIDUAL = "individual", _("Individual buyer")


class CustomerLevelChoices(models.TextChoices):
    VIP = "vip", _("VIP")
    A = "a", _("A · key")
    B = "b", _("B · regular")
    C = "c", _("C · occasional")
    D = "d", _("D · prospect")


class CustomerSourceChoices(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    REFERRAL = "referral", _("Referral")
    TRADE_FAIR = "trade_fair", _("Trade fair")
    ONLINE = "online", _("Online")
    PHONE = "phone", _("Phone enquiry")
    EXISTING = "existing", _("Existing customer")
    OTHER = "other", _("Other")


class ChannelChoices(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")
    QUOTE = "quote", _("Quote")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class StageChoices(models.TextChoices):
    LEAD = "lead", _("Lead")
    QUALIFIED = "qualified", _("Qualified")
    QUOTED = "quoted", _("Quoted")
    NEGOTIATING = "negotiating", _("Negotiating")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


OPEN_STAGES = (StageChoices.LEAD, StageChoices.QUALIFIED, StageChoices.QUOTED, StageChoices.NEGOTIATING)
CLOSED_STAGES = (StageChoices.WON, StageChoices.LOST)
# The usual probability of each stage; the owner may set another.
STAGE_PROBABILITY = {"lead": 10, "qualified": 25, "quoted": 50, "negotiating": 75, "won": 100, "lost": 0}


class TaskStatusChoices(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CustomerEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    REASSIGNED = "reassigned", _("Reassigned")
    SHARED = "shared", _("Shared")
    UNSHARED = "unshared", _("No longer shared")
    MERGED = "merged", _("Merged")
    IMPORTED = "imported", _("Imported")


PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
    "宁夏回族自治区", "新疆维吾尔自治区", "台湾省", "香港特别行政区", "澳门特别行政区",
]
PROVINCE_CHOICES = [(p, p) for p in PROVINCES]
