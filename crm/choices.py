from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
    WALK_IN = "walk_in", pgettext_lazy("crm source", "Walk-in")
    REFERRAL = "referral", pgettext_lazy("crm source", "Referral")
    TRADE_FAIR = "trade_fair", pgettext_lazy("crm source", "Trade fair")
    ONLINE = "online", pgettext_lazy("crm source", "Online")
    PHONE = "phone", pgettext_lazy("crm source", "Phone enquiry")
    EXISTING = "existing", pgettext_lazy("crm source", "Existing customer")
    OTHER = "other", pgettext_lazy("crm source", "Other")


class ChannelChoices(models.TextChoices):
    CALL = "call", pgettext_lazy("crm channel", "Call")
    VISIT = "visit", pgettext_lazy("crm channel", "Visit")
    WECHAT = "wechat", pgettext_lazy("crm channel", "WeChat")
    EMAIL = "email", pgettext_lazy("crm channel", "E-mail")
    QUOTE = "quote", pgettext_lazy("crm channel", "Quote")
    COMPLAINT = "complaint", pgettext_lazy("crm channel", "Complaint")
    OTHER = "other", pgettext_lazy("crm channel", "Other")


class StageChoices(models.TextChoices):
    LEAD = "lead", pgettext_lazy("crm stage", "Lead")
    QUALIFIED = "qualified", pgettext_lazy("crm stage", "Qualified")
    QUOTED = "quoted", pgettext_lazy("crm stage", "Quoted")
    NEGOTIATING = "negotiating", pgettext_lazy("crm stage", "Negotiating")
    WON = "won", pgettext_lazy("crm stage", "Won")
    LOST = "lost", pgettext_lazy("crm stage", "Lost")


OPEN_STAGES = (StageChoices.LEAD, StageChoices.QUALIFIED, StageChoices.QUOTED, StageChoices.NEGOTIATING)
CLOSED_STAGES = (StageChoices.WON, StageChoices.LOST)
# The usual probability of each stage; the owner may set another.
STAGE_PROBABILITY = {"lead": 10, "qualified": 25, "quoted": 50, "negotiating": 75, "won": 100, "lost": 0}


class TaskStatusChoices(models.TextChoices):
    OPEN = "open", pgettext_lazy("crm task status", "Open")
    DONE = "done", pgettext_lazy("crm task status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("crm task status", "Cancelled")


class CustomerEventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("crm event", "Created")
    UPDATED = "updated", pgettext_lazy("crm event", "Updated")
    REASSIGNED = "reassigned", pgettext_lazy("crm event", "Reassigned")
    SHARED = "shared", pgettext_lazy("crm event", "Shared")
    UNSHARED = "unshared", pgettext_lazy("crm event", "No longer shared")
    MERGED = "merged", pgettext_lazy("crm event", "Merged")
    IMPORTED = "imported", pgettext_lazy("crm event", "Imported")


PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
    "宁夏回族自治区", "新疆维吾尔自治区", "台湾省", "香港特别行政区", "澳门特别行政区",
]
PROVINCE_CHOICES = [(p, p) for p in PROVINCES]
