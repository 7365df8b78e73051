from django.utils.translation import gettext_lazy as _

ITEMS = [
    (_("Change requests"), "governance:changerequest_list", "governance.view_changerequest"),
    (_("Security log"), "governance:securityevent_list", "governance.view_securityevent"),
    (_("Backups"), "governance:backuprun_list", "governance.view_backuprun"),
    (_("Confidentiality agreements"), "governance:agreementacceptance_list", "governance.view_agreementacceptance"),
]
ITEMS.append((_("Data quality"), "governance:data_quality", "governance.view_data_quality"))
ITEMS.append((_("User accounts"), "governance:user_list", "governance.manage_users"))
ITEMS.append((_("Locked accounts"), "governance:lockout_list", "governance.unlock_accounts"))
