"""The weekly meeting, its action items, and the issued meeting pack."""

import hashlib
import re
import subprocess
from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from reports import services
from reports.cycle import pack_action_items
from reports.models import ActionItem, ActionItemReply, MeetingPack, WeeklyReport
from tests.factories import EstateFactory
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def entered_before_the_week(time_machine):
    """The rows are entered before the week of 2–8 July 2013 ends, as the as-of figures
    (``estates.asof``) count only what was recorded by the end of the week."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2013, 7, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def meeting(hq_staff):
    with at(2013, 7, 9, 15, 0):
        return services.record_meeting(
            actor=hq_staff,
            values={
                "date": date(2013, 7, 9),
                "chair": "王主任",
                "attendees": "指挥部办公室、各街道办事处",
                "minutes": "通报第二周进度。",
            },
        )


@pytest.fixture
def next_meeting(hq_staff):
    with at(2013, 7, 16, 15, 0):
        return services.record_meeting(
            actor=hq_staff,
            values={"date": date(2013, 7, 16), "chair": "王主任", "attendees": "各街道办事处"},
        )


def _item(meeting, hq_staff, street, deadline=date(2013, 7, 12), title="友爱小区车棚选址协调"):
    with at(2013, 7, 9, 16, 0):
        return services.assign_action_item(
            meeting, actor=hq_staff, title=title, assignee=street, deadline=deadline
        )


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


# --- meetings and action items --------------------------------------------------------
def test_clerk_cannot_record_a_meeting(clerk_a):
    with pytest.raises(PermissionDenied):
        services.record_meeting(
            actor=clerk_a, values={"date": date(2013, 7, 9), "chair": "某", "attendees": "某"}
        )


def test_two_meetings_on_one_day_are_refused(meeting, hq_staff):
    with pytest.raises(ValidationError) as exc:
        services.record_meeting(
            actor=hq_staff, values={"date": date(2013, 7, 9), "chair": "李", "attendees": "某"}
        )
    assert "date" in exc.value.message_dict


def test_meeting_on_wednesday_discusses_the_week_due_the_day_before(hq_staff):
    m = services.record_meeting(
        actor=hq_staff, values={"date": date(2013, 7, 10), "chair": "王", "attendees": "某"}
    )
    assert m.week == date(2013, 7, 9)


def test_items_are_numbered_within_the_meeting(meeting, hq_staff, street_a, street_b):
    first = _item(meeting, hq_staff, street_a)
    second = _item(meeting, hq_staff, None, title="指挥部协调供电公司")
    assert (first.number, second.number) == (1, 2)
    assert second.assignee_name == "指挥部办公室"


def test_deadline_before_the_meeting_is_refused(meeting, hq_staff, street_a):
    with pytest.raises(ValidationError) as exc:
        _item(meeting, hq_staff, street_a, deadline=date(2013, 7, 1))
    assert "deadline" in exc.value.message_dict
    assert not ActionItem.objects.exists()


def test_street_replies_with_photos_and_hq_closes(meeting, hq_staff, street_a, clerk_a, jpeg):
    item = _item(meeting, hq_staff, street_a)
    reply = services.reply_action_item(
        item, actor=clerk_a, text="已与住户协商确定选址", photos=[jpeg()]
    )
    item.refresh_from_db()
    assert item.status == ActionItem.Status.REPLIED and reply.photos.count() == 1
    services.close_action_item(item, actor=hq_staff, note="同意办结")
    item.refresh_from_db()
    reply.refresh_from_db()
    assert item.status == ActionItem.Status.CLOSED and item.closed_by == hq_staff
    assert reply.outcome == ActionItemReply.Outcome.ACCEPTED


def test_hq_sends_back_a_reply_and_the_item_is_open_again(meeting, hq_staff, street_a, clerk_a):
    item = _item(meeting, hq_staff, street_a)
    reply = services.reply_action_item(item, actor=clerk_a, text="正在协调")
    services.send_back_action_item(item, actor=hq_staff, note="请附现场照片")
    item.refresh_from_db()
    reply.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN
    assert (reply.outcome, reply.outcome_note) == (
        ActionItemReply.Outcome.SENT_BACK,
        "请附现场照片",
    )


def test_reopen_clears_the_closing(meeting, hq_staff, street_a):
    item = _item(meeting, hq_staff, street_a)
    services.close_action_item(item, actor=hq_staff)
    services.reopen_action_item(item, actor=hq_staff, note="复查发现未落实")
    item.refresh_from_db()
    assert (item.status, item.closed_at, item.closed_by) == (ActionItem.Status.OPEN, None, None)


def test_clerk_of_another_street_cannot_reply(meeting, hq_staff, street_a, clerk_b):
    item = _item(meeting, hq_staff, street_a)
    with pytest.raises(PermissionDenied):
        services.reply_action_item(item, actor=clerk_b, text="不是我们的")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN and not item.replies.exists()


def test_clerk_cannot_close_an_item(meeting, hq_staff, street_a, clerk_a):
    item = _item(meeting, hq_staff, street_a)
    with pytest.raises(PermissionDenied):
        services.close_action_item(item, actor=clerk_a)
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_overdue_open_item_is_carried_into_the_next_pack_as_overdue(
    meeting, next_meeting, hq_staff, street_a
):
    item = _item(meeting, hq_staff, street_a, deadline=date(2013, 7, 12))
    carried = dict((i.pk, category) for category, i in pack_action_items(next_meeting))
    assert carried == {item.pk: "逾期"}
    assert item.is_overdue_on(next_meeting.date)


def test_item_closed_before_the_previous_meeting_is_not_carried(
    meeting, next_meeting, hq_staff, street_a
):
    item = _item(meeting, hq_staff, street_a)
    with at(2013, 7, 10, 9, 0):
        services.close_action_item(item, actor=hq_staff)
    later = pack_action_items(next_meeting)
    assert [(c, i.pk) for c, i in later] == [("已办结", item.pk)]  # closed since last meeting
    with at(2013, 7, 23, 15, 0):
        third = services.record_meeting(
            actor=hq_staff, values={"date": date(2013, 7, 23), "chair": "王", "attendees": "某"}
        )
    assert pack_action_items(third) == []


# --- the issued pack ------------------------------------------------------------------
@pytest.fixture
def received(estate_a, estate_b, submitted, street_lead_a, hq_staff):
    report = submitted(when=(2013, 7, 9, 9, 0))
    services.sign_report(report, actor=street_lead_a)
    return services.receive_report(report, actor=hq_staff)


def _issue(meeting, hq_staff, key="click-1"):
    with at(2013, 7, 16, 10, 0):
        return services.issue_pack(meeting, actor=hq_staff, request_key=key)


def test_issuing_twice_with_one_request_makes_one_pack(
    meeting, hq_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _issue(meeting, hq_staff)
        second = _issue(meeting, hq_staff)
    assert first.pk == second.pk
    assert MeetingPack.objects.count() == 1
    assert len(callbacks) == 1


def test_issuing_again_makes_a_new_numbered_version(
    meeting, hq_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _issue(meeting, hq_staff, key="a")
        second = _issue(meeting, hq_staff, key="b")
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.status == MeetingPack.Status.DONE


def test_clerk_cannot_issue(meeting, clerk_a):
    with pytest.raises(PermissionDenied):
        services.issue_pack(meeting, actor=clerk_a, request_key="x")
    assert not MeetingPack.objects.exists()


@pytest.fixture
def issued(received, meeting, next_meeting, hq_staff, street_a, django_capture_on_commit_callbacks):
    """The pack of next week's meeting, with last week's overdue item and this week's
    new one; the report of 林山寨 for 07-09 received."""
    _item(meeting, hq_staff, street_a, deadline=date(2013, 7, 12), title="友爱小区车棚选址协调")
    with at(2013, 7, 16, 16, 0):
        services.assign_action_item(
            next_meeting,
            actor=hq_staff,
            title='=HYPERLINK("http://x")清理楼道堆物',
            assignee=street_a,
            deadline=date(2013, 7, 26),
        )
    # The 07-16 pack discusses the week due 07-16; give it a received report too.
    WeeklyReport.objects.filter(pk=received.pk).update(week=date(2013, 7, 16))
    with django_capture_on_commit_callbacks(execute=True):
        pack = _issue(next_meeting, hq_staff)
    pack.refresh_from_db()
    return pack


def test_pack_job_freezes_content_and_stores_files_with_checksums(issued):
    assert issued.status == MeetingPack.Status.DONE and issued.progress == 100
    assert issued.pdf_sha256 == hashlib.sha256(issued.pdf.read()).hexdigest()
    issued.xlsx.open()
    assert issued.xlsx_sha256 == hashlib.sha256(issued.xlsx.read()).hexdigest()
    assert issued.compiled_at is not None
    assert [i["category"] for i in issued.content["action_items"]] == ["逾期", "新增"]


def test_issued_excel_reads_back(issued):
    workbook = load_workbook(BytesIO(issued.xlsx.open("rb").read()))
    assert workbook.sheetnames == [
        "汇总",
        "台账概况",
        "工程进度",
        "巡查与隐患",
        "物业管理覆盖",
        "信息简报",
        "督办事项",
    ]
    summary = workbook["汇总"]
    rows = [r for r in summary.iter_rows(min_row=4, values_only=True)]
    data, total = rows[:-1], rows[-1]
    assert total[0] == "合计"
    headers = [c.value for c in summary[3]]
    for column in ("小区数", "在办督办事项"):
        index = headers.index(column)
        assert total[index] == sum(r[index] or 0 for r in data)
    assert total[headers.index("小区数")] == 2
    assert {r[0] for r in data} == {"林山寨街道办事处", "建设路街道办事处"}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}"
    items = workbook["督办事项"]
    titles = [r[3] for r in items.iter_rows(min_row=4, values_only=True)]
    assert '=HYPERLINK("http://x")清理楼道堆物' in titles
    briefs = [r for r in workbook["信息简报"].iter_rows(min_row=4, values_only=True)]
    assert briefs[0][0] == "林山寨街道办事处" and briefs[0][3].startswith("友爱小区")


def test_issued_pdf_text_has_headings_period_offices_and_items(issued, tmp_path):
    text = _pdf_text(issued.pdf.open("rb").read(), tmp_path)
    for expected in (
        "中原区老旧小区整治改造周例会材料",
        "指挥部办公室",
        "2013年07月16日",
        "2013年07月09日—07月15日",
        "第 1 版",
        "各街道办事处情况汇总",
        "林山寨街道办事处",
        "建设路街道办事处",
        "街道办事处信息简报",
        "督办事项",
        "友爱小区车棚选址协调",
        "逾期",
    ):
        assert expected in text, expected
    pages = text.count("\f")
    assert re.search(rf"第\s*{pages}\s*页\s*共\s*{pages}\s*页", text)


def test_issued_pack_is_byte_identical_after_the_data_changes(
    issued, client, hq_staff, community_a, street_a
):
    before_pdf, before_xlsx = issued.pdf.open("rb").read(), issued.xlsx.open("rb").read()
    EstateFactory(community=community_a, household_count=999)
    ActionItem.objects.update(status=ActionItem.Status.CLOSED)
    client.force_login(hq_staff)
    pdf = client.get(f"/reports/packs/{issued.pk}/download/pdf/")
    xlsx = client.get(f"/reports/packs/{issued.pk}/download/xlsx/")
    assert b"".join(pdf.streaming_content) == before_pdf
    assert b"".join(xlsx.streaming_content) == before_xlsx
    assert pdf["X-Content-SHA256"] == hashlib.sha256(before_pdf).hexdigest()


def test_a_queued_job_runs_once(issued):
    again = services.run_pack_job(issued.pk)
    assert (again.pk, again.pdf_sha256, again.finished_at) == (
        issued.pk,
        issued.pdf_sha256,
        issued.finished_at,
    )
