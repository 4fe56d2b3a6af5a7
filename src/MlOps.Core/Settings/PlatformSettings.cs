namespace MlOps.Settings
{
    /// <summary>Where an environment runs its services.</summary>
    public sealed class PlatformSettings
    {
        public const int DefaultKeepDeployments = 3;

        /// <summary>The most deployments "keepDeployments" may keep.</summary>
        public const int MaxKeepDeployments = 100;

        public PlatformSettings(string type, string path, int keepDeployments = DefaultKeepDeployments, CdfFunctionsSettings? functions = null,
            System.TimeSpan? callTimeout = null, System.TimeSpan? trainingTimeout = null, System.TimeSpan? startTimeout = null,
            System.TimeSpan? serviceTestTimeout = null)
        {
            ServiceTestTimeout = serviceTestTimeout ?? System.TimeSpan.FromSeconds(600);
            CallTimeout = callTimeout ?? System.TimeSpan.FromSeconds(60);
            TrainingTimeout = trainingTimeout ?? System.TimeSpan.FromMinutes(60);
            StartTimeout = startTimeout ?? System.TimeSpan.FromSeconds(120);
            Type = type;
            Path = path;
            KeepDeployments = keepDeployments;
            Functions = functions;
        }

        /// <summary><c>local</c>: services run as local Python processes on 127.0.0.1; <c>cdf</c>: CDF Functions.</summary>
        public string Type { get; }

        /// <summary>Python processes on this machine (<c>type: local</c>).</summary>
        public bool IsLocal => Type == StoreKinds.Local;

        /// <summary>Local platform: the folder holding deployed services, their packages and logs (absolute).</summary>
        public string Path { get; }

        /// <summary>How many deployments of a service are kept (the current one included) so that a rollback can return to them.</summary>
        public int KeepDeployments { get; }

        /// <summary>
        /// Local platform: how long a prediction call may run before the service answers it with an error and serves the next
        /// calls with a new worker ("callTimeoutSeconds", default 60).
        /// </summary>
        public System.TimeSpan CallTimeout { get; }

        /// <summary>Local platform: the same for a training call ("trainingTimeoutMinutes", default 60).</summary>
        public System.TimeSpan TrainingTimeout { get; }

        /// <summary>Local platform: how long a service may take to start and load its model ("startTimeoutSeconds", default 120).</summary>
        public System.TimeSpan StartTimeout { get; }

        /// <summary>
        /// Both platforms: how long the deployed service test waits for the new deployment's answer to the sample input
        /// ("serviceTestTimeoutSeconds", default 600); past it the test fails, naming the setting, and the previous
        /// deployment keeps serving.
        /// </summary>
        public System.TimeSpan ServiceTestTimeout { get; }

        /// <summary>The CDF Functions settings, for <c>cdf</c> platforms.</summary>
        public CdfFunctionsSettings? Functions { get; }

        public override string ToString() => Functions != null ? $"{Type}:{Functions.Connection.BaseUrl}/{Functions.Connection.Project}" : Type;
    }
}
