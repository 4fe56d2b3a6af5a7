"""akerbp.mlops 3.x's registry rules, for the tests that share one CDF registry between it and MlOps.

PyPI is out of reach here, so this re-states what akerbp.mlops's model_manager does (see shared/akerbp-mlops-notes.md,
"How akerbp.mlops 3.x reads and writes the CDF registry") with Python's standard library against the CDF REST API:

  setup      the data set by external id (Data Sets API); every file query is filtered by it, every upload put in it
  next       max(int(metadata["version"])) + 1 over files with external id prefix <model>/<env>/ in /mlops
  upload     shutil.make_archive(..., "gztar", folder) (directory entries, ./-prefixed names), overwrite=True,
             external id <model>/<env>/<N>, directory /mlops, metadata = the caller's plus "version"
  latest     the file with the greatest uploadedTime among the prefix
  promote    <model>/<from>/<N> copied to <model>/<to>/<N>; nothing happens when that external id exists
  download   the archive unpacked into a folder, nothing verified

  python akerbp_registry.py COMMAND ARGS...   (CDF_BASE_URL, CDF_PROJECT, CDF_TOKEN_URL, CDF_CLIENT_ID, CDF_CLIENT_SECRET;
                                               AKERBP_DATASET: the data set's external id, mlops by default)
    upload MODEL ENV FOLDER [KEY=VALUE...]    prints the version number
    next MODEL ENV | latest MODEL ENV         print a number (0: none)
    promote MODEL FROM TO N                   prints "created" or "skipped"
    download MODEL ENV N FOLDER
"""
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request

DIRECTORY = "/mlops"
DATASET_EXTERNAL_ID = os.environ.get("AKERBP_DATASET", "mlops")


def _env(name):
    return os.environ[name]


def _token():
    body = urllib.parse.urlencode({
        "grant_type": "client_credentials", "client_id": _env("CDF_CLIENT_ID"), "client_secret": _env("CDF_CLIENT_SECRET"),
        "scope": _env("CDF_BASE_URL") + "/.default"}).encode()
    with urllib.request.urlopen(urllib.request.Request(_env("CDF_TOKEN_URL"), body)) as response:
        return json.load(response)["access_token"]


class Cdf:
    def __init__(self):
        self.base = f"{_env('CDF_BASE_URL')}/api/v1/projects/{_env('CDF_PROJECT')}"
        self.headers = {"Authorization": "Bearer " + _token(), "Content-Type": "application/json"}
        found = self.post("/datasets/byids", {"items": [{"externalId": DATASET_EXTERNAL_ID}]})["items"]
        self.dataset_id = found[0]["id"]

    def post(self, path, body):
        request = urllib.request.Request(self.base + path, json.dumps(body).encode(), self.headers)
        with urllib.request.urlopen(request) as response:
            return json.load(response)

    def files(self, prefix):
        items, cursor = [], None
        while True:
            body = {"filter": {"externalIdPrefix": prefix, "directoryPrefix": DIRECTORY, "dataSetIds": [{"id": self.dataset_id}]},
                    "limit": 1000}
            if cursor:
                body["cursor"] = cursor
            page = self.post("/files/list", body)
            items += page["items"]
            cursor = page.get("nextCursor")
            if not cursor:
                return items

    def retrieve(self, external_id):
        return self.post("/files/byids", {"items": [{"externalId": external_id}], "ignoreUnknownIds": True})["items"]

    def upload(self, external_id, name, path, metadata):
        created = self.post("/files?overwrite=true", {
            "externalId": external_id, "name": name, "directory": DIRECTORY, "metadata": metadata, "dataSetId": self.dataset_id,
            "mimeType": "application/gzip"})
        with open(path, "rb") as handle:
            request = urllib.request.Request(created["uploadUrl"], handle.read(), {"Content-Type": "application/gzip"}, method="PUT")
        urllib.request.urlopen(request).close()

    def read(self, external_id):
        link = self.post("/files/downloadlink", {"items": [{"externalId": external_id}]})["items"][0]["downloadUrl"]
        with urllib.request.urlopen(link) as response:
            return response.read()


def next_version(cdf, model, env):
    return max((int(f["metadata"]["version"]) for f in cdf.files(f"{model}/{env}/")), default=0) + 1


def latest(cdf, model, env):
    uploaded = [f for f in cdf.files(f"{model}/{env}/") if f.get("uploaded")]
    return int(max(uploaded, key=lambda f: f["uploadedTime"])["metadata"]["version"]) if uploaded else 0


def upload(cdf, model, env, folder, metadata):
    number = next_version(cdf, model, env)
    with tempfile.TemporaryDirectory() as temp:
        archive = shutil.make_archive(os.path.join(temp, "artifact"), "gztar", folder)
        cdf.upload(f"{model}/{env}/{number}", f"{model}_{env}_{number}.tar.gz", archive, dict(metadata, version=str(number)))
    return number


def promote(cdf, model, source, target, number):
    if cdf.retrieve(f"{model}/{target}/{number}"):
        return "skipped"
    original = cdf.retrieve(f"{model}/{source}/{number}")[0]
    with tempfile.TemporaryDirectory() as temp:
        path = os.path.join(temp, "artifact.tar.gz")
        with open(path, "wb") as handle:
            handle.write(cdf.read(original["externalId"]))
        cdf.upload(f"{model}/{target}/{number}", f"{model}_{target}_{number}.tar.gz", path, original.get("metadata") or {})
    return "created"


def download(cdf, model, env, number, folder):
    os.makedirs(folder, exist_ok=True)
    archive = os.path.join(folder, "archive.tar.gz")
    with open(archive, "wb") as handle:
        handle.write(cdf.read(f"{model}/{env}/{number}"))
    with tarfile.open(archive) as tar:
        tar.extractall(folder)
    os.remove(archive)


def main(argv):
    cdf = Cdf()
    command, args = argv[0], argv[1:]
    if command == "upload":
        print(upload(cdf, args[0], args[1], args[2], dict(a.split("=", 1) for a in args[3:])))
    elif command == "next":
        print(next_version(cdf, args[0], args[1]))
    elif command == "latest":
        print(latest(cdf, args[0], args[1]))
    elif command == "promote":
        print(promote(cdf, args[0], args[1], args[2], int(args[3])))
    elif command == "download":
        download(cdf, args[0], args[1], int(args[2]), args[3])
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
