using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Deployment;
using MlOps.Diagnostics;
using MlOps.Platforms;
using MlOps.Registry;
using MlOps.Scaffolding;
using MlOps.Services;
using MlOps.Settings;
using Xunit;

namespace MlOps.Resilience.Tests;

/// <summary>
/// A model project made by New-MlProject's scaffolder (model "line": a straight line fitted by its own train(), with its
/// pytest tests and service samples) whose environment "cloud" keeps versions in CDF Files and runs services on CDF
/// Functions, both on the emulator — what the deploy and call scenarios drive.
/// </summary>
internal sealed class ServiceProject : IDisposable
{
    public const string Model = "line";
    public const string Environment = "cloud";
    private readonly CdfEmulatorServer _cdf;

    public ServiceProject(CdfEmulatorServer cdf, int keepDeployments = 2)
    {
        _cdf = cdf;
        Root = Path.Combine(Path.GetTempPath(), "mlops-resilience-svc-" + Guid.NewGuid().ToString("N")[..12]);
        var plan = ProjectScaffolder.PlanProject(Root, "resilience-services", Model, CiSystem.None);
        var scaffold = ProjectScaffolder.CreateProject(plan, new ScaffoldOptions(), NullReporter.Instance, default);
        Assert.True(scaffold.Models.Single().ArtifactTrained, "the scaffolded model was not trained (is Python with pytest there? see README)");
        Directory = "/resilience-svc-" + Path.GetFileName(Root)[^12..];
        File.WriteAllText(Path.Combine(Root, SettingsLoader.FileName), $$"""
            {
              "project": "resilience-services",
              "models": [ { "name": "{{Model}}", "codeFolder": "models/{{Model}}", "artifactFolder": "artifacts/{{Model}}", "services": [ "prediction" ] } ],
              "environments": {
                "{{Environment}}": {
                  "registry": { "type": "cdf", "project": "{{cdf.Project}}", "baseUrl": "{{cdf.BaseUrl}}", "tokenUrl": "{{cdf.TokenUrl}}",
                                "clientId": "{{FakeSecret.ClientId}}", "clientSecretVariable": "{{FakeSecret.Variable}}", "directory": "{{Directory}}" },
                  "platform": { "type": "cdf", "keepDeployments": {{keepDeployments}}, "directory": "{{Directory}}-functions" }
                }
              }
            }
            """);
        Settings = SettingsLoader.Load(Path.Combine(Root, SettingsLoader.FileName));
        ArtifactFolder = Path.Combine(Root, "artifacts", Model);
    }

    public string Root { get; }

    /// <summary>The registry's CDF directory (the platform's is this plus "-functions").</summary>
    public string Directory { get; }

    public string ArtifactFolder { get; }

    public ProjectSettings Settings { get; }

    public string ServiceName => ServiceKinds.ServiceName(Model, ServiceKind.Prediction, Environment);

    /// <summary>The registry through <paramref name="client"/>, with short waits between its own attempts.</summary>
    public ProjectRegistry Registry(CdfClient client, int transientAttempts = 8) => new(Settings, settings => new CdfFilesRegistry(client.Files,
        client.Options.ApiUrl, new CdfStoreOptions
        {
            Directory = settings.Cdf!.Directory,
            TempFolder = Path.Combine(Root, "tmp"),
            TransientDelay = TimeSpan.FromMilliseconds(5),
            TransientAttempts = transientAttempts,
            UploadedTimeout = TimeSpan.FromSeconds(20),
        }));

    /// <summary>
    /// What Deploy-MlPredictionService and Invoke-MlService run, through <paramref name="client"/>; the platform's own
    /// attempts per request are <paramref name="platformAttempts"/> (1: a failure reaches the caller).
    /// </summary>
    public ServiceDeployer Deployer(CdfClient client, int platformAttempts = 6, int registryAttempts = 8) =>
        new(Settings, Registry(client, registryAttempts), platform =>
        {
            var functions = platform.Functions!;
            var cdf = new CdfFunctionsPlatform(functions, platform.KeepDeployments, client, CdfAuthKind.ClientCredentials,
                () => new Dictionary<string, string> { ["mlops-secret"] = FakeSecret.Value }, Path.Combine(Root, ".mlops", "packages", "cache"))
            {
                PollInterval = TimeSpan.FromMilliseconds(100),
                TransientAttempts = platformAttempts,
                TransientDelay = TimeSpan.FromMilliseconds(5),
            };
            return cdf;
        });

    /// <summary>The versioned functions of the prediction service now in the emulator.</summary>
    public List<MlOps.CdfEmulator.CdfFunction> Functions() =>
        _cdf.Functions.All(_cdf.Project).Where(f => f.ExternalId != null && f.ExternalId.StartsWith(ServiceName + "-", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// Calls the prediction service with sample <paramref name="index"/> through <paramref name="deployer"/> and checks
    /// that it answered (faults are CDF's, never the model's) from <paramref name="modelId"/>.
    /// </summary>
    public static ServiceResponse AssertAnswers(ServiceDeployer deployer, string modelId, int index = 0)
    {
        var answer = deployer.Invoke(Model, Environment, ServiceKind.Prediction, Input(index), TimeSpan.FromMinutes(1), default);
        Assert.True(answer.IsOk, answer.Error);
        Assert.Equal(modelId, answer.ModelId);
        return answer;
    }

    /// <summary>The sample the scaffolded model's service test sends, with a different second x per call.</summary>
    public static string Input(int index) => $$"""{"x": [1.0, {{4 + index}}.0]}""";

    public void Dispose() => TempFolder.Delete(Root);
}

/// <summary>Collects warnings (a deploy that switched but could not tidy up says so as a warning).</summary>
internal sealed class RecordingReporter : IOperationReporter
{
    private readonly List<string> _warnings = [];

    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_warnings)
            {
                return _warnings.ToList();
            }
        }
    }

    public void Verbose(string message)
    {
    }

    public void Warning(string message)
    {
        lock (_warnings)
        {
            _warnings.Add(message);
        }
    }

    public void Progress(OperationProgress progress)
    {
    }
}
