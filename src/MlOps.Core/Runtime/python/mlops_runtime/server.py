"""The Local platform's service process: the packaged handler behind a small HTTP server on 127.0.0.1.

  python -m mlops_runtime.server --ready FILE --log FILE [--call-timeout SECONDS]      (run from the package root)

It detaches from the terminal that started it (so it outlives the PowerShell session), writes everything to the
log file, loads the model once, binds a free loopback port and then writes FILE ({"port", "pid", ...}) so the
deployer knows it is up. Endpoints: GET /health, POST /call {"data": ..., "call_id": ...}, POST /shutdown.

Calls never wedge the service: each runs in a worker thread; one that runs past the call timeout is answered with an
error naming the timeout, its worker is set aside (Python cannot stop a thread) and a new one serves the next calls,
and /health reports the service unhealthy while a call is stuck. At most --concurrency calls run at once (default 1:
model code need not be thread-safe); the others wait their turn, at most the call timeout, and are then answered
that the service is busy.
"""
import argparse
import http.server
import json
import os
import signal
import sys
import threading
import time
import uuid


def _detach(log_path):
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
    if hasattr(os, "setsid"):
        try:
            os.setsid()
        except OSError:
            pass
    for name in ("SIGINT", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)


def _write_atomically(path, payload):
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        json.dump(payload, handle)
    os.replace(temp, path)


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--ready", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--call-timeout", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args(argv)
    _detach(args.log)
    sys.path.insert(0, os.getcwd())

    from mlops_runtime import logger as mlops_logger
    from mlops_runtime import jsonutil

    log = mlops_logger.get_logger("mlops.server")
    import handler  # noqa: E402 - the packaged entry point, importable only from the package root

    service = handler._service
    secrets = json.loads(os.environ.pop("MLOPS_SERVICE_SECRETS", "{}") or "{}")
    init_error = service.initialize(secrets)
    started = time.time()
    stuck = {}  # call id -> when it started, for calls still running past the timeout
    stuck_lock = threading.Lock()
    slots = threading.Semaphore(max(1, args.concurrency))

    def run_call(data, call_id):
        """Runs one call in its own worker; past the timeout the caller gets an error and the worker is left to finish."""
        if not slots.acquire(timeout=args.call_timeout):
            return service.error(f"the service is busy: {max(1, args.concurrency)} call(s) ran the whole call timeout "
                                 f"({args.call_timeout:.0f} s) while this one waited; call again")
        released = threading.Event()

        def release():
            if not released.is_set():
                released.set()
                slots.release()

        outcome = {}
        done = threading.Event()

        def work():
            try:
                outcome["answer"] = service.handle(data, secrets=secrets,
                                                   call_info={"call_id": call_id, "function_id": service.settings.get("serviceName")})
            except BaseException as error:  # noqa: BLE001 - handle() answers errors itself; this is the last guard
                outcome["answer"] = service.error(f"{type(error).__name__}: {error}")
            finally:
                done.set()
                with stuck_lock:
                    if stuck.pop(call_id, None) is not None:
                        log.warning("call %s finished after its timeout; it was answered with an error", call_id)
                    else:
                        release()

        worker = threading.Thread(target=work, name=f"call-{call_id}", daemon=True)
        worker.start()
        if done.wait(args.call_timeout):
            return outcome["answer"]
        with stuck_lock:
            if done.is_set():
                return outcome["answer"]
            stuck[call_id] = time.time()
            # The stuck worker gives up its place: the next call gets a new worker instead of waiting behind it.
            release()
        log.error("call %s did not finish within the call timeout (%.0f s); its worker is set aside and the next calls get new ones",
                  call_id, args.call_timeout)
        return service.error(f"the call did not finish within the service's call timeout ({args.call_timeout:.0f} s, "
                             "\"callTimeoutSeconds\" under the environment's platform in the settings)")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body are separate writes: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms to a call.
        disable_nagle_algorithm = True

        def log_message(self, format, *values):  # noqa: A002 - BaseHTTPRequestHandler's signature
            pass

        def _send(self, status, payload):
            body = jsonutil.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802
            if self.path != "/health":
                return self._send(404, {"status": "error", "error": f"no such endpoint: {self.path}"})
            with stuck_lock:
                oldest = min(stuck.values(), default=None)
            problem = init_error or (f"{len(stuck)} call(s) stuck past the call timeout, the oldest for {time.time() - oldest:.0f} s"
                                     if oldest is not None else None)
            return self._send(200, {
                "status": "error" if problem else "ok", "error": problem, "model_id": service.model_id,
                "service": service.kind, "name": service.settings.get("serviceName"), "pid": os.getpid(),
                "started": started,
            })

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path == "/shutdown":
                self._send(200, {"status": "ok"})
                threading.Thread(target=self.server.shutdown, daemon=True).start()
                return None
            if self.path != "/call":
                return self._send(404, {"status": "error", "error": f"no such endpoint: {self.path}"})
            try:
                request = json.loads(body or b"{}")
            except ValueError as error:
                return self._send(400, {"status": "error", "error": f"the request is not JSON: {error}"})
            call_id = str(request.get("call_id") or uuid.uuid4().hex[:12])
            began = time.monotonic()
            token = mlops_logger.set_call_id(call_id)
            try:
                answer = run_call(request.get("data"), call_id)
                log.info("call answered %s in %.1f ms", answer.get("status"), (time.monotonic() - began) * 1000)
            finally:
                mlops_logger.reset_call_id(token)
            return self._send(200, answer)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    log.info("%s serving %s on 127.0.0.1:%d (pid %d)", service.settings.get("serviceName"), service.model_id, port, os.getpid())
    _write_atomically(args.ready, {"port": port, "pid": os.getpid(), "model_id": service.model_id, "error": init_error})
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
