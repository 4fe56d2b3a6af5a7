using System.Collections.Generic;

namespace MlOps.Settings
{
    /// <summary>One model of a project: its code, tests, requirements and, for dev, its local artifact folder. Paths are absolute.</summary>
    public sealed class ModelSettings
    {
        public ModelSettings(string name, string codeFolder, string modelFile, string testFile, string requirementsFile,
            string? artifactFolder, IReadOnlyList<string> services, string? testData, string? description, string? owner, string logLevel = DefaultLogLevel,
            int? artifactVersion = null, IReadOnlyList<ModelSecret>? secrets = null, IReadOnlyDictionary<string, ServiceInfo>? info = null)
        {
            Info = info ?? new Dictionary<string, ServiceInfo>();
            Secrets = secrets ?? new ModelSecret[0];
            LogLevel = logLevel;
            ArtifactVersion = artifactVersion;
            Name = name;
            CodeFolder = codeFolder;
            ModelFile = modelFile;
            TestFile = testFile;
            RequirementsFile = requirementsFile;
            ArtifactFolder = artifactFolder;
            Services = services;
            TestData = testData;
            Description = description;
            Owner = owner;
        }

        public string Name { get; }
        public string CodeFolder { get; }
        public string ModelFile { get; }
        public string TestFile { get; }
        public string RequirementsFile { get; }

        /// <summary>Local artifact folder that dev may use directly as version <c>&lt;model&gt;/dev/1</c>.</summary>
        public string? ArtifactFolder { get; }

        /// <summary>The services this model offers: <c>prediction</c>, <c>training</c>.</summary>
        public IReadOnlyList<string> Services { get; }

        public string? TestData { get; }
        public string? Description { get; }
        public string? Owner { get; }

        /// <summary>The lowest level of the model's log lines a service writes: debug, info (the default), warning or error.</summary>
        public string LogLevel { get; }

        public const string DefaultLogLevel = "info";

        /// <summary>
        /// The artifact version a prediction deploy takes when none is given (akerbp.mlops's artifact_version); null: the latest.
        /// </summary>
        public int? ArtifactVersion { get; }

        /// <summary>Per service (prediction, training): its description, owner and metadata, where the settings give them.</summary>
        public IReadOnlyDictionary<string, ServiceInfo> Info { get; }

        /// <summary>The description of a service: its own, else the model's.</summary>
        public string? DescriptionOf(string service) => Info.TryGetValue(service, out var info) && info.Description != null ? info.Description : Description;

        /// <summary>The owner of a service: its own, else the model's.</summary>
        public string? OwnerOf(string service) => Info.TryGetValue(service, out var info) && info.Owner != null ? info.Owner : Owner;

        /// <summary>The secrets model code receives in its <c>secrets</c> dict (keys and where their values come from; never values).</summary>
        public IReadOnlyList<ModelSecret> Secrets { get; }

        /// <summary>The levels "logLevel" accepts.</summary>
        public static readonly IReadOnlyList<string> LogLevels = new[] { "debug", "info", "warning", "error" };

        public override string ToString() => Name;
    }
}
