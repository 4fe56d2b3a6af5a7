using System.Collections;
using System.Diagnostics;
using MlOps.Completion;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Platforms;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Services;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Completion;

public sealed class ArgumentCompletionsTests : IDisposable
{
    private readonly TempProject _project = new TempProject().WithModelFolder("diabetes").WithModelFolder("churn").WithSettings("""
        {
          "project": "completion",
          "models": [
            { "name": "diabetes", "codeFolder": "models/diabetes", "artifactFolder": "artifacts/diabetes", "services": ["prediction", "training"],
              "description": "Disease progression" },
            { "name": "churn", "codeFolder": "models/churn" }
          ],
          "environments": {
            "dev":  { "registry": { "type": "local" } },
            "test": { "registry": { "type": "local" } },
            "prod": { "registry": { "type": "cdf", "project": "p", "baseUrl": "https://westeurope-1.cognitedata.com", "clientId": "app", "tenantId": "t" },
                      "protected": true }
          }
        }
        """);

    private static readonly Func<string, bool> Any = _ => true;

    private ProjectSettings Settings => SettingsLoader.Load(_project.SettingsPath, TempProject.NoEnvironment);

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Settings_are_found_from_a_subfolder_or_an_explicit_path_and_missing_or_broken_settings_give_null()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_project.Root, "models", "churn", "deep")).FullName;
        Assert.Equal(_project.SettingsPath, ArgumentCompletions.TryLoadSettings(null, sub, TempProject.NoEnvironment)?.SettingsPath);
        Assert.Equal(_project.SettingsPath, ArgumentCompletions.TryLoadSettings(_project.Root, Path.GetTempPath(), TempProject.NoEnvironment)?.SettingsPath);

        using var empty = new TempProject();
        Assert.Null(ArgumentCompletions.TryLoadSettings(null, empty.Root, TempProject.NoEnvironment));
        empty.WithSettings("{ \"models\": 42 }");
        Assert.Null(ArgumentCompletions.TryLoadSettings(null, empty.Root, TempProject.NoEnvironment));
    }

    [Fact]
    public void Model_names_come_from_the_settings_and_can_be_limited_to_a_service()
    {
        var all = ArgumentCompletions.ModelNames(Settings);
        Assert.Equal(new[] { "diabetes", "churn" }, all.Select(c => c.Text));
        Assert.Equal("diabetes (prediction, training): Disease progression", all[0].ToolTip);
        Assert.Equal(new[] { "diabetes" }, ArgumentCompletions.ModelNames(Settings, ServiceKind.Training).Select(c => c.Text));
        Assert.Equal(new[] { "diabetes", "churn" }, ArgumentCompletions.ModelNames(Settings, ServiceKind.Prediction).Select(c => c.Text));
    }

    [Fact]
    public void Environment_names_come_in_settings_order_and_can_be_limited_to_cdf()
    {
        var all = ArgumentCompletions.EnvironmentNames(Settings);
        Assert.Equal(new[] { "dev", "test", "prod" }, all.Select(c => c.Text));
        Assert.Contains("protected", all[2].ToolTip);
        Assert.Equal(new[] { "prod" }, ArgumentCompletions.EnvironmentNames(Settings, cdfOnly: true).Select(c => c.Text));
    }

    [Fact]
    public void Version_numbers_come_newest_first_with_their_metadata_and_match_the_typed_prefix()
    {
        var artifact = _project.MakeArtifact("artifacts/trained");
        var registry = new ProjectRegistry(Settings);
        for (var i = 1; i <= 12; i++)
        {
            registry.Publish("churn", "test", artifact, new Dictionary<string, string> { ["run"] = i.ToString() }, NullReporter.Instance, default);
        }

        var versions = ArgumentCompletions.VersionNumbers(Settings, "churn", "test", Any, TimeSpan.FromSeconds(10), TempProject.NoEnvironment);
        Assert.Equal(Enumerable.Range(1, 12).Reverse().Select(n => n.ToString()), versions.Select(c => c.Text));
        Assert.StartsWith("churn/test/12: ", versions[0].ToolTip);
        Assert.EndsWith("run=12", versions[0].ToolTip);

        var typed = ArgumentCompletions.VersionNumbers(Settings, "churn", "test", t => t.StartsWith("1"), TimeSpan.FromSeconds(10), TempProject.NoEnvironment);
        Assert.Equal(new[] { "12", "11", "10", "1" }, typed.Select(c => c.Text));

        // No version of that model in dev, and an unknown model: nothing; never an exception.
        Assert.Empty(ArgumentCompletions.VersionNumbers(Settings, "churn", "dev", Any, TimeSpan.FromSeconds(10), TempProject.NoEnvironment));
        Assert.Empty(ArgumentCompletions.VersionNumbers(Settings, "nosuch", "test", Any, TimeSpan.FromSeconds(10), TempProject.NoEnvironment));
        Assert.Empty(ArgumentCompletions.VersionNumbers(Settings, "churn", "nosuch", Any, TimeSpan.FromSeconds(10), TempProject.NoEnvironment));
    }

    [Fact]
    public void Commits_come_newest_first_with_their_branch_and_versions_and_match_the_typed_start()
    {
        var artifact = _project.MakeArtifact("artifacts/trained");
        var registry = new ProjectRegistry(Settings);
        registry.Publish("churn", "test", artifact, null, NullReporter.Instance, default);   // not a git repository yet: no commit
        File.WriteAllText(Path.Combine(_project.Root, ".gitignore"), "artifacts/\n.mlops/\n");
        var first = TestGit.CommitAll(_project.Root);
        registry.Publish("churn", "test", artifact, null, NullReporter.Instance, default);
        registry.Publish("diabetes", "test", artifact, null, NullReporter.Instance, default);
        File.AppendAllText(Path.Combine(_project.Root, "models", "churn", "model.py"), "# 2\n");
        var second = TestGit.CommitAll(_project.Root, "second");
        registry.Publish("churn", "test", artifact, null, NullReporter.Instance, default);

        var commits = ArgumentCompletions.Commits(Settings, null, "test", Any, TimeSpan.FromSeconds(10), TempProject.NoEnvironment);
        Assert.Equal(new[] { second[..10], first[..10] }, commits.Select(c => c.Text));
        Assert.Equal($"{first} on main: diabetes/test/1, churn/test/2", commits[1].ToolTip);

        var churnOnly = ArgumentCompletions.Commits(Settings, "CHURN", "test", Any, TimeSpan.FromSeconds(10), TempProject.NoEnvironment);
        Assert.Equal($"{first} on main: churn/test/2", churnOnly[1].ToolTip);
        var typed = ArgumentCompletions.Commits(Settings, "ch*", null, t => t.StartsWith(first[..3], StringComparison.Ordinal), TimeSpan.FromSeconds(10),
            TempProject.NoEnvironment);
        Assert.Contains(first[..10], typed.Select(c => c.Text));
        Assert.DoesNotContain(typed, c => !c.Text.StartsWith(first[..3], StringComparison.Ordinal));
        Assert.Empty(ArgumentCompletions.Commits(Settings, "churn", "dev", Any, TimeSpan.FromSeconds(10), TempProject.NoEnvironment));
    }

    [Fact]
    public void Version_numbers_without_an_environment_use_ENV_else_every_environment_and_include_devs_artifact_folder()
    {
        var artifact = _project.MakeArtifact("artifacts/diabetes");
        var registry = new ProjectRegistry(Settings);
        registry.Publish("diabetes", "test", artifact, null, NullReporter.Instance, default);
        registry.Publish("diabetes", "test", artifact, null, NullReporter.Instance, default);

        var dev = ArgumentCompletions.VersionNumbers(Settings, "diabetes", "dev", Any, TimeSpan.FromSeconds(10), TempProject.NoEnvironment);
        Assert.Equal("1", Assert.Single(dev).Text);
        Assert.Contains("dev artifact folder", dev[0].ToolTip);

        var fromEnv = ArgumentCompletions.VersionNumbers(Settings, "diabetes", null, Any, TimeSpan.FromSeconds(10), new Hashtable { ["ENV"] = "test" });
        Assert.Equal(new[] { "2", "1" }, fromEnv.Select(c => c.Text));

        // Every environment (prod's CDF registry has no secret here and is skipped quietly): 1 is in dev and in test.
        var everywhere = ArgumentCompletions.VersionNumbers(Settings, "diabetes", null, Any, TimeSpan.FromSeconds(10), TempProject.NoEnvironment);
        Assert.Equal(new[] { "2", "1" }, everywhere.Select(c => c.Text));
        Assert.Contains("diabetes/dev/1", everywhere[1].ToolTip);
        Assert.Contains("diabetes/test/1", everywhere[1].ToolTip);
    }

    [Fact]
    public void A_slow_registry_yields_its_numbers_within_the_budget_and_a_failing_one_yields_nothing()
    {
        var slow = new FakeRegistry(latest: 5, delay: TimeSpan.FromSeconds(3));
        var clock = Stopwatch.StartNew();
        var versions = ArgumentCompletions.VersionNumbers(Settings, "churn", "test", Any, TimeSpan.FromMilliseconds(300), TempProject.NoEnvironment, _ => slow);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.Equal(new[] { "5", "4", "3", "2", "1" }, versions.Select(c => c.Text));
        Assert.Equal("churn/test/5", versions[0].ToolTip);
        // The read still under way when the budget ran out is cancelled, not left running behind the prompt.
        Assert.True(slow.Cancelled.Wait(TimeSpan.FromSeconds(10)), "the slow read was not cancelled when the budget ran out");

        var failing = new FakeRegistry(latest: 5, fail: true);
        Assert.Empty(ArgumentCompletions.VersionNumbers(Settings, "churn", "test", Any, TimeSpan.FromSeconds(5), TempProject.NoEnvironment, _ => failing));
    }

    [Fact]
    public void The_only_model_of_a_project_is_used_when_none_is_typed()
    {
        using var single = new TempProject().Standard();
        var settings = SettingsLoader.Load(single.SettingsPath, TempProject.NoEnvironment);
        new ProjectRegistry(settings).Publish("diabetes", "test", single.MakeArtifact("a"), null, NullReporter.Instance, default);
        Assert.Equal("1", Assert.Single(ArgumentCompletions.VersionNumbers(settings, null, "test", Any, TimeSpan.FromSeconds(10), TempProject.NoEnvironment)).Text);
        Assert.Empty(ArgumentCompletions.VersionNumbers(Settings, null, "test", Any, TimeSpan.FromSeconds(10), TempProject.NoEnvironment));
    }

    [Fact]
    public void Deployed_services_give_their_models_filtered_by_environment_and_service()
    {
        var platform = new FakePlatform(
            Deployment("diabetes", ServiceKind.Prediction, "test"),
            Deployment("diabetes", ServiceKind.Training, "test"),
            Deployment("churn", ServiceKind.Prediction, "dev"));
        IReadOnlyList<CompletionCandidate> Services(string? env, ServiceKind? kind, IDictionary? variables = null) =>
            ArgumentCompletions.DeployedServices(Settings, env, kind, TimeSpan.FromSeconds(5), variables ?? TempProject.NoEnvironment, _ => platform);

        var all = Services(null, null);
        Assert.Equal(new[] { "churn", "diabetes" }, all.Select(c => c.Text).OrderBy(t => t));
        var diabetes = all.Single(c => c.Text == "diabetes");
        Assert.Contains("diabetes-prediction-test at http://127.0.0.1:1", diabetes.ToolTip);
        Assert.Contains("diabetes-training-test", diabetes.ToolTip);

        Assert.Equal(new[] { "diabetes" }, Services("test", ServiceKind.Training).Select(c => c.Text));
        Assert.Equal(new[] { "churn" }, Services("dev", ServiceKind.Prediction).Select(c => c.Text));
        Assert.Empty(Services("prod", null));
        Assert.Equal(new[] { "diabetes" }, Services(null, null, new Hashtable { ["ENV"] = "test" }).Select(c => c.Text));
    }

    [Fact]
    public void The_local_platform_is_read_from_its_folders_and_a_folder_without_a_deployment_is_not_offered()
    {
        var root = Settings.GetEnvironment("test").Platform.Path;
        Directory.CreateDirectory(Path.Combine(root, "diabetes-prediction-test"));
        Directory.CreateDirectory(Path.Combine(root, "not-a-service-folder-at-all"));
        Assert.Empty(ArgumentCompletions.DeployedServices(Settings, null, null, TimeSpan.FromSeconds(5), TempProject.NoEnvironment));
    }

    private static ServiceDeployment Deployment(string model, ServiceKind kind, string environment)
    {
        var name = ServiceKinds.ServiceName(model, kind, environment);
        return new ServiceDeployment(name, model, kind, environment, 1, $"{model}/{environment}/1", "fake", "http://127.0.0.1:1", ServiceStatus.Running,
            "d1", DateTimeOffset.UtcNow, "me", null, "package.zip", "sha", new List<ServiceTestResult>());
    }

    private sealed class FakeRegistry(int latest, TimeSpan delay = default, bool fail = false) : IModelRegistry
    {
        public string Kind => "fake";

        public string Location => "fake";

        public IReadOnlyList<string> ListModels(string environment, CancellationToken cancellationToken = default) => fail ? throw new IOException("unreachable") : new[] { "churn" };

        public int GetLatestVersionNumber(string model, string environment, CancellationToken cancellationToken = default) => fail ? throw new IOException("unreachable") : latest;

        public int GetHighestVersionNumber(string model, CancellationToken cancellationToken = default) => GetLatestVersionNumber(model, "dev");

        /// <summary>Set when a read was cancelled before its delay ran out.</summary>
        public ManualResetEventSlim Cancelled { get; } = new();

        public ModelVersion? GetVersion(string model, string environment, int version, CancellationToken cancellationToken = default)
        {
            if (cancellationToken.WaitHandle.WaitOne(delay))
            {
                Cancelled.Set();
                cancellationToken.ThrowIfCancellationRequested();
            }

            return null;
        }

        public IEnumerable<ModelVersion> ListVersions(string model, string environment, Action<MlOpsException>? damaged = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IReadOnlyList<ArtifactFile> SaveInto(ModelVersion version, string folder, IOperationReporter reporter, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public ModelVersion Publish(string model, string environment, IArtifactSource source, IReadOnlyDictionary<string, string> metadata,
            PublishOrigin? origin, IOperationReporter reporter, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IArtifactSource OpenArtifacts(ModelVersion version, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private sealed class FakePlatform(params ServiceDeployment[] deployments) : IServicePlatform
    {
        public string Kind => "fake";

        public IEnumerable<ServiceDeployment> List(CancellationToken cancellationToken = default) => deployments;

        public DeployedInstance Start(ServicePackage package, PythonInterpreter python, IReadOnlyDictionary<string, string> secrets, IOperationReporter reporter, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public ServiceDeployment Activate(DeployedInstance instance, IReadOnlyList<ServiceTestResult> tests, IOperationReporter reporter) =>
            throw new NotSupportedException();

        public void Discard(DeployedInstance instance, IOperationReporter reporter) => throw new NotSupportedException();

        public string Call(string endpoint, string dataJson, string callId, TimeSpan timeout, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public string? Endpoint(string serviceName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ServiceDeployment? Get(string serviceName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public bool Remove(string serviceName, bool purgeHistory, IOperationReporter reporter) => throw new NotSupportedException();

        public IDisposable LockChanges(string serviceName, string change, TimeSpan wait, IOperationReporter reporter, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public IEnumerable<ServiceLogEntry> Logs(string serviceName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public DeployedInstance Revive(DeploymentRecord record, PythonInterpreter python, IReadOnlyDictionary<string, string> secrets, IOperationReporter reporter, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public IReadOnlyList<DeploymentRecord> History(string serviceName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public string PackageFile(ServiceDeployment deployment, CancellationToken cancellationToken) => throw new NotSupportedException();

    }
}
