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
            (WorkerResult Version, int Round)? previous = null;
            for (var round = 0; round < context.Rounds(sizeMib); round++)
            {
                // The contenders alternate which goes first, and each starts with no dirty pages (see FlushDirtyPages) and
                // with the files it reads in the page cache (a copy made in the kernel otherwise reads them at the disk's pace).
                var environment = local ? "test" : "cloud";
                var baselineFirst = round % 2 == 0;

                // The bounds are measured right beside what they bound, on the same side of it in turn: whatever slows the
                // machine's disk or memory for a while (another tenant, the host taking memory back) then slows both alike.
                async Task<WorkerResult> UpSide()
                {
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

                    return published;
                }

                async Task DownSide(WorkerResult version, int putRound)
                {
                    var stored = Path.Combine(project, "registry-test", "bench", "test", version.Version.ToString(), "files");
                    var saved = context.Folder("saved");
                    async Task DownBaselines()
                    {
                        WarmStored(local, stored, context);
                        downBaseline.Add(local ? CopyOnce(context, stored) : await GetOnceAsync(client!, source, putRound, context));
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
                    down.Add(context.Run("save", "bench", environment, version.Version.ToString(), Path.Combine(saved, "out")));
                    BenchContext.DeleteTree(saved);
                    if (!baselineFirst)
                    {
                        await DownBaselines();
                    }
                }

                // Publishing and downloading take turns coming first in a round (the download then reads the previous
                // round's version), so neither always follows the other's writes.
                if (round % 2 == 1 && previous is { } last)
                {
                    await DownSide(last.Version, last.Round);
                    previous = (await UpSide(), round);
                }
                else
                {
                    previous = (await UpSide(), round);
                    await DownSide(previous.Value.Version, round);
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
                // slower of SHA-256 alone (the CPU's, best of the run) and a copy that flushes (the disk's, as it was in that
                // round). Whatever slows the disk or memory for a while slows a round's copy and its contender alike, so each
                // round's contender is set against its own round's copy, and the best round is the figure.
                var hash = new Quantity("SHA-256 of every file alone (one core per file)", mib / hashAlone.Min(), "MiB/s");
                figures.Add(Figure.Throughput($"{store}: SHA-256 alone / plain copy, {label}", "throughput",
                    new Quantity(upName, mib / upBaseline.Min(), "MiB/s"), hash,
                    note: $"context: hashing against a copy into the page cache; a copy that flushes ran at {mib / flushedCopy.Min():0} MiB/s at best"));
                figures.Add(BoundFigure($"{store}: publish / slower of SHA-256 alone and a flushing copy, {label}", mib, hash,
                    "plain copy that flushes each file to disk (File.Copy + fsync)", flushedCopy, "Publish-MlModelArtifact (engine)", up));
                figures.Add(BoundFigure($"{store}: download / slower of SHA-256 alone and a flushing copy, {label}", mib, hash,
                    "plain copy of the stored files that flushes each file (File.Copy + fsync)", flushedDown, "Save-MlModelArtifact (engine)", down));
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

    /// <summary>
    /// The engine against the slower of SHA-256 alone and the flushing copy of the same round; the round where the engine came
    /// closest to its bound is the figure (its note names the rounds' ratios).
    /// </summary>
    private static Figure BoundFigure(string name, double mib, Quantity hash, string copyName, List<double> copySeconds, string engineName,
        List<WorkerResult> engine)
    {
        var rounds = engine.Select((run, i) =>
        {
            var copy = new Quantity(copyName, mib / copySeconds[i], "MiB/s");
            var bound = hash.Value <= copy.Value ? hash : copy;
            var measured = new Quantity(engineName, mib / run.Seconds, "MiB/s");
            return (Bound: bound, Measured: measured, Ratio: measured.Value / bound.Value);
        }).ToList();
        var best = rounds.OrderByDescending(r => r.Ratio).First();
        return Figure.Throughput(name, "throughput", best.Bound, best.Measured, ThroughputTarget,
            note: "each round against its own round's flushing copy (what slows the machine's disk or memory slows both alike); rounds: "
                + string.Join(", ", rounds.Select(r => r.Ratio.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture))));
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
