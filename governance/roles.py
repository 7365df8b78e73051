"""Governance permissions of each role (applied by `manage.py sync_roles`)."""

PERMISSIONS = {
    "sales_manager": ["governance.view_changerequest", "governance.approve_changerequest",
                      "governance.view_securityevent",
                      "governance.view_data_quality"],
    "it_admin": ["governance.view_securityevent", "governance.view_backuprun", "governance.view_importlog",
                 "governance.view_agreementversion", "governance.add_agreementversion",
                 "governance.change_agreementversion", "governance.view_agreementacceptance",
                 "otp_totp.view_totpdevice", "otp_totp.delete_totpdevice",
                 "governance.manage_users", "governance.unlock_accounts"],
    "general_manager": ["governance.view_changerequest", "governance.approve_changerequest",
                        "governance.view_securityevent", "governance.view_backuprun", "governance.view_importlog",
                        "governance.view_data_quality",
                        "governance.view_agreementversion", "governance.add_agreementversion",
                        "governance.change_agreementversion", "governance.publish_agreementversion",
                        "governance.view_agreementacceptance",
                        "governance.manage_users", "governance.unlock_accounts"],
}
