using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using MlOps.Diagnostics;
using MlOps.Settings;

namespace MlOps.Scaffolding
{
    /// <summary>
    /// Edits mlops.settings.json as text, so everything but the inserted model entry stays byte for byte as it was:
    /// comments, key order, formatting, line endings and other keys (the settings reader allows comments and trailing commas).
    /// </summary>
    public static class SettingsEditor
    {
        private static readonly JsonReaderOptions ReaderOptions = new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };

        private static readonly JsonDocumentOptions DocumentOptions = new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };

        /// <summary>The settings entry of a model made from the template: code and artifact folders by convention, both services.</summary>
        public static string ModelEntry(string name)
        {
            NameRules.ValidateModelName(name);
            return "{\n" +
                $"  \"name\": \"{name}\",\n" +
                $"  \"codeFolder\": \"models/{name}\",\n" +
                $"  \"artifactFolder\": \"artifacts/{name}\",\n" +
                "  \"services\": [ \"prediction\", \"training\" ],\n" +
                $"  \"description\": \"A straight line fitted to models/{name}/training_data.csv (the New-MlProject template); describe your model here.\"\n" +
                "}";
        }

        /// <summary>The names under <c>models[].name</c> (case as written); an <c>InvalidSettings</c> error if the text is not a JSON object.</summary>
        public static IReadOnlyList<string> ModelNames(string text, string settingsPath)
        {
            try
            {
                using (var document = JsonDocument.Parse(StripBom(text), DocumentOptions))
                {
                    if (document.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        throw Invalid(settingsPath, "it is not a JSON object");
                    }

                    var models = Property(document.RootElement, "models");
                    if (models == null || models.Value.ValueKind != JsonValueKind.Array)
                    {
                        return new string[0];
                    }

                    return models.Value.EnumerateArray()
                        .Where(m => m.ValueKind == JsonValueKind.Object)
                        .Select(m => Property(m, "name"))
                        .Where(n => n != null && n.Value.ValueKind == JsonValueKind.String)
                        .Select(n => n!.Value.GetString()!)
                        .ToList();
                }
            }
            catch (JsonException e)
            {
                throw Invalid(settingsPath, "it is not valid JSON: " + e.Message);
            }
        }

        /// <summary>The value of the project's "python" key, if it is a string.</summary>
        public static string? Python(string text)
        {
            try
            {
                using (var document = JsonDocument.Parse(StripBom(text), DocumentOptions))
                {
                    var python = document.RootElement.ValueKind == JsonValueKind.Object ? Property(document.RootElement, "python") : null;
                    return python != null && python.Value.ValueKind == JsonValueKind.String ? python.Value.GetString() : null;
                }
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>
        /// <paramref name="text"/> with <paramref name="entry"/> (a JSON object, LF-separated lines) appended to the "models"
        /// array, indented like the entries before it; the array is created if there is none.
        /// </summary>
        public static string AddModel(string text, string entry, string settingsPath)
        {
            var before = ModelNames(text, settingsPath).Count;
            var hasBom = text.Length > 0 && text[0] == '\uFEFF';
            var bytes = Encoding.UTF8.GetBytes(StripBom(text));
            var newline = text.Contains("\r\n") ? "\r\n" : "\n";
            var (position, insert) = FindInsertion(bytes, entry, newline, settingsPath);
            var inserted = Encoding.UTF8.GetBytes(insert);
            var result = new byte[bytes.Length + inserted.Length];
            Buffer.BlockCopy(bytes, 0, result, 0, position);
            Buffer.BlockCopy(inserted, 0, result, position, inserted.Length);
            Buffer.BlockCopy(bytes, position, result, position + inserted.Length, bytes.Length - position);
            var edited = (hasBom ? "\uFEFF" : string.Empty) + Encoding.UTF8.GetString(result);
            if (ModelNames(edited, settingsPath).Count != before + 1)
            {
                throw new InvalidOperationException($"Adding a model entry to {settingsPath} did not give one more model; the file was not changed.");
            }

            return edited;
        }

        private static (int Position, string Insert) FindInsertion(byte[] bytes, string entry, string newline, string settingsPath)
        {
            var reader = new Utf8JsonReader(bytes, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid(settingsPath, "it is not a JSON object");
            }

            var rootStart = (int)reader.TokenStartIndex;
            var rootHasMembers = false;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                {
                    break;
                }

                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                rootHasMembers = true;
                var isModels = string.Equals(reader.GetString(), "models", StringComparison.OrdinalIgnoreCase);
                reader.Read();
                if (!isModels)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw Invalid(settingsPath, "\"models\" is not an array");
                }

                var arrayStart = (int)reader.TokenStartIndex;
                int? lastStart = null, lastEnd = null;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    lastStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    lastEnd = (int)reader.BytesConsumed;
                }

                var arrayEnd = (int)reader.TokenStartIndex;
                if (lastStart != null)
                {
                    var indent = StartsLine(bytes, lastStart.Value) ? LineIndent(bytes, lastStart.Value) : LineIndent(bytes, lastStart.Value) + "  ";
                    return (lastEnd!.Value, "," + newline + Indent(entry, indent, newline));
                }

                var arrayIndent = LineIndent(bytes, arrayStart);
                return (arrayEnd, newline + Indent(entry, arrayIndent + "  ", newline) + newline + arrayIndent);
            }

            var block = "  \"models\": [" + newline + Indent(entry, "    ", newline) + newline + "  ]" + (rootHasMembers ? "," : string.Empty);
            return (rootStart + 1, newline + block + (rootHasMembers ? string.Empty : newline));
        }

        private static string Indent(string entry, string indent, string newline) =>
            string.Join(newline, entry.Replace("\r\n", "\n").Split('\n').Select(line => indent + line));

        private static bool StartsLine(byte[] bytes, int index)
        {
            for (var i = index - 1; i >= 0 && bytes[i] != (byte)'\n'; i--)
            {
                if (bytes[i] != (byte)' ' && bytes[i] != (byte)'\t' && bytes[i] != (byte)'\r')
                {
                    return false;
                }
            }

            return true;
        }

        private static string LineIndent(byte[] bytes, int index)
        {
            var start = index;
            while (start > 0 && bytes[start - 1] != (byte)'\n')
            {
                start--;
            }

            var end = start;
            while (end < bytes.Length && (bytes[end] == (byte)' ' || bytes[end] == (byte)'\t'))
            {
                end++;
            }

            return Encoding.UTF8.GetString(bytes, start, end - start);
        }

        private static JsonElement? Property(JsonElement element, string name)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return property.Value;
                }
            }

            return null;
        }

        private static string StripBom(string text) => text.Length > 0 && text[0] == '\uFEFF' ? text.Substring(1) : text;

        private static MlOpsException Invalid(string settingsPath, string problem) =>
            new MlOpsException(ErrorIds.InvalidSettings, MlOpsErrorKind.InvalidData, $"{settingsPath} cannot be edited: {problem}.", settingsPath,
                "Fix the file (Test-MlSetting -Detailed lists its problems) and try again.");
    }
}
