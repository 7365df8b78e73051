"""The encrypted fields and masking moved to the kernel (`hardware_erp.core.fields`); this name stays for code
written against it before the move."""

from hardware_erp.core.fields import (  # noqa: F401
    PREFIX,
    DecryptionError,
    EncryptedTextField,
    blind_index,
    casefold_strip,
    decrypt,
    digits_only,
    encrypt,
    fernet,
    is_token,
    mask_phone,
    mask_tail,
    rotate,
)
