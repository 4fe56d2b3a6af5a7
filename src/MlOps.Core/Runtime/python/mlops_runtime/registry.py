"""Publishing a trained artifact from inside a training service. Standard library only.

The local store follows the same protocol as the MlOps module (LocalFolderRegistry): the complete version is
written into <root>/.staging/<host>~<pid>~<guid>, made read-only, and claimed as version N by renaming the folder
to <root>/<model>/<env>/<N>; the rename fails when N exists, so the next number is tried.
"""
import datetime
import getpass
import hashlib
import json
import os
import shutil
import socket
import stat
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


def _write_hint(env_folder, number):
    temp = os.path.join(env_folder, f"latest.{uuid.uuid4().hex}.tmp")
    try:
        with open(temp, "w", encoding="utf-8") as handle:
            handle.write(str(number))
        os.replace(temp, os.path.join(env_folder, "latest"))
    except OSError:
        try:
            os.remove(temp)
        except OSError:
            pass


class LocalRegistry:
    def __init__(self, root):
        self.root = os.path.abspath(root)

    def publish(self, model, environment, folder, metadata, source):
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
                "system": {"host": socket.gethostname(), "mlopsVersion": "runtime", "source": source},
                "files": files,
            }
            with open(os.path.join(staging, "manifest.json"), "w", encoding="utf-8") as handle:
                json.dump(manifest, handle, indent=2)
            for base, _, names in os.walk(staging):
                for name in names:
                    path = os.path.join(base, name)
                    os.chmod(path, os.stat(path).st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
            number = _latest(env_folder) + 1
            while True:
                target = os.path.join(env_folder, str(number))
                try:
                    os.rename(staging, target)
                    break
                except OSError:
                    if not os.path.isdir(target):
                        raise
                    number += 1
            _write_hint(env_folder, number)
            return {"model_id": f"{model}/{environment}/{number}", "version": number, "content_hash": manifest["contentHash"]}
        finally:
            if os.path.isdir(staging):
                shutil.rmtree(staging, onerror=_make_writable_and_retry)


def _make_writable_and_retry(function, path, _):
    os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
    function(path)


def _user():
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not an error
        return "unknown"


def open_registry(settings):
    registry = settings.get("registry") or {}
    if registry.get("type") == "local":
        return LocalRegistry(registry["path"])
    raise ValueError(f"the training service cannot publish to a '{registry.get('type')}' registry")
