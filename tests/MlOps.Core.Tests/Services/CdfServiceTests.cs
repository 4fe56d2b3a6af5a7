using System.Collections;
using System.IO.Compression;
using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Core.Tests.Cdf;
using MlOps.Deployment;
using MlOps.Diagnostics;
using MlOps.Platforms;
using MlOps.Registry;
using MlOps.Services;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Services;

/// <summary>
/// The example model deployed to CDF Functions on the emulator: versioned functions, the alias as deployment history,
/// blue/green switching, rollback, keep-N, schedules, logs, and training that publishes to CDF Files from Python.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class CdfServiceTests : IAsyncLifetime
{
    private const string SecretVariable = "MLOPS_TEST_FUNCTIONS_SECRET";
    private const string TwoPatients = """
        {"age": [0.038076, -0.001882], "sex": [0.05068, -0.044642], "bmi": [0.061696, -0.051474], "bp": [0.021872, -0.026328],
         "s1": [-0.044223, -0.008449], "s2": [-0.034821, -0.019163], "s3": [-0.043401, 0.074412], "s4": [-0.002592, -0.039493],
         "s5": [0.019907, -0.068332], "s6": [-0.017646, -0.092204]}
        """;

    private readonly ExampleProject _example = new();
    private CdfEmulatorServer _cdf = null!;

    public async Task InitializeAsync()
    {
        _cdf = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions
        {
            Projects = ["mlops-test"],
            Clients = [new EmulatorClient { ClientId = CdfTestSetup.ClientId, ClientSecret = CdfTestSetup.Secret }],
            FunctionBuildDelay = TimeSpan.FromMilliseconds(100),
            // As a project reached through Private Link: upload URLs without a host, for the module's code zips and versions and for
            // the training service's runtime publishing from inside CDF (the registry contract runs both ways).
            RelativeUploadUrls = true,
        });
        Environment.SetEnvironmentVariable(SecretVariable, CdfTestSetup.Secret);
        WriteSettings(keep: 3);
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(SecretVariable, null);
        await _cdf.DisposeAsync();
        _example.Dispose();
    }

    private void WriteSettings(int keep)
    {
        var connection = $$"""
            "project": "{{_cdf.Project}}", "baseUrl": "{{_cdf.BaseUrl}}", "clientId": "{{CdfTestSetup.ClientId}}",
            "tokenUrl": "{{_cdf.TokenUrl}}", "clientSecretVariable": "{{SecretVariable}}"
            """;
        File.WriteAllText(Path.Combine(_example.Root, "mlops.settings.json"), $$"""
            {
              "project": "diabetes-demo",
              "models": [ { "name": "diabetes", "codeFolder": "models/diabetes", "artifactFolder": "artifacts/diabetes", "services": [ "prediction", "training" ],
                            "info": { "prediction": { "description": "Disease progression", "owner": "ds@example.com", "metadata": { "required_input": "age,sex,bmi" } } } } ],
              "environments": {
                "dev":  { "registry": { "type": "local" }, "platform": { "type": "local" } },
                "test": { "registry": { "type": "cdf", {{connection}} }, "platform": { "type": "cdf", "keepDeployments": {{keep}} } }
              }
            }
            """);
    }

    private ServiceDeployer Deployer(TimeSpan? deployTimeout = null, ProjectSettings? projectSettings = null)
    {
        var settings = projectSettings ?? _example.Settings;
        var connections = CdfConnections.Standalone();
        return new ServiceDeployer(settings, python: () => _example.Python, connections: connections, platforms: platform =>
        {
            if (platform.Type != "cdf")
            {
                return PlatformFactory.Create(platform, connections);
            }

            var functions = platform.Functions!;
            if (deployTimeout != null)
            {
                functions = new CdfFunctionsSettings(functions.Connection, functions.Runtime, null, null, deployTimeout.Value, functions.CallTimeout, null, null);
            }

            var registry = settings.GetEnvironment("test").Registry;
            var cdf = CdfFunctionsPlatform.Create(new PlatformSettings("cdf", platform.Path, platform.KeepDeployments, functions), connections, registry,
                Path.Combine(_example.Root, ".mlops", "packages", "cache"));
            cdf.PollInterval = TimeSpan.FromMilliseconds(50);
            return cdf;
        });
    }

    private ModelVersion Publish(string? folder = null) => _example.Publish("test", folder);

    private ServiceDeployment Deploy(int? version = null, TimeSpan? deployTimeout = null, IReadOnlyDictionary<string, string>? secrets = null) =>
        Deployer(deployTimeout).Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction) { VersionNumber = version, Secrets = secrets },
            NullReporter.Instance, default);

    private ServiceResponse Predict() =>
        Deployer().Invoke("diabetes", "test", ServiceKind.Prediction, TwoPatients, TimeSpan.FromMinutes(2), default);

    private string BrokenArtifact()
    {
        var broken = Path.Combine(_example.Root, "broken-artifact");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "model.pkl"), "not a pickle");
        File.Copy(Path.Combine(_example.ArtifactFolder, "features.json"), Path.Combine(broken, "features.json"), overwrite: true);
        return broken;
    }

    [Fact]
    public void A_deploy_creates_a_versioned_function_with_the_secret_as_function_secret_and_moves_the_alias_to_it()
    {
        var version = Publish();
        const string modelSecret = "M0del-secret-for-cdf-4e1f";
        var deployment = Deploy(secrets: new Dictionary<string, string> { ["id-write"] = modelSecret });

        Assert.Equal("cdf", deployment.Platform);
        Assert.Equal(ServiceStatus.Running, deployment.Status);
        Assert.Equal("diabetes-prediction-test-1", deployment.DeploymentId);
        Assert.Equal(new[] { "model tests", "package service test", "deployed service test" }, deployment.TestResults.Select(t => t.Test));
        var function = _cdf.Functions.Find(_cdf.Project, "diabetes-prediction-test-1")!;
        Assert.Equal("Ready", function.Status);
        Assert.Equal(CdfTestSetup.Secret, function.Secrets!["mlops-secret"]);
        Assert.Equal(modelSecret, function.Secrets["id-write"]);
        Assert.Equal("diabetes-prediction-test", function.Metadata!["mlops-service"]);
        Assert.Equal("age,sex,bmi", function.Metadata["required_input"]);
        Assert.StartsWith("Disease progression — MlOps prediction service of diabetes in test", function.Description);
        Assert.Equal("ds@example.com", function.Owner);
        Assert.EndsWith("/functions/" + function.Id, deployment.Endpoint);

        // The secret travels as a function secret only: never in the code zip.
        var code = _cdf.Files.Find(_cdf.Project, function.FileId)!;
        using (var zip = new ZipArchive(new MemoryStream(code.ReadContent())))
        {
            foreach (var zipped in zip.Entries)
            {
                using var reader = new StreamReader(zipped.Open());
                var text = reader.ReadToEnd();
                Assert.DoesNotContain(CdfTestSetup.Secret, text);
                Assert.DoesNotContain(modelSecret, text);
            }
        }

        var answer = Predict();
        Assert.True(answer.IsOk, answer.Error);
        Assert.Equal(version.ModelId, answer.ModelId);
        Assert.Equal(2, Assert.IsType<object[]>(answer.Result).Length);

        var listed = Assert.Single(Deployer().List("test"));
        Assert.Equal("diabetes-prediction-test", listed.Name);
        Assert.Equal(ServiceStatus.Running, listed.Status);
        var history = Deployer().History("diabetes", "test", ServiceKind.Prediction);
        var entry = Assert.Single(history);
        Assert.True(entry.IsCurrent);
        Assert.True(entry.TestsPassed);
        Assert.Equal(version.ModelId, entry.ModelId);

        var test = Deployer().Test(listed, default);
        Assert.True(test.Passed, test.Message);
        var logs = Deployer().Platform("test").Logs("diabetes-prediction-test").ToList();
        Assert.Contains(logs, l => l.Message.Contains("scoring 2 rows"));

        // A crash inside the function is an error naming the call, not a hang or an answer.
        var crash = _cdf.Faults.Functions.CrashCall("diabetes-prediction-test-1", TimeSpan.FromMilliseconds(10));
        var crashed = Assert.Throws<MlOpsException>(() => Predict());
        Assert.Equal(ErrorIds.ServiceCallFailed, crashed.ErrorId);
        Assert.Contains("Failed", crashed.Message);
        _cdf.Faults.Functions.Remove(crash);

        // Removal stops everything and keeps the history as the audit trail, with the removal in it; a purge deletes it.
        Assert.True(Deployer().Platform("test").Remove("diabetes-prediction-test", false, NullReporter.Instance));
        Assert.DoesNotContain(_cdf.Functions.All(_cdf.Project), f => f.ExternalId!.StartsWith("diabetes-prediction-test", StringComparison.Ordinal));
        Assert.Empty(Deployer().List("test"));
        Assert.Null(Deployer().Platform("test").Get("diabetes-prediction-test"));
        var kept = Deployer().History("diabetes", "test", ServiceKind.Prediction);
        Assert.Equal(new[] { "deploy", "removed" }, kept.Select(h => h.Action));
        Assert.DoesNotContain(kept, h => h.IsCurrent || h.IsAvailable);
        var gone = Assert.Throws<MlOpsException>(() => Predict());
        Assert.Equal(ErrorIds.ServiceNotFound, gone.ErrorId);
        Assert.Equal(ErrorIds.DeploymentNotFound, Assert.Throws<MlOpsException>(() =>
            Deployer().Restore("diabetes", "test", ServiceKind.Prediction, null, null, NullReporter.Instance, default)).ErrorId);
        Assert.False(Deployer().Platform("test").Remove("diabetes-prediction-test", false, NullReporter.Instance));
        Assert.True(Deployer().Platform("test").Remove("diabetes-prediction-test", true, NullReporter.Instance));
        Assert.Empty(Deployer().History("diabetes", "test", ServiceKind.Prediction));
        Assert.False(Deployer().Platform("test").Remove("diabetes-prediction-test", true, NullReporter.Instance));
    }

    [Fact]
    public void A_deploy_and_calls_complete_through_throttling_server_errors_and_creates_that_failed_in_transit()
    {
        var version = Publish();
        _cdf.Faults.Script("POST /functions", FaultAction.FailAfterCommit(503));
        _cdf.Faults.Script("GET /functions/*", FaultAction.TooManyRequests(0), FaultAction.Status(502), FaultAction.Slow(TimeSpan.FromMilliseconds(300)));
        _cdf.Faults.Script("POST /files/list", FaultAction.Status(500));
        _cdf.Faults.Script("POST /sessions", FaultAction.TooManyRequests(0));

        var deployment = Deploy();

        // The create that failed in transit was found by its external id and adopted, not repeated.
        var functions = _cdf.Functions.All(_cdf.Project).Where(f => f.ExternalId!.StartsWith("diabetes-prediction-test", StringComparison.Ordinal)).ToList();
        Assert.Equal("diabetes-prediction-test-1", Assert.Single(functions).ExternalId);
        Assert.Equal("diabetes-prediction-test-1", deployment.DeploymentId);
        Assert.Single(Deployer().History("diabetes", "test", ServiceKind.Prediction));
        Assert.Equal(version.ModelId, Predict().ModelId);
    }

    [Fact]
    public void A_new_version_that_fails_its_tests_or_its_build_leaves_the_alias_serving_and_removes_its_function()
    {
        var good = Publish();
        Deploy();
        var bad = Publish(BrokenArtifact());

        var failed = Assert.Throws<MlOpsException>(() => Deploy());
        Assert.Equal(ErrorIds.ServiceTestFailed, failed.ErrorId);
        Assert.Null(_cdf.Functions.Find(_cdf.Project, "diabetes-prediction-test-" + bad.Version));
        Assert.Equal(good.ModelId, Predict().ModelId);

        _cdf.Faults.Functions.FailDeployment("diabetes-prediction-test-1-2", trace: "ERROR: No matching distribution found for scikit-learn==0.0");
        var build = Assert.Throws<MlOpsException>(() => Deploy(version: good.Version));
        Assert.Equal(ErrorIds.FunctionDeployFailed, build.ErrorId);
        Assert.Contains("No matching distribution found", build.Message);
        Assert.Null(_cdf.Functions.Find(_cdf.Project, "diabetes-prediction-test-1-2"));

        _cdf.Faults.Functions.NeverReady();
        var stuck = Assert.Throws<MlOpsException>(() => Deploy(version: good.Version, deployTimeout: TimeSpan.FromSeconds(1)));
        Assert.Equal(ErrorIds.FunctionDeployTimedOut, stuck.ErrorId);

        var current = Assert.Single(Deployer().History("diabetes", "test", ServiceKind.Prediction));
        Assert.Equal("diabetes-prediction-test-1", current.DeploymentId);
        Assert.Equal(good.ModelId, Predict().ModelId);
    }

    [Fact]
    public void Restore_rolls_the_alias_back_to_the_previous_deployment_and_keep_N_removes_older_functions()
    {
        WriteSettings(keep: 2);
        var v1 = Publish();
        var v2 = Publish();
        var v3 = Publish();
        Deploy(v1.Version);
        Deploy(v2.Version);
        Assert.Equal(v2.ModelId, Predict().ModelId);

        var restored = Deployer().Restore("diabetes", "test", ServiceKind.Prediction, null, null, NullReporter.Instance, default);
        Assert.Equal(v1.ModelId, restored.ModelId);
        Assert.Equal(v1.ModelId, Predict().ModelId);
        var history = Deployer().History("diabetes", "test", ServiceKind.Prediction);
        Assert.Equal(new[] { "deploy", "deploy", "rollback" }, history.Select(h => h.Action));
        Assert.Equal(1, history[2].RestoredFrom);
        Assert.True(history[2].IsCurrent);

        Deploy(v3.Version);
        // Keeping 2: v3 (current) and v1 (restored last) stay; v2's function is gone and its entry unavailable.
        Assert.Null(_cdf.Functions.Find(_cdf.Project, "diabetes-prediction-test-2"));
        Assert.NotNull(_cdf.Functions.Find(_cdf.Project, "diabetes-prediction-test-1"));
        history = Deployer().History("diabetes", "test", ServiceKind.Prediction);
        Assert.False(history[1].IsAvailable);
        var gone = Assert.Throws<MlOpsException>(() => Deployer().Restore("diabetes", "test", ServiceKind.Prediction, 2, null, NullReporter.Instance, default));
        Assert.Equal(ErrorIds.DeploymentNotFound, gone.ErrorId);
        Assert.Equal(v3.ModelId, Predict().ModelId);

        var byVersion = Deployer().Restore("diabetes", "test", ServiceKind.Prediction, null, v1.Version, NullReporter.Instance, default);
        Assert.Equal(v1.ModelId, byVersion.ModelId);
    }

    [Fact]
    public async Task Two_deploys_of_one_service_at_once_take_turns_through_the_lock_in_CDF_and_the_history_names_what_serves()
    {
        var v1 = Publish();
        var v2 = Publish();
        // Held by a third change first, so both deploys meet the lock: each waits, then they take turns.
        var hold = Deployer().Platform("test").LockChanges("diabetes-prediction-test", "hold for the test", TimeSpan.Zero, NullReporter.Instance, default);
        var waiting = new[] { new WaitingReporter(), new WaitingReporter() };
        var deploys = new[] { v1.Version, v2.Version }.Select((v, i) => Task.Run(() =>
            Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction) { VersionNumber = v }, waiting[i], default))).ToList();
        Assert.All(waiting, w => Assert.True(w.Waiting.Wait(TimeSpan.FromMinutes(3)), "A deploy did not meet the held lock."));
        Assert.All(deploys, d => Assert.False(d.IsCompleted));
        hold.Dispose();
        await Task.WhenAll(deploys);

        var history = Deployer().History("diabetes", "test", ServiceKind.Prediction);
        Assert.Equal(new[] { "deploy", "deploy" }, history.Select(h => h.Action));
        // Taking turns: the second deploy created its function only after the first had switched the alias to its own.
        var firstSwitch = _cdf.Files.Find(_cdf.Project, "mlops-deploy/diabetes-prediction-test/000001")!;
        var secondFunction = _cdf.Functions.Find(_cdf.Project, history[1].DeploymentId)!;
        Assert.True(secondFunction.CreatedTime >= firstSwitch.CreatedTime,
            $"The second deploy's function was created at {secondFunction.CreatedTime}, before the first switch at {firstSwitch.CreatedTime}.");
        Assert.NotNull(_cdf.Functions.Find(_cdf.Project, history[0].DeploymentId));
        Assert.Equal(history[1].ModelId, Predict().ModelId);
        Assert.True(history[1].IsCurrent);
        Assert.Null(_cdf.Files.Find(_cdf.Project, "mlops-lock/diabetes-prediction-test"));    // released by both

        // A removal takes its turn too, and leaves the lock released and the history kept.
        Assert.True(Deployer().Platform("test").Remove("diabetes-prediction-test", false, NullReporter.Instance));
        Assert.Equal("removed", Deployer().History("diabetes", "test", ServiceKind.Prediction).Last().Action);
        Assert.Null(_cdf.Files.Find(_cdf.Project, "mlops-lock/diabetes-prediction-test"));
    }

    [Fact]
    public void Reads_of_the_platform_stop_when_the_command_is_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var platform = Deployer().Platform("test");
        Assert.ThrowsAny<OperationCanceledException>(() => platform.List(cancelled.Token).ToList());
        Assert.ThrowsAny<OperationCanceledException>(() => platform.History("diabetes-prediction-test", cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => platform.Get("diabetes-prediction-test", cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => Deployer().History("diabetes", "test", ServiceKind.Prediction, cancelled.Token));
    }

    [Fact]
    public void Call_data_over_the_projects_limit_is_refused_before_anything_is_sent()
    {
        Publish();
        Deploy();
        var limited = SettingsLoader.Load(Path.Combine(_example.Root, "mlops.settings.json"),
            new Hashtable { ["MLOPS__environments__test__platform__callDataLimitKb"] = "1" });
        var rows = string.Join(", ", Enumerable.Repeat("0.038076", 200));
        var large = TwoPatients.Replace("[0.038076, -0.001882]", $"[{rows}]");
        var calls = _cdf.Requests.Matching("POST /functions/*/call").Count;

        var error = Assert.Throws<MlOpsException>(() =>
            Deployer(projectSettings: limited).Invoke("diabetes", "test", ServiceKind.Prediction, large, TimeSpan.FromMinutes(1), default));
        Assert.Equal(ErrorIds.InvalidServiceInput, error.ErrorId);
        Assert.Contains("at most 1,000 bytes", error.Message);
        Assert.Contains("callDataLimitKb", error.RecommendedAction);
        Assert.Equal(calls, _cdf.Requests.Matching("POST /functions/*/call").Count);
        Assert.Equal(36_000, CdfFunctionsSettings.DefaultCallDataLimit("https://westeurope-1.cognitedata.com"));
        Assert.Equal(240_000, CdfFunctionsSettings.DefaultCallDataLimit("https://aws-dub-dev.cognitedata.com"));
        Assert.Equal(9_000_000, CdfFunctionsSettings.DefaultCallDataLimit("https://api.cognitedata.com"));
    }

    [Fact]
    public void A_call_whose_session_is_refused_gets_a_fresh_session_once_and_then_an_error_that_names_the_session()
    {
        Publish();
        Deploy();

        // CDF answers 401 to a used, expired or revoked nonce (the client's token being fine); the client itself tries once more
        // with a new token, so two refusals reach the platform as one.
        var refusedOnce = _cdf.Faults.Script("POST /functions/*/call", FaultAction.Status(401), FaultAction.Status(401));
        var sessions = _cdf.Requests.Matching("POST /sessions").Count;
        var answer = Predict();
        Assert.True(answer.IsOk, answer.Error);
        Assert.Equal(2, refusedOnce.Injected);
        Assert.Equal(sessions + 2, _cdf.Requests.Matching("POST /sessions").Count);
        _cdf.Faults.Remove(refusedOnce);

        var refused = _cdf.Faults.Always("POST /functions/*/call", FaultAction.Status(401));
        try
        {
            var error = Assert.Throws<MlOpsException>(() => Predict());
            Assert.Equal(ErrorIds.CdfSessionRejected, error.ErrorId);
            Assert.Contains("session", error.Message);
            Assert.Contains("credentials work", error.Message);
        }
        finally
        {
            _cdf.Faults.Remove(refused);
        }
    }

    [Fact]
    public async Task The_training_service_in_CDF_publishes_a_version_the_module_reads_and_schedules_follow_the_alias()
    {
        Publish();
        var commit = TestGit.CommitAll(_example.Root);
        var deployment = Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Training), NullReporter.Instance, default);
        Assert.Equal("diabetes-training-test-t1", deployment.DeploymentId);
        Assert.Equal(commit, deployment.Revision!.Commit);
        Assert.Equal(commit, Deployer().Platform("test").Get("diabetes-training-test")!.Revision!.Commit);
        var entry = Assert.Single(Deployer().History("diabetes", "test", ServiceKind.Training));
        Assert.Equal((commit, "main", (bool?)false), (entry.Revision!.Commit, entry.Revision.Branch, entry.Revision.IsDirty));

        // Another environment of the same CDF directory has number 5 (a promotion kept it): the service's new version goes above it.
        var registry = new ProjectRegistry(_example.Settings);
        registry.For("test").Publish("diabetes", "prod", FolderArtifactSource.Open(_example.ArtifactFolder), new Dictionary<string, string>(),
            new PublishOrigin("diabetes/test/5", null, number: 5), NullReporter.Instance, default);

        var answer = Deployer().Invoke("diabetes", "test", ServiceKind.Training, "{}", TimeSpan.FromMinutes(3), default);
        Assert.True(answer.IsOk, answer.Error);
        Assert.Equal(commit, Assert.IsType<System.Collections.Specialized.OrderedDictionary>(answer.Result)["git_commit"]);
        var published = registry.FindOne("diabetes", "test", null)!;
        Assert.Equal(6, published.Version);
        Assert.Equal((commit, "main", (bool?)false), (published.Revision!.Commit, published.Revision.Branch, published.Revision.IsDirty));
        Assert.Equal(commit, _cdf.Files.Find(_cdf.Project, "diabetes/test/6")!.Metadata!["mlops_git_commit"]);
        Assert.Equal(published.ContentHash, published.SystemMetadata.TryGetValue("contentHash", out var hash) ? hash : published.ContentHash);
        var saved = Path.Combine(_example.Root, "saved");
        registry.Save(published, saved, false, NullReporter.Instance, default);
        Assert.True(File.Exists(Path.Combine(saved, "model.pkl")));

        var schedule = Deployer().AddSchedule("diabetes", "test", ServiceKind.Training, "nightly", "0 3 * * *", """{"source": "schedule"}""", null,
            NullReporter.Instance);
        Assert.Equal("diabetes-training-test-t1", schedule.Target);
        var bad = Assert.Throws<MlOpsException>(() =>
            Deployer().AddSchedule("diabetes", "test", ServiceKind.Training, "broken", "every day", null, null, NullReporter.Instance));
        Assert.Equal(ErrorIds.InvalidSchedule, bad.ErrorId);

        Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Training), NullReporter.Instance, default);
        var moved = Assert.Single(Deployer().Schedules("diabetes", "test", ServiceKind.Training));
        Assert.Equal("diabetes-training-test-t2", moved.Target);
        var live = Assert.Single(_cdf.Functions.Schedules(_cdf.Project));
        Assert.Equal(_cdf.Functions.Find(_cdf.Project, "diabetes-training-test-t2")!.Id, live.FunctionId);

        var call = _cdf.Functions.TriggerSchedule(_cdf.Project, live.Id);
        var done = await _cdf.Functions.WaitForCallAsync(_cdf.Project, call.Id, TimeSpan.FromMinutes(2));
        Assert.Equal("Completed", done.Status);
        Assert.Equal(7, registry.FindOne("diabetes", "test", null)!.Version);

        Assert.True(Deployer().RemoveSchedule("diabetes", "test", ServiceKind.Training, "nightly", NullReporter.Instance));
        Assert.Empty(_cdf.Functions.Schedules(_cdf.Project));
        Assert.Empty(Deployer().Schedules("diabetes", "test", ServiceKind.Training));
    }
}
