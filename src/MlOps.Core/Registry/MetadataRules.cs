using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>
    /// User metadata is a string map held to CDF's file-metadata limits on every store, so that a version
    /// published to a local folder can always be promoted into CDF later.
    /// </summary>
    public static class MetadataRules
    {
        public const int MaxPairs = 256;
        public const int MaxKeyBytes = 128;
        public const int MaxValueBytes = 10240;
        public const int MaxTotalBytes = 10240;

        /// <summary>Keys MlOps writes itself on CDF (<c>version</c>, and anything starting <c>mlops</c>).</summary>
        public static bool IsReserved(string key) =>
            string.Equals(key, "version", StringComparison.OrdinalIgnoreCase) || key.StartsWith("mlops", StringComparison.OrdinalIgnoreCase);

        public static SortedDictionary<string, string> Validate(IEnumerable<KeyValuePair<string, string>>? metadata)
        {
            var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (metadata == null)
            {
                return result;
            }

            long total = 0;
            foreach (var pair in metadata)
            {
                var key = pair.Key ?? string.Empty;
                var value = pair.Value ?? string.Empty;
                var keyBytes = Encoding.UTF8.GetByteCount(key);
                var valueBytes = Encoding.UTF8.GetByteCount(value);
                if (key.Trim().Length == 0)
                {
                    throw Invalid(key, "Metadata keys may not be empty.");
                }

                if (IsReserved(key))
                {
                    throw Invalid(key, $"The metadata key '{key}' is reserved for MlOps (it records 'version' and 'mlops*' itself).");
                }

                if (keyBytes > MaxKeyBytes)
                {
                    throw Invalid(key, $"The metadata key '{Shorten(key)}' has {keyBytes} bytes; at most {MaxKeyBytes} are allowed.");
                }

                if (valueBytes > MaxValueBytes)
                {
                    throw Invalid(key, $"The value of metadata key '{key}' has {valueBytes} bytes; at most {MaxValueBytes} are allowed.");
                }

                if (result.Keys.Any(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)))
                {
                    throw Invalid(key, $"The metadata key '{key}' is given twice (keys are compared without case).");
                }

                total += keyBytes + valueBytes;
                result[key] = value;
            }

            if (result.Count > MaxPairs)
            {
                throw Invalid(null, $"{result.Count} metadata keys were given; at most {MaxPairs} are allowed.");
            }

            if (total > MaxTotalBytes)
            {
                throw Invalid(null, $"The metadata has {total} bytes of keys and values; at most {MaxTotalBytes} are allowed in all.");
            }

            return result;
        }

        private static string Shorten(string key) => key.Length > 40 ? key.Substring(0, 40) + "…" : key;

        private static MlOpsException Invalid(string? key, string message) =>
            new MlOpsException(ErrorIds.InvalidMetadata, MlOpsErrorKind.InvalidArgument, message, key,
                "Keep metadata to short string keys and values (CDF's file-metadata limits), for example @{ r2 = '0.91'; commit = 'abc123' }.");
    }
}
