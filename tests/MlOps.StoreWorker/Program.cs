// Drives the local store from a separate process, for the concurrency and crash tests and the benchmark.
//   publish <root> <model> <env> <source> [--slow-ms N]
// prints "COPYING" when it starts writing, then "VERSION <n>", the publish's own time and its peak extra resident memory (Linux).
using System.Globalization;
using MlOps.Diagnostics;
using MlOps.Registry;

if (args.Length >= 5 && args[0] == "publish")
{
    var slowMs = args.Length >= 7 && args[5] == "--slow-ms" ? int.Parse(args[6], CultureInfo.InvariantCulture) : 0;
    var registry = new LocalFolderRegistry(args[1]);
    var rssBefore = ResidentBytes("VmRSS");
    var reporter = new ConsoleReporter(slowMs);
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var version = registry.Publish(args[2], args[3], FolderArtifactSource.Open(args[4]), new Dictionary<string, string>
    {
        ["writer"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
    }, null, reporter, CancellationToken.None);
    Console.WriteLine($"VERSION {version.Version}");
    Console.WriteLine($"ELAPSED_MS {clock.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)}");
    Console.WriteLine($"PEAK_EXTRA_BYTES {ResidentBytes("VmHWM") - rssBefore}");
    return 0;
}

if (args.Length == 9 && args[0] == "publish-cdf")
{
    // publish-cdf <baseUrl> <project> <tokenUrl> <clientId> <secretVariable> <model> <env> <source>
    var client = new MlOps.Cdf.CdfClient(new MlOps.Cdf.CdfClientOptions
    {
        BaseUrl = args[1],
        Project = args[2],
        Credentials = MlOps.Cdf.CdfCredentials.ClientCredentials(args[3], args[4], Environment.GetEnvironmentVariable(args[5])!),
    });
    var store = new CdfFilesRegistry(client.Files, client.Options.ApiUrl);
    var rssBefore = ResidentBytes("VmRSS");
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var version = store.Publish(args[6], args[7], FolderArtifactSource.Open(args[8]), new Dictionary<string, string>(), null,
        NullReporter.Instance, CancellationToken.None);
    Console.WriteLine($"VERSION {version.Version}");
    Console.WriteLine($"ELAPSED_MS {clock.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)}");
    Console.WriteLine($"PEAK_EXTRA_BYTES {ResidentBytes("VmHWM") - rssBefore}");
    return 0;
}

Console.Error.WriteLine("usage: publish <root> <model> <env> <source> [--slow-ms N] | publish-cdf <baseUrl> <project> <tokenUrl> <clientId> <secretVariable> <model> <env> <source>");
return 2;

static long ResidentBytes(string field)
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith(field + ":", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
    }

    return 0;
}

internal sealed class ConsoleReporter(int slowMs) : IOperationReporter
{
    private bool _announced;

    public void Verbose(string message)
    {
    }

    public void Warning(string message) => Console.Error.WriteLine("WARNING " + message);

    public void Progress(OperationProgress progress)
    {
        if (!_announced && !progress.Completed)
        {
            _announced = true;
            Console.WriteLine("COPYING");
            Console.Out.Flush();
        }

        if (slowMs > 0)
        {
            Thread.Sleep(slowMs);
        }
    }
}
