using System.Collections;
using System.Diagnostics;
using MlOps.Deployment;
using MlOps.Diagnostics;
using MlOps.Platforms;
using MlOps.Python;
using MlOps.Services;
using MlOps.Settings;
using Xunit;

namespace MlOps.Resilience.Tests;

/// <summary>
/// The service lifecycle under ordinary operations on the Local platform: two deploys of one service at once, a change
/// while another holds the service (and one whose holder is killed), a predict() that hangs, and a deployed service test
/// past its limit. A small standard-library model whose predict() sleeps as long as its input asks.
/// </summary>
public sealed class ServiceLifecycleScenarios : IDisposable
{
    private const string Service = "sleepy-prediction-dev";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mlops-lifecycle-" + Guid.NewGuid().ToString("N")[..12]);

    public ServiceLifecycleScenarios()
    {
        var code = Path.Combine(_root, "models", "sleepy");
        Directory.CreateDirectory(code);
        Directory.CreateDirectory(Path.Combine(_root, "artifacts", "sleepy"));
        File.WriteAllText(Path.Combine(_root, "artifacts", "sleepy", "weights.txt"), "1");
        File.WriteAllText(Path.Combine(code, "model.py"), """
            import time


            def initialization(artifact_folder, secrets):
                return None


            def predict(data, init_object, secrets):
                if data.get("sleep"):
                    print("sleeping", data["sleep"], flush=True)
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
        File.WriteAllText(Path.Combine(_root, "mlops.settings.json"), """
            {
              "models": [ { "name": "sleepy", "codeFolder": "models/sleepy", "artifactFolder": "artifacts/sleepy" } ],
              "environments": { "dev": { "platform": { "type": "local", "callTimeoutSeconds": 2 } } }
            }
            """);
    }

    public void Dispose()
    {
        var platform = new LocalPlatform(Path.Combine(_root, SettingsLoader.DefaultServicesPath));
        foreach (var service in platform.List().ToList())
        {
            platform.Remove(service.Name, true, NullReporter.Instance);
        }

        TempFolder.Delete(_root);
    }

    private PythonInterpreter Python => PythonLocator.Find(null, _root, new Hashtable());

    private ServiceDeployer Deployer() => new(SettingsLoader.Load(Path.Combine(_root, "mlops.settings.json"), new Hashtable()), python: () => Python);

    private ServiceDeployment Deploy(ServiceDeployer? deployer = null) =>
        (deployer ?? Deployer()).Deploy(new DeployRequest("sleepy", "dev", ServiceKind.Prediction), NullReporter.Instance, default);

    private ServiceResponse Call(string data) => Deployer().Invoke("sleepy", "dev", ServiceKind.Prediction, data, TimeSpan.FromSeconds(60), default);

    [Fact]
    public async Task Two_deploys_of_one_service_at_once_take_turns_and_the_history_names_what_serves()
    {
        var deploys = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => Deploy())));

        Assert.All(deploys, d => Assert.Equal(ServiceStatus.Running, d.Status));
        var history = Deployer().History("sleepy", "dev", ServiceKind.Prediction);
        Assert.Equal(new[] { 1, 2 }, history.Select(h => h.Sequence));
        var current = Assert.Single(history, h => h.IsCurrent);
        Assert.All(history, h => Assert.True(h.IsAvailable, $"entry {h.Sequence}'s deployment was deleted"));
        var service = Deployer().Platform("dev").Get(Service)!;
        Assert.Equal((current.DeploymentId, ServiceStatus.Running), (service.DeploymentId, service.Status));
        Assert.True(Call("{}").IsOk);
    }

    [Fact]
    public void A_change_while_another_holds_the_service_waits_then_fails_naming_it_and_a_killed_holder_releases_it()
    {
        var folder = Path.Combine(_root, SettingsLoader.DefaultServicesPath, Service);
        var deployer = Deployer();
        deployer.ChangeWait = TimeSpan.FromSeconds(1);
        using (ServiceChangeLock.Acquire(folder, Service, "deploy", TimeSpan.Zero, NullReporter.Instance, default))
        {
            var busy = Assert.Throws<MlOpsException>(() => Deploy(deployer));
            Assert.Equal(ErrorIds.ServiceBusy, busy.ErrorId);
            Assert.Contains("deploy, since ", busy.Message);
        }

        Assert.Empty(Deployer().History("sleepy", "dev", ServiceKind.Prediction));

        // Another process holds the lock (Python's flock, as the OS sees .NET's) and is killed: the service is free at once.
        using var holder = Process.Start(new ProcessStartInfo(Python.Path)
        {
            ArgumentList = { "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a+b'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(300)",
                Path.Combine(folder, "change.lock") },
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("held", holder.StandardOutput.ReadLine());
            Assert.Equal(ErrorIds.ServiceBusy, Assert.Throws<MlOpsException>(() => Deploy(deployer)).ErrorId);
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }

        Assert.Equal(ServiceStatus.Running, Deploy(deployer).Status);
    }

    [Fact]
    public async Task A_hung_call_is_answered_with_the_timeout_the_service_says_it_is_stuck_and_later_calls_are_served()
    {
        Deploy();
        var clock = Stopwatch.StartNew();
        var hung = Task.Run(() => Call("""{"sleep": 20}"""));
        // The hung call is under way once the model says so in the service's log (bounded).
        while (!Deployer().Platform("dev").Logs(Service).Any(l => l.Message.Contains("sleeping 20")))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the hung call never reached the model");
            Assert.False(hung.IsCompleted, "the hung call ended before it reached the model");
            await Task.Delay(20);
        }

        // Later calls do not wait behind the hung one for longer than the call timeout.
        var next = Call("{}");
        Assert.True(next.IsOk, next.Error);

        var answer = await hung;
        Assert.Equal("error", answer.Status);
        Assert.Contains("call timeout (2 s", answer.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the hung call took {clock.Elapsed}");

        Assert.Equal(ServiceStatus.Unhealthy, Deployer().Platform("dev").Get(Service)!.Status);
        var calls = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Call("""{"sleep": 0.2}"""))));
        Assert.All(calls, c => Assert.True(c.IsOk, c.Error));
        Assert.Contains(Deployer().Platform("dev").Logs(Service), l => l.Message.Contains("did not finish within the call timeout"));
    }

    [Fact]
    public void A_deployed_service_test_past_its_limit_fails_naming_the_setting_and_the_previous_deployment_keeps_serving()
    {
        var first = Deploy();
        File.WriteAllText(Path.Combine(_root, "models", "sleepy", "test_model.py"), """
            class ServiceTest:
                prediction_input = {"sleep": 3}


            def test_nothing():
                assert True
            """);
        var settings = Path.Combine(_root, "mlops.settings.json");
        File.WriteAllText(settings, File.ReadAllText(settings).Replace("\"callTimeoutSeconds\": 2", "\"callTimeoutSeconds\": 2, \"serviceTestTimeoutSeconds\": 1"));
        Assert.Equal(TimeSpan.FromSeconds(1), SettingsLoader.Load(settings, new Hashtable()).GetEnvironment("dev").Platform.ServiceTestTimeout);

        var error = Assert.Throws<MlOpsException>(() => Deploy());

        Assert.Equal(ErrorIds.ServiceTestFailed, error.ErrorId);
        Assert.Contains("deployed service test", error.Message);
        Assert.Contains("limit of 1 s (environments.dev.platform.serviceTestTimeoutSeconds", error.Message);
        Assert.Equal(first.DeploymentId, Deployer().Platform("dev").Get(Service)!.DeploymentId);
        var answer = Call("{}");
        Assert.True(answer.IsOk, answer.Error);
    }
}
