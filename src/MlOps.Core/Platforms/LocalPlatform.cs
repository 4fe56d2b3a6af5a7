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
        private static readonly JsonSerializerOptions JsonOptions = new JsonSerializerOptions { WriteIndented = true };
        private readonly int _keepDeployments;
        private readonly LocalServiceProcess _processes;

        private readonly IDeploymentHistory _history;

        public LocalPlatform(string root, TimeSpan? startTimeout = null, int keepDeployments = PlatformSettings.DefaultKeepDeployments,
            TimeSpan? callTimeout = null, TimeSpan? trainingTimeout = null)
        {
            Root = Path.GetFullPath(root);
            _processes = new LocalServiceProcess(startTimeout ?? TimeSpan.FromSeconds(120), callTimeout ?? TimeSpan.FromSeconds(60),
                trainingTimeout ?? TimeSpan.FromMinutes(60));
            _keepDeployments = Math.Max(1, keepDeployments);
            _history = new FolderDeploymentHistory(Root);
        }

        public string Root { get; }

        public string Kind => StoreKinds.Local;

        /// <summary>The variable that hands a service process the model's secrets (JSON); mlops_runtime.server removes it.</summary>
        public const string SecretsVariable = LocalServiceProcess.SecretsVariable;

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
            return _processes.Launch(kept, id, folder, python, secrets, reporter, cancellationToken, restoredFrom: null);
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
            if (current != null && current.DeploymentId == record.DeploymentId && LocalServiceProcess.Health(current.Endpoint, TimeSpan.FromSeconds(2))?.ProcessId == current.ProcessId)
            {
                throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidOperation,
                    $"{record.Name} already serves deployment {record.DeploymentId}.", record, "Choose another history entry.");
            }

            var package = new ServicePackage(zip, record.PackageSha256, record.Name, record.Model, record.Environment, record.Service, record.ModelId,
                record.Version, 0, new FileInfo(zip).Length, record.Revision);
            File.Delete(Path.Combine(folder, "ready.json"));
            return _processes.Launch(package, record.DeploymentId, folder, python, secrets, reporter, cancellationToken, record.Sequence);
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
                LocalServiceProcess.Stop(previous.Endpoint, previous.ProcessId, reporter);
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
            LocalServiceProcess.Stop(instance.Endpoint, instance.ProcessId, reporter);
            reporter.Verbose($"Discarded deployment {instance.DeploymentId} of {instance.Package.ServiceName}; its log stays in {instance.Folder}.");
        }

        public string Call(string endpoint, string dataJson, string callId, TimeSpan timeout, CancellationToken cancellationToken) =>
            LocalServiceProcess.Call(endpoint, dataJson, callId, timeout, cancellationToken);

        public string? Endpoint(string serviceName, CancellationToken cancellationToken = default) => ReadRecord(Path.Combine(Root, serviceName))?.Endpoint;

        public ServiceDeployment? Get(string serviceName, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = ReadRecord(Path.Combine(Root, serviceName));
            if (record == null)
            {
                return null;
            }

            var health = LocalServiceProcess.Health(record.Endpoint, TimeSpan.FromSeconds(2));
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
                LocalServiceProcess.Stop(record.Endpoint, record.ProcessId, reporter);
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
