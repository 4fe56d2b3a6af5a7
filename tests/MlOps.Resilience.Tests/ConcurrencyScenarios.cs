using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Registry;
using Xunit;

namespace MlOps.Resilience.Tests;

/// <summary>
/// Sixteen publishers (and promoters) in separate processes at once, on the local folder store and on the CDF store
/// (emulator), while a reader in this process keeps listing: no duplicate or missing version numbers, every version's
/// bytes hash-verified against the folder it came from, and no reader ever sees a version that is not complete.
/// </summary>
public sealed class ConcurrencyScenarios : IAsyncLifetime
{
    private const int Publishers = 16;
    private CdfEmulatorServer _cdf = null!;
    private CdfClient _client = null!;
    private ResilienceProject _project = null!;

    public async Task InitializeAsync()
    {
        _cdf = await Cdf.StartAsync(uploadedDelay: TimeSpan.FromMilliseconds(20));
        // Sixteen processes share two cores with this one: the reader's client waits as long as MlOps's default does.
        _client = Cdf.Client(_cdf, requestTimeout: TimeSpan.FromSeconds(30));
        _project = new ResilienceProject(_cdf);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _cdf.DisposeAsync();
        _project.Dispose();
    }

    [Theory]
    [InlineData("test")]   // local folder store
    [InlineData("cloud")]  // CDF Files store on the emulator
    public async Task Sixteen_publishers_in_separate_processes_get_versions_1_to_16_with_intact_contents(string environment)
    {
        var sources = Enumerable.Range(1, Publishers).Select(i => _project.MakeArtifact($"{environment}-src{i}", files: 4, bytesEach: 60_000, seed: i)).ToList();
        var registry = _project.Registry(_client);
        using var reader = new WatchingReader(registry, "m", environment);
        var workers = sources.Select(s => Worker.Project(_project, "publish", "m", environment, s, "--meta", "src=" + s)).ToList();
        try
        {
            var claimed = new List<int>();
            foreach (var worker in workers)
            {
                claimed.Add(int.Parse(await worker.SucceedAsync()));
            }

            Assert.Equal(Enumerable.Range(1, Publishers), claimed.OrderBy(n => n));
            var versions = StoreCheck.AssertConsistent(registry, "m", environment, v => v.Metadata["src"]);
            Assert.Equal(Enumerable.Range(1, Publishers), versions.Select(v => v.Version));
            Assert.Equal(sources.OrderBy(s => s), versions.Select(v => v.Metadata["src"]).OrderBy(s => s));
            Assert.Equal(Publishers, versions.Select(v => v.ContentHash).Distinct().Count());
            reader.Stop();
            Assert.True(reader.Checked > 0, "the reader saw versions while the publishers ran");
            if (environment == "test")
            {
                Assert.Empty(Directory.GetDirectories(Path.Combine(_project.LocalStorePath("test"), ".staging")));
            }
            else
            {
                Assert.Empty(StoreCheck.Unfinished(_cdf, _project.CdfDirectory));
            }

            LeakCheck.AssertNoSecret(_cdf, workers.Select(w => w.AllOutput), _project.Root);
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public async Task Sixteen_promoters_in_separate_processes_move_sixteen_versions_from_the_local_store_into_CDF_with_lineage()
    {
        var registry = _project.Registry(_client);
        var sources = new Dictionary<string, string>();
        for (var i = 1; i <= Publishers; i++)
        {
            var source = _project.MakeArtifact($"promote-src{i}", files: 3, bytesEach: 40_000, seed: 100 + i);
            var version = registry.Publish("n", "test", source, null, Diagnostics.NullReporter.Instance, default);
            sources[version.ModelId] = source;
        }

        using var reader = new WatchingReader(registry, "n", "cloud");
        var workers = Enumerable.Range(1, Publishers).Select(i => Worker.Project(_project, "promote", "n", "test", i.ToString(), "cloud")).ToList();
        try
        {
            foreach (var worker in workers)
            {
                await worker.SucceedAsync();
            }

            var promoted = StoreCheck.AssertConsistent(registry, "n", "cloud", v => sources[v.PromotedFrom!]);
            Assert.Equal(Enumerable.Range(1, Publishers), promoted.Select(v => v.Version));
            Assert.Equal(sources.Keys.OrderBy(k => k), promoted.Select(v => v.PromotedFrom!).OrderBy(k => k));
            foreach (var version in promoted)
            {
                Assert.Equal(registry.FindOne("n", "test", ModelVersionId.Parse(version.PromotedFrom!).Version)!.ContentHash, version.ContentHash);
            }

            reader.Stop();
            Assert.Empty(StoreCheck.Unfinished(_cdf, _project.CdfDirectory));
            LeakCheck.AssertNoSecret(_cdf, workers.Select(w => w.AllOutput), _project.Root);
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public async Task A_slow_upload_keeps_its_claim_when_every_publishers_clock_runs_two_hours_ahead_of_CDFs()
    {
        // CDF's clock two hours behind this machine's: by a publisher's own clock every claim looks two hours old (past the
        // hour after which claims used to count as abandoned). The first upload is slowed; a second publisher runs meanwhile.
        _cdf.Clock.Advance(TimeSpan.FromHours(-2));
        _cdf.Faults.Script("PUT /upload/*", FaultAction.Slow(TimeSpan.FromSeconds(6)));
        var registry = _project.Registry(_client);
        var slowSource = _project.MakeArtifact("slow", files: 2, bytesEach: 40_000, seed: 1);
        var fastSource = _project.MakeArtifact("fast", files: 2, bytesEach: 40_000, seed: 2);
        using var slow = Worker.Project(_project, "publish", "m", "cloud", slowSource, "--meta", "src=" + slowSource);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (_cdf.Files.Find(_cdf.Project, "m/cloud/1") == null)
        {
            Assert.True(DateTime.UtcNow < deadline, "The first publisher did not claim: " + slow.AllOutput);
            await Task.Delay(20);
        }

        using var fast = Worker.Project(_project, "publish", "m", "cloud", fastSource, "--meta", "src=" + fastSource);
        Assert.Equal("2", await fast.SucceedAsync());
        Assert.Equal("1", await slow.SucceedAsync());
        var versions = StoreCheck.AssertConsistent(registry, "m", "cloud", v => v.Metadata["src"]);
        Assert.Equal(new[] { slowSource, fastSource }, versions.Select(v => v.Metadata["src"]));
        Assert.Empty(StoreCheck.Unfinished(_cdf, _project.CdfDirectory));
    }

    /// <summary>Lists the store in a loop while writers run; every version it sees must already be complete and intact.</summary>
    private sealed class WatchingReader : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly HashSet<int> _seen = [];

        public WatchingReader(ProjectRegistry registry, string model, string environment)
        {
            _loop = Task.Run(async () =>
            {
                var store = registry.For(environment);
                while (!_stop.IsCancellationRequested)
                {
                    foreach (var version in store.ListVersions(model, environment))
                    {
                        if (_seen.Add(version.Version))
                        {
                            StoreCheck.AssertIntact(registry, version, null);
                        }
                    }

                    await Task.Delay(25);
                }
            });
        }

        public int Checked => _seen.Count;

        public void Stop()
        {
            _stop.Cancel();
            _loop.GetAwaiter().GetResult();
        }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
            }
        }
    }
}
