CASES = [
    ("today's patrol list (clerk)", "clerk1", "/inspections/"),
    ("compliance board (HQ)", "hq", "/inspections/compliance/"),
    ("hazards (HQ)", "hq", "/inspections/hazards/"),
    ("patrol records (HQ)", "hq", "/inspections/patrols/"),
    ("api patrols (HQ)", "hq", "/api/patrols/"),
]
