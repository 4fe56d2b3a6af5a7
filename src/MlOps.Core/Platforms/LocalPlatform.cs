using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Services;
using MlOps.Settings;
using MlOps.SourceControl;

namespace MlOps.Platforms
{
    /// <summary>
    /// Services as long-lived local Python processes on 127.0.0.1. Each deployment is the unpacked package run by
    /// <c>python -m mlops_runtime.server</c>, which detaches from the terminal (it outlives the PowerShell session),
    /// loads the model once and answers /health and /call. Layout under the platform folder:
    /// <code>
    /// &lt;service&gt;/current.json                        the deployment callers reach
    /// &lt;service&gt;/deployments/&lt;id&gt;/package/…          the unpacked package
    /// &lt;service&gt;/deployments/&lt;id&gt;/service.log        everything the service logged or printed
    /// </code>
    /// </summary>
    public sealed class LocalPlatform : IServicePlatform
    {
        private const string CurrentFile = "current.json";
        private const string PackageCopy = "package.zip";
        private static readonly HttpClient Http = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        private static readonly JsonSerializerOptions JsonOptions = new JsonSerializerOptions { WriteIndented = true };
        private readonly TimeSpan _startTimeout;
        private readonly int _keepDeployments;

        private readonly TimeSpan _callTimeout;
        private readonly TimeSpan _trainingTimeout;

        private readonly IDeploymentHistory _history;

        public LocalPlatform(string root, TimeSpan? startTimeout = null, int keepDeployments = PlatformSettings.DefaultKeepDeployments,
            TimeSpan? callTimeout = null, TimeSpan? trainingTimeout = null)
        {
            Root = Path.GetFullPath(root);
            _startTimeout = startTimeout ?? TimeSpan.FromSeconds(120);
            _callTimeout = callTimeout ?? TimeSpan.FromSeconds(60);
            _trainingTimeout = trainingTimeout ?? TimeSpan.FromMinutes(60);
            _keepDeployments = Math.Max(1, keepDeployments);
            _history = new FolderDeploymentHistory(Root);
        }

        public string Root { get; }

        public string Kind => StoreKinds.Local;

        /// <summary>The variable that hands a service process the model's secrets (JSON); mlops_runtime.server removes it.</summary>
        public const string SecretsVariable = "MLOPS_SERVICE_SECRETS";

        public DeployedInstance Start(ServicePackage package, PythonInterpreter python, IReadOnlyDictionary<string, string> secrets, IOperationReporter reporter,
            CancellationToken cancellationToken)
        {
            var id = string.Join("-", package.Version?.ToString(CultureInfo.InvariantCulture) ?? "t",
                DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture), Guid.NewGuid().ToString("N").Substring(0, 6));
            var folder = Path.Combine(Root, package.ServiceName, "deployments", id);
            Directory.CreateDirectory(folder);
            ZipFile.ExtractToDirectory(package.Path, Path.Combine(folder, "package"));
            // The deployment keeps its own copy of the package: a rollback tests it again after later builds replaced the original.
            File.Copy(package.Path, Path.Combine(folder, PackageCopy));
            var kept = new ServicePackage(Path.Combine(folder, PackageCopy), package.Sha256, package.ServiceName, package.Model, package.Environment,
                package.Service, package.ModelId, package.Version, package.FileCount, package.Size, package.Revision);
            return Launch(kept, id, folder, python, secrets, reporter, cancellationToken, restoredFrom: null);
        }

        public DeployedInstance Revive(DeploymentRecord record, PythonInterpreter python, IReadOnlyDictionary<string, string> secrets, IOperationReporter reporter,
            CancellationToken cancellationToken)
        {
            var folder = Path.Combine(Root, record.Name, "deployments", record.DeploymentId);
            var zip = Path.Combine(folder, PackageCopy);
            if (!File.Exists(zip) || !Directory.Exists(Path.Combine(folder, "package")))
            {
                throw new MlOpsException(ErrorIds.DeploymentNotFound, MlOpsErrorKind.NotFound,
                    $"Deployment {record.DeploymentId} of {record.Name} (history entry {record.Sequence}) is no longer kept.", record,
                    "Roll back to an entry that Get-MlDeploymentHistory shows as available, or deploy that version again.");
            }

            var current = ReadRecord(Path.Combine(Root, record.Name));
            if (current != null && current.DeploymentId == record.DeploymentId && Health(current.Endpoint, TimeSpan.FromSeconds(2))?.ProcessId == current.ProcessId)
            {
                throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidOperation,
                    $"{record.Name} already serves deployment {record.DeploymentId}.", record, "Choose another history entry.");
            }

            var package = new ServicePackage(zip, record.PackageSha256, record.Name, record.Model, record.Environment, record.Service, record.ModelId,
                record.Version, 0, new FileInfo(zip).Length, record.Revision);
            File.Delete(Path.Combine(folder, "ready.json"));
            return Launch(package, record.DeploymentId, folder, python, secrets, reporter, cancellationToken, record.Sequence);
        }

        private DeployedInstance Launch(ServicePackage package, string id, string folder, PythonInterpreter python, IReadOnlyDictionary<string, string> secrets,
            IOperationReporter reporter, CancellationToken cancellationToken, int? restoredFrom)
        {
            var packageFolder = Path.Combine(folder, "package");
            var ready = Path.Combine(folder, "ready.json");
            var log = Path.Combine(folder, "service.log");

            var info = new ProcessStartInfo(python.Path)
            {
                Arguments = ProcessRunner.JoinArguments(new[]
                {
                    "-m", "mlops_runtime.server", "--ready", ready, "--log", log, "--call-timeout",
                    (package.Service == ServiceKind.Training ? _trainingTimeout : _callTimeout).TotalSeconds.ToString(CultureInfo.InvariantCulture),
                }),
                WorkingDirectory = packageFolder,
                UseShellExecute = false,
                CreateNoWindow = true,
            };
            info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            info.Environment["PYTHONUNBUFFERED"] = "1";
            info.Environment["PYTHONIOENCODING"] = "utf-8";
            // The model's secrets reach the process in its environment, which the server reads and removes before any model
            // code runs: never in a file, an argument (visible to other users) or the log.
            info.Environment[SecretsVariable] = System.Text.Json.JsonSerializer.Serialize(secrets);
            reporter.Verbose($"Starting {package.ServiceName} ({id}) with {python}" + (secrets.Count > 0 ? $" and the secrets {string.Join(", ", secrets.Keys)}." : "."));
            int pid;
            using (var process = Process.Start(info)!)
            {
                pid = process.Id;
                var deadline = DateTime.UtcNow + _startTimeout;
                while (!File.Exists(ready))
                {
                    if (process.WaitForExit(50))
                    {
                        throw StartFailed(package, $"the service process exited with code {process.ExitCode} before it was ready", log);
                    }

                    if (cancellationToken.IsCancellationRequested || DateTime.UtcNow > deadline)
                    {
                        ProcessRunner.Kill(process);
                        cancellationToken.ThrowIfCancellationRequested();
                        throw StartFailed(package, $"the service was not ready within {_startTimeout.TotalSeconds:0} s (the start timeout: " +
                            "\"startTimeoutSeconds\" under the environment's platform in the settings raises it)", log);
                    }
                }
            }

            int port;
            using (var readyJson = JsonDocument.Parse(File.ReadAllText(ready)))
            {
                port = readyJson.RootElement.GetProperty("port").GetInt32();
            }

            var instance = new DeployedInstance(package, id, $"http://127.0.0.1:{port}", pid, folder, restoredFrom);
            var health = Health(instance.Endpoint, TimeSpan.FromSeconds(10));
            if (health == null || health.Value.Status != "ok")
            {
                Stop(instance.Endpoint, pid, reporter);
                throw StartFailed(package, health?.Error ?? "it did not answer its health check", log);
            }

            reporter.Verbose($"{package.ServiceName} ({id}) is up at {instance.Endpoint}, process {pid}.");
            return instance;
        }

        private static MlOpsException StartFailed(ServicePackage package, string reason, string log)
        {
            var tail = File.Exists(log) ? string.Join("\n", Enumerable.Reverse(Enumerable.Reverse(File.ReadAllLines(log)).Take(15))) : string.Empty;
            return new MlOpsException(ErrorIds.ServiceStartFailed, MlOpsErrorKind.InvalidOperation,
                $"{package.ServiceName} could not start: {reason}." + (tail.Length > 0 ? "\nLast lines of its log:\n" + tail : string.Empty),
                package.ServiceName, reason.Contains("start timeout")
                    ? "A large model may need longer to load: raise \"startTimeoutSeconds\" under the environment's platform in the settings; the previous deployment, if any, keeps serving."
                    : "Fix the model's initialization or requirements; the previous deployment, if any, keeps serving.");
        }

        public ServiceDeployment Activate(DeployedInstance instance, IReadOnlyList<ServiceTestResult> tests, IOperationReporter reporter)
        {
            var serviceFolder = Path.Combine(Root, instance.Package.ServiceName);
            var previous = ReadRecord(serviceFolder);
            var now = DateTimeOffset.UtcNow;
            var record = new LocalServiceRecord
            {
                Name = instance.Package.ServiceName,
                Model = instance.Package.Model,
                Service = instance.Package.Service.Name(),
                Environment = instance.Package.Environment,
                Version = instance.Package.Version,
                ModelId = instance.Package.ModelId,
                DeploymentId = instance.DeploymentId,
                Endpoint = instance.Endpoint,
                ProcessId = instance.ProcessId,
                DeployedTime = now,
                DeployedBy = LocalFolderRegistry.CurrentUser(),
                PackagePath = instance.Package.Path,
                PackageSha256 = instance.Package.Sha256,
                Tests = tests.Select(t => new LocalTestRecord { Test = t.Test, Passed = t.Passed, Message = t.Message, Seconds = t.Duration.TotalSeconds }).ToList(),
                GitCommit = instance.Package.Revision?.Commit,
                GitBranch = instance.Package.Revision?.Branch,
                GitDirty = instance.Package.Revision?.IsDirty,
            };
            var history = _history.Read(record.Name, CancellationToken.None);
            var entry = _history.Append(record.Name, history, sequence => new DeploymentRecord(record.Name, sequence,
                instance.RestoredFrom == null ? DeploymentRecord.DeployAction : DeploymentRecord.RollbackAction, record.Model, instance.Package.Service,
                record.Environment, record.Version, record.ModelId, Kind, record.DeploymentId, record.Endpoint, now, record.DeployedBy,
                tests.All(t => t.Passed), DeploymentRecordFields.Summary(tests), record.PackageSha256, instance.RestoredFrom, instance.Package.Revision));
            WriteRecord(serviceFolder, record);
            reporter.Verbose($"{record.Name} now serves {record.ModelId ?? "training"} from deployment {record.DeploymentId} (history entry {entry.Sequence}).");

            if (previous != null && previous.ProcessId != record.ProcessId)
            {
                Stop(previous.Endpoint, previous.ProcessId, reporter);
            }

            var keep = DeploymentRecordFields.Kept(history.Concat(new[] { entry }).ToList(), _keepDeployments);
            keep.Add(record.DeploymentId);
            Prune(serviceFolder, keep);
            return ToDeployment(record, ServiceStatus.Running);
        }

        public IReadOnlyList<DeploymentRecord> History(string serviceName, CancellationToken cancellationToken = default)
        {
            var serviceFolder = Path.Combine(Root, serviceName);
            var current = ReadRecord(serviceFolder);
            return DeploymentRecordFields.Mark(_history.Read(serviceName, cancellationToken), current?.DeploymentId,
                r => File.Exists(Path.Combine(serviceFolder, "deployments", r.DeploymentId, PackageCopy)));
        }

        public string PackageFile(ServiceDeployment deployment, CancellationToken cancellationToken)
        {
            var kept = Path.Combine(Root, deployment.Name, "deployments", deployment.DeploymentId, PackageCopy);
            return File.Exists(kept) ? kept : deployment.PackagePath;
        }

        public void Discard(DeployedInstance instance, IOperationReporter reporter)
        {
            Stop(instance.Endpoint, instance.ProcessId, reporter);
            reporter.Verbose($"Discarded deployment {instance.DeploymentId} of {instance.Package.ServiceName}; its log stays in {instance.Folder}.");
        }

        public string Call(string endpoint, string dataJson, string callId, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var body = "{\"call_id\":" + JsonSerializer.Serialize(callId) + ",\"data\":" + dataJson + "}";
            using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            using (var content = new StringContent(body, Encoding.UTF8, "application/json"))
            {
                cancel.CancelAfter(timeout);
                try
                {
                    using (var response = Http.PostAsync(endpoint + "/call", content, cancel.Token).GetAwaiter().GetResult())
                    {
                        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                        if (!response.IsSuccessStatusCode)
                        {
                            throw new MlOpsException(ErrorIds.ServiceUnavailable, MlOpsErrorKind.ConnectionError,
                                $"{endpoint} answered {(int)response.StatusCode}: {text}", endpoint);
                        }

                        return text;
                    }
                }
                catch (HttpRequestException e)
                {
                    throw new MlOpsException(ErrorIds.ServiceUnavailable, MlOpsErrorKind.ConnectionError,
                        $"The service at {endpoint} does not answer: {e.Message}", endpoint,
                        "Check it with Get-MlService; deploy it again with Deploy-MlPredictionService or Deploy-MlTrainingService.", e);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new MlOpsException(ErrorIds.ProcessTimedOut, MlOpsErrorKind.OperationTimeout,
                        $"The service at {endpoint} did not answer within {timeout.TotalSeconds:0} s.", endpoint);
                }
            }
        }

        public string? Endpoint(string serviceName, CancellationToken cancellationToken = default) => ReadRecord(Path.Combine(Root, serviceName))?.Endpoint;

        public ServiceDeployment? Get(string serviceName, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = ReadRecord(Path.Combine(Root, serviceName));
            if (record == null)
            {
                return null;
            }

            var health = Health(record.Endpoint, TimeSpan.FromSeconds(2));
            var status = health == null ? ServiceStatus.Stopped
                : health.Value.Status == "ok" && health.Value.ProcessId == record.ProcessId ? ServiceStatus.Running
                : ServiceStatus.Unhealthy;
            return ToDeployment(record, status);
        }

        public IEnumerable<ServiceDeployment> List(CancellationToken cancellationToken = default)
        {
            if (!Directory.Exists(Root))
            {
                yield break;
            }

            foreach (var folder in Directory.GetDirectories(Root).OrderBy(f => f, StringComparer.Ordinal))
            {
                var deployment = Get(Path.GetFileName(folder), cancellationToken);
                if (deployment != null)
                {
                    yield return deployment;
                }
            }
        }

        public IDisposable LockChanges(string serviceName, string change, TimeSpan wait, IOperationReporter reporter, CancellationToken cancellationToken) =>
            ServiceChangeLock.Acquire(Path.Combine(Root, serviceName), serviceName, change, wait, reporter, cancellationToken);

        /// <summary>How long a removal waits for a change in progress (a deploy or rollback of the same service).</summary>
        public TimeSpan RemoveWait { get; set; } = TimeSpan.FromMinutes(10);

        public bool Remove(string serviceName, bool purgeHistory, IOperationReporter reporter)
        {
            var folder = Path.Combine(Root, serviceName);
            if (!Directory.Exists(folder))
            {
                return false;
            }

            bool removed;
            using (LockChanges(serviceName, "remove", RemoveWait, reporter, CancellationToken.None))
            {
                removed = RemoveLocked(serviceName, folder, purgeHistory, reporter);
            }

            if (removed && purgeHistory)
            {
                try
                {
                    // Only the released lock file is left (unless another command took the lock meanwhile).
                    if (Directory.GetFileSystemEntries(folder).All(e => Path.GetFileName(e) == "change.lock"))
                    {
                        Directory.Delete(folder, recursive: true);
                    }
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                }
            }

            return removed;
        }

        private bool RemoveLocked(string serviceName, string folder, bool purgeHistory, IOperationReporter reporter)
        {
            var record = ReadRecord(folder);
            var deployments = Path.Combine(folder, "deployments");
            var live = record != null || Directory.Exists(deployments);
            if (!live && !(purgeHistory && _history.Exists(serviceName)))
            {
                return false;
            }

            if (record != null)
            {
                Stop(record.Endpoint, record.ProcessId, reporter);
            }

            if (purgeHistory)
            {
                // Everything but the lock this command holds (and its owner note, removed with it).
                foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().Where(e => e.Name != "change.lock" && e.Name != "change.owner"))
                {
                    if (entry is DirectoryInfo directory)
                    {
                        LocalFolderRegistry.DeleteTree(directory.FullName);
                    }
                    else
                    {
                        entry.Delete();
                    }
                }

                reporter.Verbose($"Removed {serviceName} and its deployment history.");
                return true;
            }

            // The record goes first: from here on nothing serves; then the deployments; the history stays, with the removal.
            File.Delete(Path.Combine(folder, CurrentFile));
            if (Directory.Exists(deployments))
            {
                LocalFolderRegistry.DeleteTree(deployments);
            }

            var history = _history.Read(serviceName, CancellationToken.None);
            var last = history.LastOrDefault();
            if (last != null && last.Action != DeploymentRecord.RemovedAction)
            {
                _history.Append(serviceName, history, sequence => DeploymentRecord.Removal(last, sequence, DateTimeOffset.UtcNow, LocalFolderRegistry.CurrentUser()));
            }

            reporter.Verbose($"Removed {serviceName}; its deployment history is kept (Get-MlDeploymentHistory).");
            return true;
        }

        public IEnumerable<ServiceLogEntry> Logs(string serviceName, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = ReadRecord(Path.Combine(Root, serviceName));
            if (record == null)
            {
                yield break;
            }

            var log = Path.Combine(Root, serviceName, "deployments", record.DeploymentId, "service.log");
            if (!File.Exists(log))
            {
                yield break;
            }

            string[] lines;
            using (var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var reader = new StreamReader(stream, Encoding.UTF8))
            {
                lines = reader.ReadToEnd().Split('\n');
            }

            foreach (var entry in ServiceLogEntry.ParseLines(serviceName, lines))
            {
                yield return entry;
            }
        }

        private struct HealthAnswer
        {
            public string Status;
            public string? Error;
            public int? ProcessId;
        }

        private static HealthAnswer? Health(string endpoint, TimeSpan timeout)
        {
            try
            {
                using (var cancel = new CancellationTokenSource(timeout))
                using (var response = Http.GetAsync(endpoint + "/health", cancel.Token).GetAwaiter().GetResult())
                using (var json = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()))
                {
                    var root = json.RootElement;
                    return new HealthAnswer
                    {
                        Status = root.GetProperty("status").GetString() ?? "error",
                        Error = root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null,
                        ProcessId = root.TryGetProperty("pid", out var pid) && pid.ValueKind == JsonValueKind.Number ? pid.GetInt32() : (int?)null,
                    };
                }
            }
            catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException || e is JsonException || e is KeyNotFoundException)
            {
                return null;
            }
        }

        /// <summary>Asks the process to shut down, then kills it if it is still our service process.</summary>
        private static void Stop(string endpoint, int? pid, IOperationReporter reporter)
        {
            var health = Health(endpoint, TimeSpan.FromSeconds(2));
            if (health != null && (pid == null || health.Value.ProcessId == pid))
            {
                try
                {
                    using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(3)))
                    using (var content = new StringContent("{}", Encoding.UTF8, "application/json"))
                    {
                        Http.PostAsync(endpoint + "/shutdown", content, cancel.Token).GetAwaiter().GetResult().Dispose();
                    }
                }
                catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException)
                {
                }
            }

            if (pid == null)
            {
                return;
            }

            try
            {
                using (var process = Process.GetProcessById(pid.Value))
                {
                    if (!process.WaitForExit(5000) && IsServiceProcess(pid.Value))
                    {
                        reporter.Verbose($"Process {pid} did not stop by itself; killing it.");
                        ProcessRunner.Kill(process);
                    }
                }
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        private static bool IsServiceProcess(int pid)
        {
            var cmdline = $"/proc/{pid}/cmdline";
            if (File.Exists(cmdline))
            {
                return File.ReadAllText(cmdline).Contains("mlops_runtime.server");
            }

            try
            {
                using (var process = Process.GetProcessById(pid))
                {
                    return process.ProcessName.StartsWith("python", StringComparison.OrdinalIgnoreCase);
                }
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private static void Prune(string serviceFolder, HashSet<string> kept)
        {
            var deployments = Path.Combine(serviceFolder, "deployments");
            foreach (var folder in Directory.GetDirectories(deployments))
            {
                if (!kept.Contains(Path.GetFileName(folder)))
                {
                    try
                    {
                        LocalFolderRegistry.DeleteTree(folder);
                    }
                    catch (IOException)
                    {
                    }
                    catch (UnauthorizedAccessException)
                    {
                    }
                }
            }
        }

        private static LocalServiceRecord? ReadRecord(string serviceFolder)
        {
            var path = Path.Combine(serviceFolder, CurrentFile);
            if (!File.Exists(path))
            {
                return null;
            }

            return JsonSerializer.Deserialize<LocalServiceRecord>(File.ReadAllText(path));
        }

        private static void WriteRecord(string serviceFolder, LocalServiceRecord record)
        {
            Directory.CreateDirectory(serviceFolder);
            var path = Path.Combine(serviceFolder, CurrentFile);
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            DurableFiles.WriteAllText(temp, JsonSerializer.Serialize(record, JsonOptions));
            if (File.Exists(path))
            {
                File.Replace(temp, path, null);
            }
            else
            {
                File.Move(temp, path);
            }

            DurableFiles.FlushFolder(serviceFolder);
        }

        private ServiceDeployment ToDeployment(LocalServiceRecord record, ServiceStatus status) =>
            new ServiceDeployment(record.Name, record.Model, ServiceKinds.Parse(record.Service), record.Environment, record.Version, record.ModelId,
                Kind, record.Endpoint, status, record.DeploymentId, record.DeployedTime, record.DeployedBy, record.ProcessId, record.PackagePath,
                record.PackageSha256,
                record.Tests.Select(t => new ServiceTestResult(record.Name, record.ModelId, t.Test, t.Passed, t.Message, TimeSpan.FromSeconds(t.Seconds))).ToList(),
                record.GitCommit is string commit && commit.Length > 0 ? new SourceRevision(commit, record.GitBranch, record.GitDirty) : null);
    }
}
