using System.Net;
using Xunit;
using static MlOps.CdfEmulator.Tests.FunctionTestKit;

namespace MlOps.CdfEmulator.Tests;

/// <summary>Function faults and lifecycle hooks; each test gets its own emulator.</summary>
public sealed class FunctionFaultTests : IAsyncLifetime
{
    private const string OkHandler = "def handle(data):\n    return {'ok': True}\n";

    private CdfEmulatorServer server = null!;
    private CdfTestClient client = null!;

    public async Task InitializeAsync()
    {
        server = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions { FunctionBuildDelay = Timeout.InfiniteTimeSpan });
        client = await CdfTestClient.ConnectAsync(server);
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Calling_before_ready_is_rejected_and_keeps_the_nonce_then_deploy_now_makes_it_callable()
    {
        var created = await CreateAsync(client, HandlerZip(OkHandler), "slow-build");
        var id = (long)created["id"]!;
        // Builds here finish only when DeployNow says so: the function stays Queued however long one waits.
        Assert.Equal("Queued", server.Functions.Find(server.Project, id)!.Status);
        var nonce = await NonceAsync(client);
        var early = await TryCallAsync(client, id, "{}", nonce);
        Assert.Equal(HttpStatusCode.BadRequest, early.Status);
        Assert.Contains("not ready", (string)early.Error!["message"]!);
        await Assert.ThrowsAsync<TimeoutException>(() => server.Functions.WaitForDeploymentAsync(server.Project, id, TimeSpan.FromMilliseconds(200)));

        server.Functions.DeployNow(server.Project, id);
        Assert.Equal("Ready", (await server.Functions.WaitForDeploymentAsync(server.Project, id)).Status);
        var call = await TryCallAsync(client, id, "{}", nonce);
        Assert.Equal(HttpStatusCode.Created, call.Status);
        Assert.Equal("Completed", (await server.Functions.WaitForCallAsync(server.Project, (long)call.Body!["id"]!)).Status);
    }

    [Fact]
    public async Task Fail_deployment_fault_fails_a_good_package_with_the_given_trace()
    {
        var rule = server.Faults.Functions.FailDeployment("doomed", trace: "ERROR: No matching distribution found for torch==9.9");
        var doomed = (long)(await CreateAsync(client, HandlerZip(OkHandler), "doomed"))["id"]!;
        var fine = (long)(await CreateAsync(client, HandlerZip(OkHandler), "fine"))["id"]!;
        server.Functions.DeployNow(server.Project, doomed);
        server.Functions.DeployNow(server.Project, fine);
        await server.Functions.WaitForDeploymentAsync(server.Project, doomed);
        await server.Functions.WaitForDeploymentAsync(server.Project, fine);

        var failed = (await client.GetAsync($"/functions/{doomed}")).Body!;
        Assert.Equal("Failed", (string?)failed["status"]);
        Assert.Equal("ERROR: No matching distribution found for torch==9.9", (string?)failed["error"]!["trace"]);
        Assert.Equal("Ready", (string?)(await client.GetAsync($"/functions/{fine}")).Body!["status"]);
        Assert.Equal(1, rule.Injected);
    }

    [Fact]
    public async Task Never_ready_fault_leaves_the_function_deploying()
    {
        var rule = server.Faults.Functions.NeverReady("stuck");
        var id = (long)(await CreateAsync(client, HandlerZip(OkHandler), "stuck"))["id"]!;
        server.Functions.DeployNow(server.Project, id);
        // The build leaves Queued once it takes the release (bounded wait), and then never becomes Ready (the timeout below).
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (server.Functions.Find(server.Project, id)!.Status == "Queued" && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        Assert.Equal("Deploying", (string?)(await client.GetAsync($"/functions/{id}")).Body!["status"]);
        await Assert.ThrowsAsync<TimeoutException>(() => server.Functions.WaitForDeploymentAsync(server.Project, id, TimeSpan.FromMilliseconds(500)));
        Assert.Equal(HttpStatusCode.BadRequest, (await TryCallAsync(client, id, "{}", await NonceAsync(client))).Status);
        Assert.Equal(1, rule.Injected);
    }

    [Fact]
    public async Task Crash_fault_kills_the_python_process_mid_call()
    {
        var rule = server.Faults.Functions.CrashCall("crashy", after: TimeSpan.FromMilliseconds(500));
        var id = (long)(await CreateAsync(client, HandlerZip(SleepingHandler), "crashy"))["id"]!;
        server.Functions.DeployNow(server.Project, id);
        await server.Functions.WaitForDeploymentAsync(server.Project, id);
        var started = DateTime.UtcNow;
        var call = await CallAndWaitAsync(client, id, """{"seconds":20}""");
        Assert.Equal("Failed", (string?)call["status"]);
        Assert.Contains("crashed", (string)call["error"]!["message"]!);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Contains("going to sleep", (await client.GetAsync($"/functions/{id}/calls/{call["id"]}/logs")).Text);
        Assert.Equal(1, rule.Injected);
        Assert.Empty(PythonProcessesMentioning(server.Functions.WorkFolder));

        rule.Enabled = false;
        Assert.Equal("Completed", (string?)(await CallAndWaitAsync(client, id, """{"seconds":0}"""))["status"]);
    }

    [Fact]
    public async Task Route_faults_apply_to_function_routes_including_after_commit_calls()
    {
        var id = (long)(await CreateAsync(client, HandlerZip(OkHandler), "routed"))["id"]!;
        server.Functions.DeployNow(server.Project, id);
        await server.Functions.WaitForDeploymentAsync(server.Project, id);

        server.Faults.Script("POST /functions/*/call", FaultAction.TooManyRequests(2), FaultAction.FailAfterCommit(503));
        var throttled = await TryCallAsync(client, id, "{}", await NonceAsync(client));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Status);
        Assert.Equal("2", throttled.RetryAfter);
        Assert.Empty(server.Functions.Calls(server.Project, id));

        var committed = await TryCallAsync(client, id, "{}", await NonceAsync(client));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, committed.Status);
        var call = Assert.Single(server.Functions.Calls(server.Project, id));
        Assert.Equal("Completed", (await server.Functions.WaitForCallAsync(server.Project, call.Id)).Status);

        server.Faults.Script("POST /functions/list", FaultAction.Status(502));
        Assert.Equal(HttpStatusCode.BadGateway, (await client.PostAsync("/functions/list", "{}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/functions/list", "{}")).Status);
        server.Faults.Script("GET /functions/*/calls/*/response", FaultAction.Slow(TimeSpan.FromMilliseconds(300)));
        var slowStart = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/functions/{id}/calls/{call.Id}/response")).Status);
        Assert.True(DateTime.UtcNow - slowStart >= TimeSpan.FromMilliseconds(250));
        Assert.Equal("Slow 300 ms", server.Requests.Matching("GET /functions/*/calls/*/response").Single().Fault);
    }

    [Fact]
    public async Task Stopping_the_emulator_kills_running_calls_and_leaves_no_python_behind()
    {
        await using var local = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions { FunctionBuildDelay = TimeSpan.Zero });
        using var localClient = await CdfTestClient.ConnectAsync(local);
        var id = (long)(await CreateAsync(localClient, HandlerZip(SleepingHandler), "sleeper"))["id"]!;
        await local.Functions.WaitForDeploymentAsync(local.Project, id);
        var started = await TryCallAsync(localClient, id, """{"seconds":60}""", await NonceAsync(localClient));
        Assert.Equal(HttpStatusCode.Created, started.Status);
        var workFolder = local.Functions.WorkFolder;
        // The emulator records the process just after the OS has started it: wait for both, not just the OS's view.
        for (var i = 0; i < 100 && (PythonProcessesMentioning(workFolder).Count == 0 || local.Functions.RunningProcesses == 0); i++)
        {
            await Task.Delay(50);
        }

        Assert.NotEmpty(PythonProcessesMentioning(workFolder));
        Assert.Equal(1, local.Functions.RunningProcesses);
        await local.DisposeAsync();
        Assert.Equal(0, local.Functions.RunningProcesses);
        Assert.Empty(PythonProcessesMentioning(workFolder));
        Assert.False(Directory.Exists(workFolder));
    }

    [Fact]
    public async Task Legacy_api_key_callers_may_call_without_a_nonce()
    {
        await using var local = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions
        {
            FunctionBuildDelay = TimeSpan.Zero,
            ApiKeys = [new EmulatorApiKey { Key = "legacy-key" }],
        });
        using var oidc = await CdfTestClient.ConnectAsync(local);
        var id = (long)(await CreateAsync(oidc, HandlerZip(OkHandler), "legacy"))["id"]!;
        await local.Functions.WaitForDeploymentAsync(local.Project, id);
        using var legacy = CdfTestClient.Anonymous(local);
        legacy.Http.DefaultRequestHeaders.Add("api-key", "legacy-key");
        var call = await TryCallAsync(legacy, id, "{}", null);
        Assert.Equal(HttpStatusCode.Created, call.Status);
        var done = await local.Functions.WaitForCallAsync(local.Project, (long)call.Body!["id"]!);
        Assert.Equal("Completed", done.Status);
        Assert.Null(done.SessionId);
        Assert.Equal(HttpStatusCode.BadRequest, (await TryCallAsync(oidc, id, "{}", null)).Status);
    }
}
