using System.Diagnostics;
using System.Text.Json.Nodes;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.Settings;

namespace MlOps.Benchmarks;

/// <summary>
/// Get-MlModelVersion's engine (ProjectRegistry.Find, what the cmdlet runs per environment) on registries holding 10, 1,000
/// and 10,000 versions of one model: <c>-Latest</c>, and a filter by wildcard name and metadata (<c>'ben*' -Metadata @{
/// stage = 'approved' }</c>, every 10th version matches). Each figure is the time per query at N versions against the time
/// with the fewest versions. Local versions after the first are copies of its folder with their own metadata: the queries
/// read folder names and manifests, never the files, so copies are as good as real publishes and far quicker to make.
/// CDF versions are files created through the API with the metadata a publish writes.
/// </summary>
internal static class LookupBenchmarks
{
    public static Task<IReadOnlyList<Figure>> LocalAsync(BenchContext context) => RunAsync(context, local: true);

    public static Task<IReadOnlyList<Figure>> CdfAsync(BenchContext context) => RunAsync(context, local: false);

    private static async Task<IReadOnlyList<Figure>> RunAsync(BenchContext context, bool local)
    {
        var latest = new Dictionary<int, double>();
        var filtered = new Dictionary<int, double>();
        var store = local ? "local store" : "CDF store (emulator)";
        foreach (var count in context.Versions)
        {
            var settings = local ? PrepareLocal(context, count) : await PrepareCdfAsync(context, count);
            var environment = local ? "test" : "cloud";
            var expectedApproved = count / 10;
            latest[count] = Measure(() =>
            {
                var found = new ProjectRegistry(settings).Find(new VersionQuery
                {
                    NameFilter = n => string.Equals(n, "bench", StringComparison.OrdinalIgnoreCase), Environment = environment, Latest = true,
                }).Single();
                if (found.Version != count)
                {
                    throw new InvalidOperationException($"-Latest found version {found.Version}, not {count}.");
                }
            });
            filtered[count] = Measure(() =>
            {
                var found = new ProjectRegistry(settings).Find(new VersionQuery
                {
                    NameFilter = n => n.StartsWith("ben", StringComparison.OrdinalIgnoreCase), Environment = environment,
                    Metadata = new Dictionary<string, string> { ["stage"] = "approved" },
                }).Count();
                if (found != expectedApproved)
                {
                    throw new InvalidOperationException($"The filter found {found} versions, not {expectedApproved}.");
                }
            });
            Console.WriteLine($"  {store} with {count} versions: -Latest {latest[count] * 1e6:0.0} µs, filtered {filtered[count] * 1e3:0.00} ms per query");
            if (local)
            {
                BenchContext.DeleteTree(settings.ProjectRoot);
            }
            else
            {
                await ClearCdfAsync(context);
            }
        }

        var fewest = context.Versions[0];
        var figures = new List<Figure>();
        foreach (var count in context.Versions.Skip(1))
        {
            figures.Add(Figure.TimeRatio($"{store}: -Latest lookup, {count:N0} versions / {fewest:N0}", "lookup",
                new Quantity($"-Latest with {fewest} versions", latest[fewest] * 1e6, "µs"), new Quantity($"-Latest with {count:N0} versions", latest[count] * 1e6, "µs"),
                local ? new Target("ratio", "<=", 2) : null,
                local ? null : "CDF lists every version of the model (1,000 per page) to find the highest complete one"));
            figures.Add(Figure.TimeRatio($"{store}: filtered Get-MlModelVersion, {count:N0} versions / {fewest:N0}", "lookup",
                new Quantity($"filter with {fewest} versions", filtered[fewest] * 1e3, "ms"), new Quantity($"filter with {count:N0} versions", filtered[count] * 1e3, "ms"),
                null,
                $"a metadata filter reads every version's metadata, so it grows with the number of versions: {filtered[count] * 1e6 / count:0} µs per version"));
        }

        return figures;
    }

    /// <summary>Seconds per call: rounds of at least 0.3 s (and 3 calls) each, after a warm-up; the median round.</summary>
    private static double Measure(Action query)
    {
        query();
        var rounds = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            var calls = 0;
            while (calls < 3 || clock.Elapsed.TotalSeconds < 0.3)
            {
                query();
                calls++;
            }

            rounds.Add(clock.Elapsed.TotalSeconds / calls);
        }

        return BenchContext.Median(rounds);
    }

    private static string Stage(int version) => version % 10 == 0 ? "approved" : "candidate";

    private static ProjectSettings PrepareLocal(BenchContext context, int count)
    {
        var root = context.Folder($"lookup-{count}");
        Directory.CreateDirectory(Path.Combine(root, "models", "bench"));
        foreach (var file in new[] { "model.py", "test_model.py", "requirements.model" })
        {
            File.WriteAllText(Path.Combine(root, "models", "bench", file), "");
        }

        File.WriteAllText(Path.Combine(root, "mlops.settings.json"),
            """{ "models": [ { "name": "bench", "codeFolder": "models/bench" } ], "environments": { "test": { "registry": { "type": "local", "path": "registry" } } } }""");
        var settings = SettingsLoader.Load(Path.Combine(root, "mlops.settings.json"));
        var artifact = Path.Combine(root, "artifact");
        Directory.CreateDirectory(artifact);
        File.WriteAllText(Path.Combine(artifact, "model.json"), "{}");
        var first = new ProjectRegistry(settings).Publish("bench", "test", artifact, new Dictionary<string, string> { ["stage"] = Stage(1), ["r2"] = "0.5" },
            NullReporter.Instance, CancellationToken.None);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(first.Location, "manifest.json")))!;
        for (var n = 2; n <= count; n++)
        {
            var target = Path.Combine(root, "registry", "bench", "test", n.ToString());
            Directory.CreateDirectory(Path.Combine(target, "files"));
            manifest["metadata"]!["stage"] = Stage(n);
            manifest["metadata"]!["r2"] = (0.5 + n / 1e6).ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);
            File.WriteAllText(Path.Combine(target, "manifest.json"), manifest.ToJsonString());
            File.Copy(Path.Combine(first.Location, "files", "model.json"), Path.Combine(target, "files", "model.json"));
        }

        File.WriteAllText(Path.Combine(root, "registry", "bench", "test", "latest"), count.ToString());
        return settings;
    }

    private static async Task<ProjectSettings> PrepareCdfAsync(BenchContext context, int count)
    {
        var project = await context.ProjectAsync();
        var client = await context.ClientAsync();
        var settings = SettingsLoader.Load(Path.Combine(project, "mlops.settings.json"));
        await ClearCdfAsync(context);
        var content = "{}"u8.ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
        {
            var created = await client.Files.CreateAsync(new FileCreate
            {
                ExternalId = $"bench/cloud/{n}", Name = $"bench-cloud-{n}.tar.gz", Directory = "/mlops", MimeType = "application/gzip",
                Metadata = new Dictionary<string, string>
                {
                    ["version"] = n.ToString(), ["stage"] = Stage(n), ["r2"] = "0.5", ["mlops_content_hash"] = "sha256:" + new string('0', 64),
                    ["mlops_file_count"] = "1", ["mlops_size"] = "2", ["mlops_created_by"] = "bench",
                },
            }, cancellationToken: ct);
            await client.Files.UploadContentAsync(created.UploadUrl, new MemoryStream(content), content.Length, "application/gzip", ct);
        });
        return settings;
    }

    private static async Task ClearCdfAsync(BenchContext context)
    {
        var client = await context.ClientAsync();
        var all = await client.Files.ListAllAsync(new FileFilter { DirectoryPrefix = "/mlops" });
        foreach (var batch in all.Chunk(1000))
        {
            await client.Files.DeleteAsync(batch.Select(f => Identity.Create(f.Id)));
        }
    }
}
