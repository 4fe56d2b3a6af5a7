using System;

namespace MlOps.Cdf
{
    /// <summary>An access token and when to stop using it.</summary>
    internal sealed class CachedToken
    {
        public CachedToken(string accessToken, DateTimeOffset renewAt)
        {
            AccessToken = accessToken;
            RenewAt = renewAt;
        }

        public string AccessToken { get; }

        public DateTimeOffset RenewAt { get; }

        public override string ToString() => "token *** renew at " + RenewAt.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
    }
}
