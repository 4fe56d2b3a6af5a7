using Xunit;

namespace MlOps.CdfEmulator.Tests;

/// <summary>
/// One emulator for the function tests: a fast build (100 ms), a 3 s call timeout, a 64 KB response limit, page size 3,
/// plus clients that have only some function capabilities. Function faults are keyed by externalId, so tests sharing
/// this server do not see each other's faults.
/// </summary>
public sealed class FunctionsFixture : IAsyncLifetime
{
    public const string ReaderId = "fn-reader";
    public const string RunnerId = "fn-runner";
    public const string Secret = "fn-secret";

    public CdfEmulatorServer Server { get; private set; } = null!;

    public CdfTestClient Client { get; private set; } = null!;

    public EmulatorClock Clock { get; } = new();

    public async Task InitializeAsync()
    {
        Server = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions
        {
            MaxPageSize = 3,
            Clock = Clock,
            FunctionBuildDelay = TimeSpan.FromMilliseconds(100),
            FunctionCallTimeout = TimeSpan.FromSeconds(3),
            FunctionResponseSizeLimit = 64 * 1024,
            FunctionCallDataLimit = 36 * 1000,
            Clients =
            [
                EmulatorClient.Default,
                new EmulatorClient { ClientId = ReaderId, ClientSecret = Secret, Capabilities = ["filesAcl:READ", "functionsAcl:READ"] },
                new EmulatorClient { ClientId = RunnerId, ClientSecret = Secret, Capabilities = ["functionsAcl:READ", "functionsAcl:RUN", "sessionsAcl:CREATE"] },
            ],
        });
        Client = await CdfTestClient.ConnectAsync(Server);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
