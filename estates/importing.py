"""Importing a ledger from Excel.

All or nothing: every row is checked first and every problem is reported with its row
number, column and reason; only a file without a single problem is written, in one
transaction, through the same services as the form. A compound is matched on (community,
name), so importing the same file again changes nothing.

A file of more than ``SYNC_ROW_LIMIT`` rows runs as a job (``ImportJob``): the upload
is stored, and a Celery task (``estates.run_import``, published after commit through
``estates.outbox``) checks and writes it, reporting rows read of the total as it goes;
the user watches the job's page. A small file is imported inside the request, since
its result (or its list of problems) on the same page is the quicker loop for someone
correcting a file; it goes through the same job row and function."""

import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from estates import audit, outbox, services
from estates.guards import require
from estates.models import AuditEvent, Campaign, Community, Estate, ImportJob, StreetOffice

logger = logging.getLogger(__name__)

#: Limits of one import (settings ``IMPORT_MAX_ROWS``, ``IMPORT_MAX_MB``,
#: ``IMPORT_MAX_INFLATED_MB``): rows are counted over every row read, blank or wrong
#: ones included; the archive is refused by its inflated size before anything is parsed.
MAX_COLUMNS = 60
MAX_ERRORS = 200
MB = 1024 * 1024
COORDINATES_HEADER = "经纬度（经度,纬度）"
#: Rows (as the file declares them) up to which an import runs inside the request:
#: about 19 ms a row is written (measured on SQLite, most of it the model's checks), so
#: 100 rows answer in about 2 s.
SYNC_ROW_LIMIT = 100
#: How often (in rows) a job's progress is written.
PROGRESS_EVERY = 200

#: ``progress(phase, done, total)``: phase is "checking" (rows read of the rows the file
#: declares) or "writing" (rows written of the rows to write; inside the transaction).
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class ImportColumn:
    header: str
    field: str
    required: bool = False
    kind: str = "text"  # text, int, decimal, choice
    example: object = ""


COLUMNS = (
    ImportColumn("街道办事处", "street_office", True, example="林山寨街道办事处"),
    ImportColumn("社区", "community", True, example="林山寨社区"),
    ImportColumn("小区名称", "name", True, example="友爱小区"),
    ImportColumn("地址", "address", True, example="中原区友爱路 12 号"),
    ImportColumn("类型", "kind", True, "choice", example="小区"),
    ImportColumn("建成年份", "build_year", False, "int", example=1992),
    ImportColumn("楼栋数", "building_count", True, "int", example=6),
    ImportColumn("户数", "household_count", True, "int", example=240),
    ImportColumn("建筑面积（㎡）", "floor_area", True, "decimal", example=18500.5),
    ImportColumn("产权单位", "owning_unit", example="郑州市某机械厂"),
    ImportColumn("基础设施状况", "condition_class", True, "choice", example="基础设施差距较大"),
    ImportColumn("整治批次（年度）", "campaign", False, "int", example=2013),
    ImportColumn("街道办事处责任人", "street_contact_name", example="王建国"),
    ImportColumn("街道责任人电话", "street_contact_phone", example="0371-67123456"),
    ImportColumn("社区责任人", "community_contact_name", example="李秀英"),
    ImportColumn("社区责任人电话", "community_contact_phone", example="13803710001"),
    ImportColumn("备注", "notes"),
    # Optional: a file without this column leaves the coordinates as they are.
    ImportColumn(COORDINATES_HEADER, "coordinates", False, "coordinates", "113.625400,34.746600"),
)
_BY_HEADER = {c.header: c for c in COLUMNS}
_CHOICES = {
    "kind": {label: value for value, label in Estate.Kind.choices},
    "condition_class": {label: value for value, label in Estate.ConditionClass.choices},
}


@dataclass
class RowError:
    row: int | None
    column: str
    message: str

    def __str__(self):
        where = f"第 {self.row} 行" if self.row else "文件"
        column = f"「{self.column}」" if self.column else ""
        return f"{where}{column}：{self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def build_template() -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "小区台账"
    sheet.append([c.header for c in COLUMNS])
    sheet.append([c.example for c in COLUMNS])
    required_fill = PatternFill("solid", fgColor="FDE9D9")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        if column.required:
            cell.fill = required_fill
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.header) * 2.2)
    sheet.freeze_panes = "A2"
    for column in COLUMNS:
        if column.kind == "choice":
            options = ",".join(_CHOICES[column.field])
            rule = DataValidation(type="list", formula1=f'"{options}"', allow_blank=False)
            letter = sheet.cell(row=1, column=COLUMNS.index(column) + 1).column_letter
            rule.add(f"{letter}2:{letter}{settings.IMPORT_MAX_ROWS + 1}")
            sheet.add_data_validation(rule)
    notes = workbook.create_sheet("填写说明")
    for line in (
        "1. 第一行为列名，请勿修改；底色为粉色的列必须填写。第二行为示例，导入前请删除。",
        "2. 街道办事处、社区须与系统中的名称一致；同一社区内小区名称不可重复。",
        "3. 类型填「小区」或「零星楼院」；基础设施状况填「基础设施较好」（八有目标）"
        "或「基础设施差距较大」（四有目标）。",
        "4. 整治批次填年度（如 2013），须为系统中已有的批次。",
        "5. 已存在的小区（同一社区、同名）将按文件内容更新；内容相同的不作改动。",
        "6. 文件中任何一行有误时，整个文件都不会导入，请按提示逐行修改后重新上传。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return workbook


def check_upload(upload) -> list[RowError]:
    """The file's own size, then the size it inflates to (an .xlsx is a zip archive; a
    724 KB "zip bomb" once took 10 s to refuse), before openpyxl reads a byte of it."""
    limit = settings.IMPORT_MAX_MB * MB
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        return [
            RowError(
                None, "", f"文件过大（{size / MB:.1f} MB），不超过 {settings.IMPORT_MAX_MB} MB"
            )
        ]
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return [RowError(None, "", "不是有效的 Excel（.xlsx）文件，请使用导入模板")]
    finally:
        upload.seek(0)
    inflated = sum(entry.file_size for entry in entries)
    inflated_limit = settings.IMPORT_MAX_INFLATED_MB * MB
    if inflated > inflated_limit or len(entries) > 1000:
        return [
            RowError(
                None,
                "",
                f"文件解压后过大（{inflated / MB:.0f} MB，上限 "
                f"{settings.IMPORT_MAX_INFLATED_MB} MB），疑似异常文件，已拒绝",
            )
        ]
    return []


def declared_rows(sheet) -> int | None:
    """The data rows a sheet declares (its dimension, below the header); openpyxl reads
    no further than the dimension, so this is also the most rows ever read."""
    try:
        max_row = sheet.max_row
    except (KeyError, OSError, ValueError):
        return None
    return max(0, max_row - 1) if max_row else None


def _read_rows(upload, errors):
    refused = check_upload(upload)
    if refused:
        errors.extend(refused)
        return None, None
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
        errors.append(RowError(None, "", "不是有效的 Excel（.xlsx）文件，请使用导入模板"))
        return None, None
    # At most MAX_COLUMNS columns are read, whatever width the sheet claims.
    rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    header = next(rows, None)
    if header is None:
        errors.append(RowError(None, "", "工作表是空的，没有列名和数据"))
        return None, None
    headers = [str(h).strip() if h is not None else "" for h in header]
    unknown = [h for h in headers if h and h not in _BY_HEADER]
    if unknown:
        errors.append(RowError(1, "", f"无法识别的列：{'、'.join(unknown)}（请使用导入模板）"))
    seen = {h for h in headers if h}
    missing = [c.header for c in COLUMNS if c.required and c.header not in seen]
    if missing:
        errors.append(RowError(1, "", f"缺少必填列：{'、'.join(missing)}"))
    duplicated = sorted({h for h in headers if h and headers.count(h) > 1})
    if duplicated:
        errors.append(RowError(1, "", f"列名重复：{'、'.join(duplicated)}"))
    if missing or duplicated:
        return None, None
    # Unknown columns are reported, and the rows are still checked so that one upload
    # shows every problem of the file.
    return headers, (rows, declared_rows(sheet))


def _parse(column: ImportColumn, raw, row_number, errors):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if column.required:
            errors.append(RowError(row_number, column.header, "必填，不能为空"))
        return None
    if column.kind == "int":
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        try:
            value = int(str(raw).strip())
        except ValueError:
            errors.append(RowError(row_number, column.header, f"应为整数，收到「{raw}」"))
            return None
        if value < 0:
            errors.append(RowError(row_number, column.header, f"不能为负数，收到 {value}"))
            return None
        return value
    if column.kind == "decimal":
        try:
            value = Decimal(str(raw).strip()).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors.append(RowError(row_number, column.header, f"应为数字，收到「{raw}」"))
            return None
        if value < 0:
            errors.append(RowError(row_number, column.header, f"不能为负数，收到 {value}"))
            return None
        return value
    text = str(raw).strip()
    if column.kind == "coordinates":
        return _parse_coordinates(text, column, row_number, errors)
    if column.kind == "choice":
        choices = _CHOICES[column.field]
        if text not in choices:
            errors.append(
                RowError(
                    row_number, column.header, f"应为 {'、'.join(choices)} 之一，收到「{text}」"
                )
            )
            return None
        return choices[text]
    return text


def _parse_coordinates(text, column, row_number, errors):
    """ "经度,纬度" (a map picker's order) → (latitude, longitude), each in range."""
    parts = [p.strip() for p in text.replace("，", ",").split(",")]
    try:
        if len(parts) != 2:
            raise InvalidOperation
        longitude, latitude = (Decimal(p).quantize(Decimal("0.000001")) for p in parts)
    except (InvalidOperation, ValueError):
        errors.append(
            RowError(
                row_number, column.header, f"应为「经度,纬度」，如 113.6254,34.7466，收到「{text}」"
            )
        )
        return None
    if not (Decimal(-180) <= longitude <= Decimal(180)):
        errors.append(
            RowError(row_number, column.header, f"经度应在 −180 至 180 之间，收到 {longitude}")
        )
        return None
    if not (Decimal(-90) <= latitude <= Decimal(90)):
        errors.append(
            RowError(row_number, column.header, f"纬度应在 −90 至 90 之间，收到 {latitude}")
        )
        return None
    return latitude, longitude


class _Lookups:
    """Names → rows, loaded once per import (three queries, whatever the file's size)."""

    def __init__(self, user):
        self.street_offices = {}
        for office in StreetOffice.objects.all():
            self.street_offices[office.name] = office
            self.street_offices[office.short_name] = office
        self.communities = {(c.street_office_id, c.name): c for c in Community.objects.all()}
        self.visible_offices = set(
            StreetOffice.objects.visible_to(user).values_list("pk", flat=True)
        )
        self.campaigns = {c.year: c for c in Campaign.objects.all()}


def _row_values(headers, raw_row, row_number, lookups, errors):
    raw = dict(zip(headers, raw_row, strict=False))
    parsed = {c.field: _parse(c, raw.get(c.header), row_number, errors) for c in COLUMNS}
    values = {
        k: v for k, v in parsed.items() if k not in ("street_office", "community", "coordinates")
    }
    if COORDINATES_HEADER in raw:
        values["latitude"], values["longitude"] = parsed["coordinates"] or (None, None)
    for name in ("build_year", "campaign"):
        values.setdefault(name, None)
    office = None
    if parsed["street_office"]:
        office = lookups.street_offices.get(parsed["street_office"])
        if office is None:
            errors.append(
                RowError(row_number, "街道办事处", f"系统中没有「{parsed['street_office']}」")
            )
        elif office.pk not in lookups.visible_offices:
            errors.append(
                RowError(row_number, "街道办事处", f"「{office.name}」不在您的管辖范围内")
            )
            office = None
    if office and parsed["community"]:
        community = lookups.communities.get((office.pk, parsed["community"]))
        if community is None:
            errors.append(
                RowError(row_number, "社区", f"{office.name}下没有「{parsed['community']}」社区")
            )
        values["community"] = community
    if parsed["campaign"] is not None:
        campaign = lookups.campaigns.get(parsed["campaign"])
        if campaign is None:
            errors.append(
                RowError(
                    row_number, "整治批次（年度）", f"系统中没有 {parsed['campaign']} 年度的批次"
                )
            )
        values["campaign"] = campaign
    for column in COLUMNS:
        if column.kind == "text" and values.get(column.field) is None:
            values[column.field] = ""
    return values


def _validation_errors(exc: ValidationError, row_number):
    labels = {c.field: c.header for c in COLUMNS}
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            for message in messages:
                yield RowError(row_number, labels.get(name, ""), message)
    else:
        for message in exc.messages:
            yield RowError(row_number, "", message)


def import_ledger(upload, *, actor, progress: Progress | None = None, job=None) -> ImportResult:
    """Check every row of ``upload``, then write them all in one transaction, or none.

    ``progress`` hears how far it is (see ``Progress``); ``job``, when given, is marked
    done with its counts and audited inside the same transaction as the rows, so a job
    is done exactly when its rows are written."""
    result = ImportResult()
    headers, read = _read_rows(upload, result.errors)
    if headers is None:
        return result
    rows, total = read
    if total is not None:
        total = min(total, settings.IMPORT_MAX_ROWS + 1)
    report = progress or (lambda phase, done, total: None)
    report("checking", 0, total)
    lookups = _Lookups(actor)
    planned = []  # (row number, values)
    first_row_of = {}
    rows_read = 0
    for row_number, raw_row in enumerate(rows, start=2):
        rows_read = row_number - 1
        if rows_read % PROGRESS_EVERY == 0:
            report("checking", row_number - 1, total)
        # Every row read counts, blank and wrong ones too: a million bad rows stop here.
        if row_number - 1 > settings.IMPORT_MAX_ROWS:
            result.errors.append(
                RowError(
                    row_number,
                    "",
                    f"一次最多导入 {settings.IMPORT_MAX_ROWS} 行，请分成几个文件导入",
                )
            )
            break
        if len(result.errors) >= MAX_ERRORS:
            result.errors.append(
                RowError(None, "", f"错误超过 {MAX_ERRORS} 条，已停止检查；请修改后重新上传")
            )
            break
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw_row):
            continue
        errors_before = len(result.errors)
        values = _row_values(headers, raw_row, row_number, lookups, result.errors)
        community, name = values.get("community"), values.get("name")
        if community and name:
            key = (community.pk, name)
            if key in first_row_of:
                result.errors.append(
                    RowError(
                        row_number, "小区名称", f"与第 {first_row_of[key]} 行重复（同一社区内同名）"
                    )
                )
            else:
                first_row_of[key] = row_number
        if len(result.errors) == errors_before:
            planned.append((row_number, values))
    if not planned and not result.errors:
        result.errors.append(RowError(None, "", "文件中没有数据行"))
    report("checking", rows_read, total)
    if result.errors:
        return result
    report("writing", 0, len(planned))

    existing = {
        (e.community_id, e.name): e
        for e in Estate.objects.filter(
            community__in={v["community"] for _, v in planned},
            name__in={v["name"] for _, v in planned},
        )
    }
    try:
        with transaction.atomic():
            for written, (row_number, values) in enumerate(planned):
                if written and written % PROGRESS_EVERY == 0:
                    report("writing", written, len(planned))
                estate = existing.get((values["community"].pk, values["name"]))
                try:
                    if estate is None:
                        services.create_estate(
                            actor=actor, values=values, action=AuditEvent.Action.IMPORT
                        )
                        result.created += 1
                    elif services.update_estate(
                        estate, actor=actor, values=values, action=AuditEvent.Action.IMPORT
                    ):
                        result.updated += 1
                    else:
                        result.unchanged += 1
                except ValidationError as exc:
                    result.errors.extend(_validation_errors(exc, row_number))
            if result.errors:
                raise _Rollback
            if job is not None:
                _finish(job, result, rows_written=len(planned))
    except _Rollback:
        result.created = result.updated = result.unchanged = 0
    return result


def _finish(job, result: ImportResult, *, rows_written: int) -> None:
    """Inside the import's transaction: the job is done, with its counts and audit event."""
    job.status, job.finished_at = ImportJob.Status.DONE, timezone.now()
    job.created, job.updated, job.unchanged = result.created, result.updated, result.unchanged
    job.rows_written = rows_written
    job.save(
        update_fields=["status", "finished_at", "created", "updated", "unchanged", "rows_written"]
    )
    audit.record(
        job,
        actor=job.owner,
        action=AuditEvent.Action.IMPORT,
        summary=f"导入台账 {job.filename}：新增 {result.created} 个，更新 {result.updated} 个，"
        f"未变化 {result.unchanged} 个",
        changes={
            "created": {"label": "新增", "old": "", "new": str(result.created)},
            "updated": {"label": "更新", "old": "", "new": str(result.updated)},
            "unchanged": {"label": "未变化", "old": "", "new": str(result.unchanged)},
        },
    )


class _Rollback(Exception):
    """Raised inside the import's transaction to undo every row when one failed."""


# --- the import as a job ----------------------------------------------------------------
def request_import(upload, *, actor) -> ImportJob:
    """Store ``upload`` as a job and run it: at once when the file declares at most
    ``SYNC_ROW_LIMIT`` rows, otherwise by a worker once this transaction commits (a
    broker that refuses or hangs leaves the job queued for the sweep). The caller has
    refused oversized files already (``check_upload``)."""
    from estates.tasks import run_import

    require(services.can_edit_estate(actor), "只有指挥部办公室或街道办事处可以导入台账")
    total = _peek_rows(upload)
    filename = (getattr(upload, "name", "") or "台账.xlsx").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        job = ImportJob(owner=actor, filename=filename, rows_total=total)
        job.file.save(f"import-{timezone.now():%Y%m%d%H%M%S}.xlsx", File(upload), save=False)
        job.save()
        audit.record(
            job,
            actor=actor,
            action=AuditEvent.Action.CREATE,
            summary=f"上传台账文件 {filename}（{total if total is not None else '?'} 行）",
        )
        if total is not None and total <= SYNC_ROW_LIMIT:
            small = True
        else:
            small = False
            outbox.enqueue_on_commit(
                run_import,
                job.pk,
                sent=lambda: ImportJob.objects.filter(pk=job.pk, enqueued_at__isnull=True).update(
                    enqueued_at=timezone.now()
                ),
            )
    if small:
        return run_import_job(job.pk)
    job.refresh_from_db()
    return job


def _peek_rows(upload) -> int | None:
    """The rows the file declares, read from its sheet's dimension only (cheap)."""
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
        return declared_rows(workbook.worksheets[0])
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
        return None  # the job's check reports the file as unreadable
    finally:
        upload.seek(0)


def run_import_job(job_id: int) -> ImportJob:
    """Check and write a queued job's file, once: the job is claimed under its row lock,
    and a task delivered twice (the sweep, a re-delivery) finds it claimed and leaves."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("owner").get(pk=job_id)
        if job.status != ImportJob.Status.QUEUED:
            return job
        job.status, job.started_at = ImportJob.Status.CHECKING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    reporter = _JobProgress(job.pk)
    try:
        with job.file.open("rb") as upload:
            result = import_ledger(upload, actor=job.owner, progress=reporter, job=job)
    except Exception as exc:  # nothing was written (one transaction); the log has the detail
        logger.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            error=f"导入出错：{type(exc).__name__}；未导入任何数据",
        )
    else:
        if result.errors:
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportJob.Status.REFUSED,
                finished_at=timezone.now(),
                errors=[
                    {"row": e.row, "column": e.column, "message": e.message} for e in result.errors
                ],
            )
    finally:
        reporter.close()
    job.refresh_from_db()
    return job


class _JobProgress:
    """Writes a job's progress where the job's page can read it. While checking, no
    transaction is open: a plain update commits at once. While writing, the rows are in
    one open transaction, so the counter goes through a connection of its own; SQLite
    has one writer at a time, so there the page shows 写入中 without the counter."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.side = None

    def __call__(self, phase, done, total):
        if phase == "checking":
            ImportJob.objects.filter(pk=self.job_id).update(rows_read=done, rows_total=total)
        elif done == 0:
            ImportJob.objects.filter(pk=self.job_id).update(
                status=ImportJob.Status.WRITING, rows_to_write=total, rows_written=0
            )
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET rows_written = %s WHERE id = %s",
                    [done, self.job_id],
                )

    def close(self):
        if self.side is not None:
            self.side.close()
