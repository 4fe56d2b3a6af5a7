using System.Diagnostics;
using MlOps.Cdf;

namespace MlOps.Benchmarks;

/// <summary>
/// Publish and download (Save-MlModelArtifact's path) against what bounds them, measured in the same run, best of several
/// rounds with the contenders alternating:
/// <list type="bullet">
/// <item>local store: the slower of SHA-256 alone (every byte is hashed) and a plain copy that flushes each file to disk
/// (every version is durable before it is visible); the plain copy into the page cache is shown as context.</item>
/// <item>CDF store: raw HTTP PUT/GET of the same files to the same emulator with its storage link capped at a realistic
/// 100 MiB/s; uncapped, as context (on loopback the emulator's own disk writes dominate).</item>
/// </list>
/// The operations run in the store worker process, which reports its own time and its peak resident memory above its
/// level before the operation. Targets apply from 100 MiB (smaller artifacts are dominated by fixed costs).
/// </summary>
internal static class ThroughputBenchmarks
{
    private static readonly Target ThroughputTarget = new("ratio", ">=", 0.9);

    /// <summary>The storage link of the capped CDF run: 100 MiB/s each way.</summary>
    public const long LinkCap = 100L * 1024 * 1024;

    public static Task<IReadOnlyList<Figure>> LocalAsync(BenchContext context) => RunAsync(context, local: true);

    public static async Task<IReadOnlyList<Figure>> CdfAsync(BenchContext context)
    {
        await context.UseTransferCapAsync(null);
        return await RunAsync(context, local: false);
    }

    public static async Task<IReadOnlyList<Figure>> CdfCappedAsync(BenchContext context)
    {
        await context.UseTransferCapAsync(LinkCap);
        try
        {
            return await RunAsync(context, local: false);
        }
        finally
        {
            await context.UseTransferCapAsync(null);
        }
    }

    private static async Task<IReadOnlyList<Figure>> RunAsync(BenchContext context, bool local)
    {
        var capped = !local && context.TransferCap != null;
        var project = await context.ProjectAsync();
        var client = local ? null : await context.ClientAsync();
        var figures = new List<Figure>();
        var memory = new List<Figure>();
        foreach (var sizeMib in context.SizesMib)
        {
            var source = BenchContext.MakeArtifact(context.Folder("artifact"), sizeMib);
            var mib = BenchContext.SizeMib(source);
            var label = BenchContext.SizeLabel(sizeMib);
            var upBaseline = new List<double>();
            var up = new List<WorkerResult>();
            var downBaseline = new List<double>();
            var down = new List<WorkerResult>();
            var hashAlone = new List<double>();
            var flushedCopy = new List<double>();
            var flushedDown = new List<double>();
            for (var round = 0; round < context.Rounds(sizeMib); round++)
            {
                // The contenders alternate which goes first, and each starts with no dirty pages (see FlushDirtyPages) and
                // with the files it reads in the page cache (a copy made in the kernel otherwise reads them at the disk's pace).
                var environment = local ? "test" : "cloud";
                var baselineFirst = round % 2 == 0;
                // The bounds are measured right beside what they bound, on the same side of it in turn: a disk that slows
                // under sustained writes (a cloud disk's burst running out) then slows both alike.
                async Task UpBaselines()
                {
                    BenchContext.ReadAll(source);
                    upBaseline.Add(local ? CopyOnce(context, source) : await PutOnceAsync(client!, source, round));
                    if (local)
                    {
                        // What durability costs any copy: a publish flushes every file and folder before the version is visible.
                        BenchContext.ReadAll(source);
                        flushedCopy.Add(CopyOnce(context, source, flush: true));
                    }
                }

                if (baselineFirst)
                {
                    await UpBaselines();
                }

                BenchContext.ReadAll(source);
                var published = context.Run("publish", "bench", environment, source);
                up.Add(published);
                if (!baselineFirst)
                {
                    await UpBaselines();
                }

                if (local && sizeMib >= 100)
                {
                    // The ceiling: a publish must SHA-256 every byte, and one file's hash is one sequential computation.
                    BenchContext.ReadAll(source);
                    hashAlone.Add(HashOnce(source));
                }

                var stored = Path.Combine(project, "registry-test", "bench", "test", published.Version.ToString(), "files");
                var saved = context.Folder("saved");
                async Task DownBaselines()
                {
                    WarmStored(local, stored, context);
                    downBaseline.Add(local ? CopyOnce(context, stored) : await GetOnceAsync(client!, source, round, context));
                    if (local)
                    {
                        WarmStored(local, stored, context);
                        flushedDown.Add(CopyOnce(context, stored, flush: true));
                    }
                }

                if (baselineFirst)
                {
                    await DownBaselines();
                }

                WarmStored(local, stored, context);
                down.Add(context.Run("save", "bench", environment, published.Version.ToString(), Path.Combine(saved, "out")));
                BenchContext.DeleteTree(saved);
                if (!baselineFirst)
                {
                    await DownBaselines();
                }

                Console.WriteLine($"  {(local ? "local" : "cdf")} {label} round {round + 1}: " +
                    $"{(local ? "copy" : "PUT")} {upBaseline[^1]:0.000} s, publish {up[^1].Seconds:0.000} s, " +
                    $"{(local ? "copy" : "GET")} {downBaseline[^1]:0.000} s, save {down[^1].Seconds:0.000} s, " +
                    $"peak extra {up[^1].PeakExtraMib:0.0}/{down[^1].PeakExtraMib:0.0} MiB");
            }

            BenchContext.DeleteTree(source);
            var store = local ? "local store" : capped ? $"CDF store (emulator, link capped at {context.TransferCap / (1024 * 1024)} MiB/s)" : "CDF store (emulator)";
            var upName = local ? "plain copy (File.Copy per file)" : "raw HTTP PUT of the files";
            var downName = local ? "plain copy of the stored files" : "raw HTTP GET of the files";
            // Small artifacts are dominated by fixed costs (manifest, rename, API calls): no target there. Against a copy into
            // the page cache and an uncapped loopback emulator the figures are context: the bounds are the rows below.
            var target = sizeMib >= 100 && capped ? ThroughputTarget : null;
            figures.Add(Figure.Throughput($"{store}: publish / {(local ? "plain copy" : "raw PUT")}, {label}", "throughput",
                new Quantity(upName, mib / upBaseline.Min(), "MiB/s"), new Quantity("Publish-MlModelArtifact (engine)", mib / up.Min(r => r.Seconds), "MiB/s"), target));
            figures.Add(Figure.Throughput($"{store}: download / {(local ? "plain copy" : "raw GET")}, {label}", "throughput",
                new Quantity(downName, mib / downBaseline.Min(), "MiB/s"), new Quantity("Save-MlModelArtifact (engine)", mib / down.Min(r => r.Seconds), "MiB/s"), target));
            if (hashAlone.Count > 0 && flushedCopy.Count > 0)
            {
                // The bound: a publish or download hashes every byte and flushes every file, so it can go no faster than the
                // slower of the two alone on this machine.
                var hash = new Quantity("SHA-256 of every file alone (one core per file)", mib / hashAlone.Min(), "MiB/s");
                var flushing = new Quantity("plain copy that flushes each file to disk (File.Copy + fsync)", mib / flushedCopy.Min(), "MiB/s");
                var flushingDown = new Quantity("plain copy of the stored files that flushes each file (File.Copy + fsync)", mib / flushedDown.Min(), "MiB/s");
                var bound = hash.Value <= flushing.Value ? hash : flushing;
                var downBound = hash.Value <= flushingDown.Value ? hash : flushingDown;
                figures.Add(Figure.Throughput($"{store}: SHA-256 alone / plain copy, {label}", "throughput",
                    new Quantity(upName, mib / upBaseline.Min(), "MiB/s"), hash,
                    note: $"context: hashing against a copy into the page cache; a copy that flushes runs at {flushing.Value:0} MiB/s"));
                figures.Add(Figure.Throughput($"{store}: publish / slower of SHA-256 alone and a flushing copy, {label}", "throughput", bound,
                    new Quantity("Publish-MlModelArtifact (engine)", mib / up.Min(r => r.Seconds), "MiB/s"), ThroughputTarget,
                    note: $"the other bound: {(ReferenceEquals(bound, hash) ? flushing : hash).Name} at {(ReferenceEquals(bound, hash) ? flushing : hash).Value:0} MiB/s"));
                figures.Add(Figure.Throughput($"{store}: download / slower of SHA-256 alone and a flushing copy, {label}", "throughput", downBound,
                    new Quantity("Save-MlModelArtifact (engine)", mib / down.Min(r => r.Seconds), "MiB/s"), ThroughputTarget,
                    note: "a download verifies every file's SHA-256 and flushes it, as a publish does"));
            }

            if (sizeMib == context.SizesMib.Max() && !capped)
            {
                memory.Add(Figure.Memory($"{store}: publish peak extra memory, {label}", mib, up.Max(r => r.PeakExtraMib)));
                memory.Add(Figure.Memory($"{store}: download peak extra memory, {label}", mib, down.Max(r => r.PeakExtraMib)));
            }

            // Keep the disk from filling up: every round's versions go.
            await context.ClearStoresAsync();
        }

        return [.. figures, .. memory];
    }

    /// <summary>The stored bytes both download contenders read: the version's files, or the emulator's storage folder.</summary>
    private static void WarmStored(bool local, string stored, BenchContext context)
    {
        BenchContext.ReadAll(local ? stored : context.EmulatorStorage);
    }

    private static double CopyOnce(BenchContext context, string source, bool flush = false)
    {
        var target = context.Folder("copy");
        try
        {
            return BenchContext.PlainCopy(source, Path.Combine(target, "out"), flush);
        }
        finally
        {
            BenchContext.DeleteTree(target);
        }
    }

    /// <summary>SHA-256 of every file of <paramref name="source"/> (in the page cache), one file after another, as a publish computes them.</summary>
    private static double HashOnce(string source)
    {
        var buffer = new byte[1 << 20];
        var clock = Stopwatch.StartNew();
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                sha.AppendData(buffer, 0, read);
            }

            sha.GetHashAndReset();
        }

        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Each file: create its metadata (POST /files) and PUT its bytes to the upload URL.</summary>
    private static async Task<double> PutOnceAsync(CdfClient client, string source, int round)
    {
        BenchContext.FlushDirtyPages();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        var clock = Stopwatch.StartNew();
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(source, file).Replace('/', '_');
            var created = await client.Files.CreateAsync(new FileCreate { ExternalId = RawId(source, round, name), Name = name, Directory = "/raw" });
            await using var stream = File.OpenRead(file);
            using var content = new StreamContent(stream, 1 << 16);
            content.Headers.ContentLength = stream.Length;
            (await http.PutAsync(created.UploadUrl, content)).EnsureSuccessStatusCode();
        }

        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The download links of the raw files (one POST /files/downloadlink), then a GET of each into a file.</summary>
    private static async Task<double> GetOnceAsync(CdfClient client, string source, int round, BenchContext context)
    {
        var target = context.Folder("get");
        try
        {
            BenchContext.FlushDirtyPages();
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
            var names = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(source, f).Replace('/', '_')).ToList();
            var clock = Stopwatch.StartNew();
            var links = await client.Files.DownloadLinkAsync(names.Select(n => Identity.Create(RawId(source, round, n))));
            foreach (var link in links)
            {
                using var response = await http.GetAsync(link.DownloadUrl, HttpCompletionOption.ResponseHeadersRead);
                response.EnsureSuccessStatusCode();
                await using var output = File.Create(Path.Combine(target, link.ExternalId!.Replace('/', '_')));
                await response.Content.CopyToAsync(output);
            }

            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            BenchContext.DeleteTree(target);
        }
    }

    private static string RawId(string source, int round, string name) => $"raw/{Path.GetFileName(source)}/{round}/{name}";
}
