using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using MlOps.Diagnostics;
using MlOps.Settings;

namespace MlOps.Deployment
{
    /// <summary>Reads the values of the secrets a model's settings name, for a deploy. Values are never logged or written.</summary>
    public static class ModelSecrets
    {
        /// <summary>
        /// The secrets' values: each from its environment variable, else its vault secret through <paramref name="vault"/>
        /// (which PowerShell provides; null outside it). A missing one is a <see cref="ErrorIds.ModelSecretMissing"/> error
        /// naming the key and where it was looked for.
        /// </summary>
        public static IReadOnlyDictionary<string, string> Resolve(ModelSettings model, IDictionary? environment = null,
            Func<string, string?, string>? vault = null)
        {
            environment ??= Environment.GetEnvironmentVariables();
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var secret in model.Secrets)
            {
                if (secret.Variable != null && environment[secret.Variable] is string value && value.Length > 0)
                {
                    values[secret.Key] = value;
                    continue;
                }

                if (secret.SecretName != null && vault != null)
                {
                    values[secret.Key] = vault(secret.SecretName, secret.Vault);
                    continue;
                }

                var where = string.Join(" or ", new[]
                {
                    secret.Variable != null ? $"the environment variable {secret.Variable} (not set)" : null,
                    secret.SecretName != null ? $"the vault secret '{secret.SecretName}'" + (vault == null ? " (vaults are read only inside PowerShell)" : string.Empty) : null,
                }.Where(w => w != null));
                throw new MlOpsException(ErrorIds.ModelSecretMissing, MlOpsErrorKind.SecurityError,
                    $"The secret '{secret.Key}' of '{model.Name}' is read from {where}.", secret.Key,
                    secret.Variable != null
                        ? $"Set ${secret.Variable} (in CI, from the pipeline's secret variables) before deploying."
                        : "Store it with Set-Secret, or name an environment variable (\"variable\") for it in the settings.");
            }

            return values;
        }
    }
}
