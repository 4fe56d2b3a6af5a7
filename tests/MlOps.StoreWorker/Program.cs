// Drives the stores from a separate process, for the concurrency and crash tests, the resilience suite and the benchmarks.
//   publish <root> <model> <env> <source> [--slow-ms N]
//   publish-cdf <baseUrl> <project> <tokenUrl> <clientId> <secretVariable> <model> <env> <source>
//   project <settingsPath> publish <model> <env> <source> [options]       ProjectRegistry.Publish (what Publish-MlModelArtifact runs)
//   project <settingsPath> save <model> <env> <version> <dest> [options]  ProjectRegistry.Save (Save-MlModelArtifact)
//   project <settingsPath> promote <model> <env> <version> <toEnv> [options]  ProjectRegistry.Promote (Publish-MlModelArtifact, piped)
//   project <settingsPath> deploy <model> <env> <version> [options]      ServiceDeployer.Deploy of the prediction service
//     (Deploy-MlPredictionService); --poll-ms N polls CDF Functions every N ms; prints "DEPLOYMENT <id>"
//     options: --slow-ms N (sleep N ms per progress report), --trace (print VERBOSE/WARNING lines), --warmup <folder>
//     (run the same operation once on a throw-away copy first, so the measured run is not paying for JIT),
//     --meta key=value (publish metadata; repeatable)
// prints "COPYING" when it starts writing, then "VERSION <n>", the operation's own time and its peak extra resident memory (Linux).
using System.Globalization;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.Settings;

if (args.Length >= 5 && args[0] == "publish")
{
    var slowMs = args.Length >= 7 && args[5] == "--slow-ms" ? int.Parse(args[6], CultureInfo.InvariantCulture) : 0;
    var registry = new LocalFolderRegistry(args[1]);
    var rssBefore = Memory.ResidentBytes("VmRSS");
    var reporter = new ConsoleReporter(slowMs, trace: false);
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var version = registry.Publish(args[2], args[3], FolderArtifactSource.Open(args[4]), new Dictionary<string, string>
    {
        ["writer"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
    }, null, reporter, CancellationToken.None);
    Console.WriteLine($"VERSION {version.Version}");
    Console.WriteLine($"ELAPSED_MS {clock.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)}");
    Console.WriteLine($"PEAK_EXTRA_BYTES {Memory.ResidentBytes("VmHWM") - rssBefore}");
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
    var rssBefore = Memory.ResidentBytes("VmRSS");
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var version = store.Publish(args[6], args[7], FolderArtifactSource.Open(args[8]), new Dictionary<string, string>(), null,
        NullReporter.Instance, CancellationToken.None);
    Console.WriteLine($"VERSION {version.Version}");
    Console.WriteLine($"ELAPSED_MS {clock.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)}");
    Console.WriteLine($"PEAK_EXTRA_BYTES {Memory.ResidentBytes("VmHWM") - rssBefore}");
    return 0;
}

if (args.Length >= 6 && args[0] == "project")
{
    return ProjectCommand.Run(args);
}

Console.Error.WriteLine("usage: see the comment at the top of tests/MlOps.StoreWorker/Program.cs");
return 2;

/// <summary>The project-level operations the cmdlets run, measured: time and peak resident memory above the start.</summary>
internal static class ProjectCommand
{
    public static int Run(string[] args)
    {
        var settingsPath = args[1];
        var operation = args[2];
        var positional = args.Skip(3).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        var options = args.Skip(3 + positional.Count).ToList();
        var slowMs = Option(options, "--slow-ms") is string slow ? int.Parse(slow, CultureInfo.InvariantCulture) : 0;
        var trace = options.Contains("--trace");
        var warmup = Option(options, "--warmup");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Count - 1; i++)
        {
            if (options[i] == "--meta")
            {
                var pair = options[i + 1].Split('=', 2);
                metadata[pair[0]] = pair.Length > 1 ? pair[1] : string.Empty;
            }
        }

        try
        {
            var settings = SettingsLoader.Load(settingsPath);
            if (warmup != null)
            {
                Warmup(settings, operation, positional, warmup);
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            Memory.ResetPeak();
            var rssBefore = Memory.ResidentBytes("VmRSS");
            var reporter = new ConsoleReporter(slowMs, trace);
            var registry = new ProjectRegistry(settings);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            switch (operation)
            {
                case "publish":
                    var published = registry.Publish(positional[0], positional[1], positional[2], metadata, reporter, CancellationToken.None);
                    Console.WriteLine($"VERSION {published.Version}");
                    Console.WriteLine($"CONTENT_HASH {published.ContentHash}");
                    break;
                case "save":
                    var version = registry.FindOne(positional[0], positional[1], int.Parse(positional[2], CultureInfo.InvariantCulture))
                        ?? throw new MlOpsException(ErrorIds.ModelVersionNotFound, MlOpsErrorKind.NotFound, "No such version.");
                    registry.Save(version, positional[3], force: false, reporter, CancellationToken.None);
                    Console.WriteLine($"VERSION {version.Version}");
                    break;
                case "promote":
                    var source = registry.FindOne(positional[0], positional[1], int.Parse(positional[2], CultureInfo.InvariantCulture))
                        ?? throw new MlOpsException(ErrorIds.ModelVersionNotFound, MlOpsErrorKind.NotFound, "No such version.");
                    var promoted = registry.Promote(source, positional[3], reporter, CancellationToken.None);
                    Console.WriteLine($"VERSION {promoted.Version.Version}");
                    Console.WriteLine($"CONTENT_HASH {promoted.Version.ContentHash}");
                    break;
                case "deploy":
                    var pollMs = Option(options, "--poll-ms") is string poll ? int.Parse(poll, CultureInfo.InvariantCulture) : 2000;
                    var connections = MlOps.Cdf.CdfConnections.Standalone();
                    var deployer = new MlOps.Deployment.ServiceDeployer(settings, registry, platform =>
                    {
                        var created = MlOps.Platforms.PlatformFactory.Create(platform, connections,
                            settings.Environments.FirstOrDefault(e => ReferenceEquals(e.Platform, platform))?.Registry,
                            Path.Combine(settings.ProjectRoot, SettingsLoader.DefaultPackagesPath, "cache"));
                        if (created is MlOps.Platforms.CdfFunctionsPlatform functions)
                        {
                            functions.PollInterval = TimeSpan.FromMilliseconds(pollMs);
                        }

                        return created;
                    });
                    var deployed = deployer.Deploy(new MlOps.Deployment.DeployRequest(positional[0], positional[1], MlOps.Services.ServiceKind.Prediction)
                    {
                        VersionNumber = int.Parse(positional[2], CultureInfo.InvariantCulture),
                    }, reporter, CancellationToken.None);
                    Console.WriteLine($"VERSION {deployed.Version}");
                    Console.WriteLine($"DEPLOYMENT {deployed.DeploymentId}");
                    break;
                default:
                    Console.Error.WriteLine($"Unknown operation {operation}.");
                    return 2;
            }

            Console.WriteLine($"ELAPSED_MS {clock.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)}");
            Console.WriteLine($"PEAK_EXTRA_BYTES {Math.Max(0, Memory.ResidentBytes("VmHWM") - rssBefore)}");
            return 0;
        }
        catch (MlOpsException e)
        {
            // What a cmdlet would report: the stable id first, so a test can assert it.
            Console.WriteLine($"ERROR {e.ErrorId} {e.Message.Replace('\n', ' ')}");
            return 3;
        }
    }

    /// <summary>The same code path once on a tiny artifact (publish/save/promote into throw-away locations), so JIT is paid up front.</summary>
    private static void Warmup(ProjectSettings settings, string operation, List<string> positional, string folder)
    {
        var registry = new ProjectRegistry(settings);
        var artifact = Path.Combine(folder, "artifact");
        Directory.CreateDirectory(artifact);
        File.WriteAllText(Path.Combine(artifact, "warmup.txt"), "warm-up " + Guid.NewGuid());
        // And a file large enough for every path a large file takes (read ahead on a second thread, written behind, flushed alone).
        var large = new byte[2 << 20];
        Random.Shared.NextBytes(large);
        File.WriteAllBytes(Path.Combine(artifact, "warmup.bin"), large);
        var environment = operation == "promote" ? positional[3] : positional[1];
        var warm = registry.Publish(positional[0], environment, artifact, null, NullReporter.Instance, CancellationToken.None);
        // Found again as the measured save finds its version (FindOne reads the latest hint and the manifest).
        var found = registry.FindOne(positional[0], environment, warm.Version) ?? warm;
        registry.Save(found, Path.Combine(folder, "saved-" + Guid.NewGuid().ToString("N")), force: false, NullReporter.Instance, CancellationToken.None);
        if (operation == "promote")
        {
            registry.Promote(warm, positional[1], NullReporter.Instance, CancellationToken.None);
        }
    }

    private static string? Option(List<string> options, string name)
    {
        var index = options.IndexOf(name);
        return index >= 0 && index + 1 < options.Count ? options[index + 1] : null;
    }
}

internal static class Memory
{
    public static long ResidentBytes(string field)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return 0;
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>Resets the peak resident size (VmHWM) to the current one (Linux 4.0+), so warm-up does not count.</summary>
    public static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
        }
    }
}

internal sealed class ConsoleReporter(int slowMs, bool trace) : IOperationReporter
{
    private bool _announced;

    public void Verbose(string message)
    {
        if (trace)
        {
            Console.WriteLine("VERBOSE " + message);
            Console.Out.Flush();
        }
    }

    public void Warning(string message)
    {
        Console.Error.WriteLine("WARNING " + message);
        if (trace)
        {
            Console.WriteLine("WARNING " + message);
            Console.Out.Flush();
        }
    }

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
