using System.Net;
using Xunit;

namespace MlOps.CdfEmulator.Tests;

public sealed class SessionsTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private CdfTestClient Client => fixture.Client;

    private CdfEmulatorServer Server => fixture.Server;

    [Fact]
    public async Task Client_credentials_session_gives_a_single_use_nonce()
    {
        var created = await Client.PostOkAsync("/sessions",
            $$"""{"items":[{"clientId":"{{EmulatorClient.DefaultClientId}}","clientSecret":"{{EmulatorClient.DefaultClientSecret}}"}]}""");
        var session = created["items"]![0]!;
        Assert.Equal("READY", (string?)session["status"]);
        Assert.Equal("CLIENT_CREDENTIALS", (string?)session["type"]);
        Assert.Equal(EmulatorClient.DefaultClientId, (string?)session["clientId"]);
        Assert.True((long)session["id"]! > int.MaxValue);
        var nonce = (string)session["nonce"]!;

        var first = Server.Sessions.ConsumeNonce(Server.Project, nonce);
        Assert.True(first.IsValid);
        Assert.Equal((long)session["id"]!, first.Session!.Id);
        Assert.Equal(NonceStatus.AlreadyUsed, Server.Sessions.ConsumeNonce(Server.Project, nonce).Status);
        Assert.Equal(NonceStatus.Unknown, Server.Sessions.ConsumeNonce(Server.Project, "made-up").Status);
    }

    [Fact]
    public async Task Nonces_are_bound_to_their_project_and_die_on_revoke()
    {
        var created = await Client.PostOkAsync("/sessions", """{"items":[{"tokenExchange":true}]}""");
        var session = created["items"]![0]!;
        Assert.Equal("TOKEN_EXCHANGE", (string?)session["type"]);
        var nonce = (string)session["nonce"]!;
        Assert.Equal(NonceStatus.WrongProject, Server.Sessions.ConsumeNonce("other", nonce).Status);

        var revoked = await Client.PostOkAsync("/sessions/revoke", $$"""{"items":[{"id":{{(long)session["id"]!}}}]}""");
        Assert.Equal("REVOKED", (string?)revoked["items"]![0]!["status"]);
        Assert.Equal(NonceStatus.Revoked, Server.Sessions.ConsumeNonce(Server.Project, nonce).Status);

        var listed = await Client.GetAsync("/sessions?status=REVOKED");
        Assert.Contains(listed.Body!["items"]!.AsArray(), s => (long)s!["id"]! == (long)session["id"]!);
        Assert.All(listed.Body["items"]!.AsArray(), s => Assert.Null(s!["nonce"]));
    }

    [Fact]
    public async Task Nonces_expire_after_the_configured_lifetime()
    {
        var clock = new EmulatorClock();
        await using var server = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions { Clock = clock, NonceLifetime = TimeSpan.FromSeconds(60) });
        using var client = await CdfTestClient.ConnectAsync(server);
        var nonce = (string)(await client.PostOkAsync("/sessions", """{"items":[{"tokenExchange":true}]}"""))["items"]![0]!["nonce"]!;
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(NonceStatus.Expired, server.Sessions.ConsumeNonce(server.Project, nonce).Status);
    }

    [Fact]
    public async Task Bad_session_requests_are_rejected()
    {
        var badSecret = await Client.PostAsync("/sessions", $$"""{"items":[{"clientId":"{{EmulatorClient.DefaultClientId}}","clientSecret":"wrong"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, badSecret.Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/sessions", """{"items":[]}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/sessions", """{"items":[{"tokenExchange":true,"clientId":"a","clientSecret":"b"}]}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/sessions", """{"items":[{"tokenExchange":true,"extra":1}]}""")).Status);
        var unknown = await Client.PostAsync("/sessions/revoke", """{"items":[{"id":12345}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal(12345, (long)unknown.Error!["missing"]![0]!["id"]!);
    }
}
