using System.IO.Compression;
using System.Security.Cryptography;
using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Core.Tests.Cdf;
using MlOps.Diagnostics;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Streams;
using Xunit;

namespace MlOps.Core.Tests.Registry;

/// <summary>The CDF Files store on the emulator: faults, abandoned claims, and registries written by akerbp.mlops.</summary>
[Trait("Tier", "Integration")]
public sealed class CdfFilesRegistryTests : IAsyncLifetime
{
    private readonly TempProject _project = new();
    private CdfEmulatorServer _cdf = null!;
    private CdfClient _client = null!;

    public async Task InitializeAsync()
    {
        _cdf = await CdfTestSetup.StartAsync(pageSize: 4, uploadedDelay: TimeSpan.FromMilliseconds(10));
        _client = CdfTestSetup.Client(_cdf);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _cdf.DisposeAsync();
        _project.Dispose();
    }

    private CdfFilesRegistry Store(TimeSpan? staleClaimAge = null) => new(_client.Files, _cdf.ApiUrl(_cdf.Project), new CdfStoreOptions
    {
        TempFolder = Path.Combine(_project.Root, "tmp"),
        TransientDelay = TimeSpan.FromMilliseconds(5),
        TransientAttempts = 10,
        StaleClaimAge = staleClaimAge ?? TimeSpan.FromHours(1),
        ClaimHeartbeat = TimeSpan.FromMilliseconds(100),
    });

    /// <summary>A source whose reading (after the claim, on the streamed path) waits at a gate: a publisher stuck mid-upload.</summary>
    private sealed class Gated(FolderArtifactSource inner) : IArtifactSource
    {
        public ManualResetEventSlim Reading { get; } = new();

        public ManualResetEventSlim Open { get; } = new();

        public string Description => inner.Description;

        public IReadOnlyList<ArtifactFile> Files => inner.Files;

        public string? GetLocalPath(ArtifactFile file) => inner.GetLocalPath(file);

        public IEnumerable<(ArtifactFile File, Stream Content)> ReadFiles(CancellationToken cancellationToken)
        {
            Reading.Set();
            Open.Wait(cancellationToken);
            return inner.ReadFiles(cancellationToken);
        }
    }

    private static byte[] Stored(CdfFilesRegistry store, ModelVersion version, string path)
    {
        using var files = (TemporaryArtifactFolder)store.OpenArtifacts(version);
        return File.ReadAllBytes(Path.Combine(files.Path, path));
    }

    [Fact]
    public async Task A_live_claim_is_kept_however_long_its_upload_takes_when_every_publishers_clock_runs_hours_ahead_of_CDFs()
    {
        _cdf.Clock.Advance(TimeSpan.FromHours(-2));     // CDF's timestamps are two hours behind every clock on this machine
        var slow = new Gated(FolderArtifactSource.Open(_project.MakeArtifact("slow", files: 2, bytesEach: 50_000, seed: 1)));
        var first = Task.Run(() => Store(staleClaimAge: TimeSpan.FromMinutes(30)).Publish("m", "test", slow, new Dictionary<string, string>(), null,
            NullReporter.Instance, default));
        Assert.True(slow.Reading.Wait(TimeSpan.FromSeconds(30)), "the first publish did not claim");
        var claim = _cdf.Files.Find(_cdf.Project, "m/test/1")!;
        Assert.Equal("uploading", claim.Metadata!["mlops_state"]);

        // Another publisher meanwhile: by its own clock the claim is two hours old; by CDF's it was touched moments ago.
        var reporter = new RecordingReporter();
        var secondSource = _project.MakeArtifact("second", files: 1, seed: 2);
        var second = Store(staleClaimAge: TimeSpan.FromMinutes(30)).Publish("m", "test", FolderArtifactSource.Open(secondSource),
            new Dictionary<string, string>(), null, reporter, default);
        Assert.Equal(2, second.Version);
        Assert.DoesNotContain(reporter.Warnings, w => w.Contains("m/test/1", StringComparison.Ordinal));
        Assert.Equal(claim.Id, _cdf.Files.Find(_cdf.Project, "m/test/1")!.Id);
        // The stuck publisher keeps touching its claim (every 100 ms here): CDF's lastUpdatedTime moves.
        var beat = System.Diagnostics.Stopwatch.StartNew();
        while (_cdf.Files.Find(_cdf.Project, "m/test/1")!.LastUpdatedTime <= claim.LastUpdatedTime && beat.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
        }

        Assert.True(_cdf.Files.Find(_cdf.Project, "m/test/1")!.LastUpdatedTime > claim.LastUpdatedTime, "the claim's heartbeat did not reach CDF");

        slow.Open.Set();
        var firstVersion = await first;
        Assert.Equal(1, firstVersion.Version);
        var store = Store();
        Assert.Equal(new[] { 1, 2 }, store.ListVersions("m", "test").Select(v => v.Version));
        Assert.Equal(File.ReadAllBytes(Path.Combine(slow.Description, "info.json")), Stored(store, firstVersion, "info.json"));
        Assert.False(_cdf.Files.Find(_cdf.Project, "m/test/1")!.Metadata!.ContainsKey("mlops_heartbeat"));
    }

    [Fact]
    public async Task A_claim_without_heartbeat_is_removed_once_CDFs_own_times_show_it_silent_for_the_stale_age()
    {
        // A publisher that died after claiming version 1: its claim is never touched again.
        await _client.Files.CreateAsync(new FileCreate
        {
            ExternalId = "m/test/1", Name = "m-test-1.tar.gz", Directory = "/mlops",
            Metadata = new Dictionary<string, string> { ["version"] = "1", ["mlops_state"] = "uploading" },
        });
        var artifact = _project.MakeArtifact("art");

        var reporter = new RecordingReporter();
        Assert.Equal(2, Store(staleClaimAge: TimeSpan.FromMinutes(10)).Publish("m", "test", FolderArtifactSource.Open(artifact),
            new Dictionary<string, string>(), null, reporter, default).Version);
        Assert.Empty(reporter.Warnings);                 // silent for seconds only, by CDF's clock
        Assert.NotNull(_cdf.Files.Find(_cdf.Project, "m/test/1"));

        _cdf.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(3, Store(staleClaimAge: TimeSpan.FromMinutes(10)).Publish("m", "test", FolderArtifactSource.Open(artifact),
            new Dictionary<string, string>(), null, reporter, default).Version);
        Assert.Contains(reporter.Warnings, w => w.Contains("m/test/1", StringComparison.Ordinal) && w.Contains("no heartbeat", StringComparison.Ordinal));
        Assert.Null(_cdf.Files.Find(_cdf.Project, "m/test/1"));
    }

    [Fact]
    public async Task A_publisher_whose_claim_was_taken_away_completes_and_deletes_nothing_of_the_publisher_that_took_its_number()
    {
        var slow = new Gated(FolderArtifactSource.Open(_project.MakeArtifact("slow", files: 2, bytesEach: 50_000, seed: 1)));
        var first = Task.Run(() => Store().Publish("m", "test", slow, new Dictionary<string, string>(), null, NullReporter.Instance, default));
        Assert.True(slow.Reading.Wait(TimeSpan.FromSeconds(30)), "the first publish did not claim");

        // Its claim is removed (as an over-eager clean-up would) and another publisher takes number 1 and completes it.
        await _client.Files.DeleteAsync([Identity.Create(_cdf.Files.Find(_cdf.Project, "m/test/1")!.Id)]);
        var otherSource = _project.MakeArtifact("other", files: 1, seed: 3);
        var other = Store().Publish("m", "test", FolderArtifactSource.Open(otherSource), new Dictionary<string, string>(), null, NullReporter.Instance, default);
        Assert.Equal(1, other.Version);

        slow.Open.Set();
        var failed = await Assert.ThrowsAsync<MlOpsException>(() => first);
        Assert.NotEqual(ErrorIds.ContentHashMismatch, failed.ErrorId);

        // The number's file is the other publisher's, complete, with its own hash over its own bytes.
        var store = Store();
        var listed = Assert.Single(store.ListVersions("m", "test"));
        Assert.Equal(other.ContentHash, listed.ContentHash);
        Assert.Equal(File.ReadAllBytes(Path.Combine(otherSource, "info.json")), Stored(store, listed, "info.json"));
    }

    [Fact]
    public async Task Eight_publishers_under_a_20_percent_fault_rate_produce_versions_1_to_8_intact()
    {
        foreach (var route in new[] { "POST /files", "POST /files/list", "POST /files/byids", "POST /files/update", "POST /files/delete" })
        {
            _cdf.Faults.Random(route, 0.2, seed: route.Length, FaultAction.TooManyRequests(0), FaultAction.ServiceUnavailable(),
                FaultAction.Status(500), FaultAction.Slow(TimeSpan.FromMilliseconds(200)), FaultAction.FailAfterCommit(503));
        }

        _cdf.Faults.Random("PUT /upload/*", 0.2, seed: 7, FaultAction.ServiceUnavailable(), FaultAction.DropConnection(10_000));
        var sources = Enumerable.Range(1, 8).Select(i => _project.MakeArtifact($"src{i}", files: 3, bytesEach: 40_000, seed: i)).ToList();
        var published = await Task.WhenAll(sources.Select(s => Task.Run(() =>
            Store().Publish("faulty", "test", FolderArtifactSource.Open(s), new Dictionary<string, string> { ["source"] = s }, null,
                NullReporter.Instance, default))));

        Assert.True(_cdf.Faults.Injected > 0, "faults were injected");
        _cdf.Faults.Enabled = false;
        var store = Store();
        var versions = store.ListVersions("faulty", "test").ToList();
        Assert.Equal(Enumerable.Range(1, 8), versions.Select(v => v.Version));
        Assert.Equal(Enumerable.Range(1, 8), published.Select(v => v.Version).OrderBy(n => n));
        Assert.DoesNotContain(_cdf.Files.All(_cdf.Project), f => f.ExternalId!.StartsWith("faulty/") && (!f.HasContent || f.Metadata!.ContainsKey("mlops_state")));
        foreach (var version in versions)
        {
            var source = version.Metadata["source"];
            using var files = (TemporaryArtifactFolder)store.OpenArtifacts(version);
            foreach (var file in files.Files)
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(source, file.Path)), File.ReadAllBytes(Path.Combine(files.Path, file.Path)));
            }
        }
    }

    [Fact]
    public void A_failed_upload_leaves_no_version_and_frees_its_number()
    {
        _cdf.Faults.Always("PUT /upload/*", FaultAction.ServiceUnavailable());
        var artifact = _project.MakeArtifact("art");
        var error = Assert.Throws<MlOpsException>(() => Store().Publish("m", "test", FolderArtifactSource.Open(artifact),
            new Dictionary<string, string>(), null, NullReporter.Instance, default));
        Assert.Equal(CdfErrorIds.CdfServiceUnavailable, error.ErrorId);
        Assert.Empty(_cdf.Files.All(_cdf.Project));

        _cdf.Faults.Clear();
        Assert.Equal(1, Store().Publish("m", "test", FolderArtifactSource.Open(artifact), new Dictionary<string, string>(), null,
            NullReporter.Instance, default).Version);
    }

    [Fact]
    public void A_publish_whose_completing_update_failed_in_transit_but_took_effect_reports_its_version()
    {
        // Found by the resilience suite: the answer to the update that completes a version was lost (503 after the change
        // took effect) and the store gave up on it: the publish failed and deleted a version that readers could already
        // see, or (when that delete failed too) reported failure for a complete version, so a retry published it twice.
        var store = new CdfFilesRegistry(_client.Files, _cdf.ApiUrl(_cdf.Project), new CdfStoreOptions
        {
            TempFolder = Path.Combine(_project.Root, "tmp"), TransientDelay = TimeSpan.FromMilliseconds(5), TransientAttempts = 1,
        });
        _cdf.Faults.Script("POST /files/update", FaultAction.FailAfterCommit(503));
        var artifact = _project.MakeArtifact("art");
        var reporter = new RecordingReporter();

        var version = store.Publish("m", "test", FolderArtifactSource.Open(artifact), new Dictionary<string, string>(), null, reporter, default);

        Assert.Equal(1, version.Version);
        Assert.Contains(reporter.Messages.Concat(reporter.Warnings), m => m.Contains("took effect"));
        var file = Assert.Single(_cdf.Files.All(_cdf.Project));
        Assert.False(file.Metadata!.ContainsKey("mlops_state"));
        Assert.Equal(new[] { 1 }, Store().ListVersions("m", "test").Select(v => v.Version));
    }

    [Fact]
    public async Task An_abandoned_claim_is_invisible_and_removed_once_stale()
    {
        // A publisher that died after claiming version 1: metadata created, bytes never uploaded.
        await _client.Files.CreateAsync(new FileCreate
        {
            ExternalId = "m/test/1", Name = "m-test-1.tar.gz", Directory = "/mlops",
            Metadata = new Dictionary<string, string> { ["version"] = "1", ["mlops_state"] = "uploading" },
        });
        Assert.Equal(0, Store().GetLatestVersionNumber("m", "test"));
        Assert.Empty(Store().ListVersions("m", "test"));

        var artifact = _project.MakeArtifact("art");
        Assert.Equal(2, Store().Publish("m", "test", FolderArtifactSource.Open(artifact), new Dictionary<string, string>(), null,
            NullReporter.Instance, default).Version);

        var reporter = new RecordingReporter();
        var version = Store(staleClaimAge: TimeSpan.Zero).Publish("m", "test", FolderArtifactSource.Open(artifact), new Dictionary<string, string>(), null,
            reporter, default);
        Assert.Equal(3, version.Version);
        Assert.Contains(reporter.Warnings, w => w.Contains("m/test/1") && w.Contains("never completed"));
        Assert.Null(_cdf.Files.Find(_cdf.Project, "m/test/1"));
    }

    [Fact]
    public async Task Reads_a_registry_laid_out_by_akerbp_mlops()
    {
        // akerbp.mlops: shutil.make_archive(folder/archive, 'gztar', folder), uploaded as archive.tar.gz to /mlops with
        // external id model/env/N and metadata {"version": N, ...user metadata}.
        var python = PythonLocator.Find(null, _project.Root, new System.Collections.Hashtable());
        var artifact = _project.MakeArtifact("akerbp-artifact", files: 3, bytesEach: 5_000);
        var made = ProcessRunner.Run(python.Path, new[] { "-c",
            "import os, shutil, sys\nprint(shutil.make_archive(os.path.join(sys.argv[1], 'archive'), 'gztar', sys.argv[1]))", artifact },
            _project.Root, null, TimeSpan.FromMinutes(1), default);
        Assert.True(made.ExitCode == 0, made.Tail());
        var archive = made.Output.Trim();
        var copy = Path.Combine(_project.Root, "archive.tar.gz");
        File.Move(archive, copy);
        foreach (var (version, r2) in new[] { (1, "0.7"), (2, "0.8") })
        {
            await using var content = File.OpenRead(copy);
            await _client.Files.UploadAsync(new FileCreate
            {
                ExternalId = $"legacy/test/{version}", Name = "archive.tar.gz", Directory = "/mlops",
                Metadata = new Dictionary<string, string> { ["version"] = version.ToString(), ["r2"] = r2 },
            }, content);
        }

        // CDF marks an upload complete a moment after the bytes arrive.
        for (var wait = 0; wait < 100 && (await _client.Files.RetrieveAsync(new[] { Identity.Create("legacy/test/2") })).Single().Uploaded == false; wait++)
        {
            await Task.Delay(20);
        }

        var store = Store();
        Assert.Equal(new[] { "legacy" }, store.ListModels("test"));
        Assert.Equal(2, store.GetLatestVersionNumber("legacy", "test"));
        var latest = store.GetVersion("legacy", "test", 2)!;
        Assert.Equal("0.8", latest.Metadata["r2"]);
        Assert.False(latest.Metadata.ContainsKey("version"));
        Assert.Equal(string.Empty, latest.ContentHash);

        using var files = (TemporaryArtifactFolder)store.OpenArtifacts(latest);
        Assert.Equal(Directory.GetFiles(artifact, "*", SearchOption.AllDirectories).Length, files.Files.Count);
        foreach (var file in files.Files)
        {
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(artifact, file.Path)))), file.Sha256);
        }

        // And the next version MlOps publishes continues akerbp's numbering, in akerbp's layout.
        var next = store.Publish("legacy", "test", FolderArtifactSource.Open(artifact), new Dictionary<string, string> { ["r2"] = "0.9" }, null,
            NullReporter.Instance, default);
        Assert.Equal(3, next.Version);
        var stored = _cdf.Files.Find(_cdf.Project, "legacy/test/3")!;
        Assert.Equal("/mlops", stored.Directory);
        Assert.Equal("3", stored.Metadata!["version"]);
        Assert.Equal("0.9", stored.Metadata["r2"]);
        using var gzip = new GZipStream(new MemoryStream(stored.ReadContent()), CompressionMode.Decompress);
        Assert.Equal(files.Files.Count, new TarArchiveReader(gzip).ReadFiles().Count());
    }

    [Fact]
    public void A_tampered_archive_is_detected_on_download()
    {
        var artifact = _project.MakeArtifact("art");
        var version = Store().Publish("m", "test", FolderArtifactSource.Open(artifact), new Dictionary<string, string>(), null,
            NullReporter.Instance, default);
        var file = _cdf.Files.Find(_cdf.Project, "m/test/1")!;
        var bytes = file.ReadContent();
        using (var raw = new MemoryStream())
        {
            using (var gzip = new GZipStream(raw, CompressionLevel.Fastest, leaveOpen: true))
            using (var tar = new TarArchiveWriter(gzip))
            {
                tar.WriteFile("info.json", 5, new MemoryStream("{\"x\"}"u8.ToArray()));
            }

            File.WriteAllBytes(file.ContentPath!, raw.ToArray());
        }

        Assert.NotEqual(bytes, File.ReadAllBytes(file.ContentPath!));
        var error = Assert.Throws<MlOpsException>(() => Store().OpenArtifacts(version));
        Assert.Equal(ErrorIds.ContentHashMismatch, error.ErrorId);
    }

    [Fact]
    public async Task Large_archives_are_uploaded_in_parts()
    {
        await using var cdf = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions
        {
            Projects = ["parts"],
            Clients = [new EmulatorClient { ClientId = CdfTestSetup.ClientId, ClientSecret = CdfTestSetup.Secret }],
            MultipartMinPartBytes = 1024,
        });
        using var client = CdfTestSetup.Client(cdf);
        var store = new CdfFilesRegistry(client.Files, cdf.ApiUrl("parts"), new CdfStoreOptions
        {
            TempFolder = Path.Combine(_project.Root, "tmp"), MultipartThreshold = 64 * 1024, PartSize = 100 * 1024,
        });
        var artifact = _project.MakeArtifact("big", files: 3, bytesEach: 120_000);
        var version = store.Publish("m", "test", FolderArtifactSource.Open(artifact), new Dictionary<string, string>(), null,
            NullReporter.Instance, default);

        Assert.Contains(cdf.Requests.All, r => r.Path.EndsWith("/files/initmultipartupload"));
        Assert.Contains(cdf.Requests.All, r => r.Path.EndsWith("/files/completemultipartupload"));
        using var files = (TemporaryArtifactFolder)store.OpenArtifacts(version);
        foreach (var file in files.Files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(artifact, file.Path)), File.ReadAllBytes(Path.Combine(files.Path, file.Path)));
        }
    }

    [Fact]
    public void An_upload_dropped_mid_stream_is_generated_and_sent_again_from_the_start()
    {
        var artifact = _project.MakeArtifact("art", files: 3, bytesEach: 900_000);
        _cdf.Faults.Script("PUT /upload/*", FaultAction.DropConnection(300_000));
        var version = Publish(Store(), artifact);

        Assert.Equal(2, _cdf.Requests.All.Count(r => r.Method == "PUT"));
        Assert.Equal(1, _cdf.Faults.Injected);
        AssertSameFiles(artifact, version);
        Assert.Empty(Directory.GetFiles(Path.Combine(_project.Root, "tmp")));
    }

    [Fact]
    public void A_source_that_changes_between_attempts_is_stored_as_the_attempt_that_was_sent_hashed_it()
    {
        // The first attempt is dropped midway; the source then reads differently (same size, same modification time, as a
        // file rewritten behind our back). The stored archive must be the second reading, with the second reading's hashes.
        var artifact = _project.MakeArtifact("art", files: 3, bytesEach: 900_000);
        var source = new DifferentOnSecondReading(FolderArtifactSource.Open(artifact), "part1.bin");
        _cdf.Faults.Script("PUT /upload/*", FaultAction.DropConnection(1_500_000));
        var version = Store().Publish("m", "test", source, new Dictionary<string, string>(), null, NullReporter.Instance, default);

        Assert.Equal(2, source.Readings);
        using var files = (TemporaryArtifactFolder)Store().OpenArtifacts(Store().GetVersion("m", "test", version.Version)!);
        var stored = File.ReadAllBytes(Path.Combine(files.Path, "part1.bin"));
        Assert.Equal(DifferentOnSecondReading.Change(File.ReadAllBytes(Path.Combine(artifact, "part1.bin"))), stored);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), files.Files.Single(f => f.Path == "part1.bin").Sha256);
        Assert.Equal(version.ContentHash, ContentHash.Compute(files.Files));
    }

    [Fact]
    public async Task Parts_are_streamed_through_one_spool_file_at_a_time_and_a_failed_part_is_sent_again()
    {
        await using var cdf = await PartsEmulator();
        using var client = CdfTestSetup.Client(cdf);
        var store = PartsStore(client, cdf);
        var artifact = _project.MakeArtifact("big", files: 3, bytesEach: 120_000);
        cdf.Faults.Script("PUT /upload/*", FaultAction.Pass, FaultAction.DropConnection(50_000), FaultAction.ServiceUnavailable());
        var version = Publish(store, artifact);

        var parts = (int)Math.Ceiling(StoredGzipStream.LengthFor(ArchivePacker.TarLength(FolderArtifactSource.Open(artifact).Files)) / (100.0 * 1024));
        Assert.Equal(4, parts);
        Assert.Contains(cdf.Requests.All, r => r.Path.EndsWith("/files/initmultipartupload") && r.Query.Contains($"parts={parts}"));
        Assert.Equal(parts + 2, cdf.Requests.All.Count(r => r.Method == "PUT"));
        Assert.Equal(2, cdf.Faults.Injected);
        Assert.Empty(Directory.GetFiles(Path.Combine(_project.Root, "tmp")));
        AssertSameFiles(artifact, version, store);
    }

    [Fact]
    public async Task Compressible_artifacts_are_packed_with_gzip_then_uploaded_in_parts()
    {
        await using var cdf = await PartsEmulator();
        using var client = CdfTestSetup.Client(cdf);
        var store = PartsStore(client, cdf);
        var artifact = Path.Combine(_project.Root, "text");
        Directory.CreateDirectory(artifact);
        var random = new Random(4);
        var words = new[] { "alpha", "beta", "gamma", "delta", "weights", "layer", "bias", "0.125", "-3.5e-2", "\n" };
        for (var i = 0; i < 2; i++)
        {
            // Text of a few words in random order: shrinks to about a third, yet still takes several parts.
            File.WriteAllText(Path.Combine(artifact, $"vocab{i}.txt"), string.Join(" ", Enumerable.Range(0, 60_000).Select(_ => words[random.Next(words.Length)])));
        }

        var reporter = new RecordingReporter();
        var version = store.Publish("m", "test", FolderArtifactSource.Open(artifact), new Dictionary<string, string>(), null, reporter, default);

        Assert.Contains(reporter.Messages, v => v.Contains("gzip level Fastest"));
        var stored = cdf.Files.Find(cdf.Project, "m/test/1")!;
        var size = Directory.GetFiles(artifact).Sum(f => new FileInfo(f).Length);
        Assert.True(stored.ReadContent().Length < size * 0.8, $"the archive was compressed: {stored.ReadContent().Length} bytes for {size}");
        Assert.Contains(cdf.Requests.All, r => r.Path.EndsWith("/files/completemultipartupload"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_project.Root, "tmp")));
        AssertSameFiles(artifact, version, store);
    }

    [Fact]
    public async Task A_damaged_source_fails_the_publish_at_once_and_leaves_nothing()
    {
        var artifact = _project.MakeArtifact("art", files: 3, bytesEach: 900_000);
        var listed = FolderArtifactSource.ListFiles(artifact);
        var claimed = listed.Select(f => new ArtifactFile(f.Path, f.Length, f.Path == "part1.bin" ? new string('0', 64) : null)).ToList();
        var publish = Task.Run(() => Store().Publish("m", "test", FolderArtifactSource.Open(artifact, claimed), new Dictionary<string, string>(), null,
            NullReporter.Instance, default));

        Assert.Same(publish, await Task.WhenAny(publish, Task.Delay(TimeSpan.FromMinutes(1))));
        var error = await Assert.ThrowsAsync<MlOpsException>(() => publish);
        Assert.Equal(ErrorIds.ContentHashMismatch, error.ErrorId);
        Assert.True(_cdf.Requests.All.Count(r => r.Method == "PUT") <= 1, "a damaged source is not sent again");
        Assert.Empty(_cdf.Files.All(_cdf.Project));
    }

    private ModelVersion Publish(CdfFilesRegistry store, string artifact) =>
        store.Publish("m", "test", FolderArtifactSource.Open(artifact), new Dictionary<string, string>(), null, NullReporter.Instance, default);

    private void AssertSameFiles(string artifact, ModelVersion version, CdfFilesRegistry? store = null)
    {
        store ??= Store();
        using var files = (TemporaryArtifactFolder)store.OpenArtifacts(store.GetVersion(version.Name, version.Environment, version.Version)!);
        Assert.Equal(Directory.GetFiles(artifact, "*", SearchOption.AllDirectories).Length, files.Files.Count);
        foreach (var file in files.Files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(artifact, file.Path)), File.ReadAllBytes(Path.Combine(files.Path, file.Path)));
        }
    }

    private static Task<CdfEmulatorServer> PartsEmulator() => CdfEmulatorServer.StartAsync(new CdfEmulatorOptions
    {
        Projects = ["parts"],
        Clients = [new EmulatorClient { ClientId = CdfTestSetup.ClientId, ClientSecret = CdfTestSetup.Secret }],
        MultipartMinPartBytes = 1024,
    });

    private CdfFilesRegistry PartsStore(CdfClient client, CdfEmulatorServer cdf) => new(client.Files, cdf.ApiUrl("parts"), new CdfStoreOptions
    {
        TempFolder = Path.Combine(_project.Root, "tmp"), MultipartThreshold = 64 * 1024, PartSize = 100 * 1024,
        TransientDelay = TimeSpan.FromMilliseconds(5),
    });

    /// <summary>Reads <c>name</c> with other bytes (same length) from the second reading of the source on.</summary>
    private sealed class DifferentOnSecondReading(FolderArtifactSource inner, string name) : IArtifactSource
    {
        public int Readings { get; private set; }

        public string Description => inner.Description;

        public IReadOnlyList<ArtifactFile> Files => inner.Files;

        public string? GetLocalPath(ArtifactFile file) => inner.GetLocalPath(file);

        public static byte[] Change(byte[] bytes) => bytes.Select(b => (byte)~b).ToArray();

        public IEnumerable<(ArtifactFile File, Stream Content)> ReadFiles(CancellationToken cancellationToken)
        {
            Readings++;
            foreach (var (file, content) in inner.ReadFiles(cancellationToken))
            {
                if (Readings > 1 && file.Path == name)
                {
                    using var copy = new MemoryStream();
                    content.CopyTo(copy);
                    yield return (file, new MemoryStream(Change(copy.ToArray())));
                }
                else
                {
                    yield return (file, content);
                }
            }
        }
    }

    [Fact]
    public void A_linked_file_is_uploaded_as_its_target_and_what_was_left_out_is_in_the_metadata()
    {
        var artifact = _project.MakeArtifact("art", files: 2, bytesEach: 300_000);
        var blob = Path.Combine(_project.Root, "blobs", "weights");
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.WriteAllBytes(blob, RandomNumberGenerator.GetBytes(400_000));
        File.CreateSymbolicLink(Path.Combine(artifact, "weights.bin"), blob);
        File.WriteAllText(Path.Combine(artifact, ".env"), "x");
        Directory.CreateDirectory(Path.Combine(artifact, "__pycache__"));
        File.WriteAllText(Path.Combine(artifact, "__pycache__", "a.pyc"), "x");

        // Random bytes do not compress: the archive is streamed, its length computed from the listed sizes (the target's).
        var version = Store().Publish("m", "test", FolderArtifactSource.Open(artifact), new Dictionary<string, string>(), null, NullReporter.Instance, default);

        var file = Assert.Single(_cdf.Files.All(_cdf.Project));
        Assert.Equal("2\n.env\tdefault: .env\n__pycache__/\tdefault: __pycache__/", file.Metadata!["mlops_excluded"]);
        var read = Store().GetVersion("m", "test", version.Version)!;
        Assert.Equal(new[] { ".env (default: .env)", "__pycache__/ (default: __pycache__/)" }, read.Excluded.Select(e => e.ToString()));
        Assert.Equal("2", read.SystemMetadata["excluded"]);
        Assert.Empty(read.Metadata);
        var folder = Path.Combine(_project.Root, "unpacked");
        Store().SaveInto(version, folder, NullReporter.Instance, default);
        Assert.Equal(File.ReadAllBytes(blob), File.ReadAllBytes(Path.Combine(folder, "weights.bin")));
        Assert.False(File.Exists(Path.Combine(folder, ".env")));
    }

    [Fact]
    public void The_record_of_what_was_left_out_is_cut_to_what_the_metadata_limit_leaves()
    {
        var artifact = _project.MakeArtifact("art");
        for (var i = 0; i < 300; i++)
        {
            File.WriteAllText(Path.Combine(artifact, $"cache-{i:000}.pyc"), "x");
        }

        // The user's metadata takes most of CDF's 10240 bytes: the record shrinks, the publish goes on.
        var metadata = new Dictionary<string, string> { ["notes"] = new string('n', 9000) };
        var version = Store().Publish("m", "test", FolderArtifactSource.Open(artifact), metadata, null, NullReporter.Instance, default);

        var recorded = Assert.Single(_cdf.Files.All(_cdf.Project)).Metadata!["mlops_excluded"];
        Assert.StartsWith("300\n", recorded);
        Assert.True(recorded.Length < 1000, $"{recorded.Length} bytes");
        var read = Store().GetVersion("m", "test", version.Version)!;
        Assert.Equal("300", read.SystemMetadata["excluded"]);
        Assert.InRange(read.Excluded.Count, 1, 299);
        Assert.Equal("cache-000.pyc (default: *.pyc)", read.Excluded[0].ToString());
    }

    [Fact]
    public void A_download_unpacks_into_the_folder_with_progress_per_file_and_is_sent_again_after_a_failure()
    {
        var artifact = _project.MakeArtifact("art", files: 4, bytesEach: 300_000);
        var version = Store().Publish("m", "test", FolderArtifactSource.Open(artifact), new Dictionary<string, string>(), null, NullReporter.Instance, default);
        var reporter = new RecordingReporter();
        var (progress, messages) = (reporter.Progress, reporter.Messages);
        _cdf.Faults.Script("GET /download/*", FaultAction.ServiceUnavailable());
        var folder = Path.Combine(_project.Root, "unpacked");

        var files = Store().SaveInto(version, folder, reporter, default);

        Assert.Equal(1, _cdf.Faults.Injected);
        Assert.Equal(version.ContentHash, ContentHash.Compute(files));
        foreach (var file in files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(artifact, file.Path)), File.ReadAllBytes(Path.Combine(folder, file.Path)));
        }

        Assert.Equal(Directory.GetFiles(artifact, "*", SearchOption.AllDirectories).Length, Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Length);
        var running = progress.Where(p => !p.Completed).ToList();
        Assert.All(progress, p => Assert.Equal("Downloading m/test/1", p.Activity));
        Assert.Equal(files.Select(f => f.Path).Order(StringComparer.Ordinal), running.Select(p => p.CurrentOperation).Where(c => c != string.Empty).Distinct().Order(StringComparer.Ordinal));
        Assert.True(progress[^1].Completed);
        Assert.Contains(messages, m => m.StartsWith("Downloading m/test/1 from CDF Files (5 file(s), ", StringComparison.Ordinal));
    }
}
