namespace MlOps.Services
{
    /// <summary>Where a service deployment stands.</summary>
    public enum ServiceStatus
    {
        /// <summary>Packaged and tested, not deployed (-TestOnly).</summary>
        Tested,

        /// <summary>Deployed and answering its health check.</summary>
        Running,

        /// <summary>Deployed, but its health check fails.</summary>
        Unhealthy,

        /// <summary>Deployed, but its process is gone.</summary>
        Stopped,
    }
}
