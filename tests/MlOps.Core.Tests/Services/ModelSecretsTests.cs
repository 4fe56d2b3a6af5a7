using System.Collections;
using System.Security.Cryptography;
using System.Text;
using MlOps.Deployment;
using MlOps.Diagnostics;
using MlOps.Platforms;
using MlOps.Python;
using MlOps.Services;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Services;

/// <summary>The secrets a model's settings name reach its code on the Local platform, and nowhere else.</summary>
public sealed class ModelSecretsTests : IDisposable
{
    private const string Variable = "MLOPS_TEST_MODEL_SECRET";
    private const string Secret = "Model-S3cret-9d2b7e41";
    private readonly TempProject _project = new();

    public ModelSecretsTests()
    {
        var code = Path.Combine(_project.Root, "models", "keeper");
        Directory.CreateDirectory(code);
        Directory.CreateDirectory(Path.Combine(_project.Root, "artifacts", "keeper"));
        File.WriteAllText(Path.Combine(_project.Root, "artifacts", "keeper", "weights.txt"), "1");
        File.WriteAllText(Path.Combine(code, "model.py"), """
            import hashlib


            def initialization(artifact_folder, secrets):
                return {"at_start": sorted(secrets)}


            def predict(data, init_object, secrets):
                value = secrets.get("id-write", "")
                return {"keys": sorted(secrets), "at_start": init_object["at_start"], "length": len(value),
                        "sha": hashlib.sha256(value.encode()).hexdigest()}
            """);
        File.WriteAllText(Path.Combine(code, "test_model.py"), """
            class ServiceTest:
                prediction_input = {}

                def prediction_check(self, prediction):
                    return prediction["keys"] == ["id-write"] and prediction["length"] > 0


            def test_nothing_secret():
                assert True
            """);
        File.WriteAllText(Path.Combine(code, "requirements.model"), "");
        _project.WithSettings($$"""
            {
              "models": [ { "name": "keeper", "codeFolder": "models/keeper", "artifactFolder": "artifacts/keeper",
                            "secrets": { "id-write": { "variable": "{{Variable}}" } } } ],
              "environments": { "dev": { "registry": { "type": "local" }, "platform": { "type": "local" } } }
            }
            """);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Variable, null);
        var platform = new LocalPlatform(Path.Combine(_project.Root, SettingsLoader.DefaultServicesPath));
        foreach (var service in platform.List().ToList())
        {
            platform.Remove(service.Name, true, NullReporter.Instance);
        }

        _project.Dispose();
    }

    private ProjectSettings Settings => SettingsLoader.Load(_project.SettingsPath, TempProject.NoEnvironment);

    private ServiceDeployer Deployer() => new(Settings, python: () => PythonLocator.Find(null, _project.Root, new Hashtable()));

    [Fact]
    public void The_model_receives_its_secrets_at_start_and_per_call_and_they_are_written_nowhere()
    {
        Environment.SetEnvironmentVariable(Variable, Secret);
        var reporter = new RecordingReporter();
        var deployment = Deployer().Deploy(new DeployRequest("keeper", "dev", ServiceKind.Prediction), reporter, default);
        Assert.All(deployment.TestResults, t => Assert.True(t.Passed, t.Message));

        var answer = Deployer().Invoke("keeper", "dev", ServiceKind.Prediction, "{}", TimeSpan.FromSeconds(30), default);
        Assert.True(answer.IsOk, answer.Error);
        Assert.Contains("\"keys\": [\"id-write\"]", answer.Json);
        Assert.Contains("\"at_start\": [\"id-write\"]", answer.Json);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Secret))), answer.Json);

        Assert.Contains(reporter.Messages, m => m.Contains("the secrets id-write"));
        Assert.DoesNotContain(reporter.Messages.Concat(reporter.Warnings), m => m.Contains(Secret));
        foreach (var file in Directory.GetFiles(_project.Root, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.False(Encoding.UTF8.GetString(bytes).Contains(Secret), $"{file} holds the secret");
            if (file.EndsWith(".zip", StringComparison.Ordinal))
            {
                using var zip = System.IO.Compression.ZipFile.OpenRead(file);
                foreach (var entry in zip.Entries)
                {
                    using var reader = new StreamReader(entry.Open());
                    Assert.DoesNotContain(Secret, reader.ReadToEnd());
                }
            }
        }
    }

    [Fact]
    public void A_secret_whose_variable_is_not_set_stops_the_deploy_before_anything_runs()
    {
        var error = Assert.Throws<MlOpsException>(() => Deployer().Deploy(new DeployRequest("keeper", "dev", ServiceKind.Prediction), NullReporter.Instance, default));
        Assert.Equal(ErrorIds.ModelSecretMissing, error.ErrorId);
        Assert.Contains("id-write", error.Message);
        Assert.Contains(Variable, error.Message);
        Assert.Empty(new LocalPlatform(Settings.GetEnvironment("dev").Platform.Path).List());
    }

    [Fact]
    public void Secret_keys_follow_CDFs_rules_and_a_value_in_the_file_is_refused_without_repeating_it()
    {
        File.WriteAllText(_project.SettingsPath, """
            {
              "models": [ { "name": "keeper", "codeFolder": "models/keeper",
                            "secrets": { "Id_Write": { "variable": "A" }, "far-too-long-a-key": { "variable": "B" }, "mlops-secret": { "variable": "C" },
                                         "pasted": "hunter2-literal", "nowhere": { "vault": "v" }, "bad-var": { "variable": "not a name" },
                                         "ok": { "secretName": "api", "vault": "team" } } } ]
            }
            """);
        var check = SettingsLoader.Check(_project.SettingsPath, TempProject.NoEnvironment);
        var paths = check.Problems.Select(p => p.Path).ToList();
        foreach (var key in new[] { "Id_Write", "far-too-long-a-key", "mlops-secret", "pasted", "nowhere", "bad-var.variable" })
        {
            Assert.Contains(paths, p => p == "$.models[0].secrets." + key);
        }

        Assert.DoesNotContain(check.Problems, p => p.ToString().Contains("hunter2"));
        Assert.DoesNotContain(paths, p => p.EndsWith(".ok", StringComparison.Ordinal));
    }
}
