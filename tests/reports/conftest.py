from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

#: a Thursday afternoon in Zhengzhou; every roll-up test runs at this instant
NOW = datetime(2026, 11, 19, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def today(frozen):
    return NOW.date()
