namespace MlOps.Cdf
{
    /// <summary>A CDF session; <see cref="Nonce"/> (only on create) lets a function call or schedule run as it.</summary>
    public sealed class CdfSession
    {
        /// <summary>The internal id (int64).</summary>
        public long Id { get; set; }

        /// <summary><c>CLIENT_CREDENTIALS</c>, <c>TOKEN_EXCHANGE</c>, ...</summary>
        public string? Type { get; set; }

        /// <summary><c>READY</c>, <c>ACTIVE</c>, <c>REVOKED</c>, ...</summary>
        public string? Status { get; set; }

        /// <summary>Single-use and short-lived (about a minute): create it right before the call or schedule.</summary>
        public string? Nonce { get; set; }

        /// <summary>The client the session acts as.</summary>
        public string? ClientId { get; set; }

        /// <summary>When the session was created (epoch ms).</summary>
        public long? CreationTime { get; set; }

        /// <summary>When the session ends (epoch ms).</summary>
        public long? ExpirationTime { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"session {Id} {Type} {Status}" + (Nonce is null ? "" : " (nonce ***)");
    }
}
