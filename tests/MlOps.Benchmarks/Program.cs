// MlOps benchmarks (the .NET part of `build.ps1 -Task Bench`). Each figure is a ratio against a baseline measured in the
// same run, with both absolute values beside it, because absolute times vary on shared machines.
//   dotnet run -c Release --project tests/MlOps.Benchmarks -- [--out figures.json] [--sizes 1,100,1024]
//       [--versions 10,1000,10000] [--only <regex on benchmark names>] [--quick] [--work <folder>]
// To add a benchmark: write one function `static Task<IReadOnlyList<Figure>> XAsync(BenchContext context)` returning its
// figures (Figure.Throughput/TimeRatio/Memory build them) and add a line to `benchmarks` below.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using MlOps.Benchmarks;

// Touch: the group writes artifacts into the page cache against a bound measured beside it, so it starts with the machine's
// free memory backed by the host (FreePageReporting); the others are bound by the CPU, the link or their API calls.
(string Name, Func<BenchContext, Task<IReadOnlyList<Figure>>> Run, bool Touch)[] benchmarks =
[
    ("local-throughput", ThroughputBenchmarks.LocalAsync, true),
    ("cdf-throughput", ThroughputBenchmarks.CdfAsync, false),
    ("cdf-throughput-capped", ThroughputBenchmarks.CdfCappedAsync, false),
    ("local-lookup", LookupBenchmarks.LocalAsync, false),
    ("cdf-lookup", LookupBenchmarks.CdfAsync, false),
    ("promotion", PromotionBenchmark.RunAsync, true),
];

var quick = args.Contains("--quick");
var sizes = List(OptionText("--sizes") ?? (quick ? "1,8" : "1,100,1024"));
var versions = List(OptionText("--versions") ?? (quick ? "10,200" : "10,1000,10000"));
var only = OptionText("--only") is string pattern ? new Regex(pattern) : null;
var outPath = OptionText("--out");
var work = OptionText("--work") ?? Path.Combine(FindRepoRoot(), "out", "bench", "tmp");
if (Directory.Exists(work))
{
    BenchContext.DeleteTree(work);
}

Directory.CreateDirectory(work);
Console.WriteLine($"MlOps benchmarks: {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
Console.WriteLine($"sizes {string.Join(", ", sizes)} MiB; versions {string.Join(", ", versions)}; work folder {work}");
var figures = new List<Figure>();
var timings = new List<object>();
// A smoke run (--quick) publishes no figures and does not pay for touching the machine's memory.
using var reporting = quick ? null : FreePageReporting.Pause();
if (reporting?.Description != null)
{
    Console.WriteLine(reporting.Description);
}

await using (var context = new BenchContext(work, sizes, versions, quick))
{
    try
    {
        foreach (var (name, run, touch) in benchmarks.Where(b => only == null || only.IsMatch(b.Name)))
        {
            Console.WriteLine($"{name}:");
            if (touch)
            {
                reporting?.Refresh();
            }

            var clock = Stopwatch.StartNew();
            figures.AddRange(await run(context));
            timings.Add(new { name, seconds = Math.Round(clock.Elapsed.TotalSeconds, 1) });
            Console.WriteLine($"{name}: {clock.Elapsed.TotalSeconds:0.0} s");
        }
    }
    finally
    {
        BenchContext.DeleteTree(work);
    }
}

Console.WriteLine();
Console.WriteLine("| figure | ratio | measured | baseline | target |");
Console.WriteLine("|---|---|---|---|---|");
foreach (var f in figures)
{
    Console.WriteLine($"| {f.Name} | {f.Ratio:0.00} | {f.Measured?.Value:0.##} {f.Measured?.Unit} | {f.Baseline?.Name} {f.Baseline?.Value:0.##} {f.Baseline?.Unit} | {f.Target}{(f.Met is bool met ? met ? " (met)" : " (not met)" : "")} |");
}

if (outPath != null)
{
    var json = new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
    File.WriteAllText(outPath, JsonSerializer.Serialize(new
    {
        runtime = new { framework = RuntimeInformation.FrameworkDescription, os = RuntimeInformation.OSDescription, cores = Environment.ProcessorCount, memory = reporting?.Description },
        options = new { sizesMib = sizes, versions, quick },
        benchmarks = timings,
        figures,
    }, json));
    Console.WriteLine($"Wrote {figures.Count} figures to {outPath}");
}

return 0;

static List<int> List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToList();

string? OptionText(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "MlOps.sln")))
        {
            return dir.FullName;
        }
    }

    return Path.GetTempPath();
}
