CASES = [
    ("home (HQ)", "hq", "/"),
    ("home (clerk)", "clerk1", "/"),
    ("ledger page 1 (HQ)", "hq", "/estates/"),
    ("ledger page 20 filtered (HQ)", "hq", "/estates/?street_office=3&page=20"),
    ("ledger search (HQ)", "hq", "/estates/?q=%E5%8F%8B%E7%88%B1"),
    ("ledger (clerk)", "clerk1", "/estates/"),
    ("estate detail (HQ)", "hq", "/estates/1/"),
    ("api estates (HQ)", "hq", "/api/estates/"),
    ("api estates by street (clerk)", "clerk1", "/api/estates/?page=2"),
    ("ledger export one street (clerk)", "clerk1", "/estates/export.xlsx"),
    ("ledger export whole district (HQ)", "hq", "/estates/export.xlsx"),
]
