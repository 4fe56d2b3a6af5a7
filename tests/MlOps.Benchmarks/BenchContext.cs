using System.Diagnostics;
using System.Globalization;
using MlOps.Cdf;
using MlOps.CdfEmulator;

namespace MlOps.Benchmarks;

/// <summary>
/// What every benchmark shares: a work folder, the sizes and version counts to measure, one CDF emulator (started on first
/// use), a model project whose settings name a local store (test, prod) and a CDF store on the emulator (cloud, cloudprod),
/// and the store worker process that runs an operation the way a cmdlet would and reports its time and peak memory.
/// </summary>
internal sealed class BenchContext : IAsyncDisposable
{
    public const string SecretVariable = "MLOPS_BENCH_CDF_SECRET";
    private const string Secret = "bench-emulator-secret";
    private CdfEmulatorServer? _cdf;
    private CdfClient? _client;
    private string? _project;

    public BenchContext(string work, IReadOnlyList<int> sizesMib, IReadOnlyList<int> versions, bool quick)
    {
        Work = work;
        SizesMib = sizesMib;
        Versions = versions;
        Quick = quick;
    }

    public string Work { get; }

    /// <summary>Artifact sizes for the throughput figures (1, 100, 1024 MiB; smaller with --quick).</summary>
    public IReadOnlyList<int> SizesMib { get; }

    /// <summary>Version counts for the lookup figures (10, 1000, 10000; the first is the baseline).</summary>
    public IReadOnlyList<int> Versions { get; }

    public bool Quick { get; }

    /// <summary>
    /// Rounds per measurement: best of five for operations of a tenth of a second or less (up to 100 MiB), where a moment's
    /// scheduling on a shared two-core machine is a large share; best of three for the long ones.
    /// </summary>
    public int Rounds(int sizeMib) => Quick ? 2 : sizeMib <= 100 ? 5 : 3;

    public async Task<CdfEmulatorServer> EmulatorAsync()
    {
        if (_cdf == null)
        {
            Environment.SetEnvironmentVariable(SecretVariable, Secret);
            _cdf = await StartEmulatorAsync(port: 0, storagePort: 0);
        }

        return _cdf;
    }

    /// <summary>The capacity of the emulator's link to its storage (bytes per second each way), or null: as fast as the machine goes.</summary>
    public long? TransferCap { get; private set; }

    /// <summary>
    /// Restarts the emulator on the same ports (the project's settings keep naming it) with its storage link capped at
    /// <paramref name="bytesPerSecond"/> (null: uncapped), as a client's network to CDF would be. Its stores start empty.
    /// </summary>
    public async Task UseTransferCapAsync(long? bytesPerSecond)
    {
        var cdf = await EmulatorAsync();
        if (TransferCap == bytesPerSecond)
        {
            return;
        }

        var port = new Uri(cdf.BaseUrl).Port;
        var storagePort = new Uri(cdf.StorageBaseUrl).Port;
        _client?.Dispose();
        _client = null;
        await cdf.DisposeAsync();
        TransferCap = bytesPerSecond;
        _cdf = await StartEmulatorAsync(port, storagePort);
    }

    private Task<CdfEmulatorServer> StartEmulatorAsync(int port, int storagePort) =>
        CdfEmulatorServer.StartAsync(new CdfEmulatorOptions
        {
            Projects = ["bench"],
            Clients = [new EmulatorClient { ClientId = "bench", ClientSecret = Secret }],
            StorageFolder = Folder("cdf-storage"),
            Port = port,
            StoragePort = storagePort,
            TransferBytesPerSecond = TransferCap,
        });

    /// <summary>Where the emulator keeps uploaded bytes.</summary>
    public string EmulatorStorage => _cdf?.Files.StorageFolder ?? throw new InvalidOperationException("The emulator is not started.");

    public async Task<CdfClient> ClientAsync()
    {
        var cdf = await EmulatorAsync();
        return _client ??= new CdfClient(new CdfClientOptions
        {
            BaseUrl = cdf.BaseUrl, Project = "bench", Credentials = CdfCredentials.ClientCredentials(cdf.TokenUrl, "bench", Secret),
        });
    }

    /// <summary>The model project the worker runs in: model "bench"; test and prod in local folders, cloud and cloudprod on the emulator.</summary>
    public async Task<string> ProjectAsync()
    {
        if (_project != null)
        {
            return _project;
        }

        var cdf = await EmulatorAsync();
        var root = Folder("project");
        var code = Path.Combine(root, "models", "bench");
        Directory.CreateDirectory(code);
        File.WriteAllText(Path.Combine(code, "model.py"), "def predict(data, init_object, secrets):\n    return data\n");
        File.WriteAllText(Path.Combine(code, "test_model.py"), "def test_nothing():\n    pass\n");
        File.WriteAllText(Path.Combine(code, "requirements.model"), "");
        string Cdf(string directory) =>
            $$"""{ "type": "cdf", "project": "bench", "baseUrl": "{{cdf.BaseUrl}}", "tokenUrl": "{{cdf.TokenUrl}}", "clientId": "bench", "clientSecretVariable": "{{SecretVariable}}", "directory": "{{directory}}" }""";
        File.WriteAllText(Path.Combine(root, "mlops.settings.json"), $$"""
            {
              "project": "bench",
              "models": [ { "name": "bench", "codeFolder": "models/bench" } ],
              "environments": {
                "test": { "registry": { "type": "local", "path": "registry-test" } },
                "prod": { "registry": { "type": "local", "path": "registry-prod" } },
                "cloud": { "registry": {{Cdf("/mlops")}} },
                "cloudprod": { "registry": {{Cdf("/mlops-prod")}} }
              }
            }
            """);
        return _project = root;
    }

    public string SettingsPath => Path.Combine(_project ?? throw new InvalidOperationException("Call ProjectAsync first."), "mlops.settings.json");

    /// <summary>A fresh, empty folder under the work folder.</summary>
    public string Folder(string name)
    {
        var path = Path.Combine(Work, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Runs one project operation (publish, save, promote) in the store worker after a warm-up of the same path.</summary>
    public WorkerResult Run(params string[] operation)
    {
        var warmup = Folder("warmup");
        try
        {
            // The worker measures from after its warm-up, so flushing here is outside its time, as for the baselines.
            FlushDirtyPages();
            return WorkerResult.Parse(RunWorker(["project", SettingsPath, .. operation, "--warmup", warmup]));
        }
        finally
        {
            DeleteTree(warmup);
        }
    }

    public static string RunWorker(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MlOps.StoreWorker.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The store worker failed ({process.ExitCode}): {output} {error.Result}");
        }

        return output;
    }

    /// <summary>Both contenders start with no dirty pages, so neither pays for the other's write-back.</summary>
    public static void FlushDirtyPages()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })!;
        sync.WaitForExit();
    }

    /// <summary>
    /// An artifact of exactly <paramref name="sizeMib"/> MiB as a typical model folder: one large weights file and 16 small files.
    /// Random bytes, so gzip cannot shrink them.
    /// </summary>
    public static string MakeArtifact(string folder, int sizeMib)
    {
        Directory.CreateDirectory(Path.Combine(folder, "weights"));
        var random = new Random(42);
        var total = sizeMib * 1048576L;
        var small = (int)Math.Min(64 * 1024, total / 32);
        var chunk = new byte[1 << 20];
        using (var big = File.Create(Path.Combine(folder, "weights", "model.bin")))
        {
            for (var left = total - 16L * small - 11; left > 0; left -= chunk.Length)
            {
                random.NextBytes(chunk);
                big.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
            }
        }

        for (var i = 0; i < 16; i++)
        {
            var bytes = new byte[small];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(folder, $"part{i:00}.bin"), bytes);
        }

        File.WriteAllText(Path.Combine(folder, "metrics.json"), "{\"r2\": 0.9}");
        return folder;
    }

    /// <summary>Reads every file below <paramref name="folder"/> once, so the next reader finds it in the page cache.</summary>
    public static void ReadAll(string folder)
    {
        var buffer = new byte[1 << 20];
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            while (input.Read(buffer, 0, buffer.Length) > 0)
            {
            }
        }
    }

    public static double SizeMib(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1048576.0;

    /// <summary>File.Copy per file, as Copy-Item does (with <paramref name="flush"/>, then fsync of each copy); returns seconds.</summary>
    public static double PlainCopy(string source, string target, bool flush = false)
    {
        FlushDirtyPages();
        var clock = Stopwatch.StartNew();
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
            if (flush)
            {
                using var copy = new FileStream(destination, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                copy.Flush(flushToDisk: true);
            }
        }

        return clock.Elapsed.TotalSeconds;
    }

    public static void DeleteTree(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            file.Attributes &= ~FileAttributes.ReadOnly;
        }

        Directory.Delete(folder, recursive: true);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static string SizeLabel(int mib) => mib >= 1024 && mib % 1024 == 0 ? $"{mib / 1024} GiB" : $"{mib} MiB";

    /// <summary>Empties the project's stores (local folders and the emulator), so the disk does not fill up.</summary>
    public async Task ClearStoresAsync()
    {
        var project = await ProjectAsync();
        foreach (var folder in new[] { "registry-test", "registry-prod" })
        {
            DeleteTree(Path.Combine(project, folder));
        }

        var client = await ClientAsync();
        var all = await client.Files.ListAllAsync();
        foreach (var batch in all.Chunk(1000))
        {
            await client.Files.DeleteAsync(batch.Select(f => MlOps.Cdf.Identity.Create(f.Id)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_cdf != null)
        {
            await _cdf.DisposeAsync();
        }
    }
}

/// <summary>What the store worker printed: the version, the operation's own seconds and its peak extra memory.</summary>
internal sealed record WorkerResult(int Version, double Seconds, double PeakExtraMib)
{
    public static WorkerResult Parse(string output)
    {
        string Field(string name) =>
            output.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Substring(name.Length + 1).Trim();
        return new WorkerResult(int.Parse(Field("VERSION"), CultureInfo.InvariantCulture),
            double.Parse(Field("ELAPSED_MS"), CultureInfo.InvariantCulture) / 1000,
            long.Parse(Field("PEAK_EXTRA_BYTES"), CultureInfo.InvariantCulture) / 1048576.0);
    }
}
