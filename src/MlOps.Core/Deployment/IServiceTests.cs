using System;
using System.Collections.Generic;
using System.Threading;
using MlOps.Packaging;
using MlOps.Platforms;
using MlOps.Services;
using MlOps.Settings;

namespace MlOps.Deployment
{
    /// <summary>
    /// The tests a deployment must pass before it serves (<see cref="ServiceTester"/> runs them with Python). The deployer
    /// takes them as a seam, so tests of its own logic (rollback, keep-N, history) can stand in for pytest.
    /// </summary>
    public interface IServiceTests
    {
        /// <summary>The deployed service test's limit, for progress messages.</summary>
        TimeSpan DeployedTestTimeout { get; }

        /// <summary>The model's own test suite.</summary>
        ServiceTestResult RunModelTests(ProjectSettings project, ModelSettings model, string serviceName, CancellationToken cancellationToken);

        /// <summary>The service test on the package, before anything is started.</summary>
        ServiceTestResult RunPackageTest(ServicePackage package, IReadOnlyDictionary<string, string>? secrets, CancellationToken cancellationToken);

        /// <summary>The service test against a started deployment's endpoint.</summary>
        ServiceTestResult TestDeployed(IServicePlatform platform, string endpoint, string packagePath, string serviceName, string? modelId,
            CancellationToken cancellationToken);
    }
}
