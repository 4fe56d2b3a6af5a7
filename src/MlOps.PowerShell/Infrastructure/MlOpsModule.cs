using System.Management.Automation;
using MlOps.Cdf;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>
    /// What the module owns for its session: its dependencies' loader (<see cref="DependencyLoader"/>) and the CDF
    /// connection pool (clients, tokens, the secrets Connect-MlCdf was given). Created when the module is imported, and
    /// disposed when it is removed (Remove-Module), which unhooks the loader, closes the HTTP connections and forgets the
    /// secrets; importing the module again starts a new pool.
    /// </summary>
    public sealed class MlOpsModule : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly object Gate = new object();
        private static CdfConnectionPool? _pool;

        /// <summary>The session's pool, created on first use if the import hook has not run (a host loading the assembly directly).</summary>
        internal static CdfConnectionPool Pool
        {
            get
            {
                lock (Gate)
                {
                    return _pool ??= new CdfConnectionPool();
                }
            }
        }

        public void OnImport()
        {
            DependencyLoader.Register();
            lock (Gate)
            {
                _pool ??= new CdfConnectionPool();
            }
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            CdfConnectionPool? pool;
            lock (Gate)
            {
                pool = _pool;
                _pool = null;
            }

            pool?.Dispose();
            DependencyLoader.Unregister();
        }
    }
}
