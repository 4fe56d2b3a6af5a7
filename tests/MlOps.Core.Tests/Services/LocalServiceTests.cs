using System.Collections;
using MlOps.Deployment;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Platforms;
using MlOps.Registry;
using MlOps.Services;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Services;

/// <summary>Deploys real services of the example model on the Local platform (Python processes on 127.0.0.1).</summary>
[Trait("Tier", "Integration")]
public sealed class LocalServiceTests : IDisposable
{
    private const string TwoPatients = """
        {"age": [0.038076, -0.001882], "sex": [0.05068, -0.044642], "bmi": [0.061696, -0.051474], "bp": [0.021872, -0.026328],
         "s1": [-0.044223, -0.008449], "s2": [-0.034821, -0.019163], "s3": [-0.043401, 0.074412], "s4": [-0.002592, -0.039493],
         "s5": [0.019907, -0.068332], "s6": [-0.017646, -0.092204]}
        """;

    private readonly ExampleProject _example = new();

    private ServiceDeployer Deployer(ProjectSettings? settings = null) =>
        new(settings ?? _example.Settings, python: () => _example.Python);

    /// <summary>
    /// For tests of the deployer's own logic (rollback, removal, history): the model's pytest suite and the package test
    /// (covered by the other tests here) stand aside; the deployed service test still runs against each real deployment.
    /// </summary>
    private ServiceDeployer HistoryDeployer() =>
        new(_example.Settings, python: () => _example.Python, tests: (python, environment) => new DeployedTestOnly(ServiceTester.For(python, environment)));

    private sealed class DeployedTestOnly(IServiceTests real) : IServiceTests
    {
        public TimeSpan DeployedTestTimeout => real.DeployedTestTimeout;

        public ServiceTestResult RunModelTests(ProjectSettings project, ModelSettings model, string serviceName, CancellationToken cancellationToken) =>
            new(serviceName, null, "model tests", true, "not run by this test", TimeSpan.Zero);

        public ServiceTestResult RunPackageTest(ServicePackage package, IReadOnlyDictionary<string, string>? secrets, CancellationToken cancellationToken) =>
            new(package.ServiceName, package.ModelId, "package service test", true, "not run by this test", TimeSpan.Zero);

        public ServiceTestResult TestDeployed(IServicePlatform platform, string endpoint, string packagePath, string serviceName, string? modelId,
            CancellationToken cancellationToken) =>
            real.TestDeployed(platform, endpoint, packagePath, serviceName, modelId, cancellationToken);
    }

    public void Dispose()
    {
        var settings = _example.Settings;
        var platform = new LocalPlatform(settings.GetEnvironment("test").Platform.Path);
        foreach (var service in platform.List().ToList())
        {
            platform.Remove(service.Name, true, NullReporter.Instance);
        }

        _example.Dispose();
    }

    [Fact]
    public void A_deployed_prediction_service_answers_with_its_model_id_and_logs_each_call()
    {
        var version = _example.Publish();
        var deployment = Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction), NullReporter.Instance, default);

        Assert.Equal(ServiceStatus.Running, deployment.Status);
        Assert.Equal(version.ModelId, deployment.ModelId);
        Assert.StartsWith("http://127.0.0.1:", deployment.Endpoint);
        Assert.Equal(new[] { "model tests", "package service test", "deployed service test" }, deployment.TestResults.Select(t => t.Test));
        Assert.All(deployment.TestResults, t => Assert.True(t.Passed, t.Message));

        var answer = Deployer().Invoke("diabetes", "test", ServiceKind.Prediction, TwoPatients, TimeSpan.FromSeconds(30), default);
        Assert.True(answer.IsOk, answer.Error);
        Assert.Equal(version.ModelId, answer.ModelId);
        var prediction = Assert.IsType<object[]>(answer.Result);
        Assert.Equal(2, prediction.Length);
        Assert.True(Convert.ToDouble(prediction[0]) > Convert.ToDouble(prediction[1]));

        var error = Deployer().Invoke("diabetes", "test", ServiceKind.Prediction, """{"age": [1]}""", TimeSpan.FromSeconds(30), default);
        Assert.Equal("error", error.Status);
        Assert.Contains("missing features: sex", error.Error);
        Assert.Null(error.Result);

        var logs = Deployer().Platform("test").Logs(deployment.Name).ToList();
        Assert.Contains(logs, l => l.CallId == answer.CallId && l.Message.Contains("answered ok"));
        Assert.Contains(logs, l => l.CallId == answer.CallId && l.Logger == "models.diabetes.model" && l.Message == "scoring 2 rows");
        var failure = Assert.Single(logs, l => l.CallId == error.CallId && l.Level == "ERROR");
        Assert.Contains("Traceback", failure.Message);
        Assert.Contains("ModelException", failure.Message);
    }

    [Fact]
    public void A_failed_redeploy_leaves_the_previous_deployment_serving()
    {
        var good = _example.Publish();
        Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction), NullReporter.Instance, default);

        var broken = Path.Combine(_example.Root, "broken-artifact");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "model.pkl"), "not a pickle");
        File.Copy(Path.Combine(_example.ArtifactFolder, "features.json"), Path.Combine(broken, "features.json"));
        var bad = _example.Publish(folder: broken);

        var error = Assert.Throws<MlOpsException>(() =>
            Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction), NullReporter.Instance, default));
        Assert.Equal(ErrorIds.ServiceTestFailed, error.ErrorId);
        Assert.Contains("initialization failed", error.Message);

        var current = Deployer().Platform("test").Get("diabetes-prediction-test")!;
        Assert.Equal(ServiceStatus.Running, current.Status);
        Assert.Equal(good.ModelId, current.ModelId);
        var answer = Deployer().Invoke("diabetes", "test", ServiceKind.Prediction, TwoPatients, TimeSpan.FromSeconds(30), default);
        Assert.Equal(good.ModelId, answer.ModelId);
        Assert.NotEqual(bad.ModelId, answer.ModelId);
    }

    [Fact]
    public void Restore_brings_the_previous_local_deployment_back_and_records_the_rollback()
    {
        var v1 = _example.Publish();
        var v2 = _example.Publish();
        HistoryDeployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction) { VersionNumber = v1.Version }, NullReporter.Instance, default);
        var second = HistoryDeployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction), NullReporter.Instance, default);
        Assert.Equal(v2.ModelId, second.ModelId);

        var restored = HistoryDeployer().Restore("diabetes", "test", ServiceKind.Prediction, null, null, NullReporter.Instance, default);
        Assert.Equal(v1.ModelId, restored.ModelId);
        Assert.Equal(ServiceStatus.Running, restored.Status);
        Assert.Equal(v1.ModelId, HistoryDeployer().Invoke("diabetes", "test", ServiceKind.Prediction, TwoPatients, TimeSpan.FromSeconds(30), default).ModelId);
        Assert.Equal(ServiceStatus.Running, HistoryDeployer().Platform("test").Get("diabetes-prediction-test")!.Status);

        var history = HistoryDeployer().History("diabetes", "test", ServiceKind.Prediction);
        Assert.Equal(new[] { 1, 2, 3 }, history.Select(h => h.Sequence));
        Assert.Equal(new[] { "deploy", "deploy", "rollback" }, history.Select(h => h.Action));
        Assert.Equal(1, history[2].RestoredFrom);
        Assert.Equal(new[] { false, false, true }, history.Select(h => h.IsCurrent));
        Assert.All(history, h => Assert.True(h.IsAvailable));

        var same = Assert.Throws<MlOpsException>(() => HistoryDeployer().Restore("diabetes", "test", ServiceKind.Prediction, 1, null, NullReporter.Instance, default));
        Assert.Equal(ErrorIds.InvalidServiceInput, same.ErrorId);
        var none = Assert.Throws<MlOpsException>(() => HistoryDeployer().Restore("diabetes", "test", ServiceKind.Training, null, null, NullReporter.Instance, default));
        Assert.Equal(ErrorIds.DeploymentNotFound, none.ErrorId);
    }

    [Fact]
    public void Removal_keeps_the_history_with_the_removal_and_a_later_deploy_continues_it()
    {
        _example.Publish();
        HistoryDeployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction), NullReporter.Instance, default);
        var platform = HistoryDeployer().Platform("test");

        Assert.True(platform.Remove("diabetes-prediction-test", false, NullReporter.Instance));
        Assert.Null(platform.Get("diabetes-prediction-test"));
        Assert.Empty(platform.List());
        var history = HistoryDeployer().History("diabetes", "test", ServiceKind.Prediction);
        Assert.Equal(new[] { "deploy", "removed" }, history.Select(h => h.Action));
        Assert.DoesNotContain(history, h => h.IsCurrent || h.IsAvailable);
        Assert.False(platform.Remove("diabetes-prediction-test", false, NullReporter.Instance));

        var again = HistoryDeployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction), NullReporter.Instance, default);
        Assert.Equal(ServiceStatus.Running, again.Status);
        Assert.Equal(new[] { 1, 2, 3 }, HistoryDeployer().History("diabetes", "test", ServiceKind.Prediction).Select(h => h.Sequence));

        Assert.True(platform.Remove("diabetes-prediction-test", true, NullReporter.Instance));
        Assert.Empty(HistoryDeployer().History("diabetes", "test", ServiceKind.Prediction));
    }

    [Fact]
    public void A_second_rollback_goes_one_further_back_and_a_rollback_with_nothing_before_says_so()
    {
        var v1 = _example.Publish();
        var v2 = _example.Publish();
        var v3 = _example.Publish();
        foreach (var version in new[] { v1, v2, v3 })
        {
            HistoryDeployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction) { VersionNumber = version.Version }, NullReporter.Instance, default);
        }

        ModelId Back() => new(HistoryDeployer().Restore("diabetes", "test", ServiceKind.Prediction, null, null, NullReporter.Instance, default).ModelId);
        Assert.Equal(v2.ModelId, Back().Value);
        Assert.Equal(v1.ModelId, Back().Value);
        var none = Assert.Throws<MlOpsException>(() => Back());
        Assert.Equal(ErrorIds.DeploymentNotFound, none.ErrorId);
        Assert.Contains("before history entry 1", none.Message);

        var history = HistoryDeployer().History("diabetes", "test", ServiceKind.Prediction);
        Assert.Equal(new[] { "deploy", "deploy", "deploy", "rollback", "rollback" }, history.Select(h => h.Action));
        Assert.Equal(new int?[] { null, null, null, 2, 1 }, history.Select(h => h.RestoredFrom));
        Assert.Equal(v1.ModelId, HistoryDeployer().Invoke("diabetes", "test", ServiceKind.Prediction, TwoPatients, TimeSpan.FromSeconds(30), default).ModelId);

        // A deploy after rollbacks, then a rollback: back to what served before it (v1, through the rollback entry).
        HistoryDeployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction) { VersionNumber = v3.Version }, NullReporter.Instance, default);
        Assert.Equal(v1.ModelId, Back().Value);
        // -Sequence still picks exactly.
        Assert.Equal(v3.ModelId, HistoryDeployer().Restore("diabetes", "test", ServiceKind.Prediction, 6, null, NullReporter.Instance, default).ModelId);
    }

    private sealed record ModelId(string? Value);

    [Fact]
    public void Deployments_and_trained_versions_record_the_git_commit_of_the_code_and_a_rollback_keeps_the_restored_one()
    {
        var first = TestGit.CommitAll(_example.Root);
        _example.Publish();
        Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction), NullReporter.Instance, default);
        var modelFile = Path.Combine(_example.Root, "models", "diabetes", "model.py");
        File.AppendAllText(modelFile, "\n# tuned\n");
        var second = TestGit.CommitAll(_example.Root, "tuned");
        var reporter = new RecordingReporter();
        Assert.Equal(second, Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction), reporter, default).Revision!.Commit);
        Assert.Contains($"The code is packaged from git commit {second[..10]} (main); diabetes/test/1 was made from commit {first[..10]} (main)",
            string.Join("\n", reporter.Messages));
        Assert.Equal(second, Deployer().Platform("test").Get("diabetes-prediction-test")!.Revision!.Commit);
        Assert.Equal(first, Deployer().Restore("diabetes", "test", ServiceKind.Prediction, null, null, NullReporter.Instance, default).Revision!.Commit);
        Assert.Equal(first, Deployer().Platform("test").Get("diabetes-prediction-test")!.Revision!.Commit);

        var history = Deployer().History("diabetes", "test", ServiceKind.Prediction);
        Assert.Equal(new[] { first, second, first }, history.Select(h => h.Revision!.Commit));
        Assert.All(history, h => Assert.Equal(("main", (bool?)false), (h.Revision!.Branch, h.Revision.IsDirty)));

        // Uncommitted changes are deployed and say so; the training service records the revision on what it publishes.
        File.AppendAllText(modelFile, "# not committed\n");
        var training = Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Training), NullReporter.Instance, default);
        var trainingEntry = Assert.Single(Deployer().History("diabetes", "test", ServiceKind.Training));
        Assert.Equal((second, (bool?)true), (trainingEntry.Revision!.Commit, trainingEntry.Revision.IsDirty));
        var answer = Deployer().Invoke("diabetes", "test", ServiceKind.Training, "{}", TimeSpan.FromMinutes(2), default);
        Assert.True(answer.IsOk, answer.Error);
        Assert.Equal(second, Assert.IsType<System.Collections.Specialized.OrderedDictionary>(answer.Result)["git_commit"]);
        var trained = new ProjectRegistry(_example.Settings).FindOne("diabetes", "test", null)!;
        Assert.Equal(2, trained.Version);
        Assert.Equal((second, "main", (bool?)true), (trained.Revision!.Commit, trained.Revision.Branch, trained.Revision.IsDirty));
        Assert.Equal("training service diabetes-training-test", trained.SystemMetadata["source"]);
    }

    [Fact]
    public void A_service_that_cannot_start_is_reported_with_its_log_and_leaves_no_process()
    {
        var settings = _example.Settings;
        var broken = Path.Combine(_example.Root, "broken-artifact");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "model.pkl"), "not a pickle");
        File.WriteAllText(Path.Combine(broken, "features.json"), "[]");
        var version = _example.Publish(folder: broken);
        var package = ServicePackageBuilder.Build(settings, settings.Models[0], settings.GetEnvironment("test"), ServiceKind.Prediction, version,
            new ProjectRegistry(settings).Open(version), Path.Combine(_example.Root, "pkg"), NullReporter.Instance, default);
        var platform = new LocalPlatform(settings.GetEnvironment("test").Platform.Path);

        var error = Assert.Throws<MlOpsException>(() => platform.Start(package, _example.Python, new Dictionary<string, string>(), NullReporter.Instance, default));
        Assert.Equal(ErrorIds.ServiceStartFailed, error.ErrorId);
        Assert.Contains("UnpicklingError", error.Message);
        Assert.Null(platform.Get(package.ServiceName));
    }

    [Fact]
    public void TestOnly_runs_the_tests_and_deploys_nothing()
    {
        _example.Publish();
        var tested = Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction) { TestOnly = true }, NullReporter.Instance, default);
        Assert.Equal(ServiceStatus.Tested, tested.Status);
        Assert.Equal(2, tested.TestResults.Count);
        Assert.True(File.Exists(tested.PackagePath));
        Assert.Null(Deployer().Platform("test").Get("diabetes-prediction-test"));
    }

    [Fact]
    public void Model_tests_can_import_the_runtime_logger()
    {
        _example.Publish();
        File.AppendAllText(Path.Combine(_example.Root, "models/diabetes/test_model.py"),
            "\n\ndef test_the_runtime_is_importable():\n    from mlops_runtime.logger import get_logger\n    get_logger('t').info('ok')\n");
        var tested = Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction) { TestOnly = true }, NullReporter.Instance, default);
        Assert.Contains("4 passed", tested.TestResults[0].Message);
    }

    [Fact]
    public void Failing_model_tests_stop_the_deploy()
    {
        _example.Publish();
        File.AppendAllText(Path.Combine(_example.Root, "models/diabetes/test_model.py"), "\n\ndef test_that_fails():\n    assert 1 == 2\n");
        var error = Assert.Throws<MlOpsException>(() =>
            Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction), NullReporter.Instance, default));
        Assert.Equal(ErrorIds.ModelTestsFailed, error.ErrorId);
        Assert.Contains("test_that_fails", error.Message);
        Assert.Null(Deployer().Platform("test").Get("diabetes-prediction-test"));
    }

    [Fact]
    public void Deploying_without_a_version_or_an_offered_service_fails_clearly()
    {
        var error = Assert.Throws<MlOpsException>(() =>
            Deployer().Deploy(new DeployRequest("diabetes", "prod", ServiceKind.Prediction), NullReporter.Instance, default));
        Assert.Equal(ErrorIds.ModelVersionNotFound, error.ErrorId);
        Assert.Contains("Publish", error.RecommendedAction);

        File.WriteAllText(Path.Combine(_example.Root, "mlops.settings.json"),
            File.ReadAllText(Path.Combine(_example.Root, "mlops.settings.json")).Replace("\"prediction\", \"training\"", "\"prediction\""));
        Assert.Equal(ErrorIds.ServiceNotOffered, Assert.Throws<MlOpsException>(() =>
            Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Training), NullReporter.Instance, default)).ErrorId);
    }

    [Fact]
    public void A_version_pinned_in_the_settings_is_deployed_when_none_is_given()
    {
        var first = _example.Publish();
        _example.Publish();
        var pinned = SettingsLoader.Load(Path.Combine(_example.Root, "mlops.settings.json"), new Hashtable { ["MLOPS__models__0__artifactVersion"] = "1" });
        var reporter = new RecordingReporter();

        var deployment = Deployer(pinned).Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction) { TestOnly = true }, reporter, default);

        Assert.Equal(first.ModelId, deployment.ModelId);
        Assert.Contains(reporter.Messages, m => m.Contains("pin diabetes to version 1"));
        Assert.Equal("diabetes/test/2",
            Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction) { TestOnly = true }, NullReporter.Instance, default).ModelId);
    }

    [Fact]
    public void The_training_service_publishes_a_version_the_registry_reads_and_verifies()
    {
        var settings = _example.Settings;
        var registry = new ProjectRegistry(settings);
        var deployment = Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Training), NullReporter.Instance, default);
        Assert.All(deployment.TestResults, t => Assert.True(t.Passed, t.Message));
        Assert.Equal(0, registry.For("test").GetLatestVersionNumber("diabetes", "test"));
        // prod (the same store) has number 2 (promoted there): the service's new version goes above it, as the module's would.
        registry.For("prod").Publish("diabetes", "prod", FolderArtifactSource.Open(_example.ArtifactFolder), new Dictionary<string, string>(),
            new PublishOrigin("diabetes/test/2", null, number: 2), NullReporter.Instance, default);

        var answer = Deployer().Invoke("diabetes", "test", ServiceKind.Training, "{}", TimeSpan.FromMinutes(2), default);
        Assert.True(answer.IsOk, answer.Error);
        var training = Assert.IsType<System.Collections.Specialized.OrderedDictionary>(answer.Result);
        Assert.Equal("diabetes/test/3", training["model_id"]);
        // The answer carries the version it published, ready to deploy or promote.
        Assert.Equal("diabetes/test/3", answer.ModelId);
        Assert.Equal("diabetes/test/3", answer.Version!.ModelId);
        Assert.Equal(training["content_hash"], answer.Version.ContentHash);
        Assert.True((bool)training["published"]!);
        Assert.True(Convert.ToDouble(training["r2"]) > 0.3);
        Assert.Equal(353L, training["train_rows"]);

        var version = Assert.Single(registry.Find(new VersionQuery { Environment = "test" }));
        Assert.Equal(training["content_hash"], version.ContentHash);
        Assert.Equal(Convert.ToString(training["r2"], System.Globalization.CultureInfo.InvariantCulture), version.Metadata["r2"]);
        var copy = Path.Combine(_example.Root, "downloaded");
        registry.Save(version, copy, false, NullReporter.Instance, default);
        Assert.True(File.Exists(Path.Combine(copy, "model.pkl")));

        var prediction = Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction), NullReporter.Instance, default);
        Assert.Equal("diabetes/test/3", prediction.ModelId);
        Assert.Equal(4, registry.Publish("diabetes", "dev", _example.ArtifactFolder, null, NullReporter.Instance, default).Version);
    }

    [Fact]
    public void Models_of_one_repository_share_common_code_and_deploy_side_by_side()
    {
        ExampleProject.CopyFolder(Path.Combine(_example.Root, "models", "diabetes"), Path.Combine(_example.Root, "models", "progression"));
        foreach (var file in Directory.GetFiles(Path.Combine(_example.Root, "models", "progression"), "*.py"))
        {
            File.WriteAllText(file, File.ReadAllText(file).Replace("models.diabetes", "models.progression"));
        }

        var settingsPath = Path.Combine(_example.Root, "mlops.settings.json");
        File.WriteAllText(settingsPath, File.ReadAllText(settingsPath).Replace("\"models\": [",
            "\"models\": [ { \"name\": \"progression\", \"codeFolder\": \"models/progression\" },"));
        var settings = SettingsLoader.Load(settingsPath, new Hashtable());
        var registry = new ProjectRegistry(settings);
        registry.Publish("diabetes", "test", _example.ArtifactFolder, null, NullReporter.Instance, default);
        registry.Publish("progression", "test", _example.ArtifactFolder, null, NullReporter.Instance, default);
        registry.Publish("progression", "test", _example.ArtifactFolder, null, NullReporter.Instance, default);

        var deployer = Deployer(settings);
        var first = deployer.Deploy(new DeployRequest("diabetes", "test", ServiceKind.Prediction), NullReporter.Instance, default);
        var second = deployer.Deploy(new DeployRequest("progression", "test", ServiceKind.Prediction), NullReporter.Instance, default);
        Assert.NotEqual(first.Endpoint, second.Endpoint);
        Assert.Equal("diabetes/test/1", deployer.Invoke("diabetes", "test", ServiceKind.Prediction, TwoPatients, TimeSpan.FromSeconds(30), default).ModelId);
        Assert.Equal("progression/test/2", deployer.Invoke("progression", "test", ServiceKind.Prediction, TwoPatients, TimeSpan.FromSeconds(30), default).ModelId);
        Assert.Equal(new[] { "diabetes-prediction-test", "progression-prediction-test" }, deployer.List("test").Select(d => d.Name).OrderBy(n => n));
    }

    [Fact]
    public void A_training_failure_is_an_error_answer_and_publishes_nothing()
    {
        var model = Path.Combine(_example.Root, "models", "diabetes", "model.py");
        // The deploy's two dry runs (package test, deployed test) pass; the next training run fails.
        File.WriteAllText(model, File.ReadAllText(model).Replace("def train(folder_path, secrets):\n",
            "_runs = []\n\n\ndef train(folder_path, secrets):\n    _runs.append(1)\n    if len(_runs) > 1:\n        raise RuntimeError('no data today')\n"));
        var deployment = Deployer().Deploy(new DeployRequest("diabetes", "test", ServiceKind.Training), NullReporter.Instance, default);
        Assert.Equal(ServiceStatus.Running, deployment.Status);

        var answer = Deployer().Invoke("diabetes", "test", ServiceKind.Training, "{}", TimeSpan.FromMinutes(2), default);
        Assert.Equal("error", answer.Status);
        Assert.Equal("RuntimeError: no data today", answer.Error);
        Assert.Equal(0, new ProjectRegistry(_example.Settings).For("test").GetLatestVersionNumber("diabetes", "test"));
        Assert.Equal(ServiceStatus.Running, Deployer().Platform("test").Get(deployment.Name)!.Status);
    }
}
