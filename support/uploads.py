"""What a ticket may carry: pictures, PDFs, Office documents and text files, checked by the shared upload helper
(`hardware_erp.core.uploads`: size limit, content sniffed from the bytes)."""

ATTACHMENT_KINDS = ("image", "pdf", "docx", "xlsx", "pptx", "text", "csv")
