using System.Diagnostics;

namespace MlOps.Benchmarks;

/// <summary>
/// Publish of an artifact folder into the local store against a plain copy of the same folder (File.Copy per file,
/// as Copy-Item does) on the same disk, alternating, best of three each. The publish runs in a separate process
/// (tests/MlOps.StoreWorker) which reports its own peak resident memory above its level before publishing.
/// </summary>
internal static class PublishBenchmark
{
    public sealed record Result(double CopyMibPerSecond, double PublishMibPerSecond, double HashMibPerSecond, double PeakExtraMib)
    {
        public double Ratio => PublishMibPerSecond / CopyMibPerSecond;

        /// <summary>Publish against hashing alone: every byte must be SHA-256'd once, so this is the ceiling on one core.</summary>
        public double HashRatio => PublishMibPerSecond / HashMibPerSecond;
    }

    public static Result Run(string work, int sizeMib)
    {
        var source = Path.Combine(work, "artifact");
        MakeArtifact(source, sizeMib);
        var bytes = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var mib = bytes / 1048576.0;
        Console.WriteLine($"publish: artifact of {mib:0} MiB in {Directory.GetFiles(source, "*", SearchOption.AllDirectories).Length} files");

        var hashes = new List<double>();
        var copies = new List<double>();
        var publishes = new List<double>();
        var peaks = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var copyTarget = Path.Combine(work, "copy");
            FlushDirtyPages();
            var clock = Stopwatch.StartNew();
            PlainCopy(source, copyTarget);
            copies.Add(clock.Elapsed.TotalSeconds);
            Registries.DeleteTree(copyTarget);

            clock.Restart();
            HashOnly(source);
            hashes.Add(clock.Elapsed.TotalSeconds);

            var registry = Path.Combine(work, "registry");
            FlushDirtyPages();
            var output = RunWorker("publish", registry, "bench", "test", source);
            publishes.Add(double.Parse(Field(output, "ELAPSED_MS"), System.Globalization.CultureInfo.InvariantCulture) / 1000);
            peaks.Add(long.Parse(Field(output, "PEAK_EXTRA_BYTES")) / 1048576.0);
            Registries.DeleteTree(registry);
            Console.WriteLine($"  round {round + 1}: copy {copies[^1]:0.000} s, SHA-256 only {hashes[^1]:0.000} s, publish {publishes[^1]:0.000} s (in the publisher process), peak extra {peaks[^1]:0.0} MiB");
        }

        return new Result(mib / copies.Min(), mib / publishes.Min(), mib / hashes.Min(), peaks.Max());
    }

    /// <summary>Both contenders start with no dirty pages, so neither pays for the other's write-back.</summary>
    internal static void FlushDirtyPages()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })!;
        sync.WaitForExit();
    }

    internal static string Field(string output, string name) =>
        output.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Substring(name.Length + 1).Trim();

    internal static void MakeArtifact(string folder, int sizeMib)
    {
        Directory.CreateDirectory(Path.Combine(folder, "weights"));
        var random = new Random(42);
        var chunk = new byte[1 << 20];
        // One large file (most of the bytes) and a few small ones, as a typical model folder.
        using (var big = File.Create(Path.Combine(folder, "weights", "model.bin")))
        {
            for (var i = 0; i < Math.Max(1, sizeMib - 1); i++)
            {
                random.NextBytes(chunk);
                big.Write(chunk);
            }
        }

        for (var i = 0; i < 16; i++)
        {
            var small = new byte[64 * 1024];
            random.NextBytes(small);
            File.WriteAllBytes(Path.Combine(folder, $"part{i}.bin"), small);
        }

        File.WriteAllText(Path.Combine(folder, "metrics.json"), "{\"r2\": 0.9}");
    }

    private static void HashOnly(string source)
    {
        var buffer = new byte[1 << 20];
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }

            hash.GetHashAndReset();
        }
    }

    private static void PlainCopy(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    internal static string RunWorker(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MlOps.StoreWorker.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("The store worker failed: " + output);
        }

        return output;
    }
}
