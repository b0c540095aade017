CASES = [
    ("weekly pack page (HQ)", "hq", "/reports/weekly/"),
    ("weekly pack Excel (HQ)", "hq", "/reports/weekly.xlsx"),
    ("weekly pack PDF (HQ)", "hq", "/reports/weekly.pdf"),
]
