using System.Collections;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Cdf;

/// <summary>
/// CDF connections are an instance a session owns (no process-wide state): views over one pool share its clients and
/// remembered secrets, each view reads vault secrets through its own reader, and a disposed pool forgets both.
/// </summary>
public sealed class CdfConnectionsTests
{
    private static CdfConnectionSettings Connection(string variable, string? secretName = null) =>
        new("p", "https://westeurope-1.cognitedata.com", "/mlops", null, "https://login.example/token", null, "app", variable, null, Array.Empty<string>(),
            secretName: secretName);

    [Fact]
    public void Views_over_one_pool_share_its_clients_and_remembered_secrets()
    {
        using var pool = new CdfConnectionPool();
        var settings = Connection("MLOPS_UNIT_" + Guid.NewGuid().ToString("N"));
        var first = new CdfConnections(pool, environment: new Hashtable());
        var second = new CdfConnections(pool, environment: new Hashtable());
        Assert.Equal(CdfErrorIds.SecretMissing, Assert.Throws<MlOpsException>(() => first.Client(settings)).ErrorId);

        pool.RememberSecret(settings.ClientSecretVariable, "s1");
        var client = first.Client(settings);
        Assert.Same(client, second.Client(settings));
        Assert.Equal(1, pool.ClientCount);

        // Another pool (another session, another test) shares nothing.
        using var other = new CdfConnectionPool();
        Assert.Throws<MlOpsException>(() => new CdfConnections(other, environment: new Hashtable()).Client(settings));

        // A new secret is a new client; the old one is kept for commands still holding it.
        pool.RememberSecret(settings.ClientSecretVariable, "s2");
        Assert.NotSame(client, first.Client(settings));
        Assert.Equal(2, pool.ClientCount);
        Assert.True(pool.ForgetSecret(settings.ClientSecretVariable));
        Assert.False(pool.ForgetSecret(settings.ClientSecretVariable));
    }

    [Fact]
    public void A_vault_secret_is_read_through_the_views_own_reader_once_per_pool()
    {
        using var pool = new CdfConnectionPool();
        var settings = Connection("MLOPS_UNIT_" + Guid.NewGuid().ToString("N"), secretName: "cdf");
        var reads = new List<(string Name, string? Vault)>();
        var withVault = new CdfConnections(pool, (name, vault) => { reads.Add((name, vault)); return "from-vault"; }, new Hashtable());
        var withoutVault = new CdfConnections(new CdfConnectionPool(), null, new Hashtable());

        var error = Assert.Throws<MlOpsException>(() => withoutVault.CredentialsFor(settings));
        Assert.Equal(CdfErrorIds.SecretMissing, error.ErrorId);
        Assert.Contains("outside PowerShell", error.Message);

        Assert.Equal("from-vault", withVault.CredentialsFor(settings).Secret);
        Assert.Equal("from-vault", new CdfConnections(pool, null, new Hashtable()).CredentialsFor(settings).Secret);
        Assert.Equal(new[] { ("cdf", (string?)null) }, reads);
    }

    [Fact]
    public void The_environment_variable_is_read_when_the_session_has_no_secret()
    {
        using var pool = new CdfConnectionPool();
        var settings = Connection("MLOPS_UNIT_SECRET");
        var connections = new CdfConnections(pool, environment: new Hashtable { ["MLOPS_UNIT_SECRET"] = "from-env" });
        Assert.Equal("from-env", connections.CredentialsFor(settings).Secret);

        pool.RememberSecret("MLOPS_UNIT_SECRET", "from-session");
        Assert.Equal("from-session", connections.CredentialsFor(settings).Secret);
    }

    [Fact]
    public void A_disposed_pool_forgets_its_secrets_and_refuses_new_clients()
    {
        var pool = new CdfConnectionPool();
        var settings = Connection("MLOPS_UNIT_" + Guid.NewGuid().ToString("N"));
        pool.RememberSecret(settings.ClientSecretVariable, "s1");
        var connections = new CdfConnections(pool, environment: new Hashtable());
        connections.Client(settings);

        pool.Dispose();
        Assert.Equal(0, pool.ClientCount);
        Assert.False(pool.ForgetSecret(settings.ClientSecretVariable));
        var error = Assert.Throws<ObjectDisposedException>(() => new CdfConnections(pool, environment: new Hashtable { [settings.ClientSecretVariable] = "x" }).Client(settings));
        Assert.Contains("import the module again", error.Message);
        pool.Dispose(); // twice is harmless
    }
}
