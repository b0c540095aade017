"""Demo data of the Tuesday cycle, called by ``reports.demo.seed`` after the ledger,
works and patrols exist. Idempotent: each part is seeded once (skipped when its rows
already exist).

- Four past weeks of every street office's weekly report in every state: on time, late,
  missing, returned and revised, returned and waiting, signed but not yet received;
  this week a few submitted or signed, one draft, 林山寨 still to write (clerk1's).
- Two past meetings with action items in every state: open, overdue, replied, sent back,
  closed, reopened, and one for the HQ office itself.
- One issued pack (last week's meeting)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from estates.models import Role, StreetOffice, User
from reports import services
from reports.cycle import current_week, deadline_for, sections_built_once
from reports.models import ActionItem, Meeting, MeetingPack, WeeklyReport

PROGRESS = [
    "本周{e}上下水管网改造完成约七成，{e2}路面整修全部完工，新增路灯 12 盏。",
    "{e}围墙和大门主体完工，门岗值班室开始装修；{e2}垃圾池两座已建成投用。",
    "{e}拆除违法建筑 3 处共 86 平方米，清理堆积物 20 余车；{e2}绿化补植已完成。",
    "{e}非机动车棚钢结构安装完成；{e2}监控房设备进场，视频监控点位 16 个已布线。",
]
PROBLEMS = [
    "个别住户对车棚选址有不同意见，正在逐户沟通。",
    "雨天较多，路面施工进度滞后约三天。",
    "{e}产权单位改制，物业管理用房移交手续尚未办结。",
    "施工方现场安全员配备不足，已督促整改。",
]
PLANS = [
    "完成{e}上下水改造并组织闭水试验；启动{e2}总平面示意图和门牌号设置。",
    "完成{e}门岗值班室装修，组织社区与物业公司对接进驻事宜。",
    "推进{e}信报箱安装；对已完工小区开展自查，准备竣工验收。",
]
COORDINATION = [
    "请指挥部协调供电公司尽快完成{e}变压器增容。",
    "请协调自来水公司对{e}新旧管网接驳停水时间予以支持。",
    "",
    "{e}物业招标需指挥部给予指导。",
]
RETURN_REASONS = [
    "隐患销号数与巡查记录不符，请核实后重报。",
    "「存在问题」未写明具体小区和责任人，请补充。",
]
ITEMS = [
    "{s}督促施工方补齐现场安全员，每个在施小区至少一名",
    "{s}对逾期未开工小区说明原因并报送整改计划",
    "{s}组织逾期隐患销号，周五前报送整改照片",
    "{s}落实已完工小区物业管理进驻方案",
    "{s}清理{e}楼道及公共区域堆积物",
]


def _user(username, display_name, role, office):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"display_name": display_name, "role": role, "street_office": office},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _staff(office):
    """A clerk and a lead of ``office``: the demo logins where they exist, else a named
    account without a password."""
    clerk = User.objects.filter(street_office=office, role=Role.STREET_CLERK).order_by(
        "pk"
    ).first() or _user(
        f"zhoubao{office.pk:02d}", f"{office.short_name}街道 统计员", Role.STREET_CLERK, office
    )
    lead = User.objects.filter(street_office=office, role=Role.STREET_LEAD).order_by(
        "pk"
    ).first() or _user(
        f"fuzeren{office.pk:02d}", f"{office.short_name}街道 负责人", Role.STREET_LEAD, office
    )
    return clerk, lead


def _brief(rng, office):
    names = list(
        office.communities.values_list("estates__name", flat=True).exclude(estates__name=None)[:6]
    ) or ["辖区小区"]
    e, e2 = rng.choice(names), rng.choice(names)
    return {
        "progress": rng.choice(PROGRESS).format(e=e, e2=e2),
        "problems": rng.choice(PROBLEMS).format(e=e),
        "next_plan": rng.choice(PLANS).format(e=e, e2=e2),
        "coordination": rng.choice(COORDINATION).format(e=e),
    }


def _at(week, days, hour, minute):
    day = week + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _stamp(report, **times):
    WeeklyReport.objects.filter(pk=report.pk).update(**times)
    report.refresh_from_db()
    return report


def _submit(report, clerk, when):
    report = services.submit_report(report, actor=clerk)
    first = report.previous.first_submitted_at if report.previous_id else when
    return _stamp(report, submitted_at=when, first_submitted_at=first, compiled_at=when)


def _report(rng, office, week, outcome, clerk, lead, hq):
    """One street office's report for ``week`` ending in ``outcome``."""
    if outcome == "missing":
        return None
    report = services.save_report_draft(
        actor=clerk, street_office=office, week=week, values=_brief(rng, office)
    )
    if outcome == "draft":
        return report
    if outcome == "late":
        when = _at(week, rng.choice((0, 0, 1)), rng.randint(13, 17), rng.choice((5, 20, 40)))
    else:
        when = _at(week, rng.choice((-1, -1, 0)), rng.randint(9, 11), rng.choice((0, 15, 30, 45)))
    report = _submit(report, clerk, when)
    if outcome == "submitted":
        return report
    report = services.sign_report(report, actor=lead)
    report = _stamp(report, signed_at=when + timedelta(minutes=rng.randint(10, 50)))
    if outcome == "signed":
        return report
    if outcome.startswith("returned"):
        report = services.return_report(report, actor=hq, reason=rng.choice(RETURN_REASONS))
        report = _stamp(report, returned_at=when + timedelta(hours=3))
        if outcome == "returned":
            return report
        report = services.revise_report(report, actor=clerk)
        report.problems += "（已按指挥部意见补充核实。）"
        report.save(update_fields=["problems"])
        report = _submit(report, clerk, when + timedelta(hours=20))
        report = services.sign_report(report, actor=lead)
        report = _stamp(report, signed_at=when + timedelta(hours=21))
    report = services.receive_report(report, actor=hq)
    return _stamp(report, received_at=report.signed_at + timedelta(hours=rng.randint(1, 5)))


#: Fixed histories for the two demo street offices (oldest week first), so every state
#: is there to look at; the others are drawn at random.
FIXED = {
    "林山寨": ["on_time", "late", "returned_revised", "on_time"],
    "建设路": ["on_time", "missing", "on_time", "returned"],
}
OUTCOMES = ["on_time"] * 10 + ["late"] * 3 + ["missing"] * 2 + ["returned_revised", "signed"]


def _seed_reports(rng, this_week, hq, stdout):
    if WeeklyReport.objects.exists():
        stdout.write(f"  街道周报：已有 {WeeklyReport.objects.count()} 份，跳过")
        return
    now = timezone.now()
    offices = list(StreetOffice.objects.order_by("sort_order", "pk"))
    count = 0
    for index, office in enumerate(offices):
        clerk, lead = _staff(office)
        history = FIXED.get(office.short_name) or [rng.choice(OUTCOMES) for _ in range(4)]
        for back, outcome in zip(range(4, 0, -1), history, strict=True):
            count += (
                _report(rng, office, this_week - timedelta(days=7 * back), outcome, clerk, lead, hq)
                is not None
            )
        # This week: 林山寨 still to write (clerk1's to try), a few already in.
        if office.short_name == "林山寨":
            continue
        outcome = ["submitted", "signed", "draft", "missing", "missing"][index % 5]
        if outcome in ("submitted", "signed") and now < deadline_for(this_week) - timedelta(days=6):
            outcome = "draft"  # too early in the week for anything submitted
        if outcome in ("submitted", "signed"):
            report = services.save_report_draft(
                actor=clerk, street_office=office, week=this_week, values=_brief(rng, office)
            )
            report = _submit(
                report, clerk, min(now, deadline_for(this_week)) - timedelta(hours=index + 1)
            )
            if outcome == "signed":
                services.sign_report(report, actor=lead)
            count += 1
        elif outcome == "draft":
            services.save_report_draft(
                actor=clerk, street_office=office, week=this_week, values=_brief(rng, office)
            )
            count += 1
    stdout.write(f"  街道周报：{count} 份（4 个往周，各种状态）")


def _seed_meetings(rng, this_week, hq, stdout):
    if Meeting.objects.exists():
        stdout.write(f"  周例会：已有 {Meeting.objects.count()} 次，跳过")
        return None
    offices = {o.short_name: o for o in StreetOffice.objects.all()}
    staff = {name: _staff(office) for name, office in offices.items()}
    first_day, second_day = this_week - timedelta(days=14), this_week - timedelta(days=7)
    first = services.record_meeting(
        actor=hq,
        values={
            "date": first_day,
            "chair": "指挥部办公室 王主任",
            "attendees": "指挥部办公室、质量检查组，各街道办事处分管负责人",
            "minutes": (
                "一、通报各街道整治进度和周报报送情况。\n"
                "二、对逾期未开工小区提出批评，要求限期说明原因。\n"
                "三、部署雨季施工安全和隐患销号工作。"
            ),
        },
    )
    second = services.record_meeting(
        actor=hq,
        values={
            "date": second_day,
            "chair": "指挥部办公室 王主任",
            "attendees": "指挥部办公室，各街道办事处分管负责人，供电、供水单位代表",
            "minutes": (
                "一、通报上周督办事项办理情况。\n"
                "二、协调供电公司变压器增容和供水管网接驳。\n"
                "三、部署已完工小区物业管理进驻工作。"
            ),
        },
    )

    def item(meeting, street, template, deadline):
        office = offices.get(street) if street else None
        estate = (
            office.communities.values_list("estates__name", flat=True)
            .exclude(estates__name=None)
            .first()
            if office
            else ""
        )
        title = rng.choice(ITEMS) if template is None else template
        return services.assign_action_item(
            meeting,
            actor=hq,
            title=title.format(s=f"{street}街道" if street else "", e=estate or "辖区小区"),
            assignee=office,
            deadline=deadline,
        )

    def reply(it, street, text):
        return services.reply_action_item(it, actor=staff[street][0], text=text)

    # Two weeks ago: one closed, one overdue and untouched, one replied awaiting HQ,
    # one sent back, one closed then reopened.
    closed = item(first, "林山寨", ITEMS[2], first_day + timedelta(days=4))
    reply(closed, "林山寨", "6 处逾期隐患已全部整改销号，整改照片已上传。")
    services.close_action_item(closed, actor=hq, note="核实无误，同意办结。")
    ActionItem.objects.filter(pk=closed.pk).update(
        closed_at=timezone.make_aware(datetime.combine(first_day + timedelta(days=3), time(16, 0)))
    )
    item(first, "须水", ITEMS[1], first_day + timedelta(days=5))  # overdue, no reply
    replied = item(first, "建设路", ITEMS[0], first_day + timedelta(days=6))
    reply(replied, "建设路", "已督促 3 家施工单位补齐安全员，名单已报指挥部。")
    sent_back = item(first, "柳湖", ITEMS[4], first_day + timedelta(days=5))
    reply(sent_back, "柳湖", "已通知社区清理。")
    services.send_back_action_item(sent_back, actor=hq, note="请附清理前后照片，并说明清理车次。")
    reopened = item(first, "林山寨", ITEMS[3], first_day + timedelta(days=10))
    services.close_action_item(reopened, actor=hq)
    services.reopen_action_item(reopened, actor=hq, note="复查发现物业公司尚未进驻，重新督办。")
    # Last week: open, due this week; one for the HQ office itself; one closed.
    item(second, "林山寨", ITEMS[4], this_week + timedelta(days=3))
    item(second, "棉纺路", ITEMS[1], this_week + timedelta(days=1))
    item(
        second,
        None,
        "指挥部协调供电公司完成林山寨、须水街道变压器增容",
        this_week + timedelta(days=7),
    )
    done = item(second, "秦岭路", ITEMS[2], this_week)
    reply(done, "秦岭路", "逾期隐患 2 处已销号。")
    services.close_action_item(done, actor=hq)
    stdout.write(f"  周例会：2 次，督办事项 {ActionItem.objects.count()} 项（各种状态）")
    return second


def seed(*, rng, today, stdout):
    hq = User.objects.filter(role=Role.HQ_STAFF).order_by("pk").first()
    if hq is None or not StreetOffice.objects.exists():
        return
    this_week = current_week(today)
    with sections_built_once():
        _seed_reports(rng, this_week, hq, stdout)
    meeting = _seed_meetings(rng, this_week, hq, stdout)
    if meeting is not None and not MeetingPack.objects.exists():
        pack = services.issue_pack(meeting, actor=hq, request_key=f"demo-{meeting.date:%Y%m%d}")
        services.run_pack_job(pack.pk)
        stdout.write(f"  例会材料：已印发{meeting}第 1 版")
