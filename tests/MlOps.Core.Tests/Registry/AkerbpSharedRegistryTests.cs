using System.Collections;
using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Core.Tests.Cdf;
using MlOps.Diagnostics;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Registry;

/// <summary>
/// One CDF registry written by both tools during a migration: akerbp.mlops's side is tests/Fixtures/akerbp/akerbp_registry.py
/// (its 3.x rules over the REST API, archives made by Python's shutil.make_archive), MlOps's side the project registry with
/// the data set named by external id, as Import-MlAkerbpProject writes it.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class AkerbpSharedRegistryTests : IAsyncLifetime
{
    private const string SecretVariable = "MLOPS_AKERBP_SHARED_SECRET";
    private readonly TempProject _project = new();
    private CdfEmulatorServer _cdf = null!;
    private PythonInterpreter _python = null!;

    public async Task InitializeAsync()
    {
        _cdf = await CdfTestSetup.StartAsync(pageSize: 5);
        _cdf.DataSets.Create(_cdf.Project, "mlops", "mlops");
        _cdf.DataSets.Create(_cdf.Project, "other", "other");
        _python = PythonLocator.Find(null, _project.Root, new Hashtable());
        Environment.SetEnvironmentVariable(SecretVariable, CdfTestSetup.Secret);
        var connection = $$"""
            "type": "cdf", "project": "{{_cdf.Project}}", "baseUrl": "{{_cdf.BaseUrl}}", "clientId": "{{CdfTestSetup.ClientId}}",
            "tokenUrl": "{{_cdf.TokenUrl}}", "clientSecretVariable": "{{SecretVariable}}", "dataSetExternalId": "mlops"
            """;
        _project.WithModelFolder("well").WithSettings($$"""
            {
              "models": [ { "name": "well", "codeFolder": "models/well" } ],
              "environments": {
                "dev":  { "registry": { {{connection}}, "useArtifactFolder": false } },
                "test": { "registry": { {{connection}} } },
                "prod": { "registry": { {{connection}} } }
              }
            }
            """);
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(SecretVariable, null);
        await _cdf.DisposeAsync();
        _project.Dispose();
    }

    private string Akerbp(params string[] arguments) => AkerbpIn("mlops", arguments);

    private string AkerbpIn(string dataSet, params string[] arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["CDF_BASE_URL"] = _cdf.BaseUrl, ["CDF_PROJECT"] = _cdf.Project, ["CDF_TOKEN_URL"] = _cdf.TokenUrl,
            ["CDF_CLIENT_ID"] = CdfTestSetup.ClientId, ["CDF_CLIENT_SECRET"] = CdfTestSetup.Secret, ["AKERBP_DATASET"] = dataSet,
        };
        var script = Path.Combine(ExampleProject.RepoRoot, "tests", "Fixtures", "akerbp", "akerbp_registry.py");
        var run = ProcessRunner.Run(_python.Path, new[] { script }.Concat(arguments), _project.Root, environment, TimeSpan.FromMinutes(1), default);
        Assert.True(run.ExitCode == 0, $"akerbp_registry.py {string.Join(" ", arguments)} failed:\n{run.Tail(20)}");
        return run.Output.Trim().Split('\n').Last().Trim();
    }

    /// <summary>An artifact folder with a file, a nested file and an empty folder (which both tools' archives keep).</summary>
    private string Artifact(string name, string text)
    {
        var folder = Path.Combine(_project.Root, name);
        Directory.CreateDirectory(Path.Combine(folder, "weights"));
        Directory.CreateDirectory(Path.Combine(folder, "logs", "empty"));
        File.WriteAllText(Path.Combine(folder, "model.json"), text);
        File.WriteAllText(Path.Combine(folder, "weights", "w.bin"), text + text);
        return folder;
    }

    private ProjectRegistry Registry => new(SettingsLoader.Load(_project.SettingsPath, TempProject.NoEnvironment));

    [Fact]
    public void Both_tools_read_continue_and_promote_one_registry_with_one_artifact_per_number()
    {
        // akerbp.mlops wrote dev/1 and dev/2 and promoted dev/2 to test; a version in another data set is not the registry's.
        Assert.Equal("1", Akerbp("upload", "well", "dev", Artifact("a1", "one"), "source=akerbp"));
        Assert.Equal("2", Akerbp("upload", "well", "dev", Artifact("a2", "two")));
        Assert.Equal("created", Akerbp("promote", "well", "dev", "test", "2"));
        Assert.Equal("1", AkerbpIn("other", "upload", "well", "test", Artifact("x1", "elsewhere")));

        // MlOps reads them.
        var registry = Registry;
        Assert.Equal(new[] { 1, 2 }, registry.Find(new VersionQuery { Environment = "dev" }).Select(v => v.Version));
        Assert.Equal(new[] { 2 }, registry.Find(new VersionQuery { Environment = "test" }).Select(v => v.Version));
        var tested = Assert.Single(registry.Find(new VersionQuery { Environment = "test", Latest = true }));
        Assert.Equal(2, tested.Version);
        Assert.Equal("akerbp", registry.FindOne("well", "dev", 1)!.Metadata["source"]);

        // Saving recreates akerbp's folders, the empty one included.
        var saved = Path.Combine(_project.Root, "saved");
        registry.Save(tested, saved, false, NullReporter.Instance, default);
        Assert.Equal("two", File.ReadAllText(Path.Combine(saved, "model.json")));
        Assert.True(Directory.Exists(Path.Combine(saved, "logs", "empty")));

        // MlOps promotes test/2 to prod/2 (akerbp's versions record no content hash: the files are compared), and again: the same one.
        var promoted = registry.Promote(tested, "prod", NullReporter.Instance, default);
        Assert.True(promoted.Created);
        Assert.Equal("well/prod/2", promoted.Version.ModelId);
        Assert.False(registry.Promote(tested, "prod", NullReporter.Instance, default).Created);

        // MlOps publishes a new dev artifact: above every number, in the data set; akerbp sees it as its latest and counts on.
        var published = registry.Publish("well", "dev", Artifact("m3", "three"), null, NullReporter.Instance, default);
        Assert.Equal(3, published.Version);
        Assert.Equal("3", Akerbp("latest", "well", "dev"));
        Assert.Equal("4", Akerbp("next", "well", "dev"));

        // akerbp downloads MlOps's archive (with its empty folder) and promotes dev/3 to test/3; MlOps promotes that to prod/3.
        var fromMlOps = Path.Combine(_project.Root, "akerbp-download");
        Akerbp("download", "well", "dev", "3", fromMlOps);
        Assert.Equal("three", File.ReadAllText(Path.Combine(fromMlOps, "model.json")));
        Assert.True(Directory.Exists(Path.Combine(fromMlOps, "logs", "empty")));
        Assert.Equal("created", Akerbp("promote", "well", "dev", "test", "3"));
        var test3 = registry.FindOne("well", "test", 3)!;
        Assert.Equal("well/prod/3", registry.Promote(test3, "prod", NullReporter.Instance, default).Version.ModelId);

        // akerbp's own promotion of test/2 finds MlOps's prod/2 and skips it, rightly: it holds the same artifact.
        Assert.Equal("skipped", Akerbp("promote", "well", "test", "prod", "2"));
        Assert.Equal("3", Akerbp("latest", "well", "prod"));

        // A number that names another artifact in the target is a clear error that changes nothing: an upload straight into
        // test (akerbp.mlops before 3.2 allowed it) took test/4 while dev counted on to dev/4 with another artifact.
        Assert.Equal("4", Akerbp("upload", "well", "test", Artifact("t4", "test-only")));
        Assert.Equal("4", Akerbp("upload", "well", "dev", Artifact("a4", "four")));
        var prodBefore = registry.Find(new VersionQuery { Environment = "test" }).Select(v => (v.ModelId, v.ContentHash)).ToList();
        var conflict = Assert.Throws<MlOpsException>(() => registry.Promote(registry.FindOne("well", "dev", 4)!, "test", NullReporter.Instance, default));
        Assert.Equal(ErrorIds.PromotionConflict, conflict.ErrorId);
        Assert.Contains("well/test/4", conflict.Message);
        Assert.Equal(prodBefore, registry.Find(new VersionQuery { Environment = "test" }).Select(v => (v.ModelId, v.ContentHash)).ToList());
    }

    [Fact]
    public void The_connection_test_names_the_data_set_and_the_versions_outside_it()
    {
        var settings = SettingsLoader.Load(_project.SettingsPath, TempProject.NoEnvironment).GetEnvironment("test").Registry.Cdf!;
        Akerbp("upload", "well", "dev", Artifact("a1", "one"));
        var clean = CdfConnections.Standalone().Test("test", settings, CdfConnections.RegistryCapabilities, default);
        Assert.All(clean, c => Assert.True(c.Passed, c.Message));
        Assert.Contains(clean, c => c.Check == "data set" && c.Message.Contains("mlops"));

        AkerbpIn("other", "upload", "churn", "test", Artifact("x1", "elsewhere"));
        var outside = Assert.Single(CdfConnections.Standalone().Test("test", settings, CdfConnections.RegistryCapabilities, default), c => !c.Passed);
        Assert.Equal("versions in other data sets", outside.Check);
        Assert.Contains("churn", outside.Message);
        Assert.Contains("data set other", outside.Message);

        // Settings that name no data set, over a directory akerbp.mlops keeps in 'mlops': new versions would be invisible to it.
        var none = new CdfConnectionSettings(settings.Project, settings.BaseUrl, settings.Directory, null, settings.TokenUrl, null, settings.ClientId,
            settings.ClientSecretVariable, null, settings.Scopes);
        var unnamed = Assert.Single(CdfConnections.Standalone().Test("test", none, CdfConnections.RegistryCapabilities, default), c => !c.Passed);
        Assert.Contains("name no data set", unnamed.Message);
        Assert.Contains("data set mlops", unnamed.Message);

        var missing = new CdfConnectionSettings(settings.Project, settings.BaseUrl, settings.Directory, null, settings.TokenUrl, null, settings.ClientId,
            settings.ClientSecretVariable, null, settings.Scopes, dataSetExternalId: "nope");
        var unknown = Assert.Single(CdfConnections.Standalone().Test("test", missing, CdfConnections.RegistryCapabilities, default), c => !c.Passed);
        Assert.Equal("data set", unknown.Check);
        Assert.Contains("'nope'", unknown.Message);
    }
}
