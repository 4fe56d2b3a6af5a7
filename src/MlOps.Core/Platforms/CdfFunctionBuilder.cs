using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Registry;
using MlOps.Services;
using MlOps.Settings;

namespace MlOps.Platforms
{
    /// <summary>
    /// Builds a service's next function on CDF Functions: uploads the package zip once per content, creates the versioned
    /// function (reconciling a create whose answer was lost, never creating twice), and waits until CDF reports it Ready.
    /// A deploy that stopped between building and switching is continued, not built again.
    /// </summary>
    internal sealed class CdfFunctionBuilder
    {
        private const string CodePrefix = "mlops-code/";
        private readonly CdfFunctionsSettings _settings;
        private readonly ICdfFiles _files;
        private readonly ICdfFunctions _functions;
        private readonly Func<IReadOnlyDictionary<string, string>> _secrets;
        private readonly long? _dataSetId;
        private readonly CdfRetryPolicy _retry;
        private readonly CdfServiceFunctions _serviceFunctions;
        private readonly IDeploymentHistory _history;
        private readonly Func<TimeSpan> _pollInterval;

        public CdfFunctionBuilder(CdfFunctionsSettings settings, ICdfFiles files, ICdfFunctions functions, Func<IReadOnlyDictionary<string, string>> secrets,
            long? dataSetId, CdfRetryPolicy retry, CdfServiceFunctions serviceFunctions, IDeploymentHistory history, Func<TimeSpan> pollInterval)
        {
            _settings = settings;
            _files = files;
            _functions = functions;
            _secrets = secrets;
            _dataSetId = dataSetId;
            _retry = retry;
            _serviceFunctions = serviceFunctions;
            _history = history;
            _pollInterval = pollInterval;
        }

        /// <summary>The external id prefix of a service's code files.</summary>
        public static string CodeFiles(string serviceName) => CodePrefix + serviceName + "/";

        /// <summary>
        /// The function for <paramref name="package"/>, Ready; <paramref name="endpoint"/> makes its endpoint from its id, and
        /// <paramref name="discard"/> removes one that failed to build.
        /// </summary>
        public DeployedInstance Build(ServicePackage package, IReadOnlyDictionary<string, string> secrets, IOperationReporter reporter,
            Func<long, string> endpoint, Action<DeployedInstance> discard, CancellationToken cancellationToken)
        {
            var code = UploadCode(package, reporter, cancellationToken);
            var alias = package.ServiceName;
            var existing = _serviceFunctions.All(alias, cancellationToken);
            var taken = new HashSet<string>(existing.Select(f => f.ExternalId ?? string.Empty), StringComparer.Ordinal);
            var unfinished = Unfinished(package, code, existing, cancellationToken);
            if (unfinished != null)
            {
                // The same command run again after a deploy that stopped between creating its function and switching (killed,
                // or failed on the way): finish that one instead of building another.
                reporter.Verbose($"Function {unfinished.ExternalId} ({unfinished.Status}) was created from this package by a deploy that did not finish; continuing with it.");
                return Started(package, code, unfinished, reporter, endpoint, discard, cancellationToken);
            }

            var create = new FunctionCreate
            {
                FileId = code.Id,
                FunctionPath = "handler.py",
                Description = Shorten((package.Info?.Description is string own ? own + " — " : string.Empty)
                    + $"MlOps {package.Service.Name()} service of {package.Model} in {package.Environment}"
                    + (package.ModelId != null ? $", serving {package.ModelId}" : string.Empty), 500),
                Owner = package.Info?.Owner ?? _settings.Owner ?? LocalFolderRegistry.CurrentUser(),
                Metadata = FunctionMetadata(package),
                // The model's secrets and the module's own key (which a model's settings cannot name), CDF keeps them encrypted.
                Secrets = new Dictionary<string, string>(secrets.Concat(_secrets()).ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal),
                EnvVars = new Dictionary<string, string>
                {
                    ["MLOPS_SERVICE"] = alias,
                    ["MODEL_ENV"] = package.Environment,
                    ["SERVICE_NAME"] = package.Service.Name(),
                    ["DEPLOYMENT_PLATFORM"] = StoreKinds.Cdf,
                },
                Cpu = _settings.Cpu,
                Memory = _settings.Memory,
                Runtime = _settings.Runtime,
                IndexUrl = _settings.IndexUrl,
            };

            CdfFunction function;
            for (var k = 1; ; k++)
            {
                var externalId = VersionedId(alias, package.Version, k);
                if (taken.Contains(externalId))
                {
                    continue;
                }

                create.ExternalId = externalId;
                create.Name = externalId.Length <= 140 ? externalId : externalId.Substring(0, 140);
                reporter.Verbose($"Creating function {externalId} from file {code.Id} ({_settings.Runtime}).");
                var created = CreateFunction(create, cancellationToken);
                if (created != null)
                {
                    function = created;
                    break;
                }

                taken.Add(externalId);
            }

            return Started(package, code, function, reporter, endpoint, discard, cancellationToken);
        }

        private DeployedInstance Started(ServicePackage package, CdfFile code, CdfFunction function, IOperationReporter reporter, Func<long, string> endpoint,
            Action<DeployedInstance> discard, CancellationToken cancellationToken)
        {
            var instance = new DeployedInstance(package, function.ExternalId!, endpoint(function.Id), null, code.ExternalId ?? string.Empty);
            try
            {
                WaitReady(function, package.ServiceName, reporter, cancellationToken);
            }
            catch (Exception e) when (!CdfCalls.IsTransient(e) && !(e is OperationCanceledException))
            {
                // A failed build or one that never got ready is removed; after a transient failure it is left for the same
                // command run again to continue with (deleting it might fail the same way).
                discard(instance);
                throw;
            }

            return instance;
        }

        /// <summary>
        /// A function built from this very package (same code file) for the same service and version that no deployment
        /// history entry names and that did not fail: left by a deploy that stopped before it switched the alias.
        /// </summary>
        private CdfFunction? Unfinished(ServicePackage package, CdfFile code, IReadOnlyList<CdfFunction> existing, CancellationToken cancellationToken)
        {
            var alias = package.ServiceName;
            var first = VersionedId(alias, package.Version, 1);
            var candidates = existing.Where(f => f.FileId == code.Id && f.Status != "Failed" && f.ExternalId != null
                    && (package.Version != null
                        ? f.ExternalId == first || f.ExternalId.StartsWith(first + "-", StringComparison.Ordinal)
                        : f.ExternalId.StartsWith(alias + "-t", StringComparison.Ordinal))
                    && CdfServiceFunctions.OfService(f, alias))
                .ToList();
            if (candidates.Count == 0)
            {
                return null;
            }

            var named = new HashSet<string>(_history.Read(alias, cancellationToken).Select(r => r.DeploymentId), StringComparer.Ordinal);
            return candidates.Where(f => !named.Contains(f.ExternalId!)).OrderByDescending(f => f.CreatedTime).FirstOrDefault();
        }

        private static string VersionedId(string alias, int? version, int attempt) =>
            version != null
                ? attempt == 1 ? $"{alias}-{version}" : $"{alias}-{version}-{attempt}"
                : $"{alias}-t{attempt}";

        private static string Shorten(string text, int length) => text.Length <= length ? text : text.Substring(0, length - 1) + "…";

        private static Dictionary<string, string> FunctionMetadata(ServicePackage package)
        {
            // CDF allows 16 pairs, keys of 32 characters, values of 512 and 512 bytes in all: the service's own metadata from the
            // settings (a model card; checked against its share there), and what identifies the deployment.
            var metadata = new Dictionary<string, string>(package.Info?.Metadata?.ToDictionary(p => p.Key, p => p.Value) ?? new Dictionary<string, string>(),
                StringComparer.Ordinal)
            {
                [CdfServiceFunctions.ServiceKey] = package.ServiceName,
                ["mlops-package"] = package.Sha256.Substring(0, Math.Min(16, package.Sha256.Length)),
            };
            if (package.ModelId != null)
            {
                metadata["mlops-model-id"] = package.ModelId;
            }

            var total = metadata.Sum(p => System.Text.Encoding.UTF8.GetByteCount(p.Key) + System.Text.Encoding.UTF8.GetByteCount(p.Value));
            if (total > 512)
            {
                throw new MlOpsException(ErrorIds.InvalidMetadata, MlOpsErrorKind.InvalidArgument,
                    $"The function metadata of {package.ServiceName} would take {total} bytes; CDF allows 512.", package.ServiceName,
                    "Use a shorter model name, or shorten the service's metadata in the settings (\"info\").");
            }

            return metadata;
        }

        /// <summary>
        /// Creates the function; null when the external id is taken by a function of other code. A create that failed in
        /// transit is reconciled by external id, never blindly repeated.
        /// </summary>
        private CdfFunction? CreateFunction(FunctionCreate create, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return _functions.CreateAsync(create, cancellationToken).GetAwaiter().GetResult();
                }
                catch (Exception e) when (CdfCalls.IsDuplicate(e))
                {
                    // Taken: by this deploy's own earlier attempt whose answer was lost (it may land after the look below
                    // found nothing), or by another deployer. One built from the same code file is this deployment.
                    var taken = _serviceFunctions.Find(create.ExternalId!, cancellationToken);
                    return taken != null && taken.FileId == create.FileId ? taken : null;
                }
                catch (MlOpsException e) when (CdfCalls.IsTransient(e) && attempt < _retry.WriteAttempts)
                {
                    // It may have been created: look before trying again (never a blind second create).
                    var existing = _serviceFunctions.Find(create.ExternalId!, cancellationToken);
                    if (existing != null)
                    {
                        return existing.FileId == create.FileId ? existing : null;
                    }

                    _retry.Pause(attempt, cancellationToken);
                }
            }
        }

        private void WaitReady(CdfFunction function, string serviceName, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var started = DateTime.UtcNow;
            var deadline = started + _settings.DeployTimeout;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = _retry.Read(ct => _functions.GetAsync(function.Id, ct), cancellationToken);
                var elapsed = DateTime.UtcNow - started;
                reporter.Progress(new OperationProgress(3, $"Building function {function.ExternalId}", $"{current.Status} ({elapsed.TotalSeconds:0} s)",
                    (int)Math.Min(99, 100 * elapsed.TotalSeconds / Math.Max(1, _settings.DeployTimeout.TotalSeconds))));
                switch (current.Status)
                {
                    case "Ready":
                        reporter.Progress(new OperationProgress(3, $"Building function {function.ExternalId}", "Ready", 100, completed: true));
                        reporter.Verbose($"Function {function.ExternalId} is Ready after {elapsed.TotalSeconds:0} s.");
                        return;
                    case "Failed":
                        var trace = current.Error?.Trace;
                        throw new MlOpsException(ErrorIds.FunctionDeployFailed, MlOpsErrorKind.InvalidOperation,
                            $"CDF could not build function {function.ExternalId} for {serviceName}: {current.Error?.Message ?? "no reason given"}"
                            + (string.IsNullOrWhiteSpace(trace) ? string.Empty : "\nBuild trace:\n" + trace),
                            function.ExternalId, "Fix the requirements or code the trace names; the current deployment keeps serving.");
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new MlOpsException(ErrorIds.FunctionDeployTimedOut, MlOpsErrorKind.OperationTimeout,
                        $"Function {function.ExternalId} for {serviceName} was still {current.Status} after {_settings.DeployTimeout.TotalMinutes:0.#} minutes.",
                        function.ExternalId, "Try again later, or raise platform.deployTimeoutMinutes; the current deployment keeps serving.");
                }

                Task.Delay(_pollInterval(), cancellationToken).GetAwaiter().GetResult();
            }
        }

        /// <summary>Uploads the package zip once per content (external id from its SHA-256) and waits until CDF marks it uploaded.</summary>
        private CdfFile UploadCode(ServicePackage package, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var externalId = CodeFiles(package.ServiceName) + package.Sha256.Substring(0, Math.Min(32, package.Sha256.Length));
            var existing = _retry.Read(ct => _files.RetrieveAsync(new[] { Identity.Create(externalId) }, true, ct), cancellationToken).FirstOrDefault();
            if (existing != null && existing.Uploaded)
            {
                reporter.Verbose($"The package {externalId} is already in CDF Files (file {existing.Id}).");
                return existing;
            }

            if (existing != null)
            {
                _retry.Repeat(ct => _files.DeleteAsync(new[] { Identity.Create(existing.Id) }, true, ct), cancellationToken);
            }

            reporter.Verbose($"Uploading {Path.GetFileName(package.Path)} ({package.Size} bytes) to CDF Files as {externalId}.");
            var create = new FileCreate
            {
                ExternalId = externalId,
                Name = Path.GetFileName(package.Path),
                Directory = _settings.Connection.Directory,
                MimeType = "application/zip",
                DataSetId = _dataSetId,
                Source = "mlops",
                Metadata = new Dictionary<string, string> { ["mlops_service"] = package.ServiceName, ["mlops_package_sha256"] = package.Sha256 },
            };
            // With overwrite, sending the content-addressed file again after a transient failure is safe.
            var file = _retry.Repeat(async ct =>
            {
                using (var stream = File.OpenRead(package.Path))
                {
                    return await _files.UploadAsync(create, stream, stream.Length, overwrite: true, ct).ConfigureAwait(false);
                }
            }, cancellationToken, attempts: Math.Min(2, _retry.Attempts));

            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (!file.Uploaded)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new MlOpsException(ErrorIds.FunctionDeployFailed, MlOpsErrorKind.OperationTimeout,
                        $"CDF did not mark the package {externalId} uploaded within 2 minutes.", externalId, "Deploy again.");
                }

                Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500, _pollInterval().TotalMilliseconds)), cancellationToken).GetAwaiter().GetResult();
                var id = file.Id;
                file = _retry.Read(ct => _files.GetAsync(id, ct), cancellationToken);
            }

            return file;
        }
    }
}
