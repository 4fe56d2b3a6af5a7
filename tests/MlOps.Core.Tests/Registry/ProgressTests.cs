using MlOps.Diagnostics;
using MlOps.Registry;
using Xunit;

namespace MlOps.Core.Tests.Registry;

public class ProgressTests
{
    [Fact]
    public void Publishing_reports_progress_per_file_and_completes()
    {
        using var project = new TempProject();
        var source = project.MakeArtifact("art", files: 5, bytesEach: 100_000);
        var recorder = new RecordingReporter();
        new LocalFolderRegistry(project.RegistryPath).Publish("m", "test", FolderArtifactSource.Open(source),
            new Dictionary<string, string>(), null, recorder, default);

        var running = recorder.Progress.Where(p => !p.Completed).ToList();
        Assert.True(running.Count >= 6, "one report per file at least");
        Assert.Equal(new[] { "info.json", "part1.bin", "part3.bin", "sub/part0.bin", "sub/part2.bin", "sub/part4.bin" },
            running.Select(p => p.CurrentOperation).Distinct().Where(f => f != string.Empty));
        Assert.All(running, p => Assert.Equal("Publishing m to test", p.Activity));
        Assert.True(running.Select(p => p.PercentComplete).SequenceEqual(running.Select(p => p.PercentComplete).OrderBy(x => x)));
        Assert.True(recorder.Progress.Last().Completed);
        Assert.Contains(recorder.Messages, v => v.StartsWith("Stored m/test/1"));
    }

    [Fact]
    public void A_cancelled_publish_stores_nothing()
    {
        using var project = new TempProject();
        var source = project.MakeArtifact("art", files: 5);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var store = new LocalFolderRegistry(project.RegistryPath);
        Assert.ThrowsAny<OperationCanceledException>(() => store.Publish("m", "test", FolderArtifactSource.Open(source),
            new Dictionary<string, string>(), null, NullReporter.Instance, cancel.Token));
        Assert.Equal(0, store.GetLatestVersionNumber("m", "test"));
        Assert.Empty(Directory.GetDirectories(Path.Combine(project.RegistryPath, ".staging")));
    }
}
