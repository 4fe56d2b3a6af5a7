namespace MlOps.CdfEmulator;

/// <summary>How an emulator instance behaves. Every knob has a default that matches real CDF where that is known.</summary>
public sealed class CdfEmulatorOptions
{
    /// <summary>Project URL names served under <c>/api/v1/projects/{project}</c>.</summary>
    public IReadOnlyList<string> Projects { get; init; } = ["emulator"];

    /// <summary>Client id/secret pairs accepted by <c>POST /oauth2/token</c>.</summary>
    public IReadOnlyList<EmulatorClient> Clients { get; init; } = [EmulatorClient.Default];

    /// <summary>Legacy <c>api-key</c> header values; empty means the header is not accepted.</summary>
    public IReadOnlyList<EmulatorApiKey> ApiKeys { get; init; } = [];

    /// <summary>Loopback port; 0 picks a free one. The emulator never listens on anything but 127.0.0.1.</summary>
    public int Port { get; init; }

    /// <summary>Loopback port for upload/download URLs (their own origin, like cloud storage); 0 picks a free one.</summary>
    public int StoragePort { get; init; }

    /// <summary>Lifetime of access tokens (<c>expires_in</c>).</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Largest page a list returns, whatever limit the client asks for. Small values force clients through
    /// their <c>nextCursor</c> loops. Real CDF: 1000 for files.
    /// </summary>
    public int MaxPageSize { get; init; } = 1000;

    /// <summary>Time between the bytes arriving and <c>uploaded</c> turning true (real CDF flips it asynchronously).</summary>
    public TimeSpan UploadedDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Newly created files stay invisible to <c>/files/list</c> for this long (byids is read-your-writes).</summary>
    public TimeSpan ListVisibilityDelay { get; init; } = TimeSpan.Zero;

    /// <summary>How long a session nonce can be used (real CDF: about a minute).</summary>
    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a download link works; <c>extendedExpiration=true</c> gives a week.</summary>
    public TimeSpan DownloadLinkLifetime { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long an upload link works (real CDF: a week).</summary>
    public TimeSpan UploadLinkLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Answer upload URLs without a host (a path such as <c>/upload/…</c>), as CDF does for projects reached through Private
    /// Link; clients resolve them against the project's base URL, and the API origin then takes the upload.
    /// </summary>
    public bool RelativeUploadUrls { get; init; }

    /// <summary>
    /// The capacity of the link to the storage origin, in bytes per second and per direction (uploads share one, downloads
    /// the other), as a client's network to CDF would limit them; null (the default): as fast as the machine goes.
    /// </summary>
    public long? TransferBytesPerSecond { get; init; }

    /// <summary>Smallest allowed multipart part except the last (the cloud backends require 5 MiB).</summary>
    public long MultipartMinPartBytes { get; init; } = 5L * 1024 * 1024;

    /// <summary>
    /// How long a new function takes from create to <c>Ready</c>/<c>Failed</c> (half of it <c>Queued</c>, half <c>Deploying</c>).
    /// Real CDF takes minutes. <see cref="Timeout.InfiniteTimeSpan"/> means only <see cref="FunctionStore.DeployNow"/> finishes a build.
    /// </summary>
    public TimeSpan FunctionBuildDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How long a call may run before it is killed with status <c>Timeout</c> (real CDF: 9-10 minutes).</summary>
    public TimeSpan FunctionCallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest JSON response (UTF-8 bytes) a call may return; bigger ones fail the call (real CDF: about 1 MB).</summary>
    public int FunctionResponseSizeLimit { get; init; } = 1024 * 1024;

    /// <summary>
    /// The largest call <c>data</c> (its JSON, in bytes) the project takes; CDF's limit depends on the cloud it runs on
    /// (Google 9 MB, AWS 240 kB, Azure 36 kB). Larger data is refused with 413 before the call is made.
    /// </summary>
    public int FunctionCallDataLimit { get; init; } = 9 * 1024 * 1024;

    /// <summary>Functions allowed per project (real CDF: 100).</summary>
    public int MaxFunctionsPerProject { get; init; } = 100;

    /// <summary>
    /// The Python interpreter calls run with; null means the first of the <c>MLOPS_PYTHON</c> environment variable,
    /// <c>/usr/bin/python3</c> (if present) and <c>python3</c> on the PATH. Nothing is ever pip-installed.
    /// </summary>
    public string? PythonPath { get; init; }

    /// <summary>Folder for uploaded bytes; null means a fresh temp folder that is deleted when the server stops.</summary>
    public string? StorageFolder { get; init; }

    /// <summary>Clock for timestamps and expiry; tests pass one to move time forward.</summary>
    public EmulatorClock? Clock { get; init; }

    /// <summary>Writes ASP.NET Core warnings and errors to the console (standalone mode).</summary>
    public bool LogToConsole { get; init; }
}
