namespace MlOps.Settings
{
    /// <summary>Where an environment runs its services.</summary>
    public sealed class PlatformSettings
    {
        public PlatformSettings(string type, string path)
        {
            Type = type;
            Path = path;
        }

        /// <summary><c>local</c>: services run as local Python processes on 127.0.0.1.</summary>
        public string Type { get; }

        /// <summary>Local platform: the folder holding deployed services, their packages and logs (absolute).</summary>
        public string Path { get; }

        public override string ToString() => Type;
    }
}
