CASES = [
    ("coverage overview (HQ)", "hq", "/coverage/"),
    ("coverage overview (clerk)", "clerk1", "/coverage/"),
    ("api management arrangements (HQ)", "hq", "/api/management-arrangements/"),
]
