namespace MlOps.Settings
{
    /// <summary>Where an environment runs its services.</summary>
    public sealed class PlatformSettings
    {
        public PlatformSettings(string type)
        {
            Type = type;
        }

        /// <summary><c>local</c>: services run as local Python processes.</summary>
        public string Type { get; }

        public override string ToString() => Type;
    }
}
