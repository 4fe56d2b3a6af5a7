// MlOps benchmarks. Each figure is a ratio against a baseline measured in the same run, with the baseline's
// absolute value beside it, because absolute times vary on shared machines.
//   dotnet run -c Release --project tests/MlOps.Benchmarks -- [--size-mib 1024] [--versions 10000] [--work <folder>]
using System.Diagnostics;
using System.Globalization;
using MlOps.Benchmarks;

var sizeMib = Option("--size-mib", 1024);
var versions = Option("--versions", 10_000);
var work = OptionText("--work") ?? Path.Combine(FindRepoRoot(), "out", "bench", "tmp");
if (Directory.Exists(work))
{
    Registries.DeleteTree(work);
}

Directory.CreateDirectory(work);
Console.WriteLine($"MlOps benchmarks on {Environment.MachineName}: {Environment.ProcessorCount} cores, {RuntimeInformationText()}");
Console.WriteLine($"work folder: {work}");
try
{
    var publish = PublishBenchmark.Run(work, sizeMib);
    var latest = LatestLookupBenchmark.Run(work, versions);
    var cdfPublish = await CdfPublishBenchmark.RunAsync(work, sizeMib);
    Console.WriteLine();
    Console.WriteLine("| figure | value | target | baseline |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine($"| publish throughput / plain copy ({sizeMib} MiB) | {publish.Ratio:0.00} | >= 0.8 | copy {publish.CopyMibPerSecond:0} MiB/s, publish {publish.PublishMibPerSecond:0} MiB/s |");
    Console.WriteLine($"| publish throughput / SHA-256-only throughput ({sizeMib} MiB) | {publish.HashRatio:0.00} | (ceiling 1.0) | SHA-256 alone {publish.HashMibPerSecond:0} MiB/s |");
    Console.WriteLine($"| publish peak extra memory ({sizeMib} MiB) | {publish.PeakExtraMib:0.0} MiB | < 64 MiB | publisher process RSS before publishing |");
    Console.WriteLine($"| CDF publish throughput / raw HTTP PUT, emulator ({sizeMib} MiB) | {cdfPublish.Ratio:0.00} | >= 0.8 | PUT {cdfPublish.PutMibPerSecond:0} MiB/s, publish {cdfPublish.PublishMibPerSecond:0} MiB/s |");
    Console.WriteLine($"| CDF publish peak extra memory ({sizeMib} MiB) | {cdfPublish.PeakExtraMib:0.0} MiB | < 64 MiB | publisher process RSS before publishing |");
    Console.WriteLine($"| -Latest lookup, {versions} versions / 10 versions | {latest.Ratio:0.00} | <= 2 | 10 versions: {latest.SmallMicroseconds:0} µs per lookup |");
}
finally
{
    Registries.DeleteTree(work);
}

return 0;

int Option(string name, int fallback)
{
    var text = OptionText(name);
    return text == null ? fallback : int.Parse(text, CultureInfo.InvariantCulture);
}

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

static string RuntimeInformationText() =>
    System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription + ", " + System.Runtime.InteropServices.RuntimeInformation.OSDescription;
