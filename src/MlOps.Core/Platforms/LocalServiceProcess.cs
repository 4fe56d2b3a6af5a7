using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Python;
using MlOps.Services;

namespace MlOps.Platforms
{
    /// <summary>
    /// A Local service's process: <c>python -m mlops_runtime.server</c> started in the unpacked package (its secrets in its
    /// environment, never in a file or an argument), reached over HTTP on 127.0.0.1 (/health, /call, /shutdown), and
    /// stopped (asked first, killed if it is still the service process).
    /// </summary>
    internal sealed class LocalServiceProcess
    {
        /// <summary>The variable that hands a service process the model's secrets (JSON); mlops_runtime.server removes it.</summary>
        public const string SecretsVariable = "MLOPS_SERVICE_SECRETS";
        private static readonly HttpClient Http = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        private readonly TimeSpan _startTimeout;
        private readonly TimeSpan _callTimeout;
        private readonly TimeSpan _trainingTimeout;

        public LocalServiceProcess(TimeSpan startTimeout, TimeSpan callTimeout, TimeSpan trainingTimeout)
        {
            _startTimeout = startTimeout;
            _callTimeout = callTimeout;
            _trainingTimeout = trainingTimeout;
        }

        public DeployedInstance Launch(ServicePackage package, string id, string folder, PythonInterpreter python, IReadOnlyDictionary<string, string> secrets,
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
            ProcessRunner.UsePythonDefaults(info);
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

        public static string Call(string endpoint, string dataJson, string callId, TimeSpan timeout, CancellationToken cancellationToken)
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

        internal struct HealthAnswer
        {
            public string Status;
            public string? Error;
            public int? ProcessId;
        }

        public static HealthAnswer? Health(string endpoint, TimeSpan timeout)
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
        public static void Stop(string endpoint, int? pid, IOperationReporter reporter)
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
    }
}
