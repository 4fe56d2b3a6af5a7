using System;
using System.Collections.Generic;

namespace MlOps.Cdf
{
    /// <summary>
    /// Removes known secret values from text that came from elsewhere (an identity provider's error description, an
    /// exception message) before it reaches an exception, a log line or the user.
    /// </summary>
    internal sealed class SecretRedactor
    {
        private const string Mask = "***";
        private readonly List<string> secrets = new List<string>();
        private readonly object gate = new object();

        public void Add(string? secret)
        {
            // Very short values would mask ordinary words; real secrets and tokens are long.
            if (string.IsNullOrEmpty(secret) || secret!.Length < 4)
            {
                return;
            }

            lock (gate)
            {
                if (!secrets.Contains(secret))
                {
                    secrets.Add(secret);
                }
            }
        }

        public string Redact(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text ?? "";
            }

            lock (gate)
            {
                foreach (var secret in secrets)
                {
                    if (text!.IndexOf(secret, StringComparison.Ordinal) >= 0)
                    {
                        text = text.Replace(secret, Mask);
                    }
                }
            }

            return text!;
        }
    }
}
