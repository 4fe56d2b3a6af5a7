using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Configuration;

namespace MlOps.Settings
{
    /// <summary>
    /// Checks the shape of the settings (known keys, objects where objects belong, arrays indexed, booleans
    /// spelled true/false) one configuration source at a time, so each problem names the file or variable it came from.
    /// </summary>
    internal sealed class SettingsSchemaWalker
    {
        private readonly List<SettingsProblem> _problems;

        public SettingsSchemaWalker(List<SettingsProblem> problems)
        {
            _problems = problems;
        }

        private enum NodeKind
        {
            Object,
            Map,
            Array,
            String,
            Bool,
        }

        private sealed class Node
        {
            public Node(NodeKind kind, Node? element = null, Dictionary<string, Node>? properties = null)
            {
                Kind = kind;
                Element = element;
                Properties = properties;
            }

            public NodeKind Kind { get; }
            public Node? Element { get; }
            public Dictionary<string, Node>? Properties { get; }
        }

        private static Node Obj(params (string Name, Node Node)[] properties) =>
            new Node(NodeKind.Object, properties: properties.ToDictionary(p => p.Name, p => p.Node, StringComparer.OrdinalIgnoreCase));

        private static readonly Node Str = new Node(NodeKind.String);
        private static readonly Node Bool = new Node(NodeKind.Bool);

        private static readonly Node Root = Obj(
            ("project", Str),
            ("python", Str),
            ("models", new Node(NodeKind.Array, Obj(
                ("name", Str),
                ("codeFolder", Str),
                ("modelFile", Str),
                ("testFile", Str),
                ("requirementsFile", Str),
                ("artifactFolder", Str),
                ("services", new Node(NodeKind.Array, Str)),
                ("testData", Str),
                ("description", Str),
                ("owner", Str),
                ("logLevel", Str),
                ("secrets", new Node(NodeKind.Map, Obj(("variable", Str), ("secretName", Str), ("vault", Str)))),
                ("info", new Node(NodeKind.Map, Obj(("description", Str), ("owner", Str), ("metadata", new Node(NodeKind.Map, Str))))),
                ("artifactVersion", Str)))),
            ("environments", new Node(NodeKind.Map, Obj(
                ("registry", Obj(("type", Str), ("path", Str), ("useArtifactFolder", Bool),
                    ("project", Str), ("baseUrl", Str), ("directory", Str), ("dataSetId", Str), ("dataSetExternalId", Str), ("tokenUrl", Str), ("tenantId", Str),
                    ("clientId", Str), ("clientSecretVariable", Str), ("apiKeyVariable", Str), ("secretName", Str), ("secretVault", Str), ("scopes", new Node(NodeKind.Array, Str)))),
                ("platform", Obj(("type", Str), ("path", Str), ("keepDeployments", Str), ("callTimeoutSeconds", Str), ("trainingTimeoutMinutes", Str),
                    ("startTimeoutSeconds", Str), ("serviceTestTimeoutSeconds", Str),
                    ("runtime", Str), ("cpu", Str), ("memory", Str), ("deployTimeoutMinutes", Str), ("callTimeoutMinutes", Str), ("callDataLimitKb", Str), ("owner", Str), ("indexUrl", Str),
                    ("project", Str), ("baseUrl", Str), ("directory", Str), ("dataSetId", Str), ("dataSetExternalId", Str), ("tokenUrl", Str), ("tenantId", Str),
                    ("clientId", Str), ("clientSecretVariable", Str), ("apiKeyVariable", Str), ("secretName", Str), ("secretVault", Str), ("scopes", new Node(NodeKind.Array, Str)))),
                ("protected", Bool)))));

        public void CheckKeys(IConfiguration source, Func<string, string> describeSource)
        {
            foreach (var child in source.GetChildren())
            {
                Check(child, Root, "$", describeSource);
            }
        }

        private void Check(IConfigurationSection section, Node parent, string parentPath, Func<string, string> describeSource)
        {
            Node? node;
            string path;
            switch (parent.Kind)
            {
                case NodeKind.Object:
                    path = parentPath + "." + section.Key;
                    if (!parent.Properties!.TryGetValue(section.Key, out node))
                    {
                        if (LooksLikeSecret(section.Key))
                        {
                            Add(section, describeSource, path, $"'{section.Key}' looks like a secret; secrets are never read from the settings file.",
                                "the name of an environment variable that holds it, for example \"clientSecretVariable\": \"COGNITE_CLIENT_SECRET\"");
                            return;
                        }

                        Add(section, describeSource, path, $"Unknown key '{section.Key}'.",
                            "one of: " + string.Join(", ", parent.Properties.Keys));
                        return;
                    }

                    break;
                case NodeKind.Map:
                    path = parentPath + "." + section.Key;
                    node = parent.Element!;
                    break;
                case NodeKind.Array:
                    path = parentPath + "[" + section.Key + "]";
                    if (!int.TryParse(section.Key, out _))
                    {
                        Add(section, describeSource, parentPath, $"'{section.Key}' is not an array index.", "a JSON array");
                        return;
                    }

                    node = parent.Element!;
                    break;
                default:
                    return;
            }

            var children = section.GetChildren().ToList();
            var isContainer = node.Kind == NodeKind.Object || node.Kind == NodeKind.Map || node.Kind == NodeKind.Array;
            if (isContainer)
            {
                if (children.Count == 0 && !string.IsNullOrEmpty(section.Value) && parentPath.EndsWith(".secrets", StringComparison.Ordinal))
                {
                    // A model secret written as a value may be the secret itself: never repeat it.
                    Add(section, describeSource, path, "A model secret is given as a value; secrets are never read from the settings file.",
                        "where it comes from: { \"variable\": \"NAME\" } or { \"secretName\": \"name\", \"vault\": \"vault\" } (and rotate it if it was the secret)");
                }
                else if (children.Count == 0 && !string.IsNullOrEmpty(section.Value))
                {
                    Add(section, describeSource, path, $"Found the value '{section.Value}'.",
                        node.Kind == NodeKind.Array ? "a JSON array" : "a JSON object");
                }

                foreach (var child in children)
                {
                    Check(child, node, path, describeSource);
                }

                return;
            }

            if (children.Count > 0)
            {
                Add(section, describeSource, path, "Found an object or array.", node.Kind == NodeKind.Bool ? "true or false" : "a string");
                return;
            }

            if (node.Kind == NodeKind.Bool && !string.IsNullOrEmpty(section.Value) && !bool.TryParse(section.Value, out _))
            {
                Add(section, describeSource, path, $"'{section.Value}' is not a boolean.", "true or false");
            }
        }

        internal static bool LooksLikeSecret(string key)
        {
            var lower = key.ToLowerInvariant();
            return !lower.EndsWith("variable", StringComparison.Ordinal)
                && (lower.Contains("secret") || lower.Contains("apikey") || lower.Contains("api-key") || lower.Contains("password") || lower.Contains("token"));
        }

        private void Add(IConfigurationSection section, Func<string, string> describeSource, string path, string message, string expected) =>
            _problems.Add(new SettingsProblem(ProblemSeverity.Error, describeSource(section.Path), path, message, expected));
    }
}
