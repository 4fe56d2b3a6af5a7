using System.Diagnostics;
using MlOps.Diagnostics;
using MlOps.Registry;

namespace MlOps.Benchmarks;

/// <summary>
/// The -Latest lookup (latest number, then that version's manifest) with 10 versions against many versions of the
/// same model. Versions after the first are copies of version 1's folder: the lookup reads folder names and one
/// manifest, never the artifact files, so copies are as good as real publishes and far quicker to make.
/// </summary>
internal static class LatestLookupBenchmark
{
    public sealed record Result(double SmallMicroseconds, double LargeMicroseconds)
    {
        public double Ratio => LargeMicroseconds / SmallMicroseconds;
    }

    public static Result Run(string work, int versions)
    {
        var small = Prepare(Path.Combine(work, "latest-small"), 10);
        var large = Prepare(Path.Combine(work, "latest-large"), versions);
        Measure(small, 200);
        Measure(large, 200);
        var smallTimes = new List<double>();
        var largeTimes = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            smallTimes.Add(Measure(small, 2000));
            largeTimes.Add(Measure(large, 2000));
        }

        var result = new Result(Registries.Median(smallTimes), Registries.Median(largeTimes));
        Console.WriteLine($"latest: 10 versions {result.SmallMicroseconds:0.0} µs, {versions} versions {result.LargeMicroseconds:0.0} µs per lookup");
        return result;
    }

    private static LocalFolderRegistry Prepare(string root, int count)
    {
        var source = Path.Combine(root, "..", Path.GetFileName(root) + "-artifact");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "model.json"), "{}");
        var registry = new LocalFolderRegistry(root);
        var first = registry.Publish("bench", "test", FolderArtifactSource.Open(source), new Dictionary<string, string>(), null,
            NullReporter.Instance, CancellationToken.None);
        for (var n = 2; n <= count; n++)
        {
            var target = Path.Combine(root, "bench", "test", n.ToString());
            Directory.CreateDirectory(Path.Combine(target, "files"));
            File.Copy(Path.Combine(first.Location, "manifest.json"), Path.Combine(target, "manifest.json"));
            File.Copy(Path.Combine(first.Location, "files", "model.json"), Path.Combine(target, "files", "model.json"));
        }

        File.WriteAllText(Path.Combine(root, "bench", "test", "latest"), count.ToString());
        if (registry.GetLatestVersionNumber("bench", "test") != count)
        {
            throw new InvalidOperationException("The prepared registry does not report its latest version.");
        }

        return registry;
    }

    /// <summary>Microseconds per lookup, averaged over <paramref name="iterations"/>.</summary>
    private static double Measure(LocalFolderRegistry registry, int iterations)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            var latest = registry.GetLatestVersionNumber("bench", "test");
            if (registry.GetVersion("bench", "test", latest) == null)
            {
                throw new InvalidOperationException("The latest version vanished.");
            }
        }

        return clock.Elapsed.TotalMilliseconds * 1000 / iterations;
    }
}
