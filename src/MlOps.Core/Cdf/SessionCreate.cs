using System;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MlOps.Cdf
{
    /// <summary>How to create a session: from client credentials (robust, for schedules) or by token exchange. Masks the secret.</summary>
    [DebuggerDisplay("{ToString(),nq}")]
    public sealed class SessionCreate
    {
        [DebuggerBrowsable(DebuggerBrowsableState.Never)]
        private readonly string? clientSecret;

        private SessionCreate(string? clientId, string? clientSecret, bool tokenExchange)
        {
            ClientId = clientId;
            this.clientSecret = clientSecret;
            TokenExchange = tokenExchange;
        }

        /// <summary>The client id (client-credentials sessions).</summary>
        public string? ClientId { get; }

        /// <summary>True for a token-exchange session.</summary>
        public bool TokenExchange { get; }

        /// <summary>A session acting as this client (its secret is sent to CDF once, in the request body).</summary>
        public static SessionCreate FromClientCredentials(string clientId, string clientSecret) =>
            string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret)
                ? throw new ArgumentException("Client id and secret are required.")
                : new SessionCreate(clientId, clientSecret, false);

        /// <summary>A session exchanged from the caller's own token.</summary>
        public static SessionCreate FromTokenExchange() => new SessionCreate(null, null, true);

        internal string? Secret => clientSecret;

        internal JsonObject ToJson() => TokenExchange
            ? new JsonObject { ["tokenExchange"] = true }
            : new JsonObject { ["clientId"] = ClientId, ["clientSecret"] = clientSecret };

        /// <inheritdoc />
        public override string ToString() => TokenExchange ? "session by token exchange" : $"session for client '{ClientId}' (secret ***)";
    }
}
