namespace MlOps.CdfEmulator;

/// <summary>The outcome of <see cref="SessionStore.ConsumeNonce"/>. Only <see cref="NonceStatus.Valid"/> consumes the nonce.</summary>
public sealed record NonceCheck(NonceStatus Status, Session? Session)
{
    public bool IsValid => Status == NonceStatus.Valid;

    /// <summary>The message an API would put in its 400/401 for this outcome.</summary>
    public string Message => Status switch
    {
        NonceStatus.Valid => "The nonce is valid.",
        NonceStatus.Unknown => "Invalid nonce: no session has this nonce.",
        NonceStatus.WrongProject => "Invalid nonce: the session belongs to another project.",
        NonceStatus.Expired => "Invalid nonce: it has expired; create a new session right before the call.",
        NonceStatus.AlreadyUsed => "Invalid nonce: it has already been used; nonces are single-use.",
        _ => "Invalid nonce: the session has been revoked.",
    };
}
