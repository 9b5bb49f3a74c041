"""The load client: N worker processes, each with one keep-alive HTTP/1.1 connection (stdlib http.client).

Processes rather than threads, so that the client's own Python never queues one request behind another's
parsing (the GIL) and inflates the latencies it reports. Each worker sends requests back to back for a fixed
time, rotating through the page's paths, and returns every latency it measured.
"""

import http.client
import re
import time
import urllib.parse
from dataclasses import dataclass
from multiprocessing import get_context


@dataclass
class Result:
    requests: int
    seconds: float
    latencies_ms: list
    bytes_total: int
    errors: dict  # status -> count

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def mean_bytes(self) -> int:
        return self.bytes_total // self.requests if self.requests else 0


def _drive(job):
    host, port, paths, cookie, seconds, warmup, worker = job
    conn = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Cookie": cookie, "Accept-Language": "ru"} if cookie else {"Accept-Language": "ru"}
    latencies, total_bytes, errors, n = [], 0, {}, worker
    start = time.perf_counter()
    measure_from = start + warmup
    stop = measure_from + seconds
    while True:
        path = paths[n % len(paths)]
        n += 1
        began = time.perf_counter()
        if began >= stop:
            break
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            status, body = 599, b""
        ended = time.perf_counter()
        if began < measure_from:
            continue
        latencies.append((ended - began) * 1000)
        total_bytes += len(body)
        if status != 200:
            errors[status] = errors.get(status, 0) + 1
    conn.close()
    return latencies, total_bytes, errors


class Load:
    def __init__(self, host: str, port: int, clients: int):
        self.host, self.port, self.clients = host, port, clients
        self.pool = get_context("fork").Pool(clients)

    def run(self, paths: list[str], cookie: str | None, seconds: float, warmup: float = 1.0) -> Result:
        jobs = [(self.host, self.port, paths, cookie, seconds, warmup, i) for i in range(self.clients)]
        began = time.perf_counter()
        parts = self.pool.map(_drive, jobs)
        elapsed = time.perf_counter() - began - warmup
        latencies = [x for part in parts for x in part[0]]
        errors = {}
        for part in parts:
            for status, count in part[2].items():
                errors[status] = errors.get(status, 0) + count
        return Result(len(latencies), max(elapsed, seconds), latencies, sum(p[1] for p in parts), errors)

    def close(self):
        self.pool.close()
        self.pool.join()


# -- a login through the real forms, cookies kept by hand (production cookies are __Host-, Secure) -----------------

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Session:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Cookie": self.cookie_header} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{self.host}:{self.port}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        location = response.getheader("Location") or ""
        conn.close()
        return response.status, text, location

    def csrf(self, path: str) -> str:
        status, text, _ = self.request("GET", path)
        match = CSRF.search(text)
        if status != 200 or not match:
            raise RuntimeError(f"GET {path}: {status}, no form")
        return match.group(1)

    def login(self, email: str, password: str, totp_secret: str | None) -> None:
        token = self.csrf("/login")
        status, text, location = self.request("POST", "/login", {"csrf_token": token, "email": email,
                                                                 "password": password, "next": ""})
        if status not in (302, 303) or location.endswith("/login"):
            raise RuntimeError(f"login {email}: {status} → {location}")
        if "/login/otp" in location:
            import pyotp

            if not totp_secret:
                raise RuntimeError(f"{email} needs a second factor and has no secret")
            for attempt in range(2):
                token = self.csrf("/login/otp")
                status, _, location = self.request("POST", "/login/otp", {"csrf_token": token,
                                                                          "code": pyotp.TOTP(totp_secret).now()})
                if status in (302, 303) or attempt:
                    break
                # a code is accepted once: the last run used this time step's code, so wait for the next one
                time.sleep(30.5 - time.time() % 30)
            if status not in (302, 303) or "/login" in location:
                raise RuntimeError(f"second factor for {email}: {status} → {location}")
