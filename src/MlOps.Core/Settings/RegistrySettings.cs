namespace MlOps.Settings
{
    /// <summary>Where an environment keeps its model versions.</summary>
    public sealed class RegistrySettings
    {
        public RegistrySettings(string type, string path, bool useArtifactFolder)
        {
            Type = type;
            Path = path;
            UseArtifactFolder = useArtifactFolder;
        }

        /// <summary><c>local</c>: a folder (local disk or a shared network folder).</summary>
        public string Type { get; }

        /// <summary>Absolute path of the local store.</summary>
        public string Path { get; }

        /// <summary>When true, a model's settings artifact folder serves as version 1 while the store has none (dev's default).</summary>
        public bool UseArtifactFolder { get; }

        public override string ToString() => $"{Type}:{Path}";
    }
}
