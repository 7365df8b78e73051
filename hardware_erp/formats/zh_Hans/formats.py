# Money and quantities on Chinese pages are grouped by thousands with a comma (¥12,345.60), as on invoices and
# bank slips; Django's zh_Hans default groups nothing. Dates and inputs keep Django's zh_Hans formats.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
