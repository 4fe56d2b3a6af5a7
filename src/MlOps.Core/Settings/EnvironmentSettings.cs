namespace MlOps.Settings
{
    /// <summary>One deployment environment (dev, test, prod …) with its registry and platform.</summary>
    public sealed class EnvironmentSettings
    {
        public EnvironmentSettings(string name, RegistrySettings registry, PlatformSettings platform, bool isProtected)
        {
            Name = name;
            Registry = registry;
            Platform = platform;
            IsProtected = isProtected;
        }

        public string Name { get; }
        public RegistrySettings Registry { get; }
        public PlatformSettings Platform { get; }

        /// <summary>Changes in a protected environment (prod by default) ask for confirmation.</summary>
        public bool IsProtected { get; }

        public override string ToString() => Name;
    }
}
