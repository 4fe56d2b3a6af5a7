using MlOps.Cdf;
using MlOps.CdfEmulator;

namespace MlOps.Core.Tests.Cdf;

/// <summary>Emulators and clients wired together, with retry delays shrunk so fault tests run fast.</summary>
internal static class CdfTestSetup
{
    public const string ClientId = "mlops-ci";
    public const string Secret = "Sup3r-S3cret-Value-7f3a9c";
    public const string ReaderId = "mlops-reader";
    public const string ReaderSecret = "R3ader-S3cret-Value-41be0d";

    public static Task<CdfEmulatorServer> StartAsync(int pageSize = 1000, TimeSpan? tokenLifetime = null, TimeSpan? uploadedDelay = null,
        EmulatorClock? clock = null, IReadOnlyList<EmulatorApiKey>? apiKeys = null, bool relativeUploadUrls = false) =>
        CdfEmulatorServer.StartAsync(new CdfEmulatorOptions
        {
            Projects = ["mlops-test"],
            Clients =
            [
                new EmulatorClient { ClientId = ClientId, ClientSecret = Secret },
                new EmulatorClient { ClientId = ReaderId, ClientSecret = ReaderSecret, Capabilities = ["filesAcl:READ"] },
            ],
            MaxPageSize = pageSize,
            TokenLifetime = tokenLifetime ?? TimeSpan.FromHours(1),
            UploadedDelay = uploadedDelay ?? TimeSpan.Zero,
            Clock = clock,
            ApiKeys = apiKeys ?? [],
            RelativeUploadUrls = relativeUploadUrls,
        });

    public static CdfClientOptions Options(CdfEmulatorServer cdf, string clientId = ClientId, string secret = Secret,
        List<CdfRetryNotice>? retries = null) =>
        new()
        {
            BaseUrl = cdf.BaseUrl,
            Project = cdf.Project,
            Credentials = CdfCredentials.ClientCredentials(cdf.TokenUrl, clientId, secret),
            AppName = "MlOps.Tests",
            Retry = new CdfRetryOptions { DelayScale = 0.001 },
            TimeProvider = cdf.Clock,
            OnRetry = retries is null ? null : n => { lock (retries) { retries.Add(n); } },
        };

    public static CdfClient Client(CdfEmulatorServer cdf, string clientId = ClientId, string secret = Secret, List<CdfRetryNotice>? retries = null) =>
        new(Options(cdf, clientId, secret, retries));

    public static byte[] RandomBytes(int length, int seed = 42)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
