using MlOps.Diagnostics;
using MlOps.Registry;
using Xunit;

namespace MlOps.Core.Tests.Registry;

public class DeferredFlushTests
{
    private static FileStream Written(string folder, int i, int bytes = 10)
    {
        var stream = new FileStream(Path.Combine(folder, $"f{i:000}.bin"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        stream.Write(new byte[bytes], 0, bytes);
        return stream;
    }

    [Fact]
    public void Files_wait_until_FlushAll_which_closes_them()
    {
        using var project = new TempProject();
        using var small = new DeferredFlush();
        var streams = Enumerable.Range(0, 3).Select(i => Written(project.Root, i)).ToList();
        foreach (var stream in streams)
        {
            small.Complete(stream, stream.Name);
        }

        Assert.Equal(3, small.Waiting);
        Assert.All(streams, s => Assert.True(s.CanWrite));

        small.FlushAll();

        Assert.Equal(0, small.Waiting);
        Assert.All(streams, s => Assert.False(s.CanWrite));
        Assert.All(streams, s => Assert.Equal(10, new FileInfo(s.Name).Length));
    }

    [Fact]
    public void A_file_larger_than_the_maximum_is_flushed_and_closed_when_handed_over()
    {
        using var project = new TempProject();
        using var small = new DeferredFlush();
        var large = Written(project.Root, 1, (int)DeferredFlush.MaximumLength + 1);
        var tiny = Written(project.Root, 2);

        small.Complete(large, large.Name);
        small.Complete(tiny, tiny.Name);

        Assert.False(large.CanWrite);
        Assert.True(tiny.CanWrite);
        Assert.Equal(1, small.Waiting);
    }

    [Fact]
    public void A_large_file_whose_flush_fails_is_closed_and_named()
    {
        using var project = new TempProject();
        using var small = new DeferredFlush();
        var broken = new FailingDisk(Path.Combine(project.Root, "large.bin"));
        broken.Write(new byte[DeferredFlush.MaximumLength + 1], 0, (int)DeferredFlush.MaximumLength + 1);

        var error = Assert.Throws<MlOpsException>(() => small.Complete(broken, broken.Name));

        Assert.Equal(ErrorIds.RegistryWriteFailed, error.ErrorId);
        Assert.Contains(broken.Name, error.Message);
        Assert.False(broken.CanWrite);
        Assert.Equal(0, small.Waiting);
    }

    [Fact]
    public void A_folder_of_many_small_files_holds_at_most_a_batch_of_handles()
    {
        using var project = new TempProject();
        using var small = new DeferredFlush();
        var streams = new List<FileStream>();
        for (var i = 0; i < DeferredFlush.BatchSize + 5; i++)
        {
            var stream = Written(project.Root, i);
            streams.Add(stream);
            small.Complete(stream, stream.Name);
            Assert.InRange(small.Waiting, 0, DeferredFlush.BatchSize - 1);
        }

        // The first batch was flushed and closed when it was full; the rest wait.
        Assert.Equal(5, small.Waiting);
        Assert.All(streams.Take(DeferredFlush.BatchSize), s => Assert.False(s.CanWrite));
        Assert.All(streams.Skip(DeferredFlush.BatchSize), s => Assert.True(s.CanWrite));
    }

    [Fact]
    public void Dispose_after_a_failure_closes_what_waits_so_the_folder_can_be_deleted()
    {
        using var project = new TempProject();
        var folder = Path.Combine(project.Root, "staging");
        Directory.CreateDirectory(folder);
        var small = new DeferredFlush();
        var stream = Written(folder, 1);
        small.Complete(stream, stream.Name);

        small.Dispose();

        Assert.False(stream.CanWrite);
        Directory.Delete(folder, recursive: true);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void A_flush_that_fails_names_the_file_and_closes_the_rest()
    {
        using var project = new TempProject();
        using var small = new DeferredFlush();
        var broken = new FailingDisk(Path.Combine(project.Root, "broken.bin"));
        var other = Written(project.Root, 2);
        small.Complete(broken, broken.Name);
        small.Complete(other, other.Name);

        var error = Assert.Throws<MlOpsException>(small.FlushAll);

        Assert.Equal(ErrorIds.RegistryWriteFailed, error.ErrorId);
        Assert.Contains(broken.Name, error.Message);
        Assert.False(other.CanWrite);
        Assert.False(broken.CanWrite);
        Assert.Equal(0, small.Waiting);
    }

    /// <summary>A file whose flush to disk fails as a failing disk's does (EIO).</summary>
    private sealed class FailingDisk(string path) : FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1)
    {
        public override void Flush(bool flushToDisk) => throw new IOException("Input/output error");
    }
}
