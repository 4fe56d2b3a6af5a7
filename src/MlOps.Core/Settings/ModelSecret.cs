namespace MlOps.Settings
{
    /// <summary>
    /// A secret a model's code receives in its <c>secrets</c> dict under <see cref="Key"/>, read when it is deployed from an
    /// environment variable or a SecretManagement vault secret (never from a file). On CDF Functions it becomes a function
    /// secret, so the key follows CDF's rules: lower-case letters, digits and dashes, at most 15 characters.
    /// </summary>
    public sealed class ModelSecret
    {
        /// <summary>The CDF Functions rule for secret keys (MlOps applies it on every platform, so a project can move).</summary>
        public static readonly System.Text.RegularExpressions.Regex KeyRule = new System.Text.RegularExpressions.Regex("^[a-z0-9-]{1,15}$");

        /// <summary>Keys MlOps's own services use for their registry connection.</summary>
        public static readonly System.Collections.Generic.IReadOnlyList<string> ReservedKeys = new[] { "mlops-secret", "mlops-api-key" };

        public ModelSecret(string key, string? variable, string? secretName, string? vault)
        {
            Key = key;
            Variable = variable;
            SecretName = secretName;
            Vault = vault;
        }

        /// <summary>The key model code reads (<c>secrets["id-write"]</c>).</summary>
        public string Key { get; }

        /// <summary>The environment variable that holds the value.</summary>
        public string? Variable { get; }

        /// <summary>The SecretManagement secret that holds it (Get-Secret), when the variable is not set or not named.</summary>
        public string? SecretName { get; }

        /// <summary>The vault of <see cref="SecretName"/>; null for the default vault.</summary>
        public string? Vault { get; }

        public override string ToString() => Key + " from " + (Variable != null ? "$env:" + Variable : "vault secret " + SecretName);
    }
}
