using System.Collections;
using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Core.Tests.Cdf;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Registry;

/// <summary>A cdf registry named in the settings: validation, secrets from the environment, and promotion across stores.</summary>
[Trait("Tier", "Integration")]
public sealed class CdfSettingsTests
{
    private static string Settings(string registry) => $$"""
        {
          "models": [ { "name": "diabetes", "codeFolder": "models/diabetes" } ],
          "environments": {
            "test": { "registry": { "type": "local" } },
            "prod": { "registry": {{registry}} }
          }
        }
        """;

    [Fact]
    public void A_cdf_registry_binds_with_defaults_and_names_its_secret_variable()
    {
        using var project = new TempProject().WithModelFolder("diabetes")
            .WithSettings(Settings("""{ "type": "cdf", "project": "p", "baseUrl": "https://westeurope-1.cognitedata.com", "clientId": "app", "tenantId": "t" }"""));
        var cdf = SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment).GetEnvironment("prod").Registry.Cdf!;
        Assert.Equal("p", cdf.Project);
        Assert.Equal("/mlops", cdf.Directory);
        Assert.Equal("COGNITE_CLIENT_SECRET", cdf.ClientSecretVariable);

        var error = Assert.Throws<MlOpsException>(() => CdfConnections.Standalone(new Hashtable()).Client(cdf));
        Assert.Equal(CdfConnections.SecretMissing, error.ErrorId);
        Assert.Contains("COGNITE_CLIENT_SECRET", error.Message);
    }

    [Fact]
    public void A_cdf_platform_uses_the_registry_connection_or_its_own_and_reports_bad_values()
    {
        const string registry = """{ "type": "cdf", "project": "p", "baseUrl": "https://westeurope-1.cognitedata.com", "clientId": "app", "tenantId": "t" }""";
        using (var project = new TempProject().WithModelFolder("diabetes").WithSettings(
            Settings(registry + """, "platform": { "type": "cdf", "runtime": "py313", "keepDeployments": 5, "cpu": 0.5 } """)))
        {
            var platform = SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment).GetEnvironment("prod").Platform;
            Assert.Equal("cdf", platform.Type);
            Assert.Equal(5, platform.KeepDeployments);
            Assert.Equal("p", platform.Functions!.Connection.Project);
            Assert.Equal("/functions/mlops", platform.Functions.Connection.Directory);
            Assert.Equal("py313", platform.Functions.Runtime);
            Assert.Equal(0.5, platform.Functions.Cpu);
            Assert.Equal(TimeSpan.FromMinutes(25), platform.Functions.DeployTimeout);
        }

        using (var project = new TempProject().WithModelFolder("diabetes").WithSettings("""
            {
              "models": [ { "name": "diabetes", "codeFolder": "models/diabetes" } ],
              "environments": {
                "test": { "platform": { "type": "cdf" } },
                "prod": { "platform": { "type": "cdf", "project": "q", "baseUrl": "https://x.cognitedata.com", "clientId": "a", "tokenUrl": "https://login/t",
                                        "runtime": "node18", "keepDeployments": 0, "memory": "lots" } }
              }
            }
            """))
        {
            var problems = SettingsLoader.Check(project.SettingsPath, TempProject.NoEnvironment).Problems;
            Assert.Contains(problems, p => p.Path == "$.environments.test.platform" && p.Message.Contains("needs a CDF connection"));
            var runtime = Assert.Single(problems, p => p.Path == "$.environments.prod.platform.runtime");
            Assert.Contains("py310, py311, py312, py313", runtime.Expected);
            Assert.Contains(problems, p => p.Path == "$.environments.prod.platform.keepDeployments");
            Assert.Contains(problems, p => p.Path == "$.environments.prod.platform.memory");
            Assert.DoesNotContain(problems, p => p.Path.StartsWith("$.environments.prod.platform.project", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Missing_connection_values_and_literal_secrets_are_reported()
    {
        using var project = new TempProject().WithModelFolder("diabetes")
            .WithSettings(Settings("""{ "type": "cdf", "baseUrl": "ftp://x", "clientSecret": "hunter2", "directory": "mlops" }"""));
        var problems = SettingsLoader.Check(project.SettingsPath, TempProject.NoEnvironment).Problems;
        Assert.Contains(problems, p => p.Path == "$.environments.prod.registry.clientSecret" && p.Message.Contains("looks like a secret"));
        Assert.Contains(problems, p => p.Path == "$.environments.prod.registry.project");
        Assert.Contains(problems, p => p.Path == "$.environments.prod.registry.baseUrl");
        Assert.Contains(problems, p => p.Path == "$.environments.prod.registry.directory");
        Assert.Contains(problems, p => p.Path == "$.environments.prod.registry" && p.Message.Contains("client credentials"));
        Assert.DoesNotContain(problems, p => p.ToString().Contains("hunter2"));
    }

    [Fact]
    public void Secrets_in_connection_urls_or_where_a_variable_name_belongs_are_reported_without_the_value()
    {
        // Found by the resilience suite: these settings were accepted, and a secret pasted into clientSecretVariable was
        // then printed in the "variable ... is not set" error.
        using var project = new TempProject().WithModelFolder("diabetes").WithSettings(Settings("""
            { "type": "cdf", "project": "p", "baseUrl": "https://ci:hunter2@westeurope-1.cognitedata.com", "clientId": "app",
              "tokenUrl": "https://login.example.com/token?client_secret=hunter3", "clientSecretVariable": "hunter4~x.y", "apiKeyVariable": "KEY_VAR" }
            """));
        var problems = SettingsLoader.Check(project.SettingsPath, TempProject.NoEnvironment).Problems;
        Assert.Contains(problems, p => p.Path == "$.environments.prod.registry.baseUrl" && p.Message.Contains("credentials"));
        Assert.Contains(problems, p => p.Path == "$.environments.prod.registry.tokenUrl" && p.Message.Contains("credentials"));
        Assert.Contains(problems, p => p.Path == "$.environments.prod.registry.clientSecretVariable" && p.Message.Contains("not the name of an environment variable"));
        Assert.DoesNotContain(problems, p => p.Path.EndsWith("apiKeyVariable"));
        Assert.DoesNotContain(problems, p => p.ToString().Contains("hunter"));
    }

    [Fact]
    public async Task A_version_promoted_from_a_local_test_registry_to_cdf_prod_keeps_its_bytes_and_lineage()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var project = new TempProject().WithModelFolder("diabetes").WithSettings(Settings($$"""
            { "type": "cdf", "project": "{{cdf.Project}}", "baseUrl": "{{cdf.BaseUrl}}", "clientId": "{{CdfTestSetup.ClientId}}",
              "tokenUrl": "{{cdf.TokenUrl}}", "clientSecretVariable": "MLOPS_TEST_CDF_SECRET" }
            """));
        Environment.SetEnvironmentVariable("MLOPS_TEST_CDF_SECRET", CdfTestSetup.Secret);
        try
        {
            var registry = new ProjectRegistry(SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment));
            var tested = registry.Publish("diabetes", "test", project.MakeArtifact("art", files: 3, bytesEach: 70_000),
                new Dictionary<string, string> { ["r2"] = "0.9" }, NullReporter.Instance, default);
            var promoted = registry.Promote(tested, "prod", NullReporter.Instance, default);

            Assert.True(promoted.Created);
            Assert.Equal("cdf", registry.For("prod").Kind);
            Assert.Equal("diabetes/prod/1", promoted.Version.ModelId);
            Assert.Equal(tested.ContentHash, promoted.Version.ContentHash);
            Assert.Equal("diabetes/test/1", promoted.Version.PromotedFrom);
            Assert.Equal("0.9", promoted.Version.Metadata["r2"]);
            Assert.False(registry.Promote(tested, "prod", NullReporter.Instance, default).Created);

            var latest = Assert.Single(registry.Find(new VersionQuery { Environment = "prod", Latest = true }));

            // -Latest with a filter that only an old version matches: a few versions read one by one, then one listing
            // (not a request per version).
            var more = project.MakeArtifact("more");
            for (var i = 0; i < 24; i++)
            {
                registry.Publish("diabetes", "prod", more, new Dictionary<string, string> { ["r2"] = "0.5" }, NullReporter.Instance, default);
            }

            var byIdsBefore = cdf.Requests.Matching("POST /files/byids").Count;
            var listsBefore = cdf.Requests.Matching("POST /files/list").Count;
            Assert.Equal("diabetes/prod/1", Assert.Single(registry.Find(new VersionQuery
            {
                Environment = "prod", Latest = true, Metadata = new Dictionary<string, string> { ["r2"] = "0.9" },
            })).ModelId);
            Assert.Equal(ProjectRegistry.LatestProbes, cdf.Requests.Matching("POST /files/byids").Count - byIdsBefore);
            Assert.InRange(cdf.Requests.Matching("POST /files/list").Count - listsBefore, 1, 3);   // models, latest number, every version
            Assert.Equal("diabetes/prod/25", Assert.Single(registry.Find(new VersionQuery
            {
                Environment = "prod", Latest = true, Metadata = new Dictionary<string, string> { ["r2"] = "0.5" },
            })).ModelId);
            var copy = Path.Combine(project.Root, "download");
            registry.Save(latest, copy, false, NullReporter.Instance, default);
            foreach (var file in tested.Files)
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(tested.Location, "files", file.Path)), File.ReadAllBytes(Path.Combine(copy, file.Path)));
            }

            Assert.DoesNotContain(cdf.Requests.Containing(CdfTestSetup.Secret), r => !r.Path.Contains("token"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("MLOPS_TEST_CDF_SECRET", null);
        }
    }

    [Fact]
    public async Task The_connection_test_names_a_missing_capability()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        var settings = new CdfConnectionSettings(cdf.Project, cdf.BaseUrl, "/mlops", null, cdf.TokenUrl, null, CdfTestSetup.ReaderId,
            "MLOPS_TEST_READER_" + Guid.NewGuid().ToString("N"), null, Array.Empty<string>());
        var connections = CdfConnections.Standalone();
        connections.Pool.RememberSecret(settings.ClientSecretVariable, CdfTestSetup.ReaderSecret);

        var checks = connections.Test("prod", settings, CdfConnections.RegistryCapabilities, default);
        Assert.Equal(new[] { "secret", "token", "project", "filesAcl:READ", "filesAcl:WRITE" }, checks.Select(c => c.Check));
        Assert.Equal(new[] { true, true, true, true, false }, checks.Select(c => c.Passed));
        Assert.Contains("grant filesAcl:WRITE", checks[^1].Message);
        Assert.DoesNotContain(checks, c => c.Message.Contains(CdfTestSetup.ReaderSecret));
    }
}
