using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MlOps.CdfEmulator;

/// <summary>
/// A running emulator on 127.0.0.1. Start one per test class (or per test when faults are involved):
/// <code>
/// await using var cdf = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions { MaxPageSize = 5 });
/// var api = cdf.ApiUrl("emulator");   // http://127.0.0.1:PORT/api/v1/projects/emulator
/// </code>
/// </summary>
public sealed class CdfEmulatorServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly string? ownedStorageFolder;

    private CdfEmulatorServer(WebApplication app, CdfEmulatorOptions options, EmulatorClock clock, string? ownedStorageFolder)
    {
        this.app = app;
        this.ownedStorageFolder = ownedStorageFolder;
        Options = options;
        Clock = clock;
        Tokens = app.Services.GetRequiredService<AccessTokens>();
        Files = app.Services.GetRequiredService<FileStore>();
        Sessions = app.Services.GetRequiredService<SessionStore>();
        DataSets = app.Services.GetRequiredService<DataSetStore>();
        Functions = app.Services.GetRequiredService<FunctionStore>();
        Faults = app.Services.GetRequiredService<Faults>();
        Requests = app.Services.GetRequiredService<RequestLog>();
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, no trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>
    /// <c>http://127.0.0.1:PORT2</c>: the origin of upload and download URLs (a second port, standing in for the
    /// cloud-storage host of real CDF). It serves nothing else, and the API origin serves no transfers.
    /// </summary>
    public string StorageBaseUrl { get; private set; } = "";

    /// <summary>The fake identity provider's token endpoint (client-credentials, form-encoded).</summary>
    public string TokenUrl => BaseUrl + TokenEndpoints.TokenPath;

    public CdfEmulatorOptions Options { get; }

    /// <summary>The first configured project, for tests that need only one.</summary>
    public string Project => Options.Projects[0];

    public EmulatorClock Clock { get; }

    public AccessTokens Tokens { get; }

    public FileStore Files { get; }

    public SessionStore Sessions { get; }

    /// <summary>The data sets of each project (Data Sets API).</summary>
    public DataSetStore DataSets { get; }

    /// <summary>Functions, calls and schedules, with test hooks (<see cref="FunctionStore.WaitForDeploymentAsync"/>, <see cref="FunctionStore.TriggerSchedule"/>...).</summary>
    public FunctionStore Functions { get; }

    public Faults Faults { get; }

    public RequestLog Requests { get; }

    /// <summary>Starts listening on 127.0.0.1 (port from options; 0 picks a free one).</summary>
    public static async Task<CdfEmulatorServer> StartAsync(CdfEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CdfEmulatorOptions();
        if (Environment.GetEnvironmentVariable("MLOPS_TEST_TIER") == "Unit")
        {
            // build.ps1 -Tier Unit promises tests that start no emulator: a test that needs one is an integration test.
            throw new InvalidOperationException("The unit test tier starts no CDF emulator: mark the test class [Trait(\"Tier\", \"Integration\")].");
        }

        if (options.Projects.Count == 0)
        {
            throw new ArgumentException("At least one project is needed.", nameof(options));
        }

        var clock = options.Clock ?? new EmulatorClock();
        var ownedStorage = options.StorageFolder is null ? Path.Combine(Path.GetTempPath(), "cdf-emulator-" + Guid.NewGuid().ToString("N")) : null;
        var storage = options.StorageFolder ?? ownedStorage!;
        Directory.CreateDirectory(storage);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(CdfEmulatorServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        if (options.LogToConsole)
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        }

        ListenOptions? apiListener = null, storageListener = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Loopback only, whatever ASPNETCORE_URLS says: the emulator accepts any upload from anyone who can reach it.
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => apiListener = listen);

            // Upload and download URLs get their own origin, as cloud-storage URLs have in real CDF. SDKs only attach
            // the bearer token to URLs of the API's origin, so a shared origin would hide (or cause) token leaks.
            kestrel.Listen(IPAddress.Loopback, options.StoragePort, listen => storageListener = listen);
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddRequestDecompression();
        var ids = new CdfIds();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton(new AccessTokens(options, clock));
        var files = new FileStore(options, clock, ids, storage);
        var faults = new Faults();
        builder.Services.AddSingleton(ids);
        builder.Services.AddSingleton(files);
        builder.Services.AddSingleton(new SessionStore(options, clock, ids));
        builder.Services.AddSingleton(new DataSetStore(clock, ids));
        builder.Services.AddSingleton(faults);
        builder.Services.AddSingleton(new FunctionStore(options, clock, ids, files, faults));
        builder.Services.AddSingleton<RequestLog>();
        builder.Services.AddSingleton<ApiAuthorization>();
        builder.Services.AddSingleton<TokenEndpoints>();
        builder.Services.AddSingleton<FilesEndpoints>();
        builder.Services.AddSingleton<FileTransferEndpoints>();
        builder.Services.AddSingleton<SessionsEndpoints>();
        builder.Services.AddSingleton<DataSetsEndpoints>();
        builder.Services.AddSingleton<FunctionsEndpoints>();
        builder.Services.AddSingleton<SchedulesEndpoints>();

        var app = builder.Build();
        app.UseRequestDecompression();
        app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseMiddleware<ErrorEnvelopeMiddleware>();
        app.UseMiddleware<FaultMiddleware>();
        app.UseRouting();
        app.Services.GetRequiredService<TokenEndpoints>().Map(app);
        app.Services.GetRequiredService<FilesEndpoints>().Map(app);
        app.Services.GetRequiredService<FileTransferEndpoints>().Map(app);
        app.Services.GetRequiredService<SessionsEndpoints>().Map(app);
        app.Services.GetRequiredService<DataSetsEndpoints>().Map(app);
        app.Services.GetRequiredService<FunctionsEndpoints>().Map(app);
        app.Services.GetRequiredService<SchedulesEndpoints>().Map(app);

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var server = new CdfEmulatorServer(app, options, clock, ownedStorage);
        server.BaseUrl = $"http://127.0.0.1:{apiListener!.IPEndPoint!.Port}";
        server.StorageBaseUrl = $"http://127.0.0.1:{storageListener!.IPEndPoint!.Port}";
        server.Files.BaseUrl = server.StorageBaseUrl;
        app.Services.GetRequiredService<FileTransferEndpoints>().StoragePort = storageListener.IPEndPoint.Port;
        return server;
    }

    /// <summary><c>{BaseUrl}/api/v1/projects/{project}</c>; the CDF base URL a client is configured with.</summary>
    public string ApiUrl(string? project = null) => $"{BaseUrl}/api/v1/projects/{project ?? Project}";

    /// <summary>Issues a token for a configured client (default: the first) without calling the token endpoint.</summary>
    public string IssueToken(string? clientId = null) => Tokens.Issue(clientId ?? Options.Clients[0].ClientId).AccessToken;

    /// <summary>Completes when the server stops (standalone mode waits on this).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops listening, then stops builds and kills every Python process of running calls.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await app.StopAsync(cancellationToken);
        await Functions.ShutdownAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await Functions.ShutdownAsync();
        await app.DisposeAsync();
        if (ownedStorageFolder is not null)
        {
            try
            {
                Directory.Delete(ownedStorageFolder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open elsewhere; the temp folder is left for the OS to clean.
            }
        }
    }
}
