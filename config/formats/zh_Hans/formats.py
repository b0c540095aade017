"""The site's one way of writing dates, times and numbers (FORMAT_MODULE_PATH).

Every time is shown in Asia/Shanghai as ``2026年12月2日 21:26`` (the ``when`` filter and
``{{ value }}`` both use DATETIME_FORMAT); numbers that ask for grouping (``intcomma``,
``floatformat:"0g"``) get thousands separators: 99,246 户."""

DATE_FORMAT = "Y年n月j日"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATE_FORMAT = "Y年n月j日"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
MONTH_DAY_FORMAT = "n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
