namespace MlOps.Settings
{
    /// <summary>Where an environment runs its services.</summary>
    public sealed class PlatformSettings
    {
        public const int DefaultKeepDeployments = 3;

        /// <summary>The most deployments "keepDeployments" may keep.</summary>
        public const int MaxKeepDeployments = 100;

        public PlatformSettings(string type, string path, int keepDeployments = DefaultKeepDeployments, CdfFunctionsSettings? functions = null)
        {
            Type = type;
            Path = path;
            KeepDeployments = keepDeployments;
            Functions = functions;
        }

        /// <summary><c>local</c>: services run as local Python processes on 127.0.0.1; <c>cdf</c>: CDF Functions.</summary>
        public string Type { get; }

        /// <summary>Local platform: the folder holding deployed services, their packages and logs (absolute).</summary>
        public string Path { get; }

        /// <summary>How many deployments of a service are kept (the current one included) so that a rollback can return to them.</summary>
        public int KeepDeployments { get; }

        /// <summary>The CDF Functions settings, for <c>cdf</c> platforms.</summary>
        public CdfFunctionsSettings? Functions { get; }

        public override string ToString() => Functions != null ? $"{Type}:{Functions.Connection.BaseUrl}/{Functions.Connection.Project}" : Type;
    }
}
