using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Core.Tests.Cdf;
using MlOps.Registry;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Registry;

/// <summary>Test-MlCdfConnection's checks: what each environment needs of CDF, for its registry and for services on CDF Functions.</summary>
[Trait("Tier", "Integration")]
public sealed class CdfEnvironmentCheckTests : IAsyncLifetime
{
    private const string Variable = "MLOPS_TEST_FILES_ONLY_SECRET";
    private readonly TempProject _project = new();
    private CdfEmulatorServer _cdf = null!;

    public async Task InitializeAsync()
    {
        _cdf = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions
        {
            Projects = ["mlops-test"],
            Clients =
            [
                new EmulatorClient { ClientId = "files-only", ClientSecret = "Files-0nly-S3cret", Capabilities = ["filesAcl:READ", "filesAcl:WRITE"] },
                new EmulatorClient
                {
                    ClientId = "mlops-data-set", ClientSecret = "Files-0nly-S3cret",
                    Capabilities = ["filesAcl:READ@dataset:mlops", "filesAcl:WRITE@dataset:mlops", "datasetsAcl:READ"],
                },
            ],
        });
        _cdf.DataSets.Create(_cdf.Project, "mlops");
        Environment.SetEnvironmentVariable(Variable, "Files-0nly-S3cret");
        var connection = $$"""
            "type": "cdf", "project": "{{_cdf.Project}}", "baseUrl": "{{_cdf.BaseUrl}}", "clientId": "files-only", "tokenUrl": "{{_cdf.TokenUrl}}",
            "clientSecretVariable": "{{Variable}}"
            """;
        _project.WithModelFolder("m").WithSettings($$"""
            {
              "models": [ { "name": "m", "codeFolder": "models/m" } ],
              "environments": {
                "dev":  { "registry": { "type": "local" } },
                "test": { "registry": { {{connection}} } },
                "prod": { "registry": { {{connection}} }, "platform": { "type": "cdf" } },
                "stage": { "registry": { "type": "local" }, "platform": { {{connection}} } }
              }
            }
            """);
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(Variable, null);
        await _cdf.DisposeAsync();
        _project.Dispose();
    }

    private ProjectSettings Settings => SettingsLoader.Load(_project.SettingsPath, TempProject.NoEnvironment);

    [Fact]
    public void A_files_only_client_passes_for_a_registry_and_fails_for_services_naming_each_missing_capability()
    {
        var registryOnly = CdfConnections.Standalone().TestEnvironment(Settings.GetEnvironment("test"), default)!;
        Assert.All(registryOnly, c => Assert.True(c.Passed, c.Message));
        Assert.Equal(new[] { "filesAcl:READ", "filesAcl:WRITE" }, registryOnly.Where(c => c.Check.Contains(':')).Select(c => c.Check));

        foreach (var environment in new[] { "prod", "stage" })
        {
            var checks = CdfConnections.Standalone().TestEnvironment(Settings.GetEnvironment(environment), default)!;
            Assert.Equal(new[] { "functionsAcl:READ", "functionsAcl:WRITE", "sessionsAcl:CREATE" }, checks.Where(c => !c.Passed).Select(c => c.Check));
            Assert.Contains("session", checks.Single(c => c.Check == "sessionsAcl:CREATE").Message);
            Assert.Single(checks, c => c.Check == "token");
        }

        Assert.Null(CdfConnections.Standalone().TestEnvironment(Settings.GetEnvironment("dev"), default));
    }

    [Fact]
    public void Files_access_limited_to_the_registrys_data_set_is_enough_for_it_and_not_for_a_registry_without_one()
    {
        var settings = Settings.GetEnvironment("test").Registry.Cdf!;
        CdfConnectionSettings As(string? dataSet) => new(settings.Project, settings.BaseUrl, settings.Directory, null, settings.TokenUrl, null,
            "mlops-data-set", settings.ClientSecretVariable, null, settings.Scopes, dataSetExternalId: dataSet);

        var inDataSet = CdfConnections.Standalone().Test("test", As("mlops"), CdfConnections.RegistryCapabilities, default);
        Assert.All(inDataSet, c => Assert.True(c.Passed, c.Check + ": " + c.Message));

        var withoutDataSet = CdfConnections.Standalone().Test("test", As(null), CdfConnections.RegistryCapabilities, default);
        var missing = withoutDataSet.Where(c => !c.Passed).ToList();
        Assert.Equal(new[] { "filesAcl:READ", "filesAcl:WRITE" }, missing.Select(c => c.Check));
        Assert.All(missing, c => Assert.Contains("scope all", c.Message));
    }
}
