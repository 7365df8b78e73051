# Money and quantities on Chinese pages are grouped by thousands with a comma (¥12,345.60), as on invoices and
# bank slips; Django's zh_Hans default groups nothing. Dates and inputs keep Django's zh_Hans formats.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

# A date box (<input type="date">) accepts only ISO dates: the first input format is the one a form renders its
# initial value in, so ISO comes first (Django's zh_Hans puts 2016/09/05 first, which leaves every date box empty).
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2016-09-05'
    "%Y/%m/%d",  # '2016/09/05'
    "%Y年%m月%d日",  # '2016年9月5日'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
]
