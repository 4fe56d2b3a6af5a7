using System.Collections;
using System.Diagnostics;
using MlOps.Diagnostics;
using MlOps.Platforms;
using MlOps.Python;
using MlOps.Services;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Services;

/// <summary>A predict() that hangs does not wedge a Local service: its caller gets an error naming the timeout, the next calls are served.</summary>
public sealed class HungCallTests : IDisposable
{
    private readonly TempProject _project = new();

    public HungCallTests()
    {
        var code = Path.Combine(_project.Root, "models", "sleepy");
        Directory.CreateDirectory(code);
        Directory.CreateDirectory(Path.Combine(_project.Root, "artifacts", "sleepy"));
        File.WriteAllText(Path.Combine(_project.Root, "artifacts", "sleepy", "weights.txt"), "1");
        File.WriteAllText(Path.Combine(code, "model.py"), """
            import time


            def initialization(artifact_folder, secrets):
                return None


            def predict(data, init_object, secrets):
                time.sleep(float(data.get("sleep", 0)))
                return {"slept": data.get("sleep", 0)}
            """);
        File.WriteAllText(Path.Combine(code, "test_model.py"), """
            class ServiceTest:
                prediction_input = {}


            def test_nothing():
                assert True
            """);
        File.WriteAllText(Path.Combine(code, "requirements.model"), "");
        _project.WithSettings("""
            {
              "models": [ { "name": "sleepy", "codeFolder": "models/sleepy", "artifactFolder": "artifacts/sleepy" } ],
              "environments": { "dev": { "platform": { "type": "local", "callTimeoutSeconds": 2 } } }
            }
            """);
    }

    public void Dispose()
    {
        var platform = new LocalPlatform(Path.Combine(_project.Root, SettingsLoader.DefaultServicesPath));
        foreach (var service in platform.List().ToList())
        {
            platform.Remove(service.Name, true, NullReporter.Instance);
        }

        _project.Dispose();
    }

    private ServiceDeployer Deployer() =>
        new(SettingsLoader.Load(_project.SettingsPath, TempProject.NoEnvironment), python: () => PythonLocator.Find(null, _project.Root, new Hashtable()));

    private ServiceResponse Call(string data) => Deployer().Invoke("sleepy", "dev", ServiceKind.Prediction, data, TimeSpan.FromSeconds(60), default);

    [Fact]
    public async Task A_hung_call_is_answered_with_the_timeout_the_service_says_it_is_stuck_and_later_calls_are_served()
    {
        Deployer().Deploy(new DeployRequest("sleepy", "dev", ServiceKind.Prediction), NullReporter.Instance, default);
        var clock = Stopwatch.StartNew();
        var hung = Task.Run(() => Call("""{"sleep": 20}"""));
        await Task.Delay(300);

        // Later calls do not wait behind the hung one for longer than the call timeout.
        var next = Call("{}");
        Assert.True(next.IsOk, next.Error);

        var answer = await hung;
        Assert.Equal("error", answer.Status);
        Assert.Contains("call timeout (2 s", answer.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the hung call took {clock.Elapsed}");

        var service = Deployer().Platform("dev").Get("sleepy-prediction-dev")!;
        Assert.Equal(ServiceStatus.Unhealthy, service.Status);
        var calls = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Call("""{"sleep": 0.2}"""))));
        Assert.All(calls, c => Assert.True(c.IsOk, c.Error));
        Assert.Contains(Deployer().Platform("dev").Logs("sleepy-prediction-dev"), l => l.Message.Contains("did not finish within the call timeout"));
    }
}
