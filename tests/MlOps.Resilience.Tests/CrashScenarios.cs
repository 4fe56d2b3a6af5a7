using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace MlOps.Resilience.Tests;

/// <summary>
/// A publisher (a separate process, as Publish-MlModelArtifact runs in one) killed at several points of its work, at a
/// random moment after each point (different seeds): the store shows only complete versions, the versions already there
/// are untouched, running the same command again finishes correctly, and what the killed one left behind is cleaned up.
/// The same for a deploy to CDF Functions (Deploy-MlPredictionService): the alias keeps serving what it served (or the
/// new deployment, complete and tested, if the kill came after the switch), and the same command run again finishes it.
/// </summary>
public sealed class CrashScenarios(ITestOutputHelper output) : IAsyncLifetime
{
    private CdfEmulatorServer _cdf = null!;
    private CdfClient _client = null!;

    /// <summary>(store, point): the line the publisher prints when it reaches the point (null: from its start) and the jitter window after it.</summary>
    private static readonly Dictionary<string, (string? Line, int JitterMs, int[] Seeds)> Points = new()
    {
        ["local: from the start"] = (null, 900, [1, 2]),
        ["local: while copying into staging, up to the claim"] = ("COPYING", 1500, [1, 2, 3]),
        ["cdf: from the start"] = (null, 900, [1, 2]),
        ["cdf: while packing"] = ("COPYING", 400, [1, 2]),
        ["cdf: after the claim (uploading, waiting for CDF, completing)"] = ("VERBOSE Claimed", 750, [1, 2, 3]),
    };

    public static TheoryData<string, int> Scenarios() => Seeded(Points);

    /// <summary>One row per (point, seed).</summary>
    private static TheoryData<string, int> Seeded(Dictionary<string, (string? Line, int JitterMs, int[] Seeds)> points)
    {
        var data = new TheoryData<string, int>();
        foreach (var (point, (_, _, seeds)) in points)
        {
            foreach (var seed in seeds)
            {
                data.Add(point, seed);
            }
        }

        return data;
    }

    public async Task InitializeAsync()
    {
        _cdf = await Cdf.StartAsync(uploadedDelay: TimeSpan.FromMilliseconds(300), functionBuildDelay: TimeSpan.FromMilliseconds(1500));
        // Uploads take a moment, as over a real network, so a kill can land while one is under way.
        _cdf.Faults.Always("PUT /upload/*", FaultAction.Slow(TimeSpan.FromMilliseconds(400)));
        _client = Cdf.Client(_cdf, requestTimeout: TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _cdf.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task A_publisher_killed_midway_leaves_a_consistent_store_and_the_same_command_then_finishes(string point, int seed)
    {
        using var project = new ResilienceProject(_cdf);
        var local = point.StartsWith("local", StringComparison.Ordinal);
        var environment = local ? "test" : "cloud";
        var registry = project.Registry(_client);
        var first = project.MakeArtifact("first", seed: 99);
        registry.Publish("m", environment, first, new Dictionary<string, string> { ["src"] = first }, NullReporter.Instance, default);
        var source = project.MakeArtifact("victim", files: local ? 40 : 8, bytesEach: local ? 50_000 : 400_000, seed: seed);
        string[] command = ["publish", "m", environment, source, "--meta", "src=" + source];

        // Stratified: seed k of n falls at a random moment in the k-th n-th of the window, so the seeds spread over it.
        var (line, jitterMs, seeds) = Points[point];
        var slot = jitterMs / (double)seeds.Length;
        var delay = TimeSpan.FromMilliseconds(slot * (Array.IndexOf(seeds, seed) + new Random(seed * 7919 + point.Length).NextDouble()));
        string killedAt;
        using (var victim = Worker.Project(project, [.. command, "--trace", "--slow-ms", "20"]))
        {
            if (line != null)
            {
                Assert.True(victim.WaitForLine(line, TimeSpan.FromSeconds(60)), $"the publisher never printed '{line}': {victim.AllOutput}");
            }

            await Task.Delay(delay);
            killedAt = victim.HasExited ? "after it had finished" : $"{victim.Started.ElapsedMilliseconds} ms after its start";
            victim.Kill();
            output.WriteLine($"{point}, seed {seed}: killed {delay.TotalMilliseconds:0} ms after '{line ?? "start"}' ({killedAt}); " +
                $"last line: {victim.Lines.LastOrDefault()}");
            LeakCheck.AssertNoSecret(null, [victim.AllOutput]);
        }

        // Only complete versions are visible, and the first one is untouched.
        var afterKill = StoreCheck.AssertConsistent(registry, "m", environment, v => v.Metadata["src"]);
        Assert.Equal(first, afterKill[0].Metadata["src"]);
        Assert.InRange(afterKill.Count, 1, 2);

        // The same command again finishes and stores its version as the newest.
        using (var again = Worker.Project(project, command))
        {
            var version = int.Parse(await again.SucceedAsync());
            var afterRetry = StoreCheck.AssertConsistent(registry, "m", environment, v => v.Metadata["src"]);
            Assert.Equal(version, afterRetry[^1].Version);
            Assert.Equal(source, afterRetry[^1].Metadata["src"]);
            Assert.Equal(afterKill.Select(v => v.Version), afterRetry.Take(afterKill.Count).Select(v => v.Version));
            LeakCheck.AssertNoSecret(null, [again.AllOutput]);
        }

        // What the killed publisher left is gone: its staging folder (removed by the next publisher, as its process is
        // dead), or its CDF claim (invisible, removed by the next publisher once stale).
        if (local)
        {
            Assert.Empty(Directory.GetDirectories(Path.Combine(project.LocalStorePath("test"), ".staging")));
            Assert.Equal(Enumerable.Range(1, registry.For("test").GetLatestVersionNumber("m", "test")),
                registry.For("test").ListVersions("m", "test").Select(v => v.Version));   // no gaps in the local store
        }
        else
        {
            project.Registry(_client, staleClaimAge: TimeSpan.Zero).Publish("n", "cloud", first, null, NullReporter.Instance, default);
            project.Registry(_client, staleClaimAge: TimeSpan.Zero).Publish("m", "cloud", first, new Dictionary<string, string> { ["src"] = first },
                NullReporter.Instance, default);
            Assert.Empty(StoreCheck.Unfinished(_cdf, project.CdfDirectory));
            StoreCheck.AssertConsistent(registry, "m", environment, v => v.Metadata["src"]);
        }

        LeakCheck.AssertNoSecret(_cdf, [], project.Root);
    }

    /// <summary>(point): the line the deployer prints when it reaches the point (null: from its start), the jitter window after it, the seeds.</summary>
    private static readonly Dictionary<string, (string? Line, int JitterMs, int[] Seeds)> DeployPoints = new()
    {
        ["deploy: from the start (tests, packaging, code upload)"] = (null, 5000, [1, 2]),
        ["deploy: while CDF builds the new function"] = ("VERBOSE Creating function", 1500, [1, 2]),
        ["deploy: testing the new function, switching, tidying up"] = ("VERBOSE Function", 600, [1, 2]),
    };

    public static TheoryData<string, int> DeployScenarios() => Seeded(DeployPoints);

    [Theory]
    [MemberData(nameof(DeployScenarios))]
    public async Task A_deploy_killed_midway_leaves_the_alias_serving_and_the_same_command_then_finishes(string point, int seed)
    {
        using var services = new ServiceProject(_cdf);
        var registry = services.Registry(_client);
        var first = registry.Publish(ServiceProject.Model, ServiceProject.Environment, services.ArtifactFolder, null, NullReporter.Instance, default);
        var second = registry.Publish(ServiceProject.Model, ServiceProject.Environment, services.ArtifactFolder, null, NullReporter.Instance, default);
        var deployer = services.Deployer(_client);
        deployer.Deploy(new MlOps.Deployment.DeployRequest(ServiceProject.Model, ServiceProject.Environment, MlOps.Services.ServiceKind.Prediction)
            { VersionNumber = first.Version }, NullReporter.Instance, default);
        string[] command = ["project", Path.Combine(services.Root, "mlops.settings.json"), "deploy", ServiceProject.Model, ServiceProject.Environment,
            second.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), "--poll-ms", "100"];

        var (line, jitterMs, seeds) = DeployPoints[point];
        var slot = jitterMs / (double)seeds.Length;
        var delay = TimeSpan.FromMilliseconds(slot * (Array.IndexOf(seeds, seed) + new Random(seed * 7919 + point.Length).NextDouble()));
        using (var victim = Worker.Start([.. command, "--trace"]))
        {
            if (line != null)
            {
                Assert.True(victim.WaitForLine(line, TimeSpan.FromSeconds(120)), $"the deployer never printed '{line}': {victim.AllOutput}");
            }

            await Task.Delay(delay);
            var killedAt = victim.HasExited ? "after it had finished" : $"{victim.Started.ElapsedMilliseconds} ms after its start";
            victim.Kill();
            output.WriteLine($"{point}, seed {seed}: killed {delay.TotalMilliseconds:0} ms after '{line ?? "start"}' ({killedAt}); " +
                $"last line: {victim.Lines.LastOrDefault()}");
            LeakCheck.AssertNoSecret(null, [victim.AllOutput]);
        }

        // The alias serves version 1 as before, or version 2 if the kill came after the switch: complete, tested, answering.
        var afterKill = deployer.History(ServiceProject.Model, ServiceProject.Environment, MlOps.Services.ServiceKind.Prediction);
        var current = afterKill.Single(r => r.IsCurrent);
        Assert.Contains(current.Version, new int?[] { first.Version, second.Version });
        ServiceProject.AssertAnswers(deployer, current.ModelId!);

        // The same command again finishes: version 2 serves, and nothing the killed deploy started is left unnamed.
        using (var again = Worker.Start(command))
        {
            Assert.Equal(second.Version, int.Parse(await again.SucceedAsync(), System.Globalization.CultureInfo.InvariantCulture));
            var deployment = again.Field("DEPLOYMENT");
            var history = deployer.History(ServiceProject.Model, ServiceProject.Environment, MlOps.Services.ServiceKind.Prediction);
            var now = history.Single(r => r.IsCurrent);
            Assert.Equal(deployment, now.DeploymentId);
            Assert.Equal(second.ModelId, now.ModelId);
            Assert.Equal(afterKill.Select(r => r.Sequence), history.Take(afterKill.Count).Select(r => r.Sequence));
            ServiceProject.AssertAnswers(deployer, second.ModelId);
            var functions = services.Functions();
            Assert.All(functions, f => Assert.True(history.Any(r => r.DeploymentId == f.ExternalId),
                $"function {f.ExternalId} ({f.Status}) is named by no history entry: " + string.Join("; ", history.Select(r => $"{r.Sequence} {r.DeploymentId}"))));
            Assert.InRange(functions.Count, 1, 2);   // keepDeployments = 2
            output.WriteLine($"  then: {string.Join(", ", history.Select(r => $"{r.Sequence}:{r.DeploymentId}"))}; functions {string.Join(", ", functions.Select(f => f.ExternalId))}");
            LeakCheck.AssertNoSecret(null, [again.AllOutput]);
        }

        LeakCheck.AssertNoSecret(_cdf, [], services.Root);
    }
}
