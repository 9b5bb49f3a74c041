"""`make bench`: generate (or reuse) the datasets, serve them with gunicorn, drive each role's main pages.

For each scale (default 0.1 and 1) on PostgreSQL: make or reuse the database `portal_bench_s<scale>` (its
COMMENT says which generator, scale and seed made it), start gunicorn with the production settings of the
README (4 sync workers, Secure cookies, no demo mode, Redis rate-limit storage when Redis answers), log in as
each role through the real forms (password and TOTP), then drive every page with concurrent clients and print
requests/s, p50, p95, SQL queries per request, bytes per response and the first load (HTML + CSS + JS) per
page, with `/healthz` measured in the same run. Queries are counted in this process, on the same database and
the same session, with a SQLAlchemy event listener. The last line is for scripts:

    bench: worst p95 X ms, lowest throughput ratio Y, most queries Z, scale growth W

Environment: BENCH_DATABASE_URL (an existing PostgreSQL database to connect through; default
postgresql+psycopg://postgres@127.0.0.1:5432/test), BENCH_SCALES (0.1,1), BENCH_SECONDS (5 per page),
BENCH_CLIENTS (8), BENCH_WORKERS (4), BENCH_FRESH=1 to regenerate. Exit 1 when a budget is missed.
"""

import os
import re
import secrets
import socket
import subprocess  # nosec B404
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from bench import generate
from bench.client import Load, Result, Session

ROOT = Path(__file__).resolve().parent.parent
BUDGET_P95_MS = 100
BUDGET_RATIO = 0.10
BUDGET_QUERIES = 15
BUDGET_GROWTH = 1.5
BUDGET_HTML = 100 * 1024
BUDGET_FIRST_LOAD = 150 * 1024


@dataclass
class Page:
    name: str
    role: str
    paths: list[str]


def env_list(name: str, default: str) -> list[str]:
    return [x.strip() for x in os.environ.get(name, default).split(",") if x.strip()]


def database_name(scale: float) -> str:
    return "portal_bench_s" + f"{scale:g}".replace(".", "_")


def marker(scale: float, seed: int) -> str:
    return f"bench generator v{generate.GENERATOR_VERSION} scale {scale:g} seed {seed}"


def ensure_dataset(base_url: str, scale: float, seed: int, fresh: bool) -> str:
    """The database for this scale, made with the generator unless one made the same way exists."""
    name = database_name(scale)
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            comment = conn.scalar(text("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                       "WHERE datname = :n"), {"n": name})
            if comment == marker(scale, seed) and not fresh:
                print(f"scale {scale:g}: reusing database {name} ({comment})", flush=True)
                from portal import migrate

                migrate.upgrade(url)  # the schema of this checkout (new indexes and the like)
                return url
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        from portal import migrate

        started = time.monotonic()
        migrate.upgrade(url)
        written = generate.generate(url, scale, seed, echo=lambda m: print(f"scale {scale:g}: {m}", flush=True))
        print(f"scale {scale:g}: generated {sum(written.values()):,} rows into {name} in "
              f"{time.monotonic() - started:.0f} s (migrations included)", flush=True)
        with admin.connect() as conn:
            conn.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{marker(scale, seed)}'"))
        return url
    finally:
        admin.dispose()


def pick_targets(url: str) -> dict:
    """A typical school (median number of cases), its staff, and the records each page will rotate through."""
    engine = create_engine(url)
    q = lambda sql, **kw: conn.execute(text(sql), kw).all()  # noqa: E731
    try:
        with engine.connect() as conn:
            schools = q("SELECT school_id, count(*) FROM support_cases GROUP BY school_id ORDER BY 2, 1")
            school = schools[len(schools) // 2][0]
            domain = f"s{school}.bench.kz"
            teacher = q("SELECT u.email FROM users u JOIN case_members m ON m.user_id = u.id WHERE u.school_id = :s "
                        "GROUP BY u.email ORDER BY count(*) DESC, u.email LIMIT 1", s=school)[0][0]
            students = [r[0] for r in q("SELECT DISTINCT student_id FROM support_cases WHERE school_id = :s "
                                        "ORDER BY student_id LIMIT 40", s=school)]
            concerns = [r[0] for r in q("SELECT id FROM concerns WHERE school_id = :s ORDER BY id DESC LIMIT 40",
                                        s=school)]
            plans = [tuple(r) for r in q("SELECT c.id, p.id FROM support_cases c JOIN plans p ON p.case_id = c.id "
                                         "WHERE c.school_id = :s AND p.status = 'approved' ORDER BY c.id LIMIT 40",
                                         s=school)]
            escalations = [r[0] for r in q("SELECT id FROM escalations WHERE status <> 'draft' ORDER BY id DESC "
                                           "LIMIT 40")]
            surnames = [r[0][:3] for r in q("SELECT DISTINCT surname FROM students WHERE school_id = :s "
                                            "ORDER BY surname LIMIT 8", s=school)]
            emails = {"teacher": teacher, "psychologist": f"psychologist1@{domain}",
                      "school_admin": f"admin1@{domain}", "regional_reviewer": "reviewer1@region.bench.kz",
                      "sysadmin": "sysadmin@bench.kz"}
            secrets_ = {role: q("SELECT totp_secret FROM users WHERE email = :e", e=email)[0][0]
                        for role, email in emails.items()}
    finally:
        engine.dispose()
    return {"school": school, "emails": emails, "secrets": secrets_, "students": students, "concerns": concerns,
            "cases": [c for c, _p in plans], "plans": plans, "escalations": escalations, "surnames": surnames}


def pages(t: dict) -> list[Page]:
    return [
        Page("home: teacher", "teacher", ["/"]),
        Page("home: psychologist", "psychologist", ["/"]),
        Page("home: school admin", "school_admin", ["/"]),
        Page("home: regional reviewer", "regional_reviewer", ["/"]),
        Page("home: sysadmin", "sysadmin", ["/"]),
        Page("student search", "psychologist", [f"/students?q={quote(s)}" for s in t["surnames"]]),
        Page("student profile + chronology", "psychologist", [f"/students/{i}" for i in t["students"]]),
        Page("concern detail", "psychologist", [f"/concerns/{i}" for i in t["concerns"]]),
        Page("triage queue", "psychologist", ["/concerns"]),
        Page("my tasks: teacher", "teacher", ["/tasks"]),
        Page("case page", "psychologist", [f"/cases/{i}" for i in t["cases"]]),
        Page("case page: school admin", "school_admin", [f"/cases/{i}" for i in t["cases"]]),
        Page("plan page", "psychologist", [f"/cases/{c}/plan/{p}" for c, p in t["plans"]]),
        Page("escalation queue", "regional_reviewer", ["/escalations"]),
        Page("escalation (snapshot)", "regional_reviewer", [f"/escalations/{i}" for i in t["escalations"]]),
        Page("regional overview", "regional_reviewer", ["/escalations/overview"]),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def server_env(url: str, secret_key: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(DATABASE_URL=url, SECRET_KEY=secret_key,
               RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0" if redis_answers() else "memory://")
    return env


def start_server(url: str, secret_key: str, workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(  # nosec B603
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--access-logfile", "-",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=server_env(url, secret_key), stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _, _ = Session("127.0.0.1", port).request("GET", "/healthz")
            if status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer /healthz within 30 s; see {log}")


def worker_cpu_seconds(master_pid: int) -> float:
    """CPU time used so far by gunicorn's workers (user + system), from /proc; 0 where /proc is missing."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return 0.0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


class QueryCounter:
    """The same app in this process, on the same database: SQL statements per request for a logged-in cookie."""

    def __init__(self, url: str, secret_key: str):
        os.environ.update(server_env(url, secret_key))
        os.environ["RATELIMIT_STORAGE_URI"] = "memory://"
        from portal import create_app
        from portal.extensions import db

        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret_key})
        with self.app.app_context():
            self.engine = db.engine
        self.statements = 0

        @event.listens_for(self.engine, "before_cursor_execute")
        def _count(*_args):
            self.statements += 1

    def count(self, path: str, cookie: str) -> tuple[int, int]:
        client = self.app.test_client(use_cookies=False)
        self.statements = 0
        response = client.get(path, headers={"Cookie": cookie, "Accept-Language": "ru"})
        return self.statements, response.status_code

    def close(self):
        self.engine.dispose()


ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+href)="(/static/[^"?]+)')


def first_load(session: Session, path: str) -> tuple[int, int]:
    """Bytes of the HTML and of the HTML with every stylesheet and script it loads (uncompressed)."""
    status, html, _ = session.request("GET", path)
    size = len(html.encode())
    total = size
    for asset in sorted(set(ASSET.findall(html))):
        _, body, _ = session.request("GET", asset)
        total += len(body.encode())
    return size, total


def run_scale(scale: float, base_url: str, seed: int, fresh: bool, seconds: float, clients: int,
              workers: int) -> dict:
    url = ensure_dataset(base_url, scale, seed, fresh)
    targets = pick_targets(url)
    secret_key = secrets.token_urlsafe(32)
    log = Path(tempfile.gettempdir()) / f"bench-gunicorn-{database_name(scale)}.log"
    process, port = start_server(url, secret_key, workers, log)
    counter = QueryCounter(url, secret_key)
    load = Load("127.0.0.1", port, clients)
    results, cpu = {}, {}
    try:
        sessions = {}
        for role, email in targets["emails"].items():
            session = Session("127.0.0.1", port)
            session.login(email, generate.BENCH_PASSWORD, targets["secrets"][role])
            sessions[role] = session
        print(f"scale {scale:g}: gunicorn on :{port} ({workers} workers), school {targets['school']}, "
              f"{clients} clients × {seconds:g} s per page", flush=True)
        before = worker_cpu_seconds(process.pid)
        results["/healthz"] = (load.run(["/healthz"], None, seconds), 1, 0, 0)
        cpu["/healthz"] = (worker_cpu_seconds(process.pid) - before) / max(results["/healthz"][0].requests, 1)
        for page in pages(targets):
            session = sessions[page.role]
            counted = []
            for path in page.paths[:5]:
                statements, status = counter.count(path, session.cookie_header)
                if status != 200:
                    raise RuntimeError(f"{page.name}: {path} answered {status} in process")
                counted.append(statements)
            html, total = first_load(session, page.paths[0])
            before = worker_cpu_seconds(process.pid)
            results[page.name] = (load.run(page.paths, session.cookie_header, seconds), max(counted), html, total)
            cpu[page.name] = (worker_cpu_seconds(process.pid) - before) / max(results[page.name][0].requests, 1)
    finally:
        load.close()
        counter.close()
        process.terminate()
        process.wait(timeout=30)
    return results, cpu


def report(scale: float, results: dict, cpu: dict) -> None:
    health: Result = results["/healthz"][0]
    print(f"\nscale {scale:g}")
    print(f"{'page':32} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7} {'bytes':>8} {'1st load':>9} "
          f"{'ratio':>6} {'errors':>6} {'app CPU ms':>10}")
    for name, (r, queries, _html, total) in results.items():
        ratio = r.rps / health.rps if health.rps else 0
        errors = sum(r.errors.values())
        print(f"{name:32} {r.rps:7.1f} {r.percentile(50):7.1f} {r.percentile(95):7.1f} {queries:7d} "
              f"{r.mean_bytes:8d} {total:9d} {ratio:6.2f} {errors:6d} {cpu.get(name, 0) * 1000:10.1f}")


def main() -> int:
    base_url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    scales = [float(s) for s in env_list("BENCH_SCALES", "0.1,1")]
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    clients = int(os.environ.get("BENCH_CLIENTS", "8"))
    workers = int(os.environ.get("BENCH_WORKERS", "4"))
    fresh = os.environ.get("BENCH_FRESH") == "1"
    seed = int(os.environ.get("BENCH_SEED", generate.DEFAULT_SEED))
    if not base_url.startswith("postgresql"):
        print("bench: BENCH_DATABASE_URL must be PostgreSQL (the budgets are for PostgreSQL)")
        return 2
    by_scale = {}
    for scale in scales:
        by_scale[scale], cpu = run_scale(scale, base_url, seed, fresh, seconds, clients, workers)
        report(scale, by_scale[scale], cpu)
    largest, smallest = max(scales), min(scales)
    top = by_scale[largest]
    health = top["/healthz"][0]
    problems = []
    worst_p95 = max(r.percentile(95) for name, (r, *_rest) in top.items() if name != "/healthz")
    ratios = {name: r.rps / health.rps for name, (r, *_rest) in top.items() if name != "/healthz"}
    most_queries = max(q for results in by_scale.values() for name, (_r, q, *_rest) in results.items()
                       if name != "/healthz")
    growth = {}
    if largest != smallest:
        print(f"\np95 growth, scale {smallest:g} → {largest:g}")
        for name in top:
            before, after = by_scale[smallest][name][0].percentile(95), top[name][0].percentile(95)
            growth[name] = after / before if before else float("inf")
            print(f"  {name:32} {before:7.1f} → {after:7.1f} ms   × {growth[name]:.2f}")
            if name != "/healthz" and by_scale[smallest][name][1] != top[name][1]:
                problems.append(f"{name}: {by_scale[smallest][name][1]} queries at scale {smallest:g}, "
                                f"{top[name][1]} at {largest:g}")
    page_growth = max((g for n, g in growth.items() if n != "/healthz"), default=1.0)
    for results in by_scale.values():
        for name, (r, queries, html, total) in results.items():
            if r.errors:
                problems.append(f"{name}: non-200 answers {r.errors}")
            if name == "/healthz":
                continue
            if queries > BUDGET_QUERIES:
                problems.append(f"{name}: {queries} queries > {BUDGET_QUERIES}")
            if html > BUDGET_HTML or total > BUDGET_FIRST_LOAD:
                problems.append(f"{name}: HTML {html} B, first load {total} B")
    for name, (r, *_rest) in top.items():
        if name != "/healthz" and r.percentile(95) > BUDGET_P95_MS:
            problems.append(f"{name}: p95 {r.percentile(95):.1f} ms > {BUDGET_P95_MS} ms")
        if name != "/healthz" and ratios[name] < BUDGET_RATIO:
            problems.append(f"{name}: throughput ratio {ratios[name]:.2f} < {BUDGET_RATIO}")
    if page_growth > BUDGET_GROWTH:
        problems.append(f"p95 growth × {page_growth:.2f} > {BUDGET_GROWTH}")
    print()
    for problem in problems:
        print(f"OVER BUDGET: {problem}")
    if not problems:
        print(f"all budgets met (p95 ≤ {BUDGET_P95_MS} ms, ratio ≥ {BUDGET_RATIO}, ≤ {BUDGET_QUERIES} queries, "
              f"growth ≤ {BUDGET_GROWTH}, HTML ≤ 100 KB, first load ≤ 150 KB)")
    print(f"bench: worst p95 {worst_p95:.1f} ms, lowest throughput ratio {min(ratios.values()):.2f}, "
          f"most queries {most_queries}, scale growth {page_growth:.2f}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
