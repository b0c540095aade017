"""The machinery of ``manage.py bench``: a bulk loader, timings, the SQL floor of a page.

Each app's ``benchmarks`` hook module lists its page cases (``CASES``), may load its part
of the synthetic data set (``load(data)``) and may time its jobs (``jobs(data)``); this
module knows none of the apps. Speed targets live in the bench, never in timed tests."""

import io
import os
import statistics
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from django.core.management.color import no_style
from django.db import connection

# --- the bulk loader --------------------------------------------------------------------


class BulkLoader:
    """Insert many rows of one model fast and in bounded memory, bypassing the ORM.

    Rows are tuples of the ``given`` attnames (``"estate_id"``, not ``"estate"``); every
    other concrete field gets its default (callables evaluated per row, so a UUID stays
    unique), so a column another app adds later does not break the loader. PostgreSQL
    takes the rows through ``COPY ... FROM STDIN`` (psycopg's copy), SQLite through
    ``executemany`` in batches. Nothing is audited: these are fixtures, not changes."""

    def __init__(self, model, given: list[str]):
        opts = model._meta
        self.model = model
        by_attname = {f.attname: f for f in opts.concrete_fields}
        unknown = [name for name in given if name not in by_attname]
        if unknown:
            raise ValueError(f"{opts.label} has no field {unknown}")
        self.fields = [by_attname[name] for name in given]
        self.fixed, self.per_row = [], []
        for f in opts.concrete_fields:
            if f.attname in given or f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                from django.utils import timezone

                self.fixed.append((f, timezone.now()))
            elif f.has_default():
                if callable(f.default):
                    self.per_row.append((f, f.default))
                else:
                    self.fixed.append((f, f.get_default()))
            elif f.null:
                self.fixed.append((f, None))
            elif f.empty_strings_allowed and f.blank:
                self.fixed.append((f, ""))
            else:
                raise ValueError(f"{opts.label}.{f.attname} needs a value in the bench loader")
        self.columns = self.fields + [f for f, _ in self.fixed] + [f for f, _ in self.per_row]
        self.fixed_values = tuple(v for _, v in self.fixed)

    def _rows(self, rows):
        fixed, per_row = self.fixed_values, self.per_row
        if per_row:
            for row in rows:
                yield (*row, *fixed, *(make() for _, make in per_row))
        else:
            for row in rows:
                yield (*row, *fixed)

    def load(self, rows, *, batch_size: int = 5000) -> int:
        qn = connection.ops.quote_name
        table = qn(self.model._meta.db_table)
        columns = ", ".join(qn(f.column) for f in self.columns)
        count = 0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self._rows(rows):
                        copy.write_row([_pg(v) for v in row])
                        count += 1
            return count
        preps = [f.get_db_prep_save for f in self.columns]
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(self.columns))})"
        with connection.cursor() as cursor:
            batch = []
            for row in self._rows(rows):
                batch.append([p(v, connection) for p, v in zip(preps, row, strict=True)])
                if len(batch) >= batch_size:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count


def _pg(value):
    # COPY's text format takes JSON as its text; psycopg adapts the other Python types.
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


def next_id(model) -> int:
    """The first free primary key: the loader assigns ids itself so that rows loaded later
    can point at rows loaded earlier without reading them back."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequences(*models):
    """After explicit ids, move PostgreSQL's sequences past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def reconstruct_history(history_model, migration: str) -> bool:
    """The as-of figures read the records' history tables, which the bulk loader (like
    any raw insert) leaves empty: rebuild them with the data migration that introduced
    them (``migration``, a module path; its ``reconstruct_history(apps, schema_editor)``
    rebuilds each record's states from its own times). Skipped when the table already
    holds rows (a reused data set). Returns whether it ran."""
    from importlib import import_module

    from django.apps import apps

    if history_model.objects.exists():
        return False
    import_module(migration).reconstruct_history(apps, None)
    return True


def analyze():
    """Fresh planner statistics after a bulk load (and, on PostgreSQL, the visibility map,
    so index-only scans work at once)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")


def unit(a: int, b: int) -> float:
    """A cheap, reproducible pseudo-random number in [0, 1) of two integers: lets the
    loader decide "filed or missed" for 6 million (compound, day) pairs twice (once for
    the records, once for the register) with the same outcome and without storing it."""
    h = (a * 2654435761 + b * 40503 + 12345) & 0xFFFFFFFF
    h ^= h >> 15
    h = (h * 2246822519) & 0xFFFFFFFF
    h ^= h >> 13
    return h / 4294967296


@dataclass
class BenchData:
    """What the loaders share: the scale, the seed, today, the window of days."""

    scale: str
    compounds: int
    days: int
    today: date
    seed: int = 2013
    stdout: object = None
    extra: dict = field(default_factory=dict)

    def say(self, message):
        if self.stdout is not None:
            self.stdout.write(message)
            self.stdout.flush()


# --- measurements -----------------------------------------------------------------------


@dataclass
class Figure:
    """One line of the bench table."""

    label: str
    value: str  # median (ms, /s, s), as printed
    p95: str = ""
    n: int | str = ""
    queries: int | str = ""
    floor: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""


def median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0], ordered[0]
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[-1]
    return statistics.median(ordered), p95


class QueryRecorder:
    """Records (sql, params) of the statements a request runs, to count them and to replay
    the SELECTs bare: the page's SQL floor, without Django, templates or serializers."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)

    def replay_seconds(self) -> float:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params, many in self.statements:
                if many or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                cursor.execute(sql, params)
                cursor.fetchall()
        return time.perf_counter() - start


class PeakMemory:
    """The peak growth of this process's resident memory while the block runs, sampled
    every 20 ms from /proc (no tracing overhead on the code measured)."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.rss() - self.base)

    def __enter__(self):
        self.base = self.rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss() - self.base)

    @property
    def megabytes(self) -> float:
        return self.peak / 1024 / 1024


def timed(call, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return time.perf_counter() - start, result


def drain(response) -> bytes:
    if getattr(response, "streaming", False):
        out = io.BytesIO()
        for chunk in response.streaming_content:
            out.write(chunk)
        return out.getvalue()
    return response.content


# --- the concurrent run against gunicorn ------------------------------------------------


def floor_view(request):
    """The floor of a write: one INSERT and a tiny answer, nothing else. Mounted only when
    ``BENCH_FLOOR`` is on (the bench's own gunicorn), never in a deployment. The row is a
    session that has already expired, which the bench removes afterwards. It goes through
    the same middleware as every view, CSRF check included (not exempt): the bench sends
    the token cookie and header with every POST, so the floor pays what a filing pays."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.http import HttpResponse
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    if request.method != "POST":
        return HttpResponse(status=405)
    Session.objects.create(
        session_key=FLOOR_PREFIX + get_random_string(22),
        session_data="",
        expire_date=timezone.now() - timedelta(days=1),
    )
    return HttpResponse("ok", status=201, content_type="text/plain")


FLOOR_PREFIX = "benchfloor"


def open_session(user) -> str:
    """A logged-in session for ``user`` (as a login would leave it), for a bench client
    that cannot type a password; returns the session key."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test.utils import override_settings

    # Signed with the bench server's key, as a login on that server would sign it.
    with override_settings(SECRET_KEY=Server.SECRET_KEY):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "estates.backends.Backend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
    return session.session_key


#: How long gunicorn's workers may take to boot: about 55 s measured on this 2-core
#: machine with three benches and other work on it; one run exceeded 240 s.
START_SECONDS = 480


class Server:
    """The app under gunicorn on loopback, as deployed (sync workers, DEBUG off), with
    the floor view mounted."""

    CSRF = "benchcsrftoken0123456789abcdefgh"  # 32 characters, as Django's cookie
    SECRET_KEY = "bench-only-secret-key-" + "k" * 40

    def __init__(self, *, port: int, workers: int):
        self.port, self.workers = port, workers
        self.process = None

    def __enter__(self):
        import subprocess
        import sys
        import urllib.request

        from django.conf import settings

        env = dict(os.environ)
        env.update(
            DEBUG="false",
            SECRET_KEY=self.SECRET_KEY,
            SECURE_SSL_REDIRECT="false",
            SERVE_HTTPS="false",
            ALLOWED_HOSTS="127.0.0.1",
            BENCH_FLOOR="true",
            # As `make run`: without REDIS_URL a DEBUG-off process must be told to run
            # Celery tasks in-process, or it refuses to start.
            TASKS_IN_PROCESS=env.get("TASKS_IN_PROCESS", "true"),
            DATABASE_URL=env.get("DATABASE_URL") or _database_url(settings.DATABASES["default"]),
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-c",
                str(settings.BASE_DIR / "config" / "gunicorn.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--access-logfile",
                "/dev/null",
                "--error-logfile",
                "-",
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "gunicorn exited: " + self.process.stderr.read().decode(errors="replace")
                )
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    self._warm()
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer within {START_SECONDS} s")

    #: Requests per worker that warm the workers up before anything is timed.
    WARM_REQUESTS = 10

    def _warm(self):
        """Every worker answers a few health checks (its URLconf imported, about 0.7 s of
        CPU, and its database connection opened) before a timed run: otherwise the
        first run timed (the filings) paid the start of three of the four workers and
        the next (the floor) none."""
        import http.client

        def ask(count):
            for _ in range(count):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                try:
                    conn.request("GET", "/healthz")
                    conn.getresponse().read()
                finally:
                    conn.close()

        threads = [
            threading.Thread(target=ask, args=(self.WARM_REQUESTS,))
            for _ in range(self.workers * 2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except Exception:
                self.process.kill()

    def post(self, path: str, body: bytes, session_key: str | None = None):
        """One POST; returns (status, seconds)."""
        import http.client

        # Every POST carries the CSRF cookie and header, as a browser's would.
        cookie = f"csrftoken={self.CSRF}"
        if session_key:
            cookie = f"sessionid={session_key}; {cookie}"
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Cookie": cookie,
            "X-CSRFToken": self.CSRF,
        }
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status, time.perf_counter() - start
        finally:
            conn.close()

    def run(self, requests, *, clients: int, seconds: float):
        """Send ``requests`` ((path, body, session_key) tuples) from ``clients`` threads
        until they run out or ``seconds`` pass; returns (statuses, latencies, elapsed)."""
        import queue

        work = queue.Queue()
        for item in requests:
            work.put(item)
        statuses, latencies = [], []
        lock = threading.Lock()
        start = time.perf_counter()
        stop_at = start + seconds

        def client():
            while time.perf_counter() < stop_at:
                try:
                    path, body, key = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    status, took = self.post(path, body, key)
                except OSError:
                    status, took = 0, 0.0
                with lock:
                    statuses.append(status)
                    latencies.append(took)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return statuses, latencies, time.perf_counter() - start


def _database_url(db: dict) -> str:
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = f"{auth}@" if auth else ""
    return f"postgres://{host}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
