namespace MlOps.Settings
{
    /// <summary>Where an environment keeps its model versions.</summary>
    public sealed class RegistrySettings
    {
        public RegistrySettings(string type, string path, bool useArtifactFolder, CdfConnectionSettings? cdf = null)
        {
            Type = type;
            Path = path;
            UseArtifactFolder = useArtifactFolder;
            Cdf = cdf;
        }

        /// <summary>The CDF connection, for <c>cdf</c> registries.</summary>
        public CdfConnectionSettings? Cdf { get; }

        /// <summary><c>local</c>: a folder (local disk or a shared network folder); <c>cdf</c>: CDF Files.</summary>
        public string Type { get; }

        /// <summary>A folder on this machine (<c>type: local</c>).</summary>
        public bool IsLocal => Type == StoreKinds.Local;

        /// <summary>Absolute path of the local store.</summary>
        public string Path { get; }

        /// <summary>When true, a model's settings artifact folder serves as version 1 while the store has none (dev's default).</summary>
        public bool UseArtifactFolder { get; }

        public override string ToString() => Cdf != null ? $"{Type}:{Cdf}" : $"{Type}:{Path}";
    }
}
