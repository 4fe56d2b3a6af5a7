using System.Security.Cryptography;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Registry;

public class LocalFolderRegistryTests
{
    private static ProjectRegistry Open(TempProject project) =>
        new(SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment));

    private static string Sha(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    [Fact]
    public void Publish_numbers_versions_per_model_above_every_environment_and_records_everything()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var artifact = project.MakeArtifact("artifacts/trained");

        var v1 = registry.Publish("diabetes", "test", artifact, new Dictionary<string, string> { ["r2"] = "0.91", ["commit"] = "abc" },
            NullReporter.Instance, default);
        var v2 = registry.Publish("diabetes", "test", artifact, null, NullReporter.Instance, default);
        var p1 = registry.Publish("diabetes", "prod", artifact, null, NullReporter.Instance, default);

        // A new artifact's number is above every number of the model, so that prod/3 can never be another artifact than test/3.
        Assert.Equal((1, 2, 3), (v1.Version, v2.Version, p1.Version));
        Assert.Equal("diabetes/test/1", v1.ModelId);
        Assert.Equal("0.91", v1.Metadata["r2"]);
        Assert.Equal(4, v1.FileCount);
        Assert.Equal(3 * 10_000 + new FileInfo(Path.Combine(artifact, "info.json")).Length, v1.Size);
        Assert.Equal(v1.ContentHash, v2.ContentHash);
        Assert.StartsWith("sha256:", v1.ContentHash);
        Assert.Equal("1", v1.SystemMetadata["version"]);
        Assert.Equal("test", v1.SystemMetadata["environment"]);
        Assert.Equal(v1.ContentHash, v1.SystemMetadata["contentHash"]);
        Assert.Equal(artifact, v1.SystemMetadata["source"]);
        Assert.False(string.IsNullOrEmpty(v1.CreatedBy));
        Assert.True(DateTimeOffset.UtcNow - v1.CreatedTime < TimeSpan.FromMinutes(1));

        foreach (var file in v1.Files)
        {
            var stored = Path.Combine(v1.Location, "files", file.Path);
            Assert.Equal(Sha(Path.Combine(artifact, file.Path)), file.Sha256);
            Assert.Equal(file.Sha256, Sha(stored));
            Assert.True(new FileInfo(stored).IsReadOnly, "stored files are read-only");
        }

        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(project.RegistryPath, ".staging")));
    }

    [Fact]
    public void Content_hash_depends_on_bytes_and_names()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var a = registry.Publish("diabetes", "test", project.MakeArtifact("a", seed: 1), null, NullReporter.Instance, default);
        var b = registry.Publish("diabetes", "test", project.MakeArtifact("b", seed: 2), null, NullReporter.Instance, default);
        Assert.NotEqual(a.ContentHash, b.ContentHash);
    }

    [Fact]
    public void Bad_input_fails_clearly_and_stores_nothing()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var artifact = project.MakeArtifact("art");
        Directory.CreateDirectory(Path.Combine(project.Root, "empty"));

        Assert.Equal(ErrorIds.ArtifactPathNotFound, Assert.Throws<MlOpsException>(() =>
            registry.Publish("diabetes", "test", Path.Combine(project.Root, "nowhere"), null, NullReporter.Instance, default)).ErrorId);
        Assert.Equal(ErrorIds.EmptyArtifactFolder, Assert.Throws<MlOpsException>(() =>
            registry.Publish("diabetes", "test", Path.Combine(project.Root, "empty"), null, NullReporter.Instance, default)).ErrorId);
        var aFile = Path.Combine(artifact, "info.json");
        var notAFolder = Assert.Throws<MlOpsException>(() => registry.Publish("diabetes", "test", aFile, null, NullReporter.Instance, default));
        Assert.Equal(ErrorIds.InvalidArtifactFolder, notAFolder.ErrorId);
        Assert.Contains("is a file, not a folder", notAFolder.Message);
        var holdsRegistry = Assert.Throws<MlOpsException>(() => registry.Publish("diabetes", "test", project.Root, null, NullReporter.Instance, default));
        Assert.Equal(ErrorIds.InvalidArtifactFolder, holdsRegistry.ErrorId);
        Assert.Contains("holds the dev registry", holdsRegistry.Message);
        var first = registry.Publish("diabetes", "prod", artifact, null, NullReporter.Instance, default);
        var insideRegistry = Assert.Throws<MlOpsException>(() => registry.Publish("diabetes", "test", first.Location, null, NullReporter.Instance, default));
        Assert.Equal(ErrorIds.InvalidArtifactFolder, insideRegistry.ErrorId);
        Assert.Contains("lies inside the", insideRegistry.Message);
        Assert.Equal(first.Version, registry.For("prod").GetLatestVersionNumber("diabetes", "prod"));
        Assert.Equal(ErrorIds.ModelNotFound, Assert.Throws<MlOpsException>(() =>
            registry.Publish("other", "test", artifact, null, NullReporter.Instance, default)).ErrorId);
        Assert.Equal(ErrorIds.InvalidModelName, Assert.Throws<MlOpsException>(() =>
            registry.Publish("bad/name", "test", artifact, null, NullReporter.Instance, default)).ErrorId);
        Assert.Equal(ErrorIds.EnvironmentNotFound, Assert.Throws<MlOpsException>(() =>
            registry.Publish("diabetes", "staging", artifact, null, NullReporter.Instance, default)).ErrorId);
        var tooBig = Assert.Throws<MlOpsException>(() => registry.Publish("diabetes", "test", artifact,
            new Dictionary<string, string> { ["notes"] = new string('x', 20_000) }, NullReporter.Instance, default));
        Assert.Equal(ErrorIds.InvalidMetadata, tooBig.ErrorId);
        Assert.Equal("notes", tooBig.Target);
        Assert.Equal(ErrorIds.InvalidMetadata, Assert.Throws<MlOpsException>(() => registry.Publish("diabetes", "test", artifact,
            new Dictionary<string, string> { ["version"] = "7" }, NullReporter.Instance, default)).ErrorId);

        Assert.Equal(0, registry.For("test").GetLatestVersionNumber("diabetes", "test"));
    }

    [Fact]
    public void A_stored_version_missing_a_file_is_registry_corrupt_naming_the_version_and_file()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var version = registry.Publish("diabetes", "test", project.MakeArtifact("art"), null, NullReporter.Instance, default);
        var gone = Path.Combine(version.Location, "files", version.Files[0].Path);
        File.SetAttributes(gone, FileAttributes.Normal);
        File.Delete(gone);

        var error = Assert.Throws<MlOpsException>(() => registry.For("test").OpenArtifacts(version));
        Assert.Equal(ErrorIds.RegistryCorrupt, error.ErrorId);
        Assert.Contains("diabetes/test/1", error.Message);
        Assert.Contains(version.Files[0].Path, error.Message);
    }

    [Fact]
    public void A_damaged_manifest_does_not_hide_the_other_versions_and_latest_skips_it()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var artifact = project.MakeArtifact("art", files: 1);
        var versions = Enumerable.Range(0, 4).Select(_ => registry.Publish("diabetes", "test", artifact, null, NullReporter.Instance, default)).ToList();
        File.WriteAllText(Path.Combine(versions[1].Location, "manifest.json"), "{ not json");     // 2: unreadable
        File.Delete(Path.Combine(versions[3].Location, "manifest.json"));                      // 4 (the latest): missing

        // Without a place for damaged versions, the first one ends the listing (the engine's old contract, still used by deploys).
        var all = new VersionQuery { Environment = "test" };
        Assert.Equal(ErrorIds.RegistryCorrupt, Assert.Throws<MlOpsException>(() => registry.Find(all).ToList()).ErrorId);

        var damaged = new List<MlOpsException>();
        all.Damaged = damaged.Add;
        Assert.Equal(new[] { 1, 3 }, registry.Find(all).Select(v => v.Version));
        Assert.Equal(2, damaged.Count);
        Assert.All(damaged, e => Assert.Equal(ErrorIds.RegistryCorrupt, e.ErrorId));
        Assert.Contains(Path.Combine(versions[1].Location, "manifest.json"), damaged[0].Message);

        damaged.Clear();
        var latest = registry.Find(new VersionQuery { Environment = "test", Latest = true, Damaged = damaged.Add }).Single();
        Assert.Equal(3, latest.Version);
        Assert.Contains(Path.Combine(versions[3].Location, "manifest.json"), Assert.Single(damaged).Message);

        // Asked for by number, a damaged version is the error.
        Assert.Throws<MlOpsException>(() => registry.Find(new VersionQuery { Environment = "test", Version = 2, Damaged = damaged.Add }).ToList());
    }

    [Fact]
    public void Latest_lookup_survives_a_missing_or_stale_hint()
    {
        using var project = new TempProject().Standard();
        var store = new LocalFolderRegistry(project.RegistryPath);
        var source = FolderArtifactSource.Open(project.MakeArtifact("art", files: 1));
        for (var i = 0; i < 5; i++)
        {
            store.Publish("diabetes", "test", source, new Dictionary<string, string>(), null, NullReporter.Instance, default);
        }

        var hint = Path.Combine(project.RegistryPath, "diabetes", "test", "latest");
        Assert.Equal("5", File.ReadAllText(hint));
        File.WriteAllText(hint, "2");
        Assert.Equal(5, store.GetLatestVersionNumber("diabetes", "test"));
        File.WriteAllText(hint, "99");
        Assert.Equal(5, store.GetLatestVersionNumber("diabetes", "test"));
        File.Delete(hint);
        Assert.Equal(5, store.GetLatestVersionNumber("diabetes", "test"));
        Assert.Equal(6, store.Publish("diabetes", "test", source, new Dictionary<string, string>(), null, NullReporter.Instance, default).Version);
    }

    [Fact]
    public void Find_filters_by_name_environment_version_metadata_and_latest()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var artifact = project.MakeArtifact("art");
        registry.Publish("diabetes", "test", artifact, new Dictionary<string, string> { ["stage"] = "good" }, NullReporter.Instance, default);
        registry.Publish("diabetes", "test", artifact, new Dictionary<string, string> { ["stage"] = "good" }, NullReporter.Instance, default);
        registry.Publish("diabetes", "test", artifact, new Dictionary<string, string> { ["stage"] = "bad" }, NullReporter.Instance, default);

        Assert.Equal(new[] { 1, 2, 3 }, registry.Find(new VersionQuery { Environment = "test" }).Select(v => v.Version));
        Assert.Equal(3, Assert.Single(registry.Find(new VersionQuery { Environment = "test", Latest = true })).Version);
        Assert.Equal(2, Assert.Single(registry.Find(new VersionQuery
        {
            Environment = "test", Latest = true, Metadata = new Dictionary<string, string> { ["stage"] = "good" },
        })).Version);
        Assert.Equal(2, Assert.Single(registry.Find(new VersionQuery { Version = 2 })).Version);
        Assert.Empty(registry.Find(new VersionQuery { NameFilter = n => n == "other" }));
        Assert.Empty(registry.Find(new VersionQuery { Environment = "prod" }));
    }

    [Fact]
    public void Dev_uses_the_settings_artifact_folder_as_version_1_until_the_store_has_one()
    {
        using var project = new TempProject().Standard();
        var folder = project.MakeArtifact("artifacts/diabetes");
        var registry = Open(project);

        var local = Assert.Single(registry.Find(new VersionQuery { Environment = "dev" }));
        Assert.True(local.IsLocalFolder);
        Assert.Equal("diabetes/dev/1", local.ModelId);
        Assert.Equal(folder, local.Location);
        Assert.False(Directory.Exists(Path.Combine(project.RegistryPath, "diabetes", "dev")), "the folder is not copied");
        Assert.Empty(registry.Find(new VersionQuery { Environment = "test" }));

        var promoted = registry.Promote(local, "test", NullReporter.Instance, default).Version;
        Assert.Equal("diabetes/test/1", promoted.ModelId);
        Assert.Equal("diabetes/dev/1", promoted.PromotedFrom);
        Assert.Equal(Sha(Path.Combine(folder, "info.json")), promoted.Files.Single(f => f.Path == "info.json").Sha256);
    }

    [Fact]
    public void Promotion_copies_the_same_bytes_with_lineage_and_is_idempotent()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var source = registry.Publish("diabetes", "test", project.MakeArtifact("art"), new Dictionary<string, string> { ["r2"] = "0.8" },
            NullReporter.Instance, default);

        var first = registry.Promote(source, "prod", NullReporter.Instance, default);
        Assert.True(first.Created);
        Assert.Equal("diabetes/prod/1", first.Version.ModelId);
        Assert.Equal(source.ContentHash, first.Version.ContentHash);
        Assert.Equal("diabetes/test/1", first.Version.PromotedFrom);
        Assert.Equal("diabetes/test/1", first.Version.SystemMetadata["promotedFrom"]);
        Assert.Equal("0.8", first.Version.Metadata["r2"]);

        var again = registry.Promote(source, "prod", NullReporter.Instance, default);
        Assert.False(again.Created);
        Assert.Equal(1, again.Version.Version);
        Assert.Single(registry.Find(new VersionQuery { Environment = "prod" }));

        Assert.Equal(ErrorIds.PromotionToSameEnvironment, Assert.Throws<MlOpsException>(() =>
            registry.Promote(source, "test", NullReporter.Instance, default)).ErrorId);
    }

    [Fact]
    public void A_promotion_keeps_the_number_and_refuses_another_artifact_under_it()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var first = registry.Publish("diabetes", "test", project.MakeArtifact("a", seed: 1), null, NullReporter.Instance, default);
        var second = registry.Publish("diabetes", "test", project.MakeArtifact("b", seed: 2), null, NullReporter.Instance, default);

        Assert.Equal("diabetes/prod/2", registry.Promote(second, "prod", NullReporter.Instance, default).Version.ModelId);
        Assert.Equal("diabetes/prod/1", registry.Promote(first, "prod", NullReporter.Instance, default).Version.ModelId);
        Assert.Equal(2, registry.FindOne("diabetes", "prod", null)!.Version);

        // Another artifact under test/3's number in prod (written there by another tool): a clear error, nothing changes.
        var third = registry.Publish("diabetes", "test", project.MakeArtifact("c", seed: 3), null, NullReporter.Instance, default);
        registry.For("prod").Publish("diabetes", "prod", FolderArtifactSource.Open(project.MakeArtifact("d", seed: 4)), new Dictionary<string, string>(),
            new PublishOrigin(null, null, number: 3), NullReporter.Instance, default);
        var before = registry.Find(new VersionQuery { Environment = "prod" }).Select(v => (v.Version, v.ContentHash)).ToList();
        var conflict = Assert.Throws<MlOpsException>(() => registry.Promote(third, "prod", NullReporter.Instance, default));
        Assert.Equal(ErrorIds.PromotionConflict, conflict.ErrorId);
        Assert.Contains("diabetes/prod/3", conflict.Message);
        Assert.Equal(before, registry.Find(new VersionQuery { Environment = "prod" }).Select(v => (v.Version, v.ContentHash)).ToList());

        // The next new artifact, published anywhere, goes above them all.
        Assert.Equal(4, registry.Publish("diabetes", "dev", project.MakeArtifact("e", seed: 5), null, NullReporter.Instance, default).Version);
    }

    [Fact]
    public void A_registry_numbered_per_environment_is_read_continued_and_not_promoted_twice()
    {
        // Written by an earlier MlOps: test counted 1..3 on its own, and test/3 was promoted to prod as prod/1.
        using var project = new TempProject().Standard();
        var store = new LocalFolderRegistry(project.RegistryPath);
        var artifacts = Enumerable.Range(1, 3).Select(i => project.MakeArtifact($"a{i}", seed: i)).ToList();
        var tested = artifacts.Select((a, i) => store.Publish("diabetes", "test", FolderArtifactSource.Open(a), new Dictionary<string, string>(),
            new PublishOrigin(null, null, number: i + 1), NullReporter.Instance, default)).ToList();
        store.Publish("diabetes", "prod", FolderArtifactSource.Open(artifacts[2]), new Dictionary<string, string>(), new PublishOrigin("diabetes/test/3", null, number: 1),
            NullReporter.Instance, default);
        var registry = Open(project);

        var again = registry.Promote(tested[2], "prod", NullReporter.Instance, default);
        Assert.False(again.Created);
        Assert.Equal("diabetes/prod/1", again.Version.ModelId);
        Assert.Equal(4, registry.Publish("diabetes", "test", project.MakeArtifact("a4", seed: 4), null, NullReporter.Instance, default).Version);
        Assert.Equal("diabetes/prod/2", registry.Promote(tested[1], "prod", NullReporter.Instance, default).Version.ModelId);
        Assert.Equal(2, registry.FindOne("diabetes", "prod", null)!.Version);
    }

    [Fact]
    public async Task Eight_promotions_of_one_version_at_once_make_one_copy()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var source = registry.Publish("diabetes", "test", project.MakeArtifact("a", files: 3, bytesEach: 50_000), null, NullReporter.Instance, default);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Open(project).Promote(source, "prod", NullReporter.Instance, default))));

        Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.Equal("diabetes/prod/1", r.Version.ModelId));
        Assert.Single(registry.Find(new VersionQuery { Environment = "prod" }));
    }

    [Fact]
    public void The_latest_number_is_right_with_gaps_also_when_the_hint_was_lost_or_is_behind()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var artifact = project.MakeArtifact("a");
        var store = new LocalFolderRegistry(project.RegistryPath);
        foreach (var number in new[] { 3, 7, 40 })
        {
            store.Publish("diabetes", "prod", FolderArtifactSource.Open(artifact), new Dictionary<string, string>(), new PublishOrigin("x", null, number),
                NullReporter.Instance, default);
        }

        var envFolder = Path.Combine(project.RegistryPath, "diabetes", "prod");
        Assert.Equal(40, new LocalFolderRegistry(project.RegistryPath).GetLatestVersionNumber("diabetes", "prod"));
        File.Delete(Path.Combine(envFolder, "latest"));
        Assert.Equal(40, new LocalFolderRegistry(project.RegistryPath).GetLatestVersionNumber("diabetes", "prod"));
        // A hint naming a number whose publisher died before its folder appeared: the folder is scanned.
        File.WriteAllText(Path.Combine(envFolder, "latest"), "41");
        Assert.Equal(40, new LocalFolderRegistry(project.RegistryPath).GetLatestVersionNumber("diabetes", "prod"));
        Assert.Equal(40, registry.FindOne("diabetes", "prod", null)!.Version);
        Assert.Equal(41, registry.Publish("diabetes", "prod", artifact, null, NullReporter.Instance, default).Version);
    }

    [Fact]
    public void A_publish_records_the_projects_git_commit_and_a_promotion_keeps_it()
    {
        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        var registry = Open(project);
        var outside = new RecordingReporter();
        var unversioned = registry.Publish("diabetes", "test", artifact, null, outside, default);
        Assert.Null(unversioned.Revision);
        Assert.Contains("not in a git repository with a commit", string.Join("\n", outside.Messages));

        File.WriteAllText(Path.Combine(project.Root, ".gitignore"), "artifacts/\n.mlops/\n");
        var commit = TestGit.CommitAll(project.Root);
        var reporter = new RecordingReporter();
        var published = registry.Publish("diabetes", "test", artifact, null, reporter, default);
        Assert.Equal((commit, "main", (bool?)false), (published.Revision!.Commit, published.Revision.Branch, published.Revision.IsDirty));
        Assert.Contains(reporter.Messages, m => m.Contains($"git commit {commit[..10]} (main)"));

        // The code moves on: the prod copy still names the commit that trained what it holds.
        File.AppendAllText(project.SettingsPath, " ");
        Assert.True(registry.Publish("diabetes", "test", artifact, null, NullReporter.Instance, default).Revision!.IsDirty);
        var promoted = registry.Promote(published, "prod", NullReporter.Instance, default).Version;
        Assert.Equal(commit, promoted.Revision!.Commit);
        Assert.False(promoted.Revision.IsDirty);
        Assert.Equal(commit, Open(project).FindOne("diabetes", "prod", null)!.SystemMetadata["gitCommit"]);

        // Versions made from a commit, by its start in any case: test/2 and test/3 (3 with changes), not test/1.
        Assert.Equal(new[] { 2, 3 }, registry.Find(new VersionQuery { Environment = "test", Commit = commit[..7].ToUpperInvariant() }).Select(v => v.Version));
        Assert.Equal(3, Assert.Single(registry.Find(new VersionQuery { Environment = "test", Commit = commit[..4], Latest = true })).Version);
        Assert.Equal("diabetes/prod/2", promoted.ModelId);
        Assert.Equal(new[] { "diabetes/prod/2", "diabetes/test/2", "diabetes/test/3" },
            registry.Find(new VersionQuery { Commit = commit }).Select(v => v.ModelId).Order(StringComparer.Ordinal));
        Assert.Empty(registry.Find(new VersionQuery { Environment = "test", Commit = "0000000" }));
    }

    [Fact]
    public void A_version_from_another_projects_registry_is_not_promoted()
    {
        // Found by the resilience suite: a ModelVersion piped in from another project (its own registry, even a model this
        // project does not define) was copied into this project's prod.
        using var project = new TempProject().Standard();
        using var other = new TempProject().Standard();
        var foreign = Open(other).Publish("diabetes", "test", other.MakeArtifact("art"), null, NullReporter.Instance, default);
        var registry = Open(project);

        var error = Assert.Throws<MlOpsException>(() => registry.Promote(foreign, "prod", NullReporter.Instance, default));

        Assert.Equal(ErrorIds.ModelVersionNotFound, error.ErrorId);
        Assert.Contains(other.RegistryPath, error.Message);
        Assert.Equal(0, registry.For("prod").GetLatestVersionNumber("diabetes", "prod"));
        var own = registry.Publish("diabetes", "test", project.MakeArtifact("art"), null, NullReporter.Instance, default);
        Assert.True(registry.Promote(own, "prod", NullReporter.Instance, default).Created);
    }

    [Fact]
    public void Promotion_of_a_damaged_version_fails_and_creates_nothing()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var source = registry.Publish("diabetes", "test", project.MakeArtifact("art"), null, NullReporter.Instance, default);
        var stored = new FileInfo(Path.Combine(source.Location, "files", "info.json"));
        stored.IsReadOnly = false;
        File.WriteAllText(stored.FullName, "{\"seed\": 9}");

        var error = Assert.Throws<MlOpsException>(() => registry.Promote(source, "prod", NullReporter.Instance, default));
        Assert.Equal(ErrorIds.ContentHashMismatch, error.ErrorId);
        Assert.Contains("info.json", error.Message);
        Assert.Equal(0, registry.For("prod").GetLatestVersionNumber("diabetes", "prod"));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(project.RegistryPath, ".staging")));
    }

    [Fact]
    public void Save_writes_a_verified_copy_and_replaces_only_with_force()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var artifact = project.MakeArtifact("art");
        var version = registry.Publish("diabetes", "test", artifact, null, NullReporter.Instance, default);
        var destination = Path.Combine(project.Root, "download");

        registry.Save(version, destination, false, NullReporter.Instance, default);
        foreach (var file in version.Files)
        {
            Assert.Equal(file.Sha256, Sha(Path.Combine(destination, file.Path)));
        }

        File.WriteAllText(Path.Combine(destination, "mine.txt"), "keep me");
        Assert.Equal(ErrorIds.DestinationNotEmpty, Assert.Throws<MlOpsException>(() =>
            registry.Save(version, destination, false, NullReporter.Instance, default)).ErrorId);
        Assert.True(File.Exists(Path.Combine(destination, "mine.txt")));

        registry.Save(version, destination, true, NullReporter.Instance, default);
        Assert.False(File.Exists(Path.Combine(destination, "mine.txt")));
        Assert.Equal(version.FileCount, Directory.GetFiles(destination, "*", SearchOption.AllDirectories).Length);
        Assert.Single(Directory.GetFileSystemEntries(project.Root, "*download*"));
    }

    [Fact]
    public void Save_of_a_damaged_version_leaves_the_destination_as_it_was()
    {
        using var project = new TempProject().Standard();
        var registry = Open(project);
        var version = registry.Publish("diabetes", "test", project.MakeArtifact("art"), null, NullReporter.Instance, default);
        var stored = new FileInfo(Path.Combine(version.Location, "files", "part1.bin"));
        stored.IsReadOnly = false;
        File.WriteAllBytes(stored.FullName, new byte[10_000]);
        var destination = Path.Combine(project.Root, "download");
        Directory.CreateDirectory(destination);
        File.WriteAllText(Path.Combine(destination, "mine.txt"), "keep me");

        Assert.Equal(ErrorIds.ContentHashMismatch, Assert.Throws<MlOpsException>(() =>
            registry.Save(version, destination, true, NullReporter.Instance, default)).ErrorId);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(destination, "mine.txt")));
        Assert.Single(Directory.GetFileSystemEntries(project.Root, "*download*"));
    }

    private static string LargeArtifact(TempProject project)
    {
        // Three files large enough to be copied at once (each on its own pair of threads), and small ones in between.
        var folder = Path.Combine(project.Root, "shards");
        Directory.CreateDirectory(Path.Combine(folder, "weights"));
        var random = new Random(9);
        foreach (var (name, size) in new[] { ("weights/a.bin", (9 << 20) + 3), ("weights/b.bin", 10 << 20), ("c.bin", (8 << 20) + 511), ("d.txt", 10) })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }

        return folder;
    }

    [Fact]
    public void Several_large_files_are_copied_at_once_and_listed_in_order_with_their_hashes()
    {
        using var project = new TempProject();
        var artifact = LargeArtifact(project);
        var source = FolderArtifactSource.Open(artifact);
        Assert.Equal(1, ArtifactCopier.ParallelWorkers(source, processors: 2));
        Assert.Equal(3, ArtifactCopier.ParallelWorkers(source, processors: 8));

        // As on an 8-core machine: three files at once.
        var target = Path.Combine(project.Root, "copy");
        Directory.CreateDirectory(target);
        var reporter = new RecordingReporter(callerThreadOnly: true);
        var progress = reporter.Progress;
        var files = ArtifactCopier.Copy(source, target, "Copying", reporter, processors: 8, default);

        Assert.Equal(new[] { "c.bin", "d.txt", "weights/a.bin", "weights/b.bin" }, files.Select(f => f.Path));
        foreach (var file in files)
        {
            var original = Path.Combine(artifact, file.Path);
            Assert.Equal(Sha(original), file.Sha256);
            Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(Path.Combine(target, file.Path)));
        }

        Assert.True(progress.Last().Completed);
        Assert.All(progress.Where(p => !p.Completed).Select(p => p.PercentComplete).Zip(progress.Where(p => !p.Completed).Skip(1).Select(p => p.PercentComplete)),
            pair => Assert.True(pair.First <= pair.Second));
    }


    [Fact]
    public void A_damaged_file_among_several_large_ones_stops_the_parallel_copy()
    {
        using var project = new TempProject();
        var artifact = LargeArtifact(project);
        var listed = FolderArtifactSource.ListFiles(artifact);
        var claimed = listed.Select(f => new ArtifactFile(f.Path, f.Length, f.Path == "weights/a.bin" ? new string('0', 64) : Sha(Path.Combine(artifact, f.Path))))
            .ToList();
        var target = Path.Combine(project.Root, "copy");
        Directory.CreateDirectory(target);

        var error = Assert.Throws<MlOpsException>(() => ArtifactCopier.Copy(FolderArtifactSource.Open(artifact, claimed), target, "Copying",
            NullReporter.Instance, processors: 8, default));

        Assert.Equal(ErrorIds.ContentHashMismatch, error.ErrorId);
        Assert.Contains("weights/a.bin", error.Message);
    }
}
