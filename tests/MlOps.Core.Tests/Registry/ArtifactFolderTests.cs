using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Registry;

/// <summary>Artifact folders as people have them: symbolic links, FIFOs and sockets, caches and hidden files.</summary>
public class ArtifactFolderTests
{
    private static ProjectRegistry Open(TempProject project) =>
        new(SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment));

    private static string Sha(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    private static MlOpsException PublishFails(TempProject project, string artifact)
    {
        var registry = Open(project);
        var watch = Stopwatch.StartNew();
        var publish = Task.Run(() => registry.Publish("diabetes", "test", artifact, null, NullReporter.Instance, default));
        Assert.True(Task.WhenAny(publish, Task.Delay(TimeSpan.FromSeconds(30))).Result == publish, "the publish hung");
        var error = Assert.IsType<MlOpsException>(Assert.Throws<AggregateException>(() => publish.Wait()).InnerException);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"refusing took {watch.Elapsed}");
        // Refused while planning: nothing was stored, and no staging folder was left.
        Assert.Empty(registry.Find(new VersionQuery { Environment = "test" }));
        Assert.False(Directory.Exists(Path.Combine(project.RegistryPath, ".staging")) && Directory.EnumerateFileSystemEntries(Path.Combine(project.RegistryPath, ".staging")).Any());
        return error;
    }

    [Fact]
    public void A_link_to_a_file_is_published_as_the_bytes_it_points_to()
    {
        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        // As a model hub's cache has it: snapshots/<rev>/model.bin -> ../../blobs/<sha>, outside the artifact folder; and a chain of links.
        var blob = Path.Combine(project.Root, "cache", "blobs", "0123abcd");
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.WriteAllBytes(blob, Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray());
        File.CreateSymbolicLink(Path.Combine(artifact, "model.bin"), Path.GetRelativePath(artifact, blob));
        File.CreateSymbolicLink(Path.Combine(artifact, "sub", "inner.json"), "../info.json");
        File.CreateSymbolicLink(Path.Combine(artifact, "twice.bin"), "model.bin");

        var listed = FolderArtifactSource.ListFiles(artifact).ToDictionary(f => f.Path, f => f.Length);
        Assert.Equal(300_000, listed["model.bin"]);
        Assert.Equal(300_000, listed["twice.bin"]);
        Assert.Equal(new FileInfo(Path.Combine(artifact, "info.json")).Length, listed["sub/inner.json"]);

        var version = Open(project).Publish("diabetes", "test", artifact, null, NullReporter.Instance, default);

        var stored = Path.Combine(version.Location, "files", "model.bin");
        Assert.False(new FileInfo(stored).Attributes.HasFlag(FileAttributes.ReparsePoint), "a link is stored as the file it points to");
        Assert.Equal(Sha(blob), Sha(stored));
        Assert.Equal(Sha(blob), version.Files.Single(f => f.Path == "twice.bin").Sha256);
        Assert.Equal(300_000, version.Files.Single(f => f.Path == "model.bin").Length);
        Assert.Equal(File.ReadAllText(Path.Combine(artifact, "info.json")), File.ReadAllText(Path.Combine(version.Location, "files", "sub", "inner.json")));
    }

    [Fact]
    public void A_link_that_loops_is_refused_while_planning_naming_the_link()
    {
        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        File.CreateSymbolicLink(Path.Combine(artifact, "sub", "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(artifact, "sub", "loop2"), "loop1");

        var error = PublishFails(project, artifact);

        Assert.Equal(ErrorIds.InvalidArtifactFolder, error.ErrorId);
        Assert.Equal(MlOpsErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("'sub/loop1'", error.Message);
        Assert.Contains("symbolic link", error.Message);
        Assert.Contains(".mlopsignore", error.RecommendedAction);
    }

    [Fact]
    public void A_dangling_link_is_refused_naming_the_link_and_its_target()
    {
        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        File.CreateSymbolicLink(Path.Combine(artifact, "weights.bin"), "gone/weights.bin");

        var error = PublishFails(project, artifact);

        Assert.Equal(ErrorIds.InvalidArtifactFolder, error.ErrorId);
        Assert.Contains("'weights.bin'", error.Message);
        Assert.Contains("'gone/weights.bin' does not exist", error.Message);
        Assert.Equal(Path.Combine(artifact, "weights.bin"), error.Target);
    }

    [Fact]
    public void A_link_to_a_folder_outside_is_refused_and_its_files_are_never_read()
    {
        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        var outside = Path.Combine(project.Root, "elsewhere");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "not part of the model");
        Directory.CreateSymbolicLink(Path.Combine(artifact, "data"), outside);

        var error = PublishFails(project, artifact);

        Assert.Equal(ErrorIds.InvalidArtifactFolder, error.ErrorId);
        Assert.Contains("'data'", error.Message);
        Assert.Contains("outside the artifact folder", error.Message);
        Assert.Contains("does not follow links to folders", error.Message);
    }

    [Fact]
    public void A_link_to_a_folder_inside_is_refused_too_and_the_error_says_so()
    {
        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        Directory.CreateSymbolicLink(Path.Combine(artifact, "latest"), "sub");

        var error = PublishFails(project, artifact);

        Assert.Equal(ErrorIds.InvalidArtifactFolder, error.ErrorId);
        Assert.Contains("'latest'", error.Message);
        Assert.Contains("inside the artifact folder", error.Message);
        Assert.Contains("published anyway", error.RecommendedAction);
    }

    [Fact]
    public void A_fifo_is_refused_quickly_with_its_path_instead_of_waiting_for_a_writer()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        var fifo = Path.Combine(artifact, "sub", "stream.pipe");
        Mkfifo(fifo);

        var error = PublishFails(project, artifact);

        Assert.Equal(ErrorIds.InvalidArtifactFolder, error.ErrorId);
        Assert.Contains("'sub/stream.pipe'", error.Message);
        Assert.Contains("FIFO", error.Message);
        Assert.Equal(fifo, error.Target);
    }

    [Fact]
    public void A_socket_is_refused_quickly_with_its_path()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        var path = Path.Combine(artifact, "server.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));

        var error = PublishFails(project, artifact);

        Assert.Equal(ErrorIds.InvalidArtifactFolder, error.ErrorId);
        Assert.Contains("'server.sock'", error.Message);
        Assert.Contains("a socket", error.Message);
    }

    [Fact]
    public void A_link_to_a_fifo_is_refused_too()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        var fifo = Path.Combine(project.Root, "pipe");
        Mkfifo(fifo);
        File.CreateSymbolicLink(Path.Combine(artifact, "input"), fifo);

        var error = PublishFails(project, artifact);

        Assert.Contains("'input'", error.Message);
        Assert.Contains("a link to a FIFO", error.Message);
    }

    [Fact]
    public void Caches_and_hidden_files_are_left_out_by_default_and_recorded_in_the_manifest()
    {
        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        Directory.CreateDirectory(Path.Combine(artifact, ".git", "objects"));
        File.WriteAllText(Path.Combine(artifact, ".git", "HEAD"), "ref: refs/heads/main\n");
        Directory.CreateDirectory(Path.Combine(artifact, "sub", "__pycache__"));
        File.WriteAllText(Path.Combine(artifact, "sub", "__pycache__", "m.cpython-312.pyc"), "x");
        Directory.CreateDirectory(Path.Combine(artifact, ".ipynb_checkpoints"));
        File.WriteAllText(Path.Combine(artifact, ".ipynb_checkpoints", "train-checkpoint.ipynb"), "{}");
        File.WriteAllText(Path.Combine(artifact, ".env"), "API_KEY=secret\n");
        File.WriteAllText(Path.Combine(artifact, "stray.pyc"), "x");
        File.WriteAllText(Path.Combine(artifact, ".DS_Store"), "x");
        // A FIFO below a left-out folder is never looked at.
        if (!OperatingSystem.IsWindows())
        {
            Mkfifo(Path.Combine(artifact, ".git", "fsmonitor.pipe"));
        }

        var reporter = new RecordingReporter();
        var version = Open(project).Publish("diabetes", "test", artifact, null, reporter, default);

        Assert.Equal(new[] { "info.json", "part1.bin", "sub/part0.bin", "sub/part2.bin" }, version.Files.Select(f => f.Path));
        var excluded = version.Excluded.Select(e => e.ToString()).ToList();
        Assert.Equal(new[]
        {
            ".DS_Store (default: .DS_Store)", ".env (default: .env)", ".git/ (default: .git/)", ".ipynb_checkpoints/ (default: .ipynb_checkpoints/)",
            "stray.pyc (default: *.pyc)", "sub/__pycache__/ (default: __pycache__/)",
        }, excluded);
        Assert.Equal("6", version.SystemMetadata["excluded"]);
        Assert.Contains(reporter.Messages, m => m.Contains("6 path(s)"));
        Assert.Contains(reporter.Messages, m => m.Contains(".env") && m.Contains("default: .env"));

        // Read back from the manifest, not only as published.
        var read = Open(project).FindOne("diabetes", "test", version.Version)!;
        Assert.Equal(excluded, read.Excluded.Select(e => e.ToString()));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(version.Location, "manifest.json")));
        Assert.Equal(".env", manifest.RootElement.GetProperty("excluded")[1].GetProperty("path").GetString());
        Assert.Equal("default: .env", manifest.RootElement.GetProperty("excluded")[1].GetProperty("rule").GetString());
    }

    [Fact]
    public void A_mlopsignore_leaves_out_more_and_takes_defaults_back_with_negation()
    {
        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        File.WriteAllText(Path.Combine(artifact, ".mlopsignore"), """
            # training leftovers
            *.log
            /sub/part2.bin
            logs/

            !.env
            !keep.log
            """);
        File.WriteAllText(Path.Combine(artifact, "train.log"), "x");
        File.WriteAllText(Path.Combine(artifact, "keep.log"), "x");
        File.WriteAllText(Path.Combine(artifact, ".env"), "MODEL=1\n");
        Directory.CreateDirectory(Path.Combine(artifact, "sub", "logs"));
        File.WriteAllText(Path.Combine(artifact, "sub", "logs", "a.txt"), "x");

        var version = Open(project).Publish("diabetes", "test", artifact, null, NullReporter.Instance, default);

        Assert.Equal(new[] { ".env", "info.json", "keep.log", "part1.bin", "sub/part0.bin" }, version.Files.Select(f => f.Path));
        Assert.Equal(new[]
        {
            ".mlopsignore (default: .mlopsignore)", "sub/logs/ (.mlopsignore:4: logs/)", "sub/part2.bin (.mlopsignore:3: /sub/part2.bin)",
            "train.log (.mlopsignore:2: *.log)",
        }, version.Excluded.Select(e => e.ToString()));
    }

    [Fact]
    public void A_folder_whose_files_are_all_left_out_holds_no_files_and_says_why()
    {
        using var project = new TempProject().Standard();
        var artifact = Path.Combine(project.Root, "artifacts", "cache-only");
        Directory.CreateDirectory(Path.Combine(artifact, "__pycache__"));
        File.WriteAllText(Path.Combine(artifact, "__pycache__", "a.pyc"), "x");
        File.WriteAllText(Path.Combine(artifact, ".env"), "x");

        var error = Assert.Throws<MlOpsException>(() => FolderArtifactSource.Open(artifact));

        Assert.Equal(ErrorIds.EmptyArtifactFolder, error.ErrorId);
        Assert.Contains("2 path(s) left out by the ignore rules", error.Message);
        Assert.Contains("!pattern", error.RecommendedAction);
    }

    [Fact]
    public void A_stored_version_is_listed_whole_without_ignore_rules()
    {
        using var project = new TempProject();
        var folder = project.MakeArtifact("stored");
        File.WriteAllText(Path.Combine(folder, ".env"), "x");
        var known = new[] { new ArtifactFile(".env", 1, null) };

        var source = FolderArtifactSource.Open(folder, known);

        Assert.Empty(source.Excluded);
        Assert.Equal(known, source.Files);
    }

    [Fact]
    public void A_manifest_written_before_exclusions_were_recorded_still_reads()
    {
        using var project = new TempProject().Standard();
        var version = Open(project).Publish("diabetes", "test", project.MakeArtifact("artifacts/trained"), null, NullReporter.Instance, default);
        var manifest = File.ReadAllText(Path.Combine(version.Location, "manifest.json"));
        Assert.DoesNotContain("excluded", manifest);

        var read = Open(project).FindOne("diabetes", "test", version.Version)!;

        Assert.Empty(read.Excluded);
        Assert.False(read.SystemMetadata.ContainsKey("excluded"));
    }

    [Fact]
    public void A_promotion_keeps_the_record_of_what_was_left_out()
    {
        using var project = new TempProject().Standard();
        var artifact = project.MakeArtifact("artifacts/trained");
        File.WriteAllText(Path.Combine(artifact, ".env"), "x");
        var registry = Open(project);
        var version = registry.Publish("diabetes", "test", artifact, null, NullReporter.Instance, default);

        var promoted = registry.Promote(version, "prod", NullReporter.Instance, default).Version;

        Assert.Equal(".env (default: .env)", Assert.Single(promoted.Excluded).ToString());
    }

    [Theory]
    [InlineData("*.log", "a.log", false, true)]
    [InlineData("*.log", "deep/er/a.log", false, true)]
    [InlineData("*.log", "a.logs", false, false)]
    [InlineData("/top.txt", "top.txt", false, true)]
    [InlineData("/top.txt", "sub/top.txt", false, false)]
    [InlineData("top.txt", "sub/top.txt", false, true)]
    [InlineData("sub/x.txt", "sub/x.txt", false, true)]
    [InlineData("sub/x.txt", "a/sub/x.txt", false, false)]
    [InlineData("build/", "build", true, true)]
    [InlineData("build/", "build", false, false)]
    [InlineData("build/", "src/build", true, true)]
    [InlineData("?.bin", "a.bin", false, true)]
    [InlineData("?.bin", "ab.bin", false, false)]
    [InlineData("*", "a/b", false, true)]
    [InlineData("a/*", "a/b/c", false, false)]
    [InlineData("a/*", "a/b", false, true)]
    [InlineData("**/cache", "x/y/cache", true, true)]
    [InlineData("**/cache", "cache", true, true)]
    [InlineData("a/**/z", "a/z", false, true)]
    [InlineData("a/**/z", "a/b/c/z", false, true)]
    [InlineData("a/**/z", "b/a/z", false, false)]
    [InlineData("logs/**", "logs/a/b.txt", false, true)]
    [InlineData("logs/**", "logs", true, false)]
    [InlineData("part[0-1].bin", "part1.bin", false, true)]
    [InlineData("part[0-1].bin", "part2.bin", false, false)]
    [InlineData("part[!0-1].bin", "part2.bin", false, true)]
    [InlineData("part[^0-1].bin", "part0.bin", false, false)]
    [InlineData("file[[:digit:]]", "file7", false, true)]
    [InlineData("file[[:digit:]]", "filex", false, false)]
    [InlineData("[abc", "[abc", false, true)]
    [InlineData("\\#notes", "#notes", false, true)]
    [InlineData("#notes", "#notes", false, false)]
    [InlineData("\\!bang", "!bang", false, true)]
    [InlineData("trailing   ", "trailing", false, true)]
    [InlineData("a.b", "axb", false, false)]
    public void Mlopsignore_patterns_follow_gitignore(string pattern, string path, bool isFolder, bool excluded)
    {
        var ignore = ArtifactIgnore.Parse(new[] { pattern });

        Assert.Equal(excluded, ignore.Match(path, isFolder) != null);
    }

    [Fact]
    public void The_last_matching_rule_decides_and_names_its_line()
    {
        var ignore = ArtifactIgnore.Parse(new[] { "# comment", "", "*.bin", "!keep.bin", "keep.bin" });

        Assert.Equal(".mlopsignore:5: keep.bin", ignore.Match("keep.bin", false));
        Assert.Equal(".mlopsignore:3: *.bin", ignore.Match("x/other.bin", false));
        Assert.Null(ArtifactIgnore.Parse(new[] { "*.bin", "!keep.bin" }).Match("keep.bin", false));
        Assert.Equal("default: .git/", ignore.Match(".git", true));
        Assert.Null(ignore.Match(".git", false));
        Assert.Null(ArtifactIgnore.None.Match(".git", true));
    }

    private static void Mkfifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", $"\"{path}\"") { UseShellExecute = false })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
