using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using MlOps.Diagnostics;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>Turns a PowerShell hashtable into the string map the registry stores; only scalar values are accepted.</summary>
    internal static class MetadataConverter
    {
        public static Dictionary<string, string>? ToStrings(IDictionary? table)
        {
            if (table == null)
            {
                return null;
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in table)
            {
                var key = Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? string.Empty;
                result[key] = ToText(key, Unwrap(entry.Value));
            }

            return result;
        }

        private static object? Unwrap(object? value) => value is PSObject ps ? ps.BaseObject : value;

        private static string ToText(string key, object? value)
        {
            switch (value)
            {
                case null:
                    return string.Empty;
                case string text:
                    return text;
                case bool flag:
                    return flag ? "true" : "false";
                case DateTime time:
                    return time.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture);
                case DateTimeOffset time:
                    return time.ToString("o", CultureInfo.InvariantCulture);
                case IDictionary _:
                case IEnumerable _:
                    throw new MlOpsException(ErrorIds.InvalidMetadata, MlOpsErrorKind.InvalidArgument,
                        $"The metadata value of '{key}' is a collection; metadata values must be single values.", key,
                        $"Flatten it into separate keys, or store it as text: @{{ {key} = ($value | ConvertTo-Json -Compress) }}.");
                case char character:
                    return character.ToString();
                case Uri uri:
                    return uri.OriginalString;
                case IFormattable formattable:
                    return formattable.ToString(null, CultureInfo.InvariantCulture);
                default:
                    // A script block, a custom object, a file … would be stored as whatever its ToString() says.
                    throw new MlOpsException(ErrorIds.InvalidMetadata, MlOpsErrorKind.InvalidArgument,
                        $"The metadata value of '{key}' is a {value.GetType().Name}; metadata values must be text, numbers, booleans or dates.", key,
                        $"Pass the value as text, for example @{{ {key} = '...' }}.");
            }
        }
    }
}
