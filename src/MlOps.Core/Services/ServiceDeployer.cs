using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Platforms;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Settings;

namespace MlOps.Services
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

        public ServiceDeployer(ProjectSettings project, ProjectRegistry? registry = null, Func<PlatformSettings, IServicePlatform>? platforms = null,
            Func<PythonInterpreter>? python = null)
        {
            _project = project;
            _registry = registry ?? new ProjectRegistry(project);
            _platforms = platforms ?? PlatformFactory.Create;
            _python = python ?? (() => PythonLocator.Find(project.Python, project.ProjectRoot));
        }

        public IServicePlatform Platform(string environment) => _platforms(_project.GetEnvironment(environment).Platform);

        public ServiceDeployment Deploy(DeployRequest request, IOperationReporter reporter, CancellationToken cancellationToken)
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

            Step("Checking Python and requirements", 0);
            var python = _python();
            var requirements = RequirementsFile.Read(model.RequirementsFile);
            if (platform.Kind == "local")
            {
                requirements.CheckInstalled(python, reporter, cancellationToken);
            }

            ModelVersion? version = null;
            IArtifactSource? artifacts = null;
            if (request.Service == ServiceKind.Prediction)
            {
                version = request.Version ?? FindVersion(model.Name, environment.Name, request.VersionNumber);
                artifacts = _registry.Open(version);
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


            var tester = new ServiceTester(python);
            var tests = new List<ServiceTestResult>();
            Step("Running the model tests", 25);
            Require(tests, tester.RunModelTests(_project, model, serviceName, cancellationToken), ErrorIds.ModelTestsFailed, reporter);
            Step("Running the service test on the package", 45);
            Require(tests, tester.RunPackageTest(package, cancellationToken), ErrorIds.ServiceTestFailed, reporter);

            if (request.TestOnly)
            {
                reporter.Progress(new OperationProgress(ProgressId, $"Deploying {serviceName}", "Tested", 100, completed: true));
                return new ServiceDeployment(serviceName, model.Name, request.Service, environment.Name, version?.Version, version?.ModelId, platform.Kind,
                    null, ServiceStatus.Tested, "test-only", DateTimeOffset.UtcNow, LocalFolderRegistry.CurrentUser(), null, package.Path, package.Sha256, tests);
            }

            Step($"Starting the new deployment on {platform.Kind}", 60);
            var instance = platform.Start(package, python, reporter, cancellationToken);
            try
            {
                Step("Running the service test against the new deployment", 80);
                Require(tests, tester.TestDeployed(platform, instance.Endpoint, package.Path, serviceName, version?.ModelId, cancellationToken),
                    ErrorIds.ServiceTestFailed, reporter);
            }
            catch
            {
                platform.Discard(instance, reporter);
                throw;
            }

            Step("Switching callers to the new deployment", 95);
            var deployment = platform.Activate(instance, tests, reporter);
            reporter.Progress(new OperationProgress(ProgressId, $"Deploying {serviceName}", "Done", 100, completed: true));
            return deployment;
        }

        /// <summary>Runs the service test against a service's current deployment.</summary>
        public ServiceTestResult Test(ServiceDeployment deployment, CancellationToken cancellationToken)
        {
            if (deployment.Endpoint == null)
            {
                throw NotDeployed(deployment.Name);
            }

            return new ServiceTester(_python()).TestDeployed(Platform(deployment.Environment), deployment.Endpoint, deployment.PackagePath,
                deployment.Name, deployment.ModelId, cancellationToken);
        }

        /// <summary>Calls a service with <paramref name="dataJson"/> as its data and returns its answer.</summary>
        public ServiceResponse Invoke(string model, string environment, ServiceKind service, string dataJson, TimeSpan timeout,
            CancellationToken cancellationToken)
        {
            var env = _project.GetEnvironment(environment);
            var serviceName = ServiceKinds.ServiceName(model, service, env.Name);
            var platform = _platforms(env.Platform);
            var endpoint = platform.Endpoint(serviceName) ?? throw NotDeployed(serviceName);
            var callId = Guid.NewGuid().ToString("N").Substring(0, 12);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var answer = platform.Call(endpoint, dataJson, callId, timeout, cancellationToken);
            return ServiceResponse.Parse(serviceName, service, answer, callId, clock.Elapsed);
        }

        /// <summary>The services of the project's environments (current deployments with their live status).</summary>
        public IEnumerable<ServiceDeployment> List(string? environment)
        {
            var environments = environment != null ? new[] { _project.GetEnvironment(environment) } : _project.Environments.ToArray();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var env in environments)
            {
                foreach (var deployment in _platforms(env.Platform).List())
                {
                    if (deployment.Environment == env.Name && seen.Add(deployment.Name))
                    {
                        yield return deployment;
                    }
                }
            }
        }

        public static MlOpsException NotDeployed(string serviceName) =>
            new MlOpsException(ErrorIds.ServiceNotFound, MlOpsErrorKind.NotFound, $"The service '{serviceName}' is not deployed.", serviceName,
                "Deploy it with Deploy-MlPredictionService or Deploy-MlTrainingService, or list services with Get-MlService.");

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
