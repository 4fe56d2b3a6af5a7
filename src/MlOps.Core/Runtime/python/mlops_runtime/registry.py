"""Publishing a trained artifact from inside a training service. Standard library only.

The local store follows the same protocol as the MlOps module (LocalFolderRegistry): the complete version is
written into <root>/.staging/<host>~<pid>~<guid>, made read-only, and claimed as version N by renaming the folder
to <root>/<model>/<env>/<N>; the rename fails when N exists, so the next number is tried. N is above every number the
model has in any environment (a number names one artifact everywhere; promotions keep it), so numbers can have gaps:
before the rename, the environment's "latest" hint is raised to N under an OS lock on "latest.lock".

The CDF store follows CdfFilesRegistry: the artifact folder becomes one gzipped tar; number N is claimed by creating
the file <model>/<env>/<N> in CDF Files without overwrite (409: another publisher won, try N+1), with
mlops_state=uploading and a claim id; after the bytes are uploaded and CDF marks the file uploaded, the state and
claim keys are removed, and only then does the version count. A publish that fails deletes its claim. While it
uploads, the publisher touches its claim every minute (mlops_heartbeat), so others judge it alive by CDF's own
lastUpdatedTime; every step after the claim acts on the claim's file id, never on the external id alone.
"""
import datetime
import getpass
import hashlib
import json
import os
import shutil
import socket
import stat
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

_BUFFER = 1 << 20


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_BUFFER), b""):
            digest.update(chunk)
    return digest.hexdigest()


def content_hash(files):
    text = "".join(f"{f['path']}\n{f['size']}\n{f['sha256']}\n" for f in sorted(files, key=lambda f: f["path"].encode("utf-8")))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _latest(env_folder):
    try:
        with open(os.path.join(env_folder, "latest"), encoding="utf-8") as handle:
            hint = int(handle.read().strip())
    except (OSError, ValueError):
        hint = 0
    if hint <= 0 or not os.path.isdir(os.path.join(env_folder, str(hint))):
        names = [int(n) for n in os.listdir(env_folder) if n.isdigit()] if os.path.isdir(env_folder) else []
        hint = max(names, default=0)
    while os.path.isdir(os.path.join(env_folder, str(hint + 1))):
        hint += 1
    return hint


def _highest(model_folder):
    """The highest number the model has in any environment of the store."""
    if not os.path.isdir(model_folder):
        return 0
    return max((_latest(os.path.join(model_folder, name)) for name in os.listdir(model_folder)
                if not name.startswith(".") and os.path.isdir(os.path.join(model_folder, name))), default=0)


def _lock(handle):
    try:
        import fcntl
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    except ImportError:  # Windows
        import msvcrt
        while True:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                return
            except OSError:
                time.sleep(0.01)


def _raise_hint(env_folder, number):
    """Raises the hint to number unless it is higher, under the lock the MlOps module takes too (hints only grow)."""
    with open(os.path.join(env_folder, "latest.lock"), "a+b") as lock:
        _lock(lock)
        try:
            with open(os.path.join(env_folder, "latest"), encoding="utf-8") as handle:
                if int(handle.read().strip() or 0) >= number:
                    return
        except (OSError, ValueError):
            pass
        temp = os.path.join(env_folder, f"latest.{uuid.uuid4().hex}.tmp")
        try:
            with open(temp, "w", encoding="utf-8") as handle:
                handle.write(str(number))
            os.replace(temp, os.path.join(env_folder, "latest"))
        finally:
            if os.path.exists(temp):
                os.remove(temp)


class LocalRegistry:
    def __init__(self, root):
        self.root = os.path.abspath(root)

    def publish(self, model, environment, folder, metadata, source, revision=None):
        env_folder = os.path.join(self.root, model, environment)
        staging_root = os.path.join(self.root, ".staging")
        os.makedirs(env_folder, exist_ok=True)
        os.makedirs(staging_root, exist_ok=True)
        staging = os.path.join(staging_root, f"{socket.gethostname()}~{os.getpid()}~{uuid.uuid4().hex}")
        try:
            files = []
            for base, _, names in os.walk(folder):
                for name in names:
                    full = os.path.join(base, name)
                    relative = os.path.relpath(full, folder).replace(os.sep, "/")
                    target = os.path.join(staging, "files", *relative.split("/"))
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copyfile(full, target)
                    files.append({"path": relative, "size": os.path.getsize(target), "sha256": _sha256(target)})
            if not files:
                raise ValueError(f"training wrote no files into {folder}")
            files.sort(key=lambda f: f["path"].encode("utf-8"))
            manifest = {
                "format": 1,
                "model": model,
                "contentHash": content_hash(files),
                "createdTime": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                "createdBy": _user(),
                "promotedFrom": None,
                "metadata": {str(k): str(v) for k, v in sorted(metadata.items())},
                "system": dict({"host": socket.gethostname(), "mlopsVersion": "runtime", "source": source},
                               **_revision_fields(revision, "gitCommit", "gitBranch", "gitDirty")),
                "files": files,
            }
            with open(os.path.join(staging, "manifest.json"), "w", encoding="utf-8") as handle:
                json.dump(manifest, handle, indent=2)
            for base, _, names in os.walk(staging):
                for name in names:
                    path = os.path.join(base, name)
                    os.chmod(path, os.stat(path).st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
            number = _highest(os.path.join(self.root, model)) + 1
            while True:
                target = os.path.join(env_folder, str(number))
                try:
                    _raise_hint(env_folder, number)
                    os.rename(staging, target)
                    break
                except OSError:
                    if not os.path.isdir(target):
                        raise
                    number += 1
            return _published(f"{model}/{environment}/{number}", number, manifest["contentHash"], revision)
        finally:
            if os.path.isdir(staging):
                shutil.rmtree(staging, onerror=_make_writable_and_retry)


def _published(model_id, number, content_hash, revision):
    """What a publish answers (the training service adds it to its answer): the new version, and the code's commit if known."""
    published = {"model_id": model_id, "version": number, "content_hash": content_hash}
    if revision and revision.get("commit"):
        published["git_commit"] = str(revision["commit"])
    return published


def _revision_fields(revision, commit_key, branch_key, dirty_key):
    """The git revision the service's code was packaged from (the package's settings carry it), as the registry records it."""
    if not revision or not revision.get("commit"):
        return {}
    fields = {commit_key: str(revision["commit"])}
    if revision.get("branch"):
        fields[branch_key] = str(revision["branch"])[:200]
    if isinstance(revision.get("dirty"), bool):
        fields[dirty_key] = "true" if revision["dirty"] else "false"
    return fields


def _make_writable_and_retry(function, path, _):
    os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
    function(path)


def _user():
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not an error
        return "unknown"


class CdfError(Exception):
    def __init__(self, status, message, request_id=None):
        super().__init__(f"CDF answered {status}: {message}" + (f" (X-Request-ID {request_id})" if request_id else ""))
        self.status = status


_TRANSIENT = {429, 500, 502, 503, 504}


class CdfClient:
    """The few CDF Files calls the registry needs, with OAuth client credentials or an API key."""

    def __init__(self, connection, secret, attempts=6):
        self.base_url = connection["baseUrl"].rstrip("/")
        self.project = connection["project"]
        self.api = f"{self.base_url}/api/v1/projects/{urllib.parse.quote(self.project)}"
        self.connection = connection
        self.secret = secret
        self.attempts = attempts
        self._token = None
        self._expires = 0.0

    def _auth_headers(self):
        if self.connection.get("auth") == "apikey":
            return {"api-key": self.secret}
        if self._token is None or time.time() > self._expires - 60:
            token_url = self.connection.get("tokenUrl") or \
                f"https://login.microsoftonline.com/{self.connection['tenantId']}/oauth2/v2.0/token"
            scopes = self.connection.get("scopes") or [self.base_url + "/.default"]
            form = urllib.parse.urlencode({
                "grant_type": "client_credentials", "client_id": self.connection["clientId"],
                "client_secret": self.secret, "scope": " ".join(scopes)}).encode("ascii")
            request = urllib.request.Request(token_url, data=form, method="POST",
                                             headers={"Content-Type": "application/x-www-form-urlencoded"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    answer = json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                raise CdfError(error.code, "the token endpoint refused the client credentials") from None
            self._token = answer["access_token"]
            self._expires = time.time() + float(answer.get("expires_in", 3600))
        return {"Authorization": "Bearer " + self._token}

    def request(self, method, path, body=None, idempotent=True):
        url = path if path.startswith("http") else self.api + path
        data = None if body is None else json.dumps(body).encode("utf-8")
        for attempt in range(1, self.attempts + 1):
            headers = {"Content-Type": "application/json", "Accept": "application/json", "x-cdp-app": "mlops-runtime"}
            headers.update(self._auth_headers())
            request = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    text = response.read().decode("utf-8")
                    return json.loads(text) if text else {}
            except urllib.error.HTTPError as error:
                text = error.read().decode("utf-8", "replace")
                try:
                    message = json.loads(text)["error"]["message"]
                except (ValueError, KeyError, TypeError):
                    message = text[:300]
                if error.code in _TRANSIENT and idempotent and attempt < self.attempts:
                    _pause(attempt, error.headers.get("Retry-After"))
                    continue
                raise CdfError(error.code, message, error.headers.get("X-Request-ID")) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if idempotent and attempt < self.attempts:
                    _pause(attempt, None)
                    continue
                raise CdfError(0, f"no answer: {error}") from None
        raise AssertionError("unreachable")

    def put(self, upload_url, path, mime_type):
        # An upload URL without a host (CDF projects reached through Private Link) is a path on the project's base URL.
        if not urllib.parse.urlparse(upload_url).netloc:
            upload_url = urllib.parse.urljoin(self.base_url + "/", upload_url)
        size = os.path.getsize(path)
        for attempt in range(1, self.attempts + 1):
            with open(path, "rb") as handle:
                request = urllib.request.Request(upload_url, data=handle, method="PUT",
                                                 headers={"Content-Type": mime_type, "Content-Length": str(size)})
                try:
                    with urllib.request.urlopen(request, timeout=600) as response:
                        response.read()
                        return
                except urllib.error.HTTPError as error:
                    if error.code in _TRANSIENT and attempt < self.attempts:
                        _pause(attempt, error.headers.get("Retry-After"))
                        continue
                    raise CdfError(error.code, "the upload was refused") from None
                except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                    if attempt < self.attempts:
                        _pause(attempt, None)
                        continue
                    raise CdfError(0, f"the upload did not finish: {error}") from None

    def list_files(self, external_id_prefix):
        items, cursor = [], None
        while True:
            body = {"filter": {"externalIdPrefix": external_id_prefix}, "limit": 1000}
            if cursor:
                body["cursor"] = cursor
            page = self.request("POST", "/files/list", body)
            items.extend(page.get("items", []))
            cursor = page.get("nextCursor")
            if not cursor:
                return items

    def retrieve(self, external_id=None, file_id=None):
        identity = {"id": file_id} if file_id is not None else {"externalId": external_id}
        items = self.request("POST", "/files/byids", {"items": [identity], "ignoreUnknownIds": True}).get("items", [])
        return items[0] if items else None


class _Heartbeat:
    """Touches a claim (by its file id) every interval while it uploads, so CDF's lastUpdatedTime shows its owner alive."""

    def __init__(self, client, file_id, interval=60.0):
        self._client, self._file_id, self._interval = client, file_id, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mlops-heartbeat", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        beat = 0
        while not self._stop.wait(self._interval):
            beat += 1
            try:
                self._client.request("POST", "/files/update", {"items": [{
                    "id": self._file_id, "update": {"metadata": {"add": {"mlops_heartbeat": str(beat)}}}}]})
            except Exception:  # noqa: BLE001 - a missed beat; the next one tries again
                pass


def _pause(attempt, retry_after):
    try:
        delay = float(retry_after) if retry_after else 0.2 * 2 ** (attempt - 1)
    except ValueError:
        delay = 0.2 * 2 ** (attempt - 1)
    time.sleep(min(delay, 30.0))


class CdfRegistry:
    STATE_KEY = "mlops_state"
    CLAIM_KEY = "mlops_claim"

    def __init__(self, connection, secret):
        self.connection = connection
        self.directory = connection.get("directory") or "/mlops"
        self.client = CdfClient(connection, secret)

    def publish(self, model, environment, folder, metadata, source, revision=None):
        handle, archive = tempfile.mkstemp(prefix="mlops-publish-", suffix=".tar.gz")
        os.close(handle)
        try:
            files = []
            with tarfile.open(archive, "w:gz", format=tarfile.PAX_FORMAT) as tar:
                for base, folders, names in sorted(os.walk(folder)):
                    if not folders and not names and base != folder:
                        # An empty folder is kept as a directory entry (as akerbp.mlops's archives keep folders).
                        tar.add(base, arcname=os.path.relpath(base, folder).replace(os.sep, "/"), recursive=False)
                    for name in sorted(names):
                        full = os.path.join(base, name)
                        relative = os.path.relpath(full, folder).replace(os.sep, "/")
                        files.append({"path": relative, "size": os.path.getsize(full), "sha256": _sha256(full)})
                        tar.add(full, arcname=relative, recursive=False)
            if not files:
                raise ValueError(f"training wrote no files into {folder}")
            claim = uuid.uuid4().hex
            fields = {str(k): str(v) for k, v in metadata.items()}
            fields.update({
                self.STATE_KEY: "uploading",
                self.CLAIM_KEY: claim,
                "mlops_content_hash": content_hash(files),
                "mlops_archive_sha256": _sha256(archive),
                "mlops_file_count": str(len(files)),
                "mlops_size": str(sum(f["size"] for f in files)),
                "mlops_created_by": _user(),
                "mlops_source": source[:400],
            })
            fields.update(_revision_fields(revision, "mlops_git_commit", "mlops_git_branch", "mlops_git_dirty"))
            number, external_id, file_id, upload_url = self._claim(model, environment, fields)
            try:
                with _Heartbeat(self.client, file_id):
                    self.client.put(upload_url, archive, "application/gzip")
                deadline = time.time() + 120
                while not (self.client.retrieve(file_id=file_id) or {}).get("uploaded"):
                    if time.time() > deadline:
                        raise CdfError(0, f"CDF did not mark {external_id} uploaded within 2 minutes")
                    time.sleep(0.2)
                # By the claim's id: this publisher completes the file it claimed, never another under the same external id.
                self.client.request("POST", "/files/update", {"items": [{
                    "id": file_id,
                    "update": {"metadata": {"remove": [self.STATE_KEY, self.CLAIM_KEY, "mlops_heartbeat"]}}}]})
            except BaseException:
                self._release(file_id)
                raise
            return _published(external_id, number, fields["mlops_content_hash"], revision)
        finally:
            os.remove(archive)

    def _claim(self, model, environment, fields):
        # A new artifact's number is above every number of the model in any environment of the directory.
        numbers = [int(parts[2]) for parts in (f.get("externalId", "").split("/") for f in self.client.list_files(f"{model}/")
                                                   if f.get("directory") == self.directory)
                   if len(parts) == 3 and parts[0] == model and parts[2].isdigit()]
        number = max(numbers, default=0) + 1
        prefix = f"{model}/{environment}/"
        while True:
            external_id = f"{prefix}{number}"
            fields["version"] = str(number)
            item = {"externalId": external_id, "name": f"{model}-{environment}-{number}.tar.gz", "directory": self.directory,
                    "mimeType": "application/gzip", "metadata": dict(fields)}
            data_set = self._data_set_id()
            if data_set:
                item["dataSetId"] = data_set
            try:
                created = self.client.request("POST", "/files?overwrite=false", item, idempotent=False)
                return number, external_id, int(created["id"]), created["uploadUrl"]
            except CdfError as error:
                if error.status == 409:
                    number += 1
                    continue
                if error.status not in _TRANSIENT and error.status != 0:
                    raise
                # The create may have taken effect: the claim id tells our file from a competitor's.
                current = self.client.retrieve(external_id)
                if current is None:
                    continue
                if (current.get("metadata") or {}).get(self.CLAIM_KEY) == fields[self.CLAIM_KEY]:
                    link = self.client.request("POST", "/files/uploadlink", {"items": [{"id": int(current["id"])}]})
                    return number, external_id, int(current["id"]), link["items"][0]["uploadUrl"]
                number += 1

    def _data_set_id(self):
        """The data set new versions go in: dataSetId, or dataSetExternalId looked up in the Data Sets API (once)."""
        if self.connection.get("dataSetId"):
            return int(self.connection["dataSetId"])
        external_id = self.connection.get("dataSetExternalId")
        if not external_id:
            return None
        if not hasattr(self, "_data_set"):
            found = self.client.request("POST", "/datasets/byids", {"items": [{"externalId": external_id}], "ignoreUnknownIds": True})
            if not found.get("items"):
                raise CdfError(404, f"the data set '{external_id}' does not exist in the project, or the client may not read it")
            self._data_set = int(found["items"][0]["id"])
        return self._data_set

    def _release(self, file_id):
        try:
            self.client.request("POST", "/files/delete", {"items": [{"id": file_id}], "ignoreUnknownIds": True})
        except Exception:  # noqa: BLE001 - the C# store removes stale claims too
            pass


def open_registry(settings, secrets=None):
    registry = settings.get("registry") or {}
    if registry.get("type") == "local":
        return LocalRegistry(registry["path"])
    if registry.get("type") == "cdf":
        secrets = secrets or {}
        key = "mlops-api-key" if registry.get("auth") == "apikey" else "mlops-secret"
        secret = secrets.get(key) or os.environ.get(registry.get("secretVariable") or "", "")
        if not secret:
            raise ValueError(f"the training service has no CDF secret: neither the function secret '{key}' "
                             f"nor the environment variable {registry.get('secretVariable')} is set")
        return CdfRegistry(registry, secret)
    raise ValueError(f"the training service cannot publish to a '{registry.get('type')}' registry")
