using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using MlOps.Diagnostics;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>Writes PowerShell values (hashtables, custom objects, arrays, scalars) as JSON for a service call.</summary>
    internal static class JsonText
    {
        private const int MaxDepth = 64;

        public static string From(object? value)
        {
            using (var stream = new MemoryStream())
            {
                using (var writer = new Utf8JsonWriter(stream))
                {
                    Write(writer, value, 0);
                }

                return Encoding.UTF8.GetString(stream.ToArray());
            }
        }

        /// <summary>Checks that <paramref name="json"/> is one JSON value and returns it unchanged.</summary>
        public static string Validate(string json)
        {
            try
            {
                using (JsonDocument.Parse(json))
                {
                    return json;
                }
            }
            catch (JsonException e)
            {
                throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidArgument, $"-Json is not valid JSON: {e.Message}", json,
                    "Pass JSON text (for example (Get-Content input.json -Raw)), or a hashtable with -Data.");
            }
        }

        private static void Write(Utf8JsonWriter writer, object? value, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidArgument,
                    $"The data is nested more than {MaxDepth} levels deep (a reference cycle?).", null);
            }

            if (value is PSObject ps && !(ps.BaseObject is PSCustomObject))
            {
                value = ps.BaseObject;
            }

            switch (value)
            {
                case null:
                    writer.WriteNullValue();
                    return;
                case string text:
                    writer.WriteStringValue(text);
                    return;
                case char c:
                    writer.WriteStringValue(c.ToString());
                    return;
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    return;
                case DateTime time:
                    writer.WriteStringValue(time.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture));
                    return;
                case DateTimeOffset time:
                    writer.WriteStringValue(time.ToString("o", CultureInfo.InvariantCulture));
                    return;
                case byte _: case sbyte _: case short _: case ushort _: case int _: case uint _: case long _:
                    writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                    return;
                case ulong big:
                    writer.WriteNumberValue(big);
                    return;
                case float _: case double _:
                    var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    if (double.IsNaN(number) || double.IsInfinity(number))
                    {
                        throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidArgument, $"{number} cannot be sent as JSON.", value);
                    }

                    writer.WriteNumberValue(number);
                    return;
                case decimal money:
                    writer.WriteNumberValue(money);
                    return;
                case IDictionary map:
                    writer.WriteStartObject();
                    foreach (DictionaryEntry entry in map)
                    {
                        writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                        Write(writer, entry.Value, depth + 1);
                    }

                    writer.WriteEndObject();
                    return;
                case PSObject custom:
                    WriteProperties(writer, custom, depth);
                    return;
                case IEnumerable items:
                    writer.WriteStartArray();
                    foreach (var item in items)
                    {
                        Write(writer, item, depth + 1);
                    }

                    writer.WriteEndArray();
                    return;
                case Guid _: case Uri _: case TimeSpan _:
                    writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                    return;
                default:
                    if (value.GetType().IsEnum)
                    {
                        writer.WriteStringValue(value.ToString());
                        return;
                    }

                    // A live .NET object (a process, a file, a service) is not model input: its properties may be huge, throw
                    // when read, or change while they are; the caller picks the values with Select-Object instead.
                    throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidArgument,
                        $"The input holds a {value.GetType().FullName}, which is not data a model can take.", value.GetType().FullName,
                        "Pass hashtables, custom objects, arrays, strings, numbers, booleans or dates; pick an object's values with Select-Object (for example Get-Process | Select-Object Name, CPU), or pass -Json.");
            }
        }

        private static void WriteProperties(Utf8JsonWriter writer, PSObject value, int depth)
        {
            writer.WriteStartObject();
            foreach (var property in value.Properties)
            {
                if (property.IsGettable)
                {
                    object? propertyValue;
                    try
                    {
                        propertyValue = property.Value;
                    }
                    catch (Exception e) when (e is GetValueException || e is ExtendedTypeSystemException)
                    {
                        throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidArgument,
                            $"The input's property '{property.Name}' cannot be read: {e.Message}", property.Name,
                            "Pass only the values the model needs, for example with Select-Object, or pass -Json.", e);
                    }

                    writer.WritePropertyName(property.Name);
                    Write(writer, propertyValue, depth + 1);
                }
            }

            writer.WriteEndObject();
        }
    }
}
