using System.Security.Cryptography;
using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Core.Tests.Cdf;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.SourceControl;
using Xunit;

namespace MlOps.Core.Tests.Registry;

/// <summary>What every registry store must do; run against the local folder store and CDF Files on the emulator.</summary>
public abstract class RegistryContractTests : IAsyncLifetime
{
    protected readonly TempProject Project = new();

    protected abstract IModelRegistry Store { get; }

    public abstract Task InitializeAsync();

    public virtual Task DisposeAsync()
    {
        Project.Dispose();
        return Task.CompletedTask;
    }

    private ModelVersion Publish(string model, string env, string folder, Dictionary<string, string>? metadata = null, string? promotedFrom = null,
        SourceRevision? revision = null, int? number = null, int numberAbove = 0) =>
        Store.Publish(model, env, FolderArtifactSource.Open(folder), metadata ?? new Dictionary<string, string>(),
            new PublishOrigin(promotedFrom, revision, number, numberAbove), NullReporter.Instance, default);

    [Fact]
    public void Versions_count_up_per_model_with_metadata_and_hashes()
    {
        var artifact = Project.MakeArtifact("art", files: 4, bytesEach: 50_000);
        var v1 = Publish("m", "test", artifact, new Dictionary<string, string> { ["r2"] = "0.9" });
        var v2 = Publish("m", "test", artifact);
        var other = Publish("m", "prod", artifact, promotedFrom: "m/test/2", number: 2);
        var otherModel = Publish("n", "test", artifact);

        Assert.Equal((1, 2, 2, 1), (v1.Version, v2.Version, other.Version, otherModel.Version));
        Assert.Equal("0.9", v1.Metadata["r2"]);
        Assert.Empty(v2.Metadata);
        Assert.Equal(v1.ContentHash, v2.ContentHash);
        Assert.StartsWith("sha256:", v1.ContentHash);
        Assert.Equal(5, v1.FileCount);
        Assert.Equal(Directory.GetFiles(artifact, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length), v1.Size);
        Assert.Equal("m/test/2", other.PromotedFrom);
        Assert.Equal(2, Store.GetLatestVersionNumber("m", "test"));
        Assert.Equal(new[] { 1, 2 }, Store.ListVersions("m", "test").Select(v => v.Version));
        Assert.Equal("0.9", Store.GetVersion("m", "test", 1)!.Metadata["r2"]);
        Assert.Null(Store.GetVersion("m", "test", 3));
        Assert.Equal(new[] { "m" }, Store.ListModels("prod"));
        Assert.Empty(Store.ListModels("dev"));
    }

    [Fact]
    public void Reads_stop_when_the_command_is_cancelled()
    {
        Publish("m", "test", Project.MakeArtifact("cancel", files: 1));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Store.ListVersions("m", "test", cancellationToken: cancelled.Token).ToList());
        Assert.ThrowsAny<OperationCanceledException>(() => Store.GetVersion("m", "test", 1, cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => Store.GetLatestVersionNumber("m", "test", cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => Store.ListModels("test", cancelled.Token));
        var version = Store.GetVersion("m", "test", 1)!;
        Assert.ThrowsAny<OperationCanceledException>(() => Store.OpenArtifacts(version, cancelled.Token));
        Assert.Equal(1, Store.GetVersion("m", "test", 1)!.Version);
    }

    [Fact]
    public void A_new_artifact_takes_a_number_above_every_environment_and_a_promotion_keeps_its_number()
    {
        var artifact = Project.MakeArtifact("art");
        Publish("m", "dev", artifact);
        Publish("m", "dev", artifact);
        var promoted = Publish("m", "test", artifact, promotedFrom: "m/dev/2", number: 2);
        var direct = Publish("m", "prod", Project.MakeArtifact("other", seed: 9));
        var low = Publish("m", "prod", artifact, promotedFrom: "m/test/2", number: 2);
        var above = Publish("m", "dev", artifact, numberAbove: 10);

        Assert.Equal((2, 3, 2, 11), (promoted.Version, direct.Version, low.Version, above.Version));
        Assert.Equal(11, Store.GetHighestVersionNumber("m"));
        Assert.Equal(3, Store.GetLatestVersionNumber("m", "prod"));
        Assert.Equal(new[] { 2, 3 }, Store.ListVersions("m", "prod").Select(v => v.Version));
        Assert.Equal(11, Store.GetLatestVersionNumber("m", "dev"));
        Assert.Equal(new[] { 1, 2, 11 }, Store.ListVersions("m", "dev").Select(v => v.Version));
        Assert.Equal(0, Store.GetHighestVersionNumber("unknown"));
    }

    [Fact]
    public void A_promotion_to_a_number_that_is_taken_stores_nothing_and_names_the_version_there()
    {
        var artifact = Project.MakeArtifact("art");
        var first = Publish("m", "prod", artifact, number: 4);
        var taken = Assert.Throws<VersionNumberTakenException>(() => Publish("m", "prod", Project.MakeArtifact("other", seed: 3), number: 4));

        Assert.Equal(ErrorIds.PromotionConflict, taken.ErrorId);
        Assert.Equal(first.ContentHash, taken.Existing.ContentHash);
        Assert.Equal(new[] { 4 }, Store.ListVersions("m", "prod").Select(v => v.Version));
        Assert.Equal(4, Store.GetLatestVersionNumber("m", "prod"));
    }

    [Fact]
    public async Task Concurrent_promotions_to_one_number_store_it_once()
    {
        var artifact = Project.MakeArtifact("art", files: 2, bytesEach: 30_000);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            try
            {
                return Publish("m", "prod", artifact, promotedFrom: "m/test/3", number: 3).ContentHash;
            }
            catch (VersionNumberTakenException e)
            {
                return e.Existing.ContentHash;
            }
        })));

        Assert.Single(Store.ListVersions("m", "prod"));
        Assert.Single(outcomes.Distinct());
        Assert.Equal(3, Store.GetLatestVersionNumber("m", "prod"));
    }

    [Fact]
    public void The_git_revision_a_version_was_made_from_is_stored_and_read_back()
    {
        var artifact = Project.MakeArtifact("art");
        var commit = new string('a', 20) + new string('3', 20);
        var published = Publish("m", "test", artifact, revision: new SourceRevision(commit, "feature/x", isDirty: true));
        var clean = Publish("m", "test", artifact, revision: new SourceRevision(commit, null, isDirty: false));
        var none = Publish("m", "test", artifact);

        foreach (var version in new[] { published, Store.GetVersion("m", "test", 1)!, Store.ListVersions("m", "test").First() })
        {
            Assert.Equal(commit, version.Revision!.Commit);
            Assert.Equal("feature/x", version.Revision.Branch);
            Assert.True(version.Revision.IsDirty);
            Assert.Equal(commit, version.SystemMetadata["gitCommit"]);
            Assert.Equal("true", version.SystemMetadata["gitDirty"]);
            Assert.Empty(version.Metadata);
        }

        var readClean = Store.GetVersion("m", "test", clean.Version)!.Revision!;
        Assert.Equal((commit, null, false), (readClean.Commit, readClean.Branch, readClean.IsDirty));
        Assert.Equal("aaaaaaaaaa", readClean.ShortText);
        Assert.Null(Store.GetVersion("m", "test", none.Version)!.Revision);
        Assert.False(Store.GetVersion("m", "test", none.Version)!.SystemMetadata.ContainsKey("gitCommit"));
    }

    [Fact]
    public void Stored_files_come_back_byte_for_byte_with_their_hashes()
    {
        var artifact = Project.MakeArtifact("art", files: 3, bytesEach: 300_000, seed: 5);
        var version = Publish("m", "test", artifact);
        AssertComesBack(version, artifact, Directory.GetFiles(artifact, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void Reserved_or_oversized_metadata_is_refused_before_anything_is_stored()
    {
        var artifact = Project.MakeArtifact("art");
        Assert.Equal(ErrorIds.InvalidMetadata, Assert.Throws<MlOpsException>(() =>
            Publish("m", "test", artifact, new Dictionary<string, string> { ["version"] = "9" })).ErrorId);
        var error = Assert.Throws<MlOpsException>(() =>
            Publish("m", "test", artifact, new Dictionary<string, string> { ["notes"] = new string('x', 10_300) }));
        Assert.Equal(ErrorIds.InvalidMetadata, error.ErrorId);
        Assert.Equal("notes", error.Target);
        Assert.Equal(0, Store.GetLatestVersionNumber("m", "test"));
    }

    [Fact]
    public void Large_files_come_back_byte_for_byte_with_their_hashes()
    {
        // Larger than the copy and upload buffers, and not a multiple of any block size: the pipelined paths.
        var artifact = Path.Combine(Project.Root, "large");
        Directory.CreateDirectory(Path.Combine(artifact, "weights"));
        File.WriteAllBytes(Path.Combine(artifact, "weights", "model.bin"), RandomBytes((5 << 20) + 12_345, 11));
        File.WriteAllBytes(Path.Combine(artifact, "head.bin"), RandomBytes(600_001, 12));
        File.WriteAllBytes(Path.Combine(artifact, "empty.txt"), Array.Empty<byte>());
        var version = Publish("m", "test", artifact);

        AssertComesBack(version, artifact, 3);
    }

    /// <summary>The stored version read back: <paramref name="files"/> files, each byte for byte the artifact's, with its SHA-256, and the content hash.</summary>
    private void AssertComesBack(ModelVersion version, string artifact, int files)
    {
        var source = Store.OpenArtifacts(Store.GetVersion("m", "test", version.Version)!);
        try
        {
            Assert.Equal(files, source.Files.Count);
            foreach (var (file, content) in source.ReadFiles(default))
            {
                using var copy = new MemoryStream();
                content.CopyTo(copy);
                var original = File.ReadAllBytes(Path.Combine(artifact, file.Path));
                Assert.Equal(original, copy.ToArray());
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(original)), file.Sha256);
            }

            Assert.Equal(version.ContentHash, ContentHash.Compute(source.Files));
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void A_source_file_that_changes_while_it_is_read_is_refused_and_nothing_is_stored()
    {
        var artifact = Project.MakeArtifact("art", files: 3, bytesEach: 700_000);
        var source = new ChangingWhileRead(FolderArtifactSource.Open(artifact), "part1.bin");
        var error = Assert.Throws<MlOpsException>(() =>
            Store.Publish("m", "test", source, new Dictionary<string, string>(), null, NullReporter.Instance, default));

        Assert.Equal(ErrorIds.ContentHashMismatch, error.ErrorId);
        Assert.Contains("part1.bin", error.Message);
        Assert.Equal(0, Store.GetLatestVersionNumber("m", "test"));
        Assert.Empty(Store.ListVersions("m", "test"));
    }

    protected static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A folder whose file <c>name</c> is written to (its modification time moves) after its first bytes were read.</summary>
    private sealed class ChangingWhileRead(FolderArtifactSource inner, string name) : IArtifactSource
    {
        public string Description => inner.Description;

        public IReadOnlyList<ArtifactFile> Files => inner.Files;

        public string? GetLocalPath(ArtifactFile file) => inner.GetLocalPath(file);

        public IEnumerable<(ArtifactFile File, Stream Content)> ReadFiles(CancellationToken cancellationToken)
        {
            foreach (var (file, content) in inner.ReadFiles(cancellationToken))
            {
                yield return (file, file.Path == name ? new TouchAfterFirstRead(content, GetLocalPath(file)!) : content);
            }
        }
    }

    private sealed class TouchAfterFirstRead(Stream inner, string path) : Stream
    {
        private bool _touched;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            if (!_touched)
            {
                _touched = true;
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(5));
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Concurrent_publishers_get_distinct_numbers_without_gaps()
    {
        var sources = Enumerable.Range(1, 8).Select(i => Project.MakeArtifact($"src{i}", files: 2, bytesEach: 20_000, seed: i)).ToList();
        var published = await Task.WhenAll(sources.Select(s => Task.Run(() => Publish("race", "test", s))));
        Assert.Equal(Enumerable.Range(1, 8), published.Select(v => v.Version).OrderBy(n => n));
        Assert.Equal(8, Store.ListVersions("race", "test").Select(v => v.ContentHash).Distinct().Count());
    }
}

public sealed class LocalRegistryContractTests : RegistryContractTests
{
    private LocalFolderRegistry? _store;

    protected override IModelRegistry Store => _store!;

    public override Task InitializeAsync()
    {
        _store = new LocalFolderRegistry(Project.RegistryPath);
        return Task.CompletedTask;
    }
}

[Trait("Tier", "Integration")]
public class CdfRegistryContractTests : RegistryContractTests
{
    /// <summary>Upload URLs without a host, as CDF answers projects reached through Private Link.</summary>
    protected virtual bool RelativeUploadUrls => false;

    private CdfEmulatorServer? _cdf;
    private CdfClient? _client;
    private CdfFilesRegistry? _store;

    protected override IModelRegistry Store => _store!;

    public override async Task InitializeAsync()
    {
        _cdf = await CdfTestSetup.StartAsync(pageSize: 3, uploadedDelay: TimeSpan.FromMilliseconds(20), relativeUploadUrls: RelativeUploadUrls);
        _client = CdfTestSetup.Client(_cdf);
        _store = new CdfFilesRegistry(_client.Files, _cdf.ApiUrl(_cdf.Project), new CdfStoreOptions
        {
            TempFolder = Path.Combine(Project.Root, "tmp"),
            TransientDelay = TimeSpan.FromMilliseconds(5),
        });
    }

    public override async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_cdf != null)
        {
            await _cdf.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

/// <summary>The contract on a CDF project reached through Private Link: every upload URL is a path on the base URL.</summary>
[Trait("Tier", "Integration")]
public sealed class CdfPrivateLinkRegistryContractTests : CdfRegistryContractTests
{
    protected override bool RelativeUploadUrls => true;
}
