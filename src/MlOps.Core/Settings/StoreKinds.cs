using System.Collections.Generic;

namespace MlOps.Settings
{
    /// <summary>
    /// The kinds of registry and platform an environment names (<c>registry.type</c>, <c>platform.type</c>): the one place
    /// they are spelled. Settings check them, the factories choose by them, and the rest asks the settings
    /// (<see cref="RegistrySettings.IsLocal"/>, <see cref="PlatformSettings.IsLocal"/>) or the platform itself.
    /// </summary>
    public static class StoreKinds
    {
        /// <summary>A folder on this machine (registry) or Python processes on this machine (platform).</summary>
        public const string Local = "local";

        /// <summary>CDF Files (registry) or CDF Functions (platform).</summary>
        public const string Cdf = "cdf";

        public static readonly IReadOnlyList<string> All = new[] { Local, Cdf };
    }
}
