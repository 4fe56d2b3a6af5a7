using System.Diagnostics;
using System.Security.Cryptography;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Registry;

/// <summary>Publishers in separate processes (tests/MlOps.StoreWorker) racing for version numbers, and one killed mid-copy.</summary>
public class MultiProcessTests
{
    private static Process StartWorker(params string[] args)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "MlOps.StoreWorker.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(worker);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    [Fact]
    public async Task A_publish_flushes_every_file_and_folder_to_disk_before_the_rename_that_makes_it_visible()
    {
        if (OperatingSystem.IsWindows())
        {
            return;     // NTFS journals folder entries; the file flushes are FlushFileBuffers, not traced here
        }

        // The system calls of a real publish, traced: fsync of each file's bytes and of each folder, then the rename.
        Assert.True(File.Exists("/usr/bin/strace"), "This test traces the publisher's system calls with strace (apt install strace; .ci/run installs it).");
        using var project = new TempProject();
        var source = project.MakeArtifact("src", files: 3, bytesEach: 100_000);
        Directory.CreateDirectory(Path.Combine(source, "nested", "deeper"));
        File.WriteAllText(Path.Combine(source, "nested", "deeper", "config.json"), "{}");
        var calls = await TraceFlushesAsync(Path.Combine(project.Root, "strace.log"), "publish", project.RegistryPath, "durable", "test", source);
        var version = Path.Combine(project.RegistryPath, "durable", "test", "1");
        var publish = calls.FindIndex(l => l.Contains("rename", StringComparison.Ordinal) && l.Contains($"\"{version}\"", StringComparison.Ordinal));
        Assert.True(publish > 0, "No rename made the version visible:\n" + string.Join("\n", calls));
        var staging = System.Text.RegularExpressions.Regex.Match(calls[publish], "rename\\(\"([^\"]+)\"").Groups[1].Value;
        bool Synced(string path, int from, int to) => FlushedBetween(calls, path, from, to);

        var stored = new LocalFolderRegistry(project.RegistryPath).ListVersions("durable", "test").Single();
        foreach (var file in stored.Files)
        {
            Assert.True(Synced(Path.Combine(staging, "files", file.Path), 0, publish), $"{file.Path} was not flushed before the version became visible.");
        }

        foreach (var path in new[] { Path.Combine(staging, "manifest.json"), staging, Path.Combine(staging, "files"), Path.Combine(staging, "files", "nested"),
                     Path.Combine(staging, "files", "nested", "deeper") })
        {
            Assert.True(Synced(path, 0, publish), $"{path} was not flushed before the version became visible.");
        }

        Assert.True(Synced(Path.GetDirectoryName(version)!, publish, calls.Count), "The folder holding the new version was not flushed after the rename.");
    }

    [Fact]
    public async Task A_save_flushes_every_file_and_folder_to_disk_before_the_rename_that_shows_the_folder()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Save-MlModelArtifact's path (ProjectRegistry.Save) traced: the saved folder is complete on disk before its name appears.
        Assert.True(File.Exists("/usr/bin/strace"), "This test traces the saver's system calls with strace (apt install strace; .ci/run installs it).");
        using var project = new TempProject().WithModelFolder("m").WithSettings("""
            { "models": [ { "name": "m", "codeFolder": "models/m" } ],
              "environments": { "test": { "registry": { "type": "local", "path": "registry" } } } }
            """);
        var source = project.MakeArtifact("src", files: 3, bytesEach: 100_000);
        Directory.CreateDirectory(Path.Combine(source, "nested"));
        File.WriteAllText(Path.Combine(source, "nested", "config.json"), "{}");
        var settings = SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment);
        var version = new ProjectRegistry(settings).Publish("m", "test", source, null, NullReporter.Instance, default);
        var destination = Path.Combine(project.Root, "saved", "m-1");
        var calls = await TraceFlushesAsync(Path.Combine(project.Root, "strace-save.log"), "project", project.SettingsPath, "save", "m", "test",
            version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), destination);
        var shown = calls.FindIndex(l => l.Contains("rename", StringComparison.Ordinal) && l.Contains($"\"{destination}\"", StringComparison.Ordinal));
        Assert.True(shown > 0, "No rename showed the saved folder:\n" + string.Join("\n", calls));
        var temp = System.Text.RegularExpressions.Regex.Match(calls[shown], "rename\\(\"([^\"]+)\"").Groups[1].Value;
        bool Synced(string path, int from, int to) => FlushedBetween(calls, path, from, to);

        foreach (var file in version.Files)
        {
            Assert.True(Synced(Path.Combine(temp, file.Path), 0, shown), $"{file.Path} was not flushed before the saved folder appeared.");
        }

        Assert.True(Synced(temp, 0, shown), "The saved folder's entries were not flushed before it appeared.");
        Assert.True(Synced(Path.Combine(temp, "nested"), 0, shown), "The nested folder's entries were not flushed before it appeared.");
        Assert.True(Synced(Path.GetDirectoryName(destination)!, shown, calls.Count), "The folder holding the saved folder was not flushed after the rename.");
    }

    /// <summary>Runs the store worker under strace and returns its successful fsync and rename calls, in order.</summary>
    internal static async Task<List<string>> TraceFlushesAsync(string log, params string[] workerArguments)
    {
        var info = new ProcessStartInfo("/usr/bin/strace") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-f", "-y", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", "-o", log, "dotnet",
                     Path.Combine(AppContext.BaseDirectory, "MlOps.StoreWorker.dll") }.Concat(workerArguments))
        {
            info.ArgumentList.Add(arg);
        }

        using var worker = Process.Start(info)!;
        var stderr = await worker.StandardError.ReadToEndAsync();
        await worker.StandardOutput.ReadToEndAsync();
        await worker.WaitForExitAsync();
        Assert.True(worker.ExitCode == 0, stderr);
        return File.ReadAllLines(log).Where(l => l.Contains(" = 0", StringComparison.Ordinal)).ToList();
    }

    /// <summary>Whether <paramref name="path"/> was fsynced among calls <paramref name="from"/> to <paramref name="to"/>.</summary>
    internal static bool FlushedBetween(List<string> calls, string path, int from, int to) =>
        calls.Skip(from).Take(to - from).Any(l => l.Contains("fsync(", StringComparison.Ordinal) && l.Contains($"<{path}>)", StringComparison.Ordinal));

    [Fact]
    public async Task Eight_concurrent_publishers_get_versions_1_to_8_with_intact_contents()
    {
        using var project = new TempProject();
        var sources = Enumerable.Range(1, 8).Select(i => project.MakeArtifact($"src{i}", files: 4, bytesEach: 200_000, seed: i)).ToList();
        var workers = sources.Select(s => StartWorker("publish", project.RegistryPath, "racer", "test", s)).ToList();
        var outputs = await Task.WhenAll(workers.Select(async w =>
        {
            var stdout = await w.StandardOutput.ReadToEndAsync();
            var stderr = await w.StandardError.ReadToEndAsync();
            await w.WaitForExitAsync();
            Assert.True(w.ExitCode == 0, stderr);
            return stdout;
        }));

        var claimed = outputs.Select(o => int.Parse(o.Split('\n').Single(l => l.StartsWith("VERSION ")).Substring(8))).OrderBy(n => n);
        Assert.Equal(Enumerable.Range(1, 8), claimed);

        var store = new LocalFolderRegistry(project.RegistryPath);
        var versions = store.ListVersions("racer", "test").ToList();
        Assert.Equal(Enumerable.Range(1, 8), versions.Select(v => v.Version));
        Assert.Equal(8, versions.Select(v => v.ContentHash).Distinct().Count());
        foreach (var version in versions)
        {
            var writerSource = sources.Single(s => version.SystemMetadata["source"] == s);
            foreach (var file in version.Files)
            {
                var stored = File.ReadAllBytes(Path.Combine(version.Location, "files", file.Path));
                Assert.Equal(File.ReadAllBytes(Path.Combine(writerSource, file.Path)), stored);
                Assert.Equal(file.Sha256, Convert.ToHexStringLower(SHA256.HashData(stored)));
            }
        }
    }

    [Fact]
    public async Task A_publisher_killed_mid_copy_leaves_no_visible_version_and_no_lock()
    {
        using var project = new TempProject();
        var source = project.MakeArtifact("big", files: 40, bytesEach: 100_000);
        var store = new LocalFolderRegistry(project.RegistryPath);
        store.Publish("victim", "test", FolderArtifactSource.Open(source), new Dictionary<string, string>(), null, NullReporter.Instance, default);

        var worker = StartWorker("publish", project.RegistryPath, "victim", "test", source, "--slow-ms", "100");
        var line = await worker.StandardOutput.ReadLineAsync();
        Assert.Equal("COPYING", line);
        // Wait (bounded) until the worker has written some of the files into its staging folder, then kill it mid-copy.
        string[] staging = [];
        for (var i = 0; i < 200; i++)
        {
            await Task.Delay(50);
            staging = Directory.GetDirectories(Path.Combine(project.RegistryPath, ".staging"));
            if (staging.Length == 1 && Directory.GetFiles(staging[0], "*", SearchOption.AllDirectories).Length >= 2)
            {
                break;
            }
        }

        Assert.Single(staging);
        Assert.NotEmpty(Directory.GetFiles(staging[0], "*", SearchOption.AllDirectories));
        Assert.False(worker.HasExited, "the worker finished before it could be killed mid-copy");
        worker.Kill(entireProcessTree: true);
        await worker.WaitForExitAsync();

        Assert.Equal(1, store.GetLatestVersionNumber("victim", "test"));
        Assert.Equal(new[] { 1 }, store.ListVersions("victim", "test").Select(v => v.Version));
        Assert.Null(store.GetVersion("victim", "test", 2));

        var next = store.Publish("victim", "test", FolderArtifactSource.Open(source), new Dictionary<string, string>(), null,
            NullReporter.Instance, default);
        Assert.Equal(2, next.Version);
        Assert.Empty(Directory.GetDirectories(Path.Combine(project.RegistryPath, ".staging")));
    }
}
