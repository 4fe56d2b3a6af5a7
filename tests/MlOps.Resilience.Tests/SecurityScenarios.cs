using System.Collections;
using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.Settings;
using Xunit;

namespace MlOps.Resilience.Tests;

/// <summary>
/// Secrets: a settings file (or an MLOPS__ override) that holds a literal secret is rejected without the secret in the
/// error; and a run through every store operation, failing and succeeding, shows the secret nowhere but in the body of
/// the token request (every other scenario of the suite ends with the same leak check).
/// </summary>
public sealed class SecurityScenarios
{
    private const string Cdf = """{ "type": "cdf", "project": "p", "baseUrl": "https://api.example.com", "tokenUrl": "https://login.example.com/token", "clientId": "id", "clientSecretVariable": "MY_SECRET" """;

    /// <summary>(name, settings JSON with SECRET where the literal secret goes, override variable or null).</summary>
    public static TheoryData<string, string, string?> LiteralSecrets() => new()
    {
        { "clientSecret in a cdf registry", Settings(Cdf + """, "clientSecret": "SECRET" }"""), null },
        { "apiKey in a cdf registry", Settings(Cdf + """, "apiKey": "SECRET" }"""), null },
        { "password at the top level", Settings(Cdf + " }", top: """ "password": "SECRET", """), null },
        { "token in a model", Settings(Cdf + " }", model: """, "token": "SECRET" """), null },
        { "secret in a platform", Settings(Cdf + " }", platform: """, "secret": "SECRET" """), null },
        { "client_secret in an environment", Settings(Cdf + " }", environment: """, "client_secret": "SECRET" """), null },
        { "the secret as a user name in baseUrl", Settings(Cdf.Replace("https://api.example.com", "https://ci:SECRET@api.example.com") + " }"), null },
        { "the secret in the query of tokenUrl", Settings(Cdf.Replace("https://login.example.com/token", "https://login.example.com/token?client_secret=SECRET") + " }"), null },
        { "the secret itself in clientSecretVariable", Settings(Cdf.Replace("MY_SECRET", "SECRET") + " }"), null },
        { "the secret itself in apiKeyVariable", Settings(Cdf + """, "apiKeyVariable": "SECRET" }"""), null },
        { "clientSecret through an MLOPS__ override", Settings(Cdf + " }"), "MLOPS__environments__cloud__registry__clientSecret" },
    };

    private static string Settings(string registry, string top = "", string model = "", string platform = "", string environment = "") => $$"""
        { {{top}} "models": [ { "name": "m", "codeFolder": "models/m" {{model}} } ],
          "environments": { "cloud": { "registry": {{registry}}, "platform": { "type": "local" {{platform}} } {{environment}} } } }
        """;

    [Theory]
    [MemberData(nameof(LiteralSecrets))]
    public void A_settings_file_holding_a_literal_secret_is_rejected_without_showing_it(string name, string json, string? overrideVariable)
    {
        using var project = new ResilienceProject();
        File.WriteAllText(project.SettingsPath, json.Replace("SECRET", FakeSecret.Value));
        var environment = new Hashtable { ["MY_SECRET"] = "x" };
        if (overrideVariable != null)
        {
            environment[overrideVariable] = FakeSecret.Value;
        }

        var before = Snapshot(project.Root);
        var error = Assert.Throws<MlOpsException>(() => SettingsLoader.Load(project.SettingsPath, environment));
        var check = SettingsLoader.Check(project.SettingsPath, environment);

        Assert.Equal(ErrorIds.InvalidSettings, error.ErrorId);
        Assert.Null(check.Settings);
        Assert.Contains(check.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("secret", StringComparison.OrdinalIgnoreCase));
        LeakCheck.AssertNoSecret(null, [error.ToString(), error.RecommendedAction ?? "", error.Target?.ToString() ?? "",
            .. check.Problems.Select(p => p.ToString())]);
        Assert.Equal(before, Snapshot(project.Root));
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public async Task A_run_through_every_store_operation_failing_and_succeeding_shows_the_secret_nowhere_but_the_token_request()
    {
        await using var cdf = await Tests.Cdf.StartAsync();
        using var project = new ResilienceProject(cdf);
        var texts = new List<string>();
        using var client = Tests.Cdf.Client(cdf, texts);
        var reporter = new RecordingReporter(texts);
        var registry = project.Registry(client);
        var artifact = project.MakeArtifact("a");

        // Succeeding: publish, promote across stores, save, list; in this process and in a worker process with tracing on.
        var published = registry.Publish("m", "cloud", artifact, new Dictionary<string, string> { ["r2"] = "0.9" }, reporter, default);
        var promoted = registry.Promote(published, "prod", reporter, default).Version;
        registry.Promote(promoted, "cloudprod", reporter, default);
        registry.Save(published, Path.Combine(project.Root, "saved"), force: false, reporter, default);
        texts.AddRange(registry.Find(new VersionQuery()).Select(v => string.Join(" ", v.ModelId, v.Location, v.Registry, string.Join(",", v.SystemMetadata))));
        using (var worker = Worker.Project(project, "publish", "m", "cloud", artifact, "--trace"))
        {
            await worker.SucceedAsync();
            texts.Add(worker.AllOutput);
        }

        // Failing: faults until the client gives up, a wrong secret, a missing variable, metadata CDF refuses.
        cdf.Faults.Always("* /files*", FaultAction.ServiceUnavailable());
        Collect(texts, () => registry.Publish("m", "cloud", artifact, null, reporter, default));
        cdf.Faults.Clear();
        using (var wrong = new CdfClient(new CdfClientOptions
        {
            BaseUrl = cdf.BaseUrl, Project = cdf.Project, Credentials = CdfCredentials.ClientCredentials(cdf.TokenUrl, FakeSecret.ClientId, FakeSecret.Value + "-wrong"),
        }))
        {
            Collect(texts, () => project.Registry(wrong).Publish("m", "cloud", artifact, null, reporter, default));
        }

        Collect(texts, () => CdfConnections.Standalone(new Hashtable()).Client(project.Settings.GetEnvironment("cloud").Registry.Cdf!));
        Collect(texts, () => registry.Publish("m", "cloud", artifact, new Dictionary<string, string> { ["big"] = new string('x', 10_000) }, reporter, default));
        using (var failing = Worker.Project(project, "publish", "m", "cloud", Path.Combine(project.Root, "missing"), "--trace"))
        {
            await failing.WaitAsync();
            Assert.Equal(3, failing.ExitCode);
            texts.Add(failing.AllOutput);
        }

        Assert.True(texts.Count > 20);
        Assert.NotEmpty(cdf.Requests.Containing(FakeSecret.Value));  // the token requests, which must carry it
        LeakCheck.AssertNoSecret(cdf, texts, project.Root);
    }

    private static void Collect(List<string> texts, Action action)
    {
        var error = Assert.Throws<MlOpsException>(action);
        texts.Add(error.ToString());
        texts.Add(error.RecommendedAction ?? "");
        texts.Add(error.Target?.ToString() ?? "");
    }

    private static string Snapshot(string folder) => string.Join("\n", Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order()
        .Select(f => f + " " + new FileInfo(f).Length + " " + File.GetLastWriteTimeUtc(f).Ticks));

    private sealed class RecordingReporter(List<string> texts) : IOperationReporter
    {
        public void Verbose(string message) => texts.Add(message);

        public void Warning(string message) => texts.Add(message);

        public void Progress(OperationProgress progress) => texts.Add($"{progress.Activity} {progress.Status} {progress.CurrentOperation}");
    }
}
