using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Diagnostics;
using MlOps.Registry;
using Xunit;
using Xunit.Abstractions;

namespace MlOps.Resilience.Tests;

/// <summary>
/// Faults on the emulator at a steady rate (a quarter of all requests, token, API, upload and download alike) while MlOps
/// publishes, promotes and downloads: every attempt either succeeds or fails with an MlOpsException carrying a stable
/// ErrorId; after a failure nothing half-done is visible; running the same operation again completes it; and at the end
/// each store holds exactly the intended versions, intact. Each scenario runs its operations in two halves: with MlOps's
/// retries at a quarter of requests faulted (the retries absorb nearly every fault), then with the client's own retries
/// off at a tenth, opened by one certain fault, so that failures do reach the caller and the caller's retry is tested.
/// <para>
/// Each operation is a <see cref="FaultOperation"/> (prepare, run attempt i, check nothing half-done, check the end state)
/// and each row of <see cref="Scenarios"/> one operation under one kind of fault: the registry's publish, promote and
/// download, and deploying to and calling a service on CDF Functions (a scaffolded model, its tests run on every deploy).
/// </para>
/// </summary>
public sealed partial class FaultScenarios(ITestOutputHelper output) : IAsyncLifetime
{
    private const double Rate = 0.25;
    private const double ThinRate = 0.1;
    private const int OperationsPerScenario = 3;
    private const int MaxAttempts = 25;

    /// <summary>The ErrorIds a failure under these faults may carry (all name a transient condition and say that nothing was stored).</summary>
    private static readonly string[] AllowedErrorIds =
    [
        CdfErrorIds.CdfThrottled, CdfErrorIds.CdfServiceUnavailable, CdfErrorIds.CdfConnectionFailed, CdfErrorIds.CdfTimeout,
        ErrorIds.RegistryWriteFailed,
    ];

    /// <summary>Each kind: the faults injected at the steady rate, and the one that opens the second half (it always fails a request).</summary>
    private static readonly Dictionary<string, (FaultAction[] Steady, FaultAction Hard)> FaultKinds = new()
    {
        ["429 with Retry-After"] = ([FaultAction.TooManyRequests(1)], FaultAction.TooManyRequests(1)),
        ["5xx"] = ([FaultAction.Status(500), FaultAction.Status(502), FaultAction.ServiceUnavailable()], FaultAction.Status(502)),
        ["dropped connections"] = ([FaultAction.DropConnection(0), FaultAction.DropConnection(4096)], FaultAction.DropConnection(0)),
        ["slow responses, some past the timeout"] =
            ([FaultAction.Slow(TimeSpan.FromMilliseconds(200)), FaultAction.Slow(TimeSpan.FromMilliseconds(1500))], FaultAction.Slow(TimeSpan.FromMilliseconds(1500))),
        ["5xx after the change took effect"] = ([FaultAction.FailAfterCommit(503), FaultAction.FailAfterCommit(500)], FaultAction.FailAfterCommit(503)),
        ["all of them"] =
        ([
            FaultAction.TooManyRequests(1), FaultAction.Status(502), FaultAction.ServiceUnavailable(), FaultAction.DropConnection(0),
            FaultAction.Slow(TimeSpan.FromMilliseconds(1500)), FaultAction.FailAfterCommit(503),
        ], FaultAction.FailAfterCommit(503)),
    };

    private static readonly Dictionary<string, Func<FaultOperation>> Operations = new()
    {
        ["publish to CDF"] = () => new PublishOperation(),
        ["promote CDF to CDF"] = () => new PromoteOperation("cloud", "cloudprod"),
        ["promote local to CDF"] = () => new PromoteOperation("test", "cloud"),
        ["promote CDF to local"] = () => new PromoteOperation("cloud", "prod"),
        ["download (Save) from CDF"] = () => new SaveOperation(),
        ["deploy to CDF Functions"] = () => new DeployOperation(),
        ["call a service on CDF Functions"] = () => new CallOperation(),
    };

    private CdfEmulatorServer _cdf = null!;

    public static TheoryData<string, string> Scenarios()
    {
        var data = new TheoryData<string, string>();
        foreach (var operation in Operations.Keys)
        {
            foreach (var fault in FaultKinds.Keys)
            {
                data.Add(operation, fault);
            }
        }

        return data;
    }

    public async Task InitializeAsync() => _cdf = await Cdf.StartAsync(uploadedDelay: TimeSpan.FromMilliseconds(5));

    public async Task DisposeAsync() => await _cdf.DisposeAsync();

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_attempt_succeeds_or_fails_cleanly_and_a_retry_completes_it(string operationName, string faultKind)
    {
        using var project = new ResilienceProject(_cdf);
        var notices = new List<string>();
        using var client = Cdf.Client(_cdf, notices);
        using var thinClient = Cdf.Client(_cdf, notices, attempts: 1);
        using var operation = Operations[operationName]();
        var registry = project.Registry(client);
        var thin = project.Registry(thinClient, transientAttempts: operation.ThinStoreAttempts);
        var context = new FaultContext(project, registry, _cdf, 2 * operation.PerHalf);
        operation.Prepare(context);

        var seed = (operationName + "|" + faultKind).Aggregate(17, (h, c) => unchecked(h * 31 + c));
        var (steady, hard) = FaultKinds[faultKind];
        // The first request of each half always gets a fault (short operations make few requests), then a steady rate.
        var first = _cdf.Faults.Script("* /*", hard);
        var rule = _cdf.Faults.Random("* /*", Rate, seed, steady);
        FaultRule? thinFirst = null, thinRule = null;
        var failures = new List<MlOpsException>();
        try
        {
            for (var i = 0; i < context.Count; i++)
            {
                var withRetries = i < operation.PerHalf;
                if (i == operation.PerHalf)
                {
                    _cdf.Faults.Remove(first);
                    _cdf.Faults.Remove(rule);
                    thinFirst = _cdf.Faults.Script("* /*", hard);
                    thinRule = _cdf.Faults.Random("* /*", operation.ThinRate, seed + 1, steady);
                }

                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        operation.Run(context, withRetries ? new FaultAttempt(registry, client, Thin: false) : new FaultAttempt(thin, thinClient, Thin: true), i);
                        context.Succeeded++;
                        break;
                    }
                    catch (MlOpsException e)
                    {
                        failures.Add(e);
                        Assert.True(AllowedErrorIds.Contains(e.ErrorId), $"{operationName}: unexpected ErrorId {e.ErrorId}: {e.Message}");
                        Assert.False(string.IsNullOrWhiteSpace(e.Message));
                        // The store must not show anything of the failed attempt (checked with faults off, then on again).
                        _cdf.Faults.Enabled = false;
                        operation.AssertNothingHalfDone(context, i);
                        _cdf.Faults.Enabled = true;
                        Assert.True(attempt < MaxAttempts, $"{operationName} {i} still failed after {MaxAttempts} attempts: {e.Message}");
                    }
                }
            }
        }
        finally
        {
            _cdf.Faults.Clear();
            _cdf.Faults.Enabled = true;
        }

        var injected = first.Injected + rule.Injected + (thinFirst?.Injected ?? 0) + (thinRule?.Injected ?? 0);
        output.WriteLine($"{operationName} under {faultKind}: {injected} faults injected, {notices.Count} retried by the client, " +
            $"{failures.Count} attempt(s) failed ({string.Join(", ", failures.Select(f => f.ErrorId))}), each then completed.");
        Assert.Equal(1, first.Injected);
        Assert.Equal(1, thinFirst!.Injected);
        Assert.True(rule.Injected + thinRule!.Injected > 0, "no fault was injected at the steady rate");
        Assert.NotEmpty(failures);
        operation.AssertDone(context);

        // A claim whose publish failed and whose removal failed too stays invisible (checked above) until it is stale;
        // the next publish then removes it.
        foreach (var environment in new[] { "cloud", "cloudprod" })
        {
            var directory = project.Settings.GetEnvironment(environment).Registry.Cdf!.Directory;
            if (StoreCheck.Unfinished(_cdf, directory).Count > 0)
            {
                project.Registry(client, staleClaimAge: TimeSpan.Zero).Publish("m", environment, project.MakeArtifact("cleanup"), null, NullReporter.Instance, default);
                Assert.Empty(StoreCheck.Unfinished(_cdf, directory));
            }
        }

        LeakCheck.AssertNoSecret(_cdf, failures.SelectMany(Texts).Concat(notices).Concat(operation.Texts), [project.Root, .. operation.Folders]);
    }

    private static IEnumerable<string> Texts(MlOpsException e)
    {
        yield return e.ToString();
        yield return e.RecommendedAction ?? "";
        yield return e.Target?.ToString() ?? "";
    }

    internal sealed class FaultContext(ResilienceProject project, ProjectRegistry registry, CdfEmulatorServer cdf, int count)
    {
        public ResilienceProject Project { get; } = project;

        public ProjectRegistry Registry { get; } = registry;

        public CdfEmulatorServer Cdf { get; } = cdf;

        public int Count { get; } = count;

        public int Succeeded { get; set; }

        public List<string> Sources { get; } = [];

        public List<ModelVersion> SourceVersions { get; } = [];
    }

    /// <summary>What one attempt runs through: the registry and client of its half, and whether it is the second (thin) half.</summary>
    internal sealed record FaultAttempt(ProjectRegistry Registry, CdfClient Client, bool Thin);

    /// <summary>One operation under faults: made ready with faults off, run attempt by attempt, then checked.</summary>
    internal abstract class FaultOperation : IDisposable
    {
        /// <summary>Operations in each half (the scenario runs twice as many).</summary>
        public virtual int PerHalf => OperationsPerScenario;

        /// <summary>The steady fault rate of the second half, where failures reach the caller: low enough that an attempt can succeed.</summary>
        public virtual double ThinRate => FaultScenarios.ThinRate;

        /// <summary>More text the operation produced (warnings), for the leak check.</summary>
        public virtual IEnumerable<string> Texts => [];

        /// <summary>More folders the operation wrote (a project of its own), for the leak check.</summary>
        public virtual IEnumerable<string> Folders => [];

        public virtual void Dispose()
        {
        }

        /// <summary>
        /// The store's own attempts per step in the second half. Writes keep a few: after a lost answer the store re-reads
        /// what it wrote to tell whether the step took effect, and that re-read is part of the design, not a retry to strip.
        /// Reads get one, so their failures reach the caller.
        /// </summary>
        public virtual int ThinStoreAttempts => 3;

        public abstract void Prepare(FaultContext context);

        /// <summary>Does operation <paramref name="index"/> (the same command each attempt) through <paramref name="attempt"/>'s registry and client.</summary>
        public abstract void Run(FaultContext context, FaultAttempt attempt, int index);

        /// <summary>After a failed attempt: only complete, intact results of the attempts that succeeded are visible.</summary>
        public abstract void AssertNothingHalfDone(FaultContext context, int index);

        /// <summary>After all: exactly the intended results, intact.</summary>
        public abstract void AssertDone(FaultContext context);
    }

    private sealed class PublishOperation : FaultOperation
    {
        public override void Prepare(FaultContext context)
        {
            for (var i = 0; i < context.Count; i++)
            {
                context.Sources.Add(context.Project.MakeArtifact($"publish{i}", files: 3, bytesEach: 30_000, seed: i + 1));
            }
        }

        public override void Run(FaultContext context, FaultAttempt attempt, int index) =>
            attempt.Registry.Publish("m", "cloud", context.Sources[index], new Dictionary<string, string> { ["src"] = context.Sources[index] },
                NullReporter.Instance, default);

        public override void AssertNothingHalfDone(FaultContext context, int index) =>
            Assert.Equal(context.Succeeded, StoreCheck.AssertConsistent(context.Registry, "m", "cloud", v => v.Metadata["src"]).Count);

        public override void AssertDone(FaultContext context)
        {
            // One version per publish, in order. On CDF a number can be skipped: a failed publish's claim that could not be
            // removed keeps its number until it is stale.
            var versions = StoreCheck.AssertConsistent(context.Registry, "m", "cloud", v => v.Metadata["src"]);
            Assert.Equal(context.Sources, versions.Select(v => v.Metadata["src"]));
        }
    }

    private sealed class PromoteOperation(string from, string to) : FaultOperation
    {
        public override int ThinStoreAttempts => to.StartsWith("cloud", StringComparison.Ordinal) ? 3 : 1;

        public override void Prepare(FaultContext context)
        {
            for (var i = 0; i < context.Count; i++)
            {
                var source = context.Project.MakeArtifact($"promote{i}", files: 3, bytesEach: 30_000, seed: 50 + i);
                context.Sources.Add(source);
                context.SourceVersions.Add(context.Registry.Publish("m", from, source, new Dictionary<string, string> { ["src"] = source },
                    NullReporter.Instance, default));
            }
        }

        // A promotion keeps the source's number: a retry after a promotion that took effect returns the version it made
        // instead of making another.
        public override void Run(FaultContext context, FaultAttempt attempt, int index) =>
            attempt.Registry.Promote(context.SourceVersions[index], to, NullReporter.Instance, default);

        public override void AssertNothingHalfDone(FaultContext context, int index)
        {
            var visible = StoreCheck.AssertConsistent(context.Registry, "m", to, v => v.Metadata["src"]);
            Assert.InRange(visible.Count, context.Succeeded, context.Succeeded + 1);
            if (visible.Count > context.Succeeded)
            {
                // The failure came after the promotion took effect: it is complete, and the retry must return it.
                Assert.Equal(context.SourceVersions[index].ModelId, visible[^1].PromotedFrom);
            }

            if (context.Registry.For(to) is LocalFolderRegistry local)
            {
                Assert.Empty(Directory.GetDirectories(Path.Combine(local.Root, ".staging")));
            }
        }

        public override void AssertDone(FaultContext context)
        {
            var promoted = StoreCheck.AssertConsistent(context.Registry, "m", to, v => v.Metadata["src"]);
            if (to == "prod")
            {
                Assert.Equal(Enumerable.Range(1, context.Count), promoted.Select(v => v.Version));   // the local store never skips a number
            }

            Assert.Equal(context.SourceVersions.Select(v => v.ModelId), promoted.Select(v => v.PromotedFrom));
            Assert.Equal(context.SourceVersions.Select(v => v.ContentHash), promoted.Select(v => v.ContentHash));
        }
    }

    private sealed class SaveOperation : FaultOperation
    {
        private readonly List<string> _destinations = [];

        public override int ThinStoreAttempts => 1;

        public override void Prepare(FaultContext context)
        {
            new PublishOperation().Prepare(context);
            for (var i = 0; i < context.Count; i++)
            {
                context.SourceVersions.Add(context.Registry.Publish("m", "cloud", context.Sources[i], null, NullReporter.Instance, default));
                _destinations.Add(Path.Combine(context.Project.Root, "saved", $"v{i + 1}"));
            }
        }

        public override void Run(FaultContext context, FaultAttempt attempt, int index) =>
            attempt.Registry.Save(context.SourceVersions[index], _destinations[index], force: false, NullReporter.Instance, default);

        public override void AssertNothingHalfDone(FaultContext context, int index)
        {
            // The folder appears complete or not at all, and no temporary folder is left beside it.
            Assert.False(Directory.Exists(_destinations[index]), $"{_destinations[index]} exists after a failed save");
            Assert.Equal(_destinations.Take(index), Directory.GetDirectories(Path.Combine(context.Project.Root, "saved")).Order());
        }

        public override void AssertDone(FaultContext context)
        {
            for (var i = 0; i < context.Count; i++)
            {
                var saved = Directory.GetFiles(_destinations[i], "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_destinations[i], f)).Order();
                var source = Directory.GetFiles(context.Sources[i], "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(context.Sources[i], f)).Order();
                Assert.Equal(source, saved);
                foreach (var file in source)
                {
                    Assert.Equal(File.ReadAllBytes(Path.Combine(context.Sources[i], file)), File.ReadAllBytes(Path.Combine(_destinations[i], file)));
                }
            }

            Assert.Equal(_destinations.Order(), Directory.GetDirectories(Path.Combine(context.Project.Root, "saved")).Order());
        }
    }
}
