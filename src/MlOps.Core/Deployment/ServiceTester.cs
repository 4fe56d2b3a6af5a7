using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Platforms;
using MlOps.Python;
using MlOps.Services;
using MlOps.Settings;

namespace MlOps.Deployment
{
    /// <summary>
    /// Runs the tests a deployment must pass: the model's own pytest suite, the service test on the package (the
    /// packaged handler called in a Python process with ServiceTest's sample input), and the same service test
    /// against a deployed service (sample input sent to its endpoint, answer checked by the contract and the model's check).
    /// </summary>
    public sealed class ServiceTester : IServiceTests
    {
        private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(15);
        private readonly PythonInterpreter _python;
        private readonly TimeSpan _deployedTestTimeout;
        private readonly string? _environment;

        /// <param name="python">The interpreter that runs the tests.</param>
        /// <param name="environment">The environment whose platform settings give <paramref name="deployedTestTimeout"/> (named in its error).</param>
        /// <param name="deployedTestTimeout">How long the deployed service test waits for the service's answer (default 600 s).</param>
        public ServiceTester(PythonInterpreter python, string? environment = null, TimeSpan? deployedTestTimeout = null)
        {
            _python = python;
            _environment = environment;
            _deployedTestTimeout = deployedTestTimeout ?? TimeSpan.FromSeconds(600);
        }

        /// <summary>A tester for <paramref name="environment"/>'s deployments, with its serviceTestTimeoutSeconds.</summary>
        public static ServiceTester For(PythonInterpreter python, EnvironmentSettings environment) =>
            new ServiceTester(python, environment.Name, environment.Platform.ServiceTestTimeout);

        /// <summary>The deployed service test's limit, for progress messages.</summary>
        public TimeSpan DeployedTestTimeout => _deployedTestTimeout;

        public ServiceTestResult RunModelTests(ProjectSettings project, ModelSettings model, string serviceName, CancellationToken cancellationToken)
        {
            var folder = model.CodeFolder.Substring(project.ProjectRoot.TrimEnd(Path.DirectorySeparatorChar).Length + 1);
            // Model code may import the runtime (its logger), which otherwise exists only inside packages.
            var runtime = RuntimeFiles.WriteRuntimeFolder(Path.Combine(project.ProjectRoot, ".mlops", "runtime"));
            var pythonPath = Environment.GetEnvironmentVariable("PYTHONPATH");
            var environment = new System.Collections.Generic.Dictionary<string, string>
            {
                ["PYTHONPATH"] = string.IsNullOrEmpty(pythonPath) ? runtime : runtime + Path.PathSeparator + pythonPath,
            };
            var run = ProcessRunner.Run(_python.Path, new[] { "-m", "pytest", folder, "-q", "-p", "no:cacheprovider" }, project.ProjectRoot,
                environment, TestTimeout, cancellationToken);
            var duration = TimeSpan.FromSeconds(run.Seconds);
            var summary = run.Output.Replace("\r", string.Empty).Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? string.Empty;
            switch (run.ExitCode)
            {
                case 0:
                    return new ServiceTestResult(serviceName, null, "model tests", true, summary, duration);
                case 5:
                    return new ServiceTestResult(serviceName, null, "model tests", false, $"pytest collected no tests in {folder}; add tests to {Path.GetFileName(model.TestFile)}.", duration);
                default:
                    return new ServiceTestResult(serviceName, null, "model tests", false, $"python -m pytest {folder} failed (exit {run.ExitCode}):\n{run.Tail(30)}", duration);
            }
        }

        public ServiceTestResult RunPackageTest(ServicePackage package, IReadOnlyDictionary<string, string>? secrets, CancellationToken cancellationToken) =>
            WithExtracted(package.Path, folder =>
            {
                // The model's secrets, as the deployed service gets them (the test process reads and removes the variable).
                var environment = new Dictionary<string, string> { [LocalPlatform.SecretsVariable] = JsonSerializer.Serialize(secrets ?? new Dictionary<string, string>()) };
                var run = ProcessRunner.Run(_python.Path, new[] { "-m", "mlops_runtime.servicetest", "run" }, folder, environment, TestTimeout, cancellationToken);
                return ToResult(package.ServiceName, package.ModelId, "package service test", run);
            });

        /// <summary>Sends the model's sample input to a deployed service and checks its answer.</summary>
        public ServiceTestResult TestDeployed(IServicePlatform platform, string endpoint, string packagePath, string serviceName, string? modelId,
            CancellationToken cancellationToken) =>
            WithExtracted(packagePath, folder =>
            {
                var started = DateTime.UtcNow;
                var input = ProcessRunner.Run(_python.Path, new[] { "-m", "mlops_runtime.servicetest", "input" }, folder, null, TestTimeout, cancellationToken);
                if (input.ExitCode != 0)
                {
                    return ToResult(serviceName, modelId, "deployed service test", input);
                }

                string data;
                using (var json = JsonDocument.Parse(LastLine(input.Output)))
                {
                    data = json.RootElement.GetProperty("input").GetRawText();
                }

                string answer;
                try
                {
                    answer = platform.Call(endpoint, data, "servicetest-" + Guid.NewGuid().ToString("N").Substring(0, 8), _deployedTestTimeout,
                        cancellationToken);
                }
                catch (MlOpsException e) when (e.ErrorId == ErrorIds.ProcessTimedOut)
                {
                    var setting = _environment != null ? $"environments.{_environment}.platform.serviceTestTimeoutSeconds" : "platform.serviceTestTimeoutSeconds";
                    return new ServiceTestResult(serviceName, modelId, "deployed service test", false,
                        $"The service did not answer the sample input within the deployed service test's limit of {_deployedTestTimeout.TotalSeconds:0} s " +
                        $"({setting} in the settings): raise it there if the model needs longer, or make ServiceTest's prediction_input smaller.",
                        DateTime.UtcNow - started);
                }
                catch (MlOpsException e) when (!Cdf.CdfCalls.IsTransient(e))
                {
                    // A transient CDF failure (throttling, 5xx, a dropped connection) says nothing of the service: it stays
                    // that error, so the caller knows to try again; anything else is the test's failure.
                    return new ServiceTestResult(serviceName, modelId, "deployed service test", false, e.Message, DateTime.UtcNow - started);
                }

                var answerFile = Path.Combine(folder, ".mlops-answer.json");
                File.WriteAllText(answerFile, answer);
                var check = ProcessRunner.Run(_python.Path, new[] { "-m", "mlops_runtime.servicetest", "check", answerFile }, folder, null, TestTimeout,
                    cancellationToken);
                var result = ToResult(serviceName, modelId, "deployed service test", check);
                return new ServiceTestResult(result.ServiceName, result.ModelId, result.Test, result.Passed, result.Message, DateTime.UtcNow - started);
            });

        private static ServiceTestResult ToResult(string serviceName, string? modelId, string test, ProcessResult run)
        {
            var duration = TimeSpan.FromSeconds(run.Seconds);
            try
            {
                using (var json = JsonDocument.Parse(LastLine(run.Output)))
                {
                    return new ServiceTestResult(serviceName, modelId, test, json.RootElement.GetProperty("passed").GetBoolean() && run.ExitCode == 0,
                        json.RootElement.GetProperty("message").GetString() ?? string.Empty, duration);
                }
            }
            catch (Exception e) when (e is JsonException || e is System.Collections.Generic.KeyNotFoundException || e is InvalidOperationException)
            {
                return new ServiceTestResult(serviceName, modelId, test, false, $"the service test did not run (exit {run.ExitCode}):\n{run.Tail(20)}", duration);
            }
        }

        private static string LastLine(string output) =>
            output.Replace("\r", string.Empty).Split('\n').LastOrDefault(l => l.Trim().StartsWith("{", StringComparison.Ordinal)) ?? "{}";

        private static T WithExtracted<T>(string zip, Func<string, T> action)
        {
            if (!File.Exists(zip))
            {
                throw new MlOpsException(ErrorIds.ServiceNotFound, MlOpsErrorKind.NotFound, $"The service package '{zip}' is gone.", zip,
                    "Deploy the service again to rebuild its package.");
            }

            var folder = Path.Combine(Path.GetTempPath(), "mlops-test-" + Guid.NewGuid().ToString("N"));
            try
            {
                ZipFile.ExtractToDirectory(zip, folder);
                return action(folder);
            }
            finally
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }
    }
}
