CASES = [
    ("works sheets list (HQ)", "hq", "/works/sheets/"),
    ("works sheet of one compound (HQ)", "hq", "/works/sheets/1/"),
    ("district schedule (HQ)", "hq", "/works/schedule/"),
    ("street schedule (clerk)", "clerk1", "/works/schedule/"),
    ("tenders (HQ)", "hq", "/works/tenders/"),
    ("api estate-works overdue (HQ)", "hq", "/api/estate-works/?overdue=true"),
]
