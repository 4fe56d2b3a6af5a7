using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Registry;
using MlOps.Settings;
using Xunit;

namespace MlOps.Resilience.Tests;

/// <summary>
/// The distinctive fake secret every scenario uses for CDF (emulator client secret, read by MlOps from the environment
/// variable the settings name), so the security scenarios can look for it in everything the suite produced.
/// </summary>
internal static class FakeSecret
{
    public const string Variable = "MLOPS_RESILIENCE_SECRET";
    public const string Value = "MlOpsFAKE-s3cr3t-Qz7w9Kx2-do-not-leak";
    public const string ClientId = "resilience-client";

    static FakeSecret() => Environment.SetEnvironmentVariable(Variable, Value);

    /// <summary>Makes sure the variable is set (the static constructor runs on first use).</summary>
    public static string Ensure() => Value;
}

/// <summary>The emulator and a client wired for fast retries (delays scaled down, short request timeout for slow answers).</summary>
internal static class Cdf
{
    public static Task<CdfEmulatorServer> StartAsync(TimeSpan? uploadedDelay = null, int pageSize = 100, TimeSpan? functionBuildDelay = null) =>
        CdfEmulatorServer.StartAsync(new CdfEmulatorOptions
        {
            FunctionBuildDelay = functionBuildDelay ?? TimeSpan.FromMilliseconds(300),
            Projects = ["resilience"],
            Clients = [new EmulatorClient { ClientId = FakeSecret.ClientId, ClientSecret = FakeSecret.Ensure() }],
            MaxPageSize = pageSize,
            UploadedDelay = uploadedDelay ?? TimeSpan.FromMilliseconds(5),
        });

    /// <summary>A client whose attempts time out after <paramref name="requestTimeout"/> (1 s: slow answers become timeouts).</summary>
    public static CdfClient Client(CdfEmulatorServer cdf, List<string>? notices = null, TimeSpan? requestTimeout = null, int attempts = 6) => new(new CdfClientOptions
    {
        BaseUrl = cdf.BaseUrl,
        Project = cdf.Project,
        Credentials = CdfCredentials.ClientCredentials(cdf.TokenUrl, FakeSecret.ClientId, FakeSecret.Ensure()),
        AppName = "MlOps.Resilience",
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(1),
        TransferTimeout = TimeSpan.FromSeconds(5),
        Retry = new CdfRetryOptions { DelayScale = 0.001, MaxAttempts = attempts },
        OnRetry = notices is null ? null : n => { lock (notices) { notices.Add(n.ToString()); } },
    });
}

/// <summary>
/// A throw-away model project: model "m" (and "n"), environments test and prod in local folders, cloud and cloudprod on
/// the emulator (each project its own CDF directories, so projects can share one emulator).
/// </summary>
internal sealed class ResilienceProject : IDisposable
{
    private readonly CdfEmulatorServer? _cdf;

    public ResilienceProject(CdfEmulatorServer? cdf = null)
    {
        _cdf = cdf;
        Root = Path.Combine(Path.GetTempPath(), "mlops-resilience-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        foreach (var model in new[] { "m", "n" })
        {
            var code = Path.Combine(Root, "models", model);
            Directory.CreateDirectory(code);
            File.WriteAllText(Path.Combine(code, "model.py"), "def predict(data, init_object, secrets):\n    return data\n");
            File.WriteAllText(Path.Combine(code, "test_model.py"), "def test_nothing():\n    pass\n");
            File.WriteAllText(Path.Combine(code, "requirements.model"), "");
        }

        CdfDirectory = "/resilience-" + Path.GetFileName(Root)[^12..];
        string CdfRegistry(string directory) => cdf == null
            ? """{ "type": "local", "path": "registry-unused" }"""
            : $$"""{ "type": "cdf", "project": "{{cdf.Project}}", "baseUrl": "{{cdf.BaseUrl}}", "tokenUrl": "{{cdf.TokenUrl}}", "clientId": "{{FakeSecret.ClientId}}", "clientSecretVariable": "{{FakeSecret.Variable}}", "directory": "{{directory}}" }""";
        File.WriteAllText(SettingsPath, $$"""
            {
              "project": "resilience",
              "models": [ { "name": "m", "codeFolder": "models/m" }, { "name": "n", "codeFolder": "models/n" } ],
              "environments": {
                "test": { "registry": { "type": "local", "path": "registry-test" } },
                "prod": { "registry": { "type": "local", "path": "registry-prod" }, "protected": true },
                "cloud": { "registry": {{CdfRegistry(CdfDirectory)}} },
                "cloudprod": { "registry": {{CdfRegistry(CdfDirectory + "-prod")}} }
              }
            }
            """);
        Settings = SettingsLoader.Load(SettingsPath);
    }

    public string Root { get; }

    public string SettingsPath => Path.Combine(Root, "mlops.settings.json");

    /// <summary>The CDF directory of "cloud" ("cloudprod" adds -prod).</summary>
    public string CdfDirectory { get; }

    public ProjectSettings Settings { get; }

    public string LocalStorePath(string environment) => Path.Combine(Root, "registry-" + environment);

    /// <summary>The project's registries, the CDF ones through <paramref name="client"/> with short waits between attempts.</summary>
    public ProjectRegistry Registry(CdfClient? client, TimeSpan? staleClaimAge = null, int transientAttempts = 8) => new(Settings, settings =>
        settings.Type == "cdf"
            ? new CdfFilesRegistry(client!.Files, client.Options.ApiUrl, new CdfStoreOptions
            {
                Directory = settings.Cdf!.Directory,
                TempFolder = Path.Combine(Root, "tmp"),
                TransientDelay = TimeSpan.FromMilliseconds(5),
                TransientAttempts = transientAttempts,
                StaleClaimAge = staleClaimAge ?? TimeSpan.FromHours(1),
                UploadedTimeout = TimeSpan.FromSeconds(20),
            })
            : RegistryFactory.Create(settings, CdfConnections.Standalone()));

    /// <summary>An artifact folder of deterministic pseudo-random files (one in a subfolder), different per seed.</summary>
    public string MakeArtifact(string name, int files = 3, int bytesEach = 20_000, int seed = 1)
    {
        var folder = Path.Combine(Root, "artifacts", name);
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        var random = new Random(seed);
        for (var i = 0; i < files; i++)
        {
            var bytes = new byte[bytesEach];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(folder, i % 2 == 0 ? "sub" : ".", $"part{i}.bin"), bytes);
        }

        File.WriteAllText(Path.Combine(folder, "info.json"), "{\"seed\": " + seed + "}");
        return folder;
    }

    public void Dispose() => TempFolder.Delete(Root);
}

/// <summary>Removes a scenario's folder, read-only version files included; one still in use is left behind.</summary>
internal static class TempFolder
{
    public static void Delete(string root)
    {
        try
        {
            foreach (var file in new DirectoryInfo(root).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                file.Attributes &= ~FileAttributes.ReadOnly;
            }

            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Checks that a store holds only complete, intact versions.</summary>
internal static class StoreCheck
{
    /// <summary>
    /// Every visible version of <paramref name="model"/> in <paramref name="environment"/>: distinct ascending numbers, each
    /// file's bytes hashing to what the version records, the content hash matching, and (when <paramref name="sourceOf"/>
    /// names the folder it came from) the same bytes as that folder.
    /// </summary>
    public static List<ModelVersion> AssertConsistent(ProjectRegistry registry, string model, string environment,
        Func<ModelVersion, string?>? sourceOf = null)
    {
        var store = registry.For(environment);
        var versions = store.ListVersions(model, environment).ToList();
        Assert.Equal(versions.Select(v => v.Version).Distinct().OrderBy(n => n), versions.Select(v => v.Version));
        Assert.Equal(versions.Count == 0 ? 0 : versions[^1].Version, store.GetLatestVersionNumber(model, environment));
        foreach (var version in versions)
        {
            AssertIntact(registry, version, sourceOf?.Invoke(version));
        }

        return versions;
    }

    public static void AssertIntact(ProjectRegistry registry, ModelVersion version, string? source)
    {
        var artifacts = registry.Open(version);
        try
        {
            var files = new List<ArtifactFile>();
            foreach (var (file, content) in artifacts.ReadFiles(default))
            {
                using var copy = new MemoryStream();
                content.CopyTo(copy);
                var bytes = copy.ToArray();
                var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
                Assert.True(file.Sha256 == null || file.Sha256 == sha, $"{version.ModelId}: {file.Path} has SHA-256 {sha}, the version records {file.Sha256}.");
                files.Add(new ArtifactFile(file.Path, bytes.Length, sha));
                if (source != null)
                {
                    Assert.True(File.ReadAllBytes(Path.Combine(source, file.Path)).AsSpan().SequenceEqual(bytes),
                        $"{version.ModelId}: {file.Path} differs from {source}.");
                }
            }

            Assert.Equal(version.ContentHash, ContentHash.Compute(files));
            if (source != null)
            {
                Assert.Equal(Directory.GetFiles(source, "*", SearchOption.AllDirectories).Length, files.Count);
            }
        }
        finally
        {
            (artifacts as IDisposable)?.Dispose();
        }
    }

    /// <summary>CDF files of a version that are not complete (claimed, never finished) — they must never be visible.</summary>
    public static List<StoredFile> Unfinished(CdfEmulatorServer cdf, string directory) =>
        cdf.Files.All(cdf.Project).Where(f => f.Directory == directory && (!f.HasContent || (f.Metadata?.ContainsKey("mlops_state") ?? false))).ToList();
}

/// <summary>The store worker (tests/MlOps.StoreWorker) as a separate process, its output read line by line.</summary>
internal sealed class Worker : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Worker(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MlOps.StoreWorker.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment[FakeSecret.Variable] = FakeSecret.Ensure();
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data != null)
            {
                lock (_lines)
                {
                    _lines.Add(e.Data);
                    Monitor.PulseAll(_lines);
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null)
            {
                lock (_error)
                {
                    _error.AppendLine(e.Data);
                }
            }
        };
        _process.Exited += (_, _) => _exited.TrySetResult();
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Started = Stopwatch.StartNew();
    }

    public Stopwatch Started { get; }

    public static Worker Start(params string[] args) => new(args);

    /// <summary>A project operation (publish, save, promote) on <paramref name="project"/>'s settings.</summary>
    public static Worker Project(ResilienceProject project, params string[] operation) => new(["project", project.SettingsPath, .. operation]);

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToList();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>All the process wrote (stdout and stderr), for leak checks.</summary>
    public string AllOutput => string.Join("\n", Lines) + "\n" + Error;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits until a line starting with <paramref name="prefix"/> appears; false if the process ended first or time ran out.</summary>
    public bool WaitForLine(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_lines)
        {
            while (!_lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _process.HasExited)
                {
                    return _lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal));
                }

                Monitor.Wait(_lines, TimeSpan.FromMilliseconds(Math.Min(50, left.TotalMilliseconds)));
            }

            return true;
        }
    }

    public async Task<Worker> WaitAsync(TimeSpan? timeout = null)
    {
        var finished = await Task.WhenAny(_exited.Task, Task.Delay(timeout ?? TimeSpan.FromMinutes(3)));
        if (finished != _exited.Task)
        {
            Kill();
            throw new TimeoutException("The store worker did not finish: " + AllOutput);
        }

        _process.WaitForExit();
        return this;
    }

    /// <summary>Waits for a successful exit and returns the field (VERSION, CONTENT_HASH …) it printed.</summary>
    public async Task<string> SucceedAsync(string field = "VERSION")
    {
        await WaitAsync();
        Assert.True(ExitCode == 0, $"The store worker failed ({ExitCode}): {AllOutput}");
        return Field(field);
    }

    public string Field(string name) =>
        Lines.Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Substring(name.Length + 1).Trim();

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }
}

/// <summary>Looks for the fake secret everywhere a scenario left text: messages, process output, files, archives, the emulator's request log.</summary>
internal static class LeakCheck
{
    private static readonly byte[] SecretBytes = Encoding.UTF8.GetBytes(FakeSecret.Value);

    /// <summary>
    /// The secret may travel only in the body of token requests (client credentials go to the identity provider) and as a
    /// function secret in the body of a function create (CDF keeps it encrypted for the function, which publishes with it),
    /// and in the body of a session create (CDF's sessions take client credentials to give a call its nonce);
    /// never in another request or part of one, a header, a query string, a message, an output line or a file (archives opened).
    /// </summary>
    public static void AssertNoSecret(CdfEmulatorServer? cdf, IEnumerable<string> texts, params string[] folders)
    {
        foreach (var text in texts)
        {
            Assert.False(text.Contains(FakeSecret.Value, StringComparison.Ordinal), "The secret appears in: " + text);
        }

        if (cdf != null)
        {
            foreach (var request in cdf.Requests.Containing(FakeSecret.Value))
            {
                Assert.True(request.Route is "POST /oauth2/token" or "POST /functions" or "POST /sessions", "The secret was sent in " + request);
                if (request.Route == "POST /functions")
                {
                    // Only under "secrets": take those values out and the secret must be gone from the body.
                    using var body = System.Text.Json.JsonDocument.Parse(request.Body!);
                    var rest = request.Body!;
                    foreach (var item in body.RootElement.GetProperty("items").EnumerateArray())
                    {
                        if (item.TryGetProperty("secrets", out var secrets))
                        {
                            foreach (var secret in secrets.EnumerateObject())
                            {
                                rest = rest.Replace(secret.Value.GetRawText(), "\"\"", StringComparison.Ordinal);
                            }
                        }
                    }

                    Assert.DoesNotContain(FakeSecret.Value, rest);
                }

                Assert.DoesNotContain(FakeSecret.Value, request.Query);
                Assert.All(request.Headers.Values, v => Assert.DoesNotContain(FakeSecret.Value, v));
            }

            folders = [.. folders, cdf.Files.StorageFolder];
        }

        foreach (var folder in folders.Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                Assert.False(ContainsSecret(file), $"The secret appears in {file}.");
            }
        }
    }

    /// <summary>True when the file, or any entry of it as a zip or a gzip (tar.gz), holds the secret's bytes.</summary>
    public static bool ContainsSecret(string file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (IOException)
        {
            return false;
        }

        if (bytes.AsSpan().IndexOf(SecretBytes) >= 0)
        {
            return true;
        }

        if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            try
            {
                using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gzip.CopyTo(plain);
                return plain.ToArray().AsSpan().IndexOf(SecretBytes) >= 0;
            }
            catch (InvalidDataException)
            {
                return false;
            }
        }

        if (bytes.Length > 4 && bytes[0] == 'P' && bytes[1] == 'K')
        {
            try
            {
                using var zip = new ZipArchive(new MemoryStream(bytes));
                foreach (var entry in zip.Entries)
                {
                    using var content = entry.Open();
                    using var plain = new MemoryStream();
                    content.CopyTo(plain);
                    if (plain.ToArray().AsSpan().IndexOf(SecretBytes) >= 0)
                    {
                        return true;
                    }
                }
            }
            catch (InvalidDataException)
            {
                return false;
            }
        }

        return false;
    }
}
