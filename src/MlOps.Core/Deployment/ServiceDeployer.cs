using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Platforms;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Services;
using MlOps.Settings;
using MlOps.SourceControl;

namespace MlOps.Deployment
{
    /// <summary>
    /// Deploys, tests and calls a project's services. A deploy packages the model code with the artifact version,
    /// runs the model's tests and the service test on the package, starts the new deployment beside the current one,
    /// runs the service test against it, and only then makes it the one callers reach: any failure leaves the
    /// current deployment serving.
    /// </summary>
    public sealed class ServiceDeployer
    {
        private const int ProgressId = 2;
        private readonly ProjectSettings _project;
        private readonly ProjectRegistry _registry;
        private readonly Func<PlatformSettings, IServicePlatform> _platforms;
        private readonly Func<PythonInterpreter> _python;
        private readonly Func<PythonInterpreter, EnvironmentSettings, IServiceTests> _tests;

        /// <param name="project">The project's settings.</param>
        /// <param name="registry">Where versions are read (default: the project's registries).</param>
        /// <param name="platforms">The platform of an environment (default: from its settings).</param>
        /// <param name="python">The interpreter that runs tests (default: found from the settings).</param>
        /// <param name="tests">The tests each deployment must pass (default: <see cref="ServiceTester"/>, with Python).</param>
        /// <param name="connections">Where registries and platforms in CDF get their clients and secrets (the module passes its session's; default: connections of this deployer's own).</param>
        public ServiceDeployer(ProjectSettings project, ProjectRegistry? registry = null, Func<PlatformSettings, IServicePlatform>? platforms = null,
            Func<PythonInterpreter>? python = null, Func<PythonInterpreter, EnvironmentSettings, IServiceTests>? tests = null,
            CdfConnections? connections = null)
        {
            _tests = tests ?? ServiceTester.For;
            _project = project;
            var cdf = connections ?? CdfConnections.Standalone();
            _registry = registry ?? new ProjectRegistry(project, cdf);
            _platforms = platforms ?? (settings => PlatformFactory.Create(settings, cdf,
                project.Environments.FirstOrDefault(e => ReferenceEquals(e.Platform, settings))?.Registry,
                Path.Combine(project.ProjectRoot, SettingsLoader.DefaultPackagesPath, "cache")));
            _python = python ?? (() => PythonLocator.Find(project.Python, project.ProjectRoot));
        }

        public IServicePlatform Platform(string environment) => _platforms(_project.GetEnvironment(environment).Platform);

        /// <summary>
        /// The version an environment's prediction service serves, provided its deployed service test passed: what was tested
        /// there, and so what to promote (a higher version may have been rolled back, or published by a training service and
        /// never deployed). Null when the service is not deployed; <see cref="ErrorIds.ServiceTestFailed"/> when the deployment
        /// that serves did not pass its tests.
        /// </summary>
        public ModelVersion? ServingVersion(string model, string environment)
        {
            var env = _project.GetEnvironment(environment);
            var name = ServiceKinds.ServiceName(_project.RequireModel(model).Name, ServiceKind.Prediction, env.Name);
            var current = Platform(env.Name).History(name).LastOrDefault(r => r.IsCurrent);
            if (current?.Version == null)
            {
                return null;
            }

            if (!current.TestsPassed)
            {
                throw new MlOpsException(ErrorIds.ServiceTestFailed, MlOpsErrorKind.InvalidData,
                    $"{name} serves {current.ModelId} from history entry {current.Sequence}, whose tests did not pass: {current.TestSummary}", name,
                    "Deploy a version whose tests pass (or roll back to one) before promoting what test serves.");
            }

            return _registry.FindOne(model, env.Name, current.Version)
                ?? throw new MlOpsException(ErrorIds.ModelVersionNotFound, MlOpsErrorKind.NotFound,
                    $"{name} serves {current.ModelId}, which its registry no longer holds.", current.ModelId, "Check the registry with Get-MlModelVersion.");
        }

        /// <summary>How long a deploy or rollback waits for another change to the same service to finish (then ServiceBusy).</summary>
        public TimeSpan ChangeWait { get; set; } = TimeSpan.FromMinutes(10);

        public ServiceDeployment Deploy(DeployRequest request, IOperationReporter reporter, CancellationToken cancellationToken) =>
            FileSystemFailure.Guard(ErrorIds.DeploymentWriteFailed, ServiceKinds.ServiceName(request.Model, request.Service, request.Environment),
                $"Deploying the {request.Service.Name()} service of {request.Model} to {request.Environment}", DeploymentWriteAction,
                () => DeployChecked(request, reporter, cancellationToken));

        private const string DeploymentWriteAction = "Check that the project's .mlops folder (service packages, and on the Local platform the " +
            "services folder, platform.path) is writable, on a disk with free space and not under /proc or /sys; the deployment that served still serves.";

        private ServiceDeployment DeployChecked(DeployRequest request, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var environment = _project.GetEnvironment(request.Environment);
            var model = _project.RequireModel(request.Model);
            var serviceName = ServiceKinds.ServiceName(model.Name, request.Service, environment.Name);
            if (!model.Services.Contains(request.Service.Name()))
            {
                throw new MlOpsException(ErrorIds.ServiceNotOffered, MlOpsErrorKind.InvalidOperation,
                    $"'{model.Name}' does not offer a {request.Service.Name()} service (its settings list: {string.Join(", ", model.Services)}).",
                    serviceName, $"Add \"{request.Service.Name()}\" to the model's \"services\" in the settings.");
            }

            var platform = _platforms(environment.Platform);
            void Step(string status, int percent) => reporter.Progress(new OperationProgress(ProgressId, $"Deploying {serviceName}", status, percent));
            var secrets = request.Secrets ?? ModelSecrets.Resolve(model);

            Step("Checking Python and requirements", 0);
            var python = _python();
            var requirements = RequirementsFile.Read(model.RequirementsFile);
            if (requirements.FrameworkPins.Count > 0)
            {
                reporter.Verbose($"{model.RequirementsFile} lists {string.Join(", ", requirements.FrameworkPins)}: not installed, because the MlOps " +
                    "runtime packaged with the service provides what model code imports from akerbp.mlops (its loggers and exceptions).");
            }

            if (environment.Platform.IsLocal)
            {
                requirements.CheckInstalled(python, reporter, cancellationToken);
            }

            ModelVersion? version = null;
            IArtifactSource? artifacts = null;
            if (request.Service == ServiceKind.Prediction)
            {
                var number = request.VersionNumber;
                if (request.Version == null && number == null && model.ArtifactVersion != null)
                {
                    number = model.ArtifactVersion;
                    reporter.Verbose($"The settings pin {model.Name} to version {number} (\"artifactVersion\"); -Version chooses another.");
                }

                version = request.Version ?? FindVersion(model.Name, environment.Name, number);
                // Cancellable: on CDF this downloads and unpacks the version before anything is built.
                artifacts = _registry.Open(version, cancellationToken);
                reporter.Verbose($"Deploying {version.ModelId} ({version.ContentHash}).");
            }

            Step("Packaging", 10);
            var packages = Path.Combine(_project.ProjectRoot, SettingsLoader.DefaultPackagesPath);
            ServicePackage package;
            try
            {
                package = ServicePackageBuilder.Build(_project, model, environment, request.Service, version, artifacts, packages, reporter, cancellationToken);
            }
            finally
            {
                (artifacts as IDisposable)?.Dispose();
            }

            if (package.Revision != null)
            {
                var made = version?.Revision is SourceRevision trained && !trained.MatchesCommit(package.Revision.Commit)
                    ? $"; {version.ModelId} was made from commit {trained} (the tests below check the two work together)"
                    : string.Empty;
                reporter.Verbose($"The code is packaged from git commit {package.Revision}{made}.");
            }

            var tester = _tests(python, environment);
            var tests = new List<ServiceTestResult>();
            Step("Running the model tests", 25);
            Require(tests, tester.RunModelTests(_project, model, serviceName, cancellationToken), ErrorIds.ModelTestsFailed, reporter);
            Step("Running the service test on the package", 45);
            Require(tests, tester.RunPackageTest(package, secrets, cancellationToken), ErrorIds.ServiceTestFailed, reporter);

            if (request.TestOnly)
            {
                reporter.Progress(new OperationProgress(ProgressId, $"Deploying {serviceName}", "Tested", 100, completed: true));
                return new ServiceDeployment(serviceName, model.Name, request.Service, environment.Name, version?.Version, version?.ModelId, platform.Kind,
                    null, ServiceStatus.Tested, "test-only", DateTimeOffset.UtcNow, LocalFolderRegistry.CurrentUser(), null, package.Path, package.Sha256, tests,
                    package.Revision);
            }

            Step(environment.Platform.IsLocal
                ? $"Starting the new deployment on local (start timeout {environment.Platform.StartTimeout.TotalSeconds:0} s)"
                : $"Starting the new deployment on {platform.Kind}", 60);
            ServiceDeployment deployment;
            // One change to a service at a time: a second deploy, a rollback or a removal waits here (bounded), so nothing that
            // serves is pruned under it and the history always names what runs.
            using (platform.LockChanges(serviceName, "deploy", ChangeWait, reporter, cancellationToken))
            {
                var instance = platform.Start(package, python, secrets, reporter, cancellationToken);
                try
                {
                    Step($"Running the service test against the new deployment (timeout {tester.DeployedTestTimeout.TotalSeconds:0} s)", 80);
                    Require(tests, tester.TestDeployed(platform, instance.Endpoint, package.Path, serviceName, version?.ModelId, cancellationToken),
                        ErrorIds.ServiceTestFailed, reporter);
                }
                catch
                {
                    Discard(platform, instance, reporter);
                    throw;
                }

                Step("Switching callers to the new deployment", 95);
                deployment = platform.Activate(instance, tests, reporter);
            }

            reporter.Progress(new OperationProgress(ProgressId, $"Deploying {serviceName}", "Done", 100, completed: true));
            return deployment;
        }

        /// <summary>
        /// Deploys several services at once, at most <paramref name="throttleLimit"/> at a time. One deploy's failure does
        /// not stop the others: every request gets an outcome, in the order given. Progress activities are numbered per
        /// request so they show side by side.
        /// </summary>
        public IReadOnlyList<DeployOutcome> DeployMany(IReadOnlyList<DeployRequest> requests, int throttleLimit, IOperationReporter reporter,
            CancellationToken cancellationToken)
        {
            var outcomes = new DeployOutcome[requests.Count];
            using (var gate = new SemaphoreSlim(Math.Max(1, throttleLimit)))
            {
                var tasks = requests.Select((request, index) => System.Threading.Tasks.Task.Run(() =>
                {
                    gate.Wait(cancellationToken);
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    try
                    {
                        var deployment = Deploy(request, new NumberedReporter(reporter, index), cancellationToken);
                        outcomes[index] = new DeployOutcome(request, deployment, null, clock.Elapsed);
                    }
                    catch (Exception e) when (!(e is OperationCanceledException))
                    {
                        outcomes[index] = new DeployOutcome(request, null, e, clock.Elapsed);
                    }
                    finally
                    {
                        gate.Release();
                    }

                    reporter.Verbose(outcomes[index].ToString());
                }, cancellationToken)).ToArray();
                System.Threading.Tasks.Task.WaitAll(tasks, cancellationToken);
            }

            return outcomes;
        }

        /// <summary>Runs the service test against a service's current deployment.</summary>
        public ServiceTestResult Test(ServiceDeployment deployment, CancellationToken cancellationToken)
        {
            if (deployment.Endpoint == null)
            {
                throw ServiceErrors.NotDeployed(deployment.Name);
            }

            var platform = Platform(deployment.Environment);
            return _tests(_python(), _project.GetEnvironment(deployment.Environment)).TestDeployed(platform, deployment.Endpoint, platform.PackageFile(deployment, cancellationToken),
                deployment.Name, deployment.ModelId, cancellationToken);
        }

        /// <summary>The deployment history of a model's service in an environment, oldest first.</summary>
        public IReadOnlyList<DeploymentRecord> History(string model, string environment, ServiceKind service, CancellationToken cancellationToken = default)
        {
            var env = _project.GetEnvironment(environment);
            _project.RequireModel(model);
            return _platforms(env.Platform).History(ServiceKinds.ServiceName(model, service, env.Name), cancellationToken);
        }

        /// <summary>
        /// Rolls a service back: to the history entry <paramref name="sequence"/>, to the latest entry serving artifact
        /// <paramref name="version"/>, or (neither given) to the deployment that served before the current one took over (a
        /// second rollback goes one further back). The kept
        /// deployment is brought back, passes the deployed service test, and only then becomes the one callers reach.
        /// </summary>
        public ServiceDeployment Restore(string model, string environment, ServiceKind service, int? sequence, int? version, IOperationReporter reporter,
            CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? secrets = null) =>
            FileSystemFailure.Guard(ErrorIds.DeploymentWriteFailed, ServiceKinds.ServiceName(model, service, environment),
                $"Rolling back the {service.Name()} service of {model} in {environment}", DeploymentWriteAction,
                () => RestoreChecked(model, environment, service, sequence, version, reporter, cancellationToken, secrets));

        private ServiceDeployment RestoreChecked(string model, string environment, ServiceKind service, int? sequence, int? version, IOperationReporter reporter,
            CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? secrets)
        {
            var target = RestoreTarget(model, environment, service, sequence, version, cancellationToken);
            var platform = Platform(environment);
            void Step(string status, int percent) => reporter.Progress(new OperationProgress(ProgressId, $"Restoring {target.Name}", status, percent));
            Step($"Bringing back deployment {target.DeploymentId} (history entry {target.Sequence})", 10);
            var python = _python();
            ServiceDeployment deployment;
            using (platform.LockChanges(target.Name, "roll back", ChangeWait, reporter, cancellationToken))
            {
                // The target was chosen before the lock: a change that finished meanwhile makes it stale, so choose again.
                var again = RestoreTarget(model, environment, service, sequence, version, cancellationToken);
                if (again.Sequence != target.Sequence)
                {
                    throw new MlOpsException(ErrorIds.ServiceBusy, MlOpsErrorKind.ResourceUnavailable,
                        $"{target.Name} changed while this rollback waited (it would now restore history entry {again.Sequence}, not {target.Sequence}).",
                        target.Name, "Look at Get-MlDeploymentHistory and roll back again if it is still needed.");
                }

                var instance = platform.Revive(target, python, secrets ?? ModelSecrets.Resolve(_project.RequireModel(model)), reporter, cancellationToken);
                var tests = new List<ServiceTestResult>();
                try
                {
                    Step("Running the service test against it", 50);
                    Require(tests, _tests(python, _project.GetEnvironment(environment)).TestDeployed(platform, instance.Endpoint, instance.Package.Path, target.Name, target.ModelId,
                        cancellationToken), ErrorIds.ServiceTestFailed, reporter);
                }
                catch
                {
                    Discard(platform, instance, reporter);
                    throw;
                }

                Step("Switching callers to it", 90);
                deployment = platform.Activate(instance, tests, reporter);
            }

            reporter.Progress(new OperationProgress(ProgressId, $"Restoring {target.Name}", "Done", 100, completed: true));
            return deployment;
        }

        /// <summary>Removes a deployment that will not serve; a failure to do so is a warning, never the error the caller sees.</summary>
        private static void Discard(IServicePlatform platform, DeployedInstance instance, IOperationReporter reporter)
        {
            try
            {
                platform.Discard(instance, reporter);
            }
            catch (MlOpsException e)
            {
                reporter.Warning($"The new deployment {instance.DeploymentId} was not removed: {e.Message} It serves no one: "
                    + "callers still reach the previous deployment.");
            }
        }

        /// <summary>The history entry a restore would return to (for -WhatIf and for <see cref="Restore"/>).</summary>
        public DeploymentRecord RestoreTarget(string model, string environment, ServiceKind service, int? sequence, int? version,
            CancellationToken cancellationToken = default) =>
            RollbackTarget.Choose(History(model, environment, service, cancellationToken),
                ServiceKinds.ServiceName(model, service, _project.GetEnvironment(environment).Name), sequence, version);

        /// <summary>Adds a schedule to a model's service.</summary>
        public ServiceSchedule AddSchedule(string model, string environment, ServiceKind service, string scheduleName, string cron, string? dataJson,
            string? description, IOperationReporter reporter, CancellationToken cancellationToken = default)
        {
            var (scheduler, name) = Scheduler(model, environment, service);
            return scheduler?.AddSchedule(name, scheduleName, cron, dataJson, description, reporter, cancellationToken) ?? throw SchedulesNotSupported(name, environment);
        }

        /// <summary>A service's schedules (none on a platform without schedules).</summary>
        public IEnumerable<ServiceSchedule> Schedules(string model, string environment, ServiceKind service, CancellationToken cancellationToken = default)
        {
            var (scheduler, name) = Scheduler(model, environment, service);
            return scheduler?.Schedules(name, cancellationToken) ?? Enumerable.Empty<ServiceSchedule>();
        }

        public bool RemoveSchedule(string model, string environment, ServiceKind service, string scheduleName, IOperationReporter reporter,
            CancellationToken cancellationToken = default)
        {
            var (scheduler, name) = Scheduler(model, environment, service);
            return scheduler?.RemoveSchedule(name, scheduleName, reporter, cancellationToken) ?? throw SchedulesNotSupported(name, environment);
        }

        private (ISchedulingPlatform? Scheduler, string ServiceName) Scheduler(string model, string environment, ServiceKind service)
        {
            var env = _project.GetEnvironment(environment);
            _project.RequireModel(model);
            return (_platforms(env.Platform) as ISchedulingPlatform, ServiceKinds.ServiceName(model, service, env.Name));
        }

        private MlOpsException SchedulesNotSupported(string serviceName, string environment) =>
            new MlOpsException(ErrorIds.SchedulesNotSupported, MlOpsErrorKind.InvalidOperation,
                $"The {_project.GetEnvironment(environment).Platform.Type} platform of '{environment}' does not run schedules ({serviceName}).", serviceName,
                "Use the cdf platform for scheduled training and keep-warm calls, or run Invoke-MlTraining from a scheduled task.");

        /// <summary>Calls a service with <paramref name="dataJson"/> as its data and returns its answer.</summary>
        public ServiceResponse Invoke(string model, string environment, ServiceKind service, string dataJson, TimeSpan timeout,
            CancellationToken cancellationToken)
        {
            var env = _project.GetEnvironment(environment);
            var serviceName = ServiceKinds.ServiceName(model, service, env.Name);
            var platform = _platforms(env.Platform);
            var endpoint = platform.Endpoint(serviceName, cancellationToken) ?? throw ServiceErrors.NotDeployed(serviceName);
            var callId = Guid.NewGuid().ToString("N").Substring(0, 12);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var answer = platform.Call(endpoint, dataJson, callId, timeout, cancellationToken);
            var response = ServiceResponse.Parse(serviceName, service, answer, callId, clock.Elapsed);
            // A training service published a version: the answer carries it, ready to deploy or promote.
            if (response.PublishedModelId is string published)
            {
                var (_, _, number) = ModelVersionId.Parse(published);
                if (_registry.FindOne(model, env.Name, number) is ModelVersion version)
                {
                    return response.WithPublished(version);
                }
            }

            return response;
        }

        /// <summary>The services of the project's environments (current deployments with their live status).</summary>
        public IEnumerable<ServiceDeployment> List(string? environment, CancellationToken cancellationToken = default)
        {
            var environments = environment != null ? new[] { _project.GetEnvironment(environment) } : _project.Environments.ToArray();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var env in environments)
            {
                foreach (var deployment in _platforms(env.Platform).List(cancellationToken))
                {
                    if (deployment.Environment == env.Name && seen.Add(deployment.Name))
                    {
                        yield return deployment;
                    }
                }
            }
        }

        private ModelVersion FindVersion(string model, string environment, int? number)
        {
            return _registry.FindOne(model, environment, number) ?? throw new MlOpsException(ErrorIds.ModelVersionNotFound, MlOpsErrorKind.NotFound,
                number == null
                    ? $"'{model}' has no version in {environment} to deploy."
                    : $"'{model}' has no version {number} in {environment}.",
                $"{model}/{environment}/{number?.ToString() ?? "latest"}",
                "Publish one with Publish-MlModelArtifact (or promote one), or deploy the training service and run it with Invoke-MlTraining.");
        }

        private static void Require(List<ServiceTestResult> tests, ServiceTestResult result, string errorId, IOperationReporter reporter)
        {
            tests.Add(result);
            reporter.Verbose(result.ToString());
            if (!result.Passed)
            {
                throw new MlOpsException(errorId, MlOpsErrorKind.InvalidResult,
                    $"{result.ServiceName}: the {result.Test} failed: {result.Message}", result,
                    "Nothing was switched: the current deployment, if any, keeps serving. Fix the model or its tests and deploy again.");
            }
        }
    }
}
