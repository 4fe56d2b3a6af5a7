using Xunit;

namespace MlOps.CdfEmulator.Tests;

/// <summary>
/// One emulator per test class: two projects, a full-rights client, a read-only client limited to the first
/// project, and a page-size cap of 3 so list tests go through several pages.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const string ReaderId = "reader";
    public const string ReaderSecret = "reader-secret";

    public CdfEmulatorServer Server { get; private set; } = null!;

    public CdfTestClient Client { get; private set; } = null!;

    public static CdfEmulatorOptions Options => new()
    {
        Projects = ["emulator", "other"],
        MaxPageSize = 3,
        MultipartMinPartBytes = 1024,
        Clients =
        [
            EmulatorClient.Default,
            new EmulatorClient { ClientId = ReaderId, ClientSecret = ReaderSecret, Capabilities = ["filesAcl:READ"], Projects = ["emulator"] },
        ],
    };

    public async Task InitializeAsync()
    {
        Server = await CdfEmulatorServer.StartAsync(Options);
        Client = await CdfTestClient.ConnectAsync(Server);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>An externalId prefix no other test uses, so tests sharing the server do not see each other's files.</summary>
    public static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)];
}
