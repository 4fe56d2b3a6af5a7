namespace MlOps.CdfEmulator;

/// <summary>A CDF session: what a nonce stands for when a function call or schedule runs on someone's behalf.</summary>
public sealed class Session
{
    public required long Id { get; init; }

    public required string Project { get; init; }

    /// <summary><c>CLIENT_CREDENTIALS</c>, <c>TOKEN_EXCHANGE</c> or <c>ONESHOT_TOKEN_EXCHANGE</c>.</summary>
    public required string Type { get; init; }

    /// <summary><c>READY</c> until the nonce is used, then <c>ACTIVE</c>; <c>REVOKED</c> after revoke.</summary>
    public string Status { get; internal set; } = "READY";

    /// <summary>The client the session acts as (for token exchange: the caller's client).</summary>
    public string? ClientId { get; init; }

    public required string Nonce { get; init; }

    public required long CreationTime { get; init; }

    public required long ExpirationTime { get; init; }

    /// <summary>Until when (epoch ms) the nonce can be exchanged.</summary>
    public required long NonceExpiresAt { get; init; }

    public bool NonceUsed { get; internal set; }

    internal Session Clone() => (Session)MemberwiseClone();
}
